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
	declared, err := readConstants("event.go")
	require.NoError(t, err)
	accounts, err := readConstants("accountevent.go")
	require.NoError(t, err)
	assert.ElementsMatch(t, append(declared, accounts...), ltc.EventTypes)
}

// readConstants are the string constants the file declares.
func readConstants(file string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return nil, err
	}
	var declared []string
	for _, decl := range f.Decls {
		if gen, ok := decl.(*ast.GenDecl); ok && gen.Tok == token.CONST {
			for _, spec := range gen.Specs {
				for _, v := range spec.(*ast.ValueSpec).Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, err := strconv.Unquote(lit.Value)
						if err != nil {
							return nil, err
						}
						declared = append(declared, s)
					}
				}
			}
		}
	}
	return declared, nil
}
