package web

import (
	"net/http"
	"slices"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// contractView is the contract page: a WON deal's contract in execution (GetContract), which FINANCE of the deal's
// unit reads too, with its milestones, acceptances, invoices and payments, and the execution's forms.
type contractView struct {
	Contract *ltcv1.ContractExecution
	Forms    []actionView
}

// contractPageActions are the contract's forms on its own page, for the people who act on it without reading the
// deal (FINANCE): the deal page's, posting here.
var contractPageActions = forms("/contracts/", slices.Clone(contractActions))

// contractSubject is what the contract's forms need of the deal: its id, stage and contract.
func contractSubject(c *ltcv1.ContractExecution) *ltcv1.Opportunity {
	return &ltcv1.Opportunity{Id: c.OpportunityId, Stage: c.Stage, Contract: c.Contract}
}

func (s *Server) contract(w http.ResponseWriter, r *http.Request, id Identity) {
	s.contractPage(w, r, id, http.StatusOK, "", nil)
}

// contractPage shows the contract with its forms: the one of refusedKey as refused.
func (s *Server) contractPage(w http.ResponseWriter, r *http.Request, id Identity, code int, refusedKey string, refused *actionForm) {
	ctx, cancel := s.call(r, id)
	defer cancel()
	got, err := s.contracts.GetContract(ctx, &ltcv1.GetContractRequest{OpportunityId: r.PathValue("id")})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	c := got.Contract
	s.render(w, r, code, "contract", "deals", contractView{Contract: c,
		Forms: draw(contractPageActions, contractSubject(c), refusedKey, refused)})
}
