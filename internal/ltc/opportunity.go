package ltc

import "time"

// Stage is where an open deal stands in the opportunity process (MO, 管理机会点).
type Stage string

// Stages, in order.
const (
	StageValidation       Stage = "VALIDATION"        // 验证机会点
	StageInitiationReview Stage = "INITIATION_REVIEW" // 立项决策
	StageTeamFormation    Stage = "TEAM_FORMATION"    // 项目组任命
	StagePursuit          Stage = "PURSUIT"           // 标前引导
	StageATBReview        Stage = "ATB_REVIEW"        // 投标决策
	StageBidding          Stage = "BIDDING"
	StageNegotiation      Stage = "NEGOTIATION" // 谈判
	StageATCReview        Stage = "ATC_REVIEW"  // 签约决策
	StageContractSigning  Stage = "CONTRACT_SIGNING"
	StageHandover         Stage = "HANDOVER" // 合同交底会
	StageClosed           Stage = "CLOSED"
)

// Outcome is how a closed deal ended.
type Outcome string

// Outcomes.
const (
	OutcomeWon        Outcome = "WON"
	OutcomeLost       Outcome = "LOST"
	OutcomeNoBid      Outcome = "NO_BID"
	OutcomeNotPursued Outcome = "NOT_PURSUED"
	OutcomeCancelled  Outcome = "CANCELLED"
	OutcomeAbandoned  Outcome = "ABANDONED"
)

// ProjectLevel is the project level (项目级别) fixed at INITIATION.
type ProjectLevel string

// Project levels.
const (
	LevelA ProjectLevel = "A"
	LevelB ProjectLevel = "B"
	LevelC ProjectLevel = "C"
)

// Opportunity is the deal. It keeps the id of the lead it came from: one id names the deal from lead to cash.
type Opportunity struct {
	ID             string       `json:"id"`
	LeadID         string       `json:"lead_id"`
	Stage          Stage        `json:"stage"`
	Outcome        Outcome      `json:"outcome,omitempty"`
	Level          ProjectLevel `json:"level,omitempty"`
	Customer       Customer     `json:"customer"`
	Title          string       `json:"title"`
	EstimatedValue Money        `json:"estimated_value"`
	Owner          Person       `json:"owner"`
	PolicyVersion  string       `json:"policy_version"`
	CreatedAt      time.Time    `json:"created_at"`
	UpdatedAt      time.Time    `json:"updated_at"`
}

// NewOpportunity is the deal created from a qualified lead, in stage VALIDATION.
func NewOpportunity(l Lead, now time.Time) Opportunity {
	return Opportunity{
		ID:             l.ID,
		LeadID:         l.ID,
		Stage:          StageValidation,
		Customer:       l.Customer,
		Title:          l.Title,
		EstimatedValue: l.EstimatedValue,
		Owner:          l.Owner,
		PolicyVersion:  l.PolicyVersion,
		CreatedAt:      now,
		UpdatedAt:      now,
	}
}
