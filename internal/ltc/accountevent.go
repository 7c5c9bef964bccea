package ltc

import "time"

// Event types of an account, in the one catalogue (EventTypes) with the deals'.
const (
	EventAccountCreated              = "account.created"
	EventAccountUpdated              = "account.updated"
	EventAccountGraded               = "account.graded"
	EventContactAdded                = "contact.added"
	EventContactUpdated              = "contact.updated"
	EventContactErased               = "contact.erased"
	EventRelationshipAssessed        = "relationship.assessed"
	EventAccountPlanSet              = "account_plan.set"
	EventRelationshipReviewRecorded  = "relationship_review.recorded"
	EventRelationshipReviewOverdue   = "relationship_review.overdue"
	EventRelationshipReviewEscalated = "relationship_review.escalated"
	EventSatisfactionRecorded        = "satisfaction.recorded"
	EventActivityRecorded            = "activity.recorded"
	EventActivityReviewed            = "activity.reviewed"
	EventActivityCompleted           = "activity.completed"
)

// AccountEventTypes is the catalogue of an account's events: every type its commands write.
var AccountEventTypes = []string{
	EventAccountCreated, EventAccountUpdated, EventAccountGraded, EventContactAdded, EventContactUpdated,
	EventContactErased, EventRelationshipAssessed, EventAccountPlanSet, EventRelationshipReviewRecorded,
	EventRelationshipReviewOverdue, EventRelationshipReviewEscalated, EventSatisfactionRecorded, EventActivityRecorded,
	EventActivityReviewed, EventActivityCompleted,
}

// AccountEventDetails gives, for each account event type, the type of the details it carries, as a zero value to
// decode into. None carries a contact's personal data: an erased contact is erased from the event log too, since
// it never was in it.
var AccountEventDetails = map[string]any{
	EventAccountCreated:              AccountDetails{},
	EventAccountUpdated:              AccountUpdateDetails{},
	EventAccountGraded:               GradeChange{},
	EventContactAdded:                ContactDetails{},
	EventContactUpdated:              ContactDetails{},
	EventContactErased:               ContactDetails{},
	EventRelationshipAssessed:        RelationshipAssessment{},
	EventAccountPlanSet:              AccountPlan{},
	EventRelationshipReviewRecorded:  RelationshipReview{},
	EventRelationshipReviewOverdue:   ReviewDueDetails{},
	EventRelationshipReviewEscalated: ReviewDueDetails{},
	EventSatisfactionRecorded:        SatisfactionScore{},
	EventActivityRecorded:            Activity{},
	EventActivityReviewed:            Activity{},
	EventActivityCompleted:           Activity{},
}

// The details of account events whose payload is no domain type of its own, under the JSON names the event log
// keeps.
type (
	// AccountUpdateDetails: account.updated, with the fields the update named.
	AccountUpdateDetails struct {
		Fields []string       `json:"fields"`
		Before AccountDetails `json:"before"`
		After  AccountDetails `json:"after"`
	}
	// ContactDetails: contact.added, contact.updated (with the fields the update named) and contact.erased. They
	// carry the contact's id and what is no personal data: its place in the power map and our relationship holder.
	ContactDetails struct {
		ContactID     string      `json:"contact_id"`
		ReportsTo     string      `json:"reports_to,omitempty"`
		Role          ContactRole `json:"role,omitempty"`
		HiddenDecider bool        `json:"hidden_decider,omitempty"`
		RisingStar    bool        `json:"rising_star,omitempty"`
		Attitude      Attitude    `json:"attitude,omitempty"`
		Holder        *Person     `json:"holder,omitempty"`
		Strength      int         `json:"strength,omitempty"`
		Erased        bool        `json:"erased,omitempty"`
		Fields        []string    `json:"fields,omitempty"`
		// Reference names the privacy request of an erasure.
		Reference string `json:"reference,omitempty"`
	}
	// ReviewDueDetails: relationship_review.overdue and relationship_review.escalated: the quarter whose review
	// is missing, when it was due, and how many times it was escalated (1 to the sales managers, 2 to the
	// executives).
	ReviewDueDetails struct {
		Quarter     string    `json:"quarter"`
		DueAt       time.Time `json:"due_at"`
		Escalations int       `json:"escalations,omitempty"`
	}
)
