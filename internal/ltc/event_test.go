package ltc_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

// TestEventTypesListsTheWholeCatalogue: every Event* constant of event.go is in EventTypes, the list ListEvents
// filters by, so a new event type cannot be left unfilterable.
func TestEventTypesListsTheWholeCatalogue(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "event.go", nil, 0)
	require.NoError(t, err)
	var declared []string
	for _, decl := range f.Decls {
		if gen, ok := decl.(*ast.GenDecl); ok && gen.Tok == token.CONST {
			for _, spec := range gen.Specs {
				for _, v := range spec.(*ast.ValueSpec).Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, err := strconv.Unquote(lit.Value)
						require.NoError(t, err)
						declared = append(declared, s)
					}
				}
			}
		}
	}
	assert.ElementsMatch(t, declared, ltc.EventTypes)
}
