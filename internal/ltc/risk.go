package ltc

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// RiskCategory classifies a risk (风险计划管理).
type RiskCategory string

// Risk categories.
const (
	RiskCommercial RiskCategory = "COMMERCIAL"
	RiskTechnical  RiskCategory = "TECHNICAL"
	RiskDelivery   RiskCategory = "DELIVERY"
	RiskLegal      RiskCategory = "LEGAL"
	RiskFinancial  RiskCategory = "FINANCIAL"
)

// RiskLevel rates a risk's probability or impact.
type RiskLevel string

// Risk levels.
const (
	RiskLow    RiskLevel = "LOW"
	RiskMedium RiskLevel = "MEDIUM"
	RiskHigh   RiskLevel = "HIGH"
)

// RiskStatus is where a risk stands.
type RiskStatus string

// Risk statuses.
const (
	RiskOpen      RiskStatus = "OPEN"
	RiskMitigated RiskStatus = "MITIGATED"
	RiskClosed    RiskStatus = "CLOSED"
)

// Risk is an entry of the deal's risk register. Every risk is assessed: it has a probability and an impact.
type Risk struct {
	ID          string       `json:"id"`
	Description string       `json:"description"`
	Category    RiskCategory `json:"category"`
	Probability RiskLevel    `json:"probability"`
	Impact      RiskLevel    `json:"impact"`
	Owner       Person       `json:"owner"`
	Mitigation  string       `json:"mitigation,omitempty"`
	Status      RiskStatus   `json:"status"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

var riskIDSpace = uuid.MustParse("5b1e8f3c-2d47-4a96-b0c1-7e9f2a3d4c58")

// RiskID is the id of the risk added by the request.
func RiskID(requestID string) string { return uuid.NewSHA1(riskIDSpace, []byte(requestID)).String() }

// CanEditRisks checks that the actor may add or change risks now: a core team member (the owner before a team
// exists), a sales manager or an admin, on an open deal.
func CanEditRisks(a Actor, o Opportunity) error {
	if !o.owns(a) && !o.Team.Core(a.ID) && !o.managedBy(a) {
		return PermissionDenied("the risk register of deal %s is kept by its AR, SR and FR or a sales_manager", o.ID)
	}
	return o.open()
}

// CanUpdateRisk checks CanEditRisks and that the risk exists.
func CanUpdateRisk(a Actor, o Opportunity, riskID string) error {
	if err := CanEditRisks(a, o); err != nil {
		return err
	}
	if _, ok := o.Risk(riskID); !ok {
		return NotFound("risk %s not found on deal %s", riskID, o.ID)
	}
	return nil
}

// AddRisk returns the deal with the risk added.
func (o Opportunity) AddRisk(r Risk, now time.Time) Opportunity {
	r.CreatedAt, r.UpdatedAt = now, now
	o.Risks = append(slices.Clone(o.Risks), r)
	o.UpdatedAt = now
	return o
}

// Risk returns the risk with the id.
func (o Opportunity) Risk(id string) (Risk, bool) {
	i := slices.IndexFunc(o.Risks, func(r Risk) bool { return r.ID == id })
	if i < 0 {
		return Risk{}, false
	}
	return o.Risks[i], true
}

// UpdateRisk returns the deal with the risk of the same id replaced (its creation time kept).
func (o Opportunity) UpdateRisk(r Risk, now time.Time) Opportunity {
	risks := slices.Clone(o.Risks)
	for i := range risks {
		if risks[i].ID == r.ID {
			r.CreatedAt, r.UpdatedAt = risks[i].CreatedAt, now
			risks[i] = r
		}
	}
	o.Risks = risks
	o.UpdatedAt = now
	return o
}

// AddRisk adds a risk to the deal's register; its id comes from the request.
type AddRisk struct {
	Risk Risk `json:"risk"`
}

// Apply adds the risk.
func (cmd AddRisk) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanEditRisks(c.Actor, o)
	}
	if err != nil {
		return Change{}, err
	}
	r := cmd.Risk
	r.ID = RiskID(c.RequestID)
	next := o.AddRisk(r, c.Now)
	return c.change(d, next, nil, EventRiskAdded, next.Risks[len(next.Risks)-1]), nil
}

// UpdateRisk changes a risk of the register (its status, mitigation, owner).
type UpdateRisk struct {
	Risk Risk `json:"risk"`
}

// Apply changes the risk.
func (cmd UpdateRisk) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanUpdateRisk(c.Actor, o, cmd.Risk.ID)
	}
	if err != nil {
		return Change{}, err
	}
	next := o.UpdateRisk(cmd.Risk, c.Now)
	r, _ := next.Risk(cmd.Risk.ID)
	return c.change(d, next, nil, EventRiskUpdated, r), nil
}
