package ltc

import "slices"

// Role is a role a person holds in the sales organisation, carried by their token.
type Role string

// Roles of domain.md.
const (
	RoleSales        Role = "sales"
	RoleSalesManager Role = "sales_manager"
	RoleExecutive    Role = "executive"
	RoleReviewer     Role = "reviewer"
	RoleSystem       Role = "system"
	RoleAdmin        Role = "admin"
)

// Roles lists every role the engine knows.
var Roles = []Role{RoleSales, RoleSalesManager, RoleExecutive, RoleReviewer, RoleSystem, RoleAdmin}

// ReviewFunction is a professional review function (专业评审).
type ReviewFunction string

// Review functions.
const (
	FunctionFinance  ReviewFunction = "FINANCE"
	FunctionLegal    ReviewFunction = "LEGAL"
	FunctionDelivery ReviewFunction = "DELIVERY"
	FunctionSolution ReviewFunction = "SOLUTION"
)

// ReviewFunctions lists every review function.
var ReviewFunctions = []ReviewFunction{FunctionFinance, FunctionLegal, FunctionDelivery, FunctionSolution}

// MaxAuthority is the highest executive authority level (corporate).
const MaxAuthority = 3

// Actor is the person behind a call: who they are and what their token allows.
type Actor struct {
	ID        string           `json:"id"`
	Name      string           `json:"name,omitempty"`
	Roles     []Role           `json:"roles"`
	Authority int              `json:"authority,omitempty"`
	Functions []ReviewFunction `json:"functions,omitempty"`
	// Unit is the org unit the person belongs to; their scope as manager, executive or reviewer follows from it.
	Unit Unit `json:"unit,omitempty"`
	// Scopes are the token's grants beyond the roles (ScopeRead for systems).
	Scopes []string `json:"scopes,omitempty"`
}

// Person returns the actor as a person on record.
func (a Actor) Person() Person { return Person{ID: a.ID, Name: a.Name} }

// Has reports whether the actor holds the role.
func (a Actor) Has(r Role) bool { return slices.Contains(a.Roles, r) }

// HasAny reports whether the actor holds one of the roles.
func (a Actor) HasAny(roles ...Role) bool {
	return slices.ContainsFunc(roles, a.Has)
}

// ParseRole returns the role named s, or false if there is none.
func ParseRole(s string) (Role, bool) {
	r := Role(s)
	return r, slices.Contains(Roles, r)
}

// ParseReviewFunction returns the function named s, or false if there is none.
func ParseReviewFunction(s string) (ReviewFunction, bool) {
	f := ReviewFunction(s)
	return f, slices.Contains(ReviewFunctions, f)
}
