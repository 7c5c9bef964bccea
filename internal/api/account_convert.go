package api

import (
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// accountToProto is the account as the reader sees it: without its contacts' personal data unless they may read
// them. The power map is GetAccount's (powerMap); openDeals is set by GetAccount too.
func accountToProto(reader ltc.Actor, a ltc.Account, openDeals int) *ltcv1.Account {
	p := &ltcv1.Account{
		Id: a.ID, Name: a.Name, Grade: toEnum[ltcv1.CustomerGrade](ltcv1.CustomerGrade_value, a.Grade, "CUSTOMER_GRADE_"),
		Industry: a.Industry, Region: a.Region, OrgUnit: string(a.Unit), Owner: personToProto(a.Owner),
		Team: teamToProto(a.Team), Target: a.Target, Supplier: supplierToProto(a.Supplier),
		ContactCount: int32(len(a.Contacts)), OpenDealCount: int32(openDeals), CreatedBy: personToProto(a.CreatedBy),
		CreateTime: timestamppb.New(a.CreatedAt), UpdateTime: timestamppb.New(a.UpdatedAt),
		PersonalDataVisible: a.CanReadPersonalData(reader),
	}
	for _, g := range a.GradeHistory {
		p.GradeHistory = append(p.GradeHistory, gradeChangeToProto(g))
	}
	if a.Relationship != nil {
		p.Relationship = assessmentOfRelationshipToProto(*a.Relationship)
	}
	for _, r := range a.RelationshipHistory {
		if a.Relationship == nil || r != *a.Relationship {
			p.RelationshipHistory = append(p.RelationshipHistory, assessmentOfRelationshipToProto(r))
		}
	}
	if a.Plan != nil {
		p.Plan = planToProto(*a.Plan)
	}
	for _, plan := range slices.Backward(a.Plans) {
		p.Plans = append(p.Plans, planToProto(plan))
	}
	for _, r := range a.Reviews {
		p.Reviews = append(p.Reviews, reviewOfRelationshipToProto(r))
	}
	if c := a.Cadence; c != nil {
		p.Cadence = &ltcv1.ReviewCadence{Quarter: c.Quarter(), DueTime: timestamppb.New(c.ReviewDue), Overdue: c.Overdue,
			Escalations: int32(c.Escalations)}
	}
	for _, s := range a.Satisfaction {
		p.Satisfaction = append(p.Satisfaction, satisfactionToProto(s))
	}
	if points, ok := a.Trend(); ok {
		p.SatisfactionChange = int32(points)
		switch {
		case points > 0:
			p.SatisfactionTrend = ltcv1.Trend_TREND_RISING
		case points < 0:
			p.SatisfactionTrend = ltcv1.Trend_TREND_FALLING
		default:
			p.SatisfactionTrend = ltcv1.Trend_TREND_STEADY
		}
	}
	for _, act := range a.OpenActivities {
		act.AccountID = a.ID
		p.OpenActivities = append(p.OpenActivities, activityToProto(act))
	}
	return p
}

func assessmentOfRelationshipToProto(r ltc.RelationshipAssessment) *ltcv1.RelationshipAssessment {
	return &ltcv1.RelationshipAssessment{
		Level:         toEnum[ltcv1.RelationshipLevel](ltcv1.RelationshipLevel_value, r.Level, "RELATIONSHIP_LEVEL_"),
		Communication: int32(r.Communication), BusinessFit: int32(r.BusinessFit), JointUndertakings: int32(r.JointUndertakings),
		Identification: int32(r.Identification), Rationale: r.Rationale, AssessedBy: personToProto(r.By),
		AssessTime: timestamppb.New(r.At),
	}
}

func planToProto(p ltc.AccountPlan) *ltcv1.AccountPlan {
	return &ltcv1.AccountPlan{Year: int32(p.Year),
		TargetLevel:  toEnum[ltcv1.RelationshipLevel](ltcv1.RelationshipLevel_value, p.TargetLevel, "RELATIONSHIP_LEVEL_"),
		TargetOrders: moneyToProto(p.TargetOrders), Objectives: p.Objectives, SetBy: personToProto(p.By), SetTime: timestamppb.New(p.At)}
}

func supplierFromProto(s *ltcv1.SupplierStatus) ltc.SupplierStatus {
	out := ltc.SupplierStatus{Status: fromEnum[ltc.SupplierState](ltcv1.SupplierState_name, int32(s.GetState()), "SUPPLIER_STATE_")}
	if s.GetExpireDate() != nil {
		d := dateFromProto(s.GetExpireDate())
		out.Expires = &d
	}
	return out
}

func supplierToProto(s ltc.SupplierStatus) *ltcv1.SupplierStatus {
	p := &ltcv1.SupplierStatus{State: toEnum[ltcv1.SupplierState](ltcv1.SupplierState_value, s.Status, "SUPPLIER_STATE_")}
	if s.Expires != nil {
		p.ExpireDate = dateToProto(*s.Expires)
		today := time.Now().UTC()
		p.Expired = s.Expires.Year*10000+s.Expires.Month*100+s.Expires.Day < today.Year()*10000+int(today.Month())*100+today.Day()
	}
	return p
}

func peopleFromProto(people []*ltcv1.Person) []ltc.Person {
	var out []ltc.Person
	for _, p := range people {
		out = append(out, ltc.Person{ID: p.GetId(), Name: p.GetName()})
	}
	return out
}

func peopleToProto(people []ltc.Person) []*ltcv1.Person {
	var out []*ltcv1.Person
	for _, p := range people {
		out = append(out, personToProto(p))
	}
	return out
}

func contactFromProto(c *ltcv1.Contact) ltc.Contact {
	out := ltc.Contact{
		ID: c.GetId(), Name: c.GetName(), Title: c.GetTitle(), Department: c.GetDepartment(), Email: c.GetEmail(),
		Phone: c.GetPhone(), ReportsTo: c.GetReportsToContactId(),
		Role:          fromEnum[ltc.ContactRole](ltcv1.ContactRole_name, int32(c.GetRole()), "CONTACT_ROLE_"),
		HiddenDecider: c.GetHiddenDecider(), RisingStar: c.GetRisingStar(),
		Attitude: fromEnum[ltc.Attitude](ltcv1.Attitude_name, int32(c.GetAttitude()), "ATTITUDE_"),
		Strength: int(c.GetStrength()), Notes: c.GetNotes(),
	}
	if h := c.GetHolder(); h != nil {
		out.Holder = &ltc.Person{ID: h.Id, Name: h.Name}
	}
	return out
}

// contactFields are the contact's fields an update mask names, in the rules' names.
func contactFields(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		if p == "reports_to_contact_id" {
			p = ltc.ContactFieldReportsTo
		}
		out[i] = p
	}
	return out
}

// contactToProto is the contact, without its personal data unless personal.
func contactToProto(c ltc.Contact, personal bool) *ltcv1.Contact {
	if !personal {
		c = c.Anonymous()
	}
	p := &ltcv1.Contact{
		Id: c.ID, AccountId: c.AccountID, Name: c.Name, Title: c.Title, Department: c.Department, Email: c.Email,
		Phone: c.Phone, ReportsToContactId: c.ReportsTo,
		Role:          toEnum[ltcv1.ContactRole](ltcv1.ContactRole_value, c.Role, "CONTACT_ROLE_"),
		HiddenDecider: c.HiddenDecider, RisingStar: c.RisingStar,
		Attitude: toEnum[ltcv1.Attitude](ltcv1.Attitude_value, c.Attitude, "ATTITUDE_"),
		Strength: int32(c.Strength), Notes: c.Notes, Erased: c.Erased, EraseTime: timeToProto(c.ErasedAt),
	}
	if c.Holder != nil {
		p.Holder = personToProto(*c.Holder)
	}
	return p
}

// powerMap is the account's contacts as a tree by reports-to, depth first: each contact followed by the people who
// report to it, in the order they were added; contacts whose manager is not among them are roots.
func powerMap(contacts []ltc.Contact, personal bool) []*ltcv1.PowerMapEntry {
	known := map[string]bool{}
	for _, c := range contacts {
		known[c.ID] = true
	}
	reports := map[string][]ltc.Contact{}
	var roots []ltc.Contact
	for _, c := range contacts {
		if c.ReportsTo == "" || !known[c.ReportsTo] {
			roots = append(roots, c)
		} else {
			reports[c.ReportsTo] = append(reports[c.ReportsTo], c)
		}
	}
	var out []*ltcv1.PowerMapEntry
	seen := map[string]bool{}
	var walk func(c ltc.Contact, depth int)
	walk = func(c ltc.Contact, depth int) {
		if seen[c.ID] {
			return
		}
		seen[c.ID] = true
		c.Notes = ""
		out = append(out, &ltcv1.PowerMapEntry{Contact: contactToProto(c, personal), Depth: int32(depth),
			DirectReports: int32(len(reports[c.ID]))})
		for _, r := range reports[c.ID] {
			walk(r, depth+1)
		}
	}
	for _, c := range roots {
		walk(c, 0)
	}
	for _, c := range contacts { // in a reporting cycle, which the rules refuse: shown, not lost
		walk(c, 0)
	}
	return out
}

func activityToProto(a ltc.Activity) *ltcv1.Activity {
	p := &ltcv1.Activity{
		Id: a.ID, Kind: toEnum[ltcv1.ActivityKind](ltcv1.ActivityKind_value, a.Kind, "ACTIVITY_KIND_"), Date: dateToProto(a.Date),
		OurPeople: peopleToProto(a.OurPeople), ContactIds: a.Contacts, Subject: a.Subject, Outcome: a.Outcome,
		Value:           moneyPtrToProto(a.Value),
		State:           toEnum[ltcv1.ActivityState](ltcv1.ActivityState_value, a.State, "ACTIVITY_STATE_"),
		Review:          toEnum[ltcv1.ActivityReviewStatus](ltcv1.ActivityReviewStatus_value, a.Review, "ACTIVITY_REVIEW_STATUS_"),
		ReviewRationale: a.ReviewRationale, ReviewTime: timeToProto(a.ReviewedAt), LoggedBy: personToProto(a.LoggedBy),
		LogTime: timestamppb.New(a.LoggedAt), CompleteTime: timeToProto(a.CompletedAt), AccountId: a.AccountID,
	}
	if a.Reviewer != nil {
		p.Reviewer = personToProto(*a.Reviewer)
	}
	if a.CompletedBy != nil {
		p.CompletedBy = personToProto(*a.CompletedBy)
	}
	if a.HeldOn != nil {
		p.HeldDate = dateToProto(*a.HeldOn)
	}
	return p
}

func gradeChangeToProto(g ltc.GradeChange) *ltcv1.GradeChange {
	return &ltcv1.GradeChange{
		FromGrade: toEnum[ltcv1.CustomerGrade](ltcv1.CustomerGrade_value, g.From, "CUSTOMER_GRADE_"),
		ToGrade:   toEnum[ltcv1.CustomerGrade](ltcv1.CustomerGrade_value, g.To, "CUSTOMER_GRADE_"),
		Rationale: g.Rationale, ChangedBy: personToProto(g.By), ChangeTime: timestamppb.New(g.At),
	}
}

func reviewOfRelationshipToProto(r ltc.RelationshipReview) *ltcv1.RelationshipReview {
	return &ltcv1.RelationshipReview{
		Quarter: r.Quarter, HeldDate: dateToProto(r.HeldOn), Attendees: peopleToProto(r.OurPeople),
		AttendeeContactIds: r.Contacts, Conclusions: r.Conclusions, Actions: r.Actions,
		LevelAfter: toEnum[ltcv1.RelationshipLevel](ltcv1.RelationshipLevel_value, r.LevelAfter, "RELATIONSHIP_LEVEL_"),
		RecordedBy: personToProto(r.By), RecordTime: timestamppb.New(r.At),
	}
}

func satisfactionToProto(s ltc.SatisfactionScore) *ltcv1.SatisfactionScore {
	return &ltcv1.SatisfactionScore{Period: s.Period, Score: int32(s.Score), Respondents: int32(s.Respondents),
		RecordedBy: personToProto(s.By), RecordTime: timestamppb.New(s.At)}
}

// contactFactsToProto is what an event says of a contact: no personal data.
func contactFactsToProto(d ltc.ContactDetails) *ltcv1.ContactFacts {
	p := &ltcv1.ContactFacts{Id: d.ContactID, ReportsToContactId: d.ReportsTo,
		Role:          toEnum[ltcv1.ContactRole](ltcv1.ContactRole_value, d.Role, "CONTACT_ROLE_"),
		HiddenDecider: d.HiddenDecider, RisingStar: d.RisingStar,
		Attitude: toEnum[ltcv1.Attitude](ltcv1.Attitude_value, d.Attitude, "ATTITUDE_"),
		Strength: int32(d.Strength), Erased: d.Erased}
	if d.Holder != nil {
		p.Holder = personToProto(*d.Holder)
	}
	return p
}
