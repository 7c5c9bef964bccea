package ltc_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

func TestProjectLevel(t *testing.T) {
	p := ltc.DefaultPolicy()
	cny := func(major int64) ltc.Money { return ltc.Money{Currency: "CNY", AmountMinor: major * 100} }
	tests := []struct {
		value ltc.Money
		grade ltc.CustomerGrade
		want  ltc.ProjectLevel
	}{
		{cny(10_000_000), ltc.GradeC, ltc.LevelA},
		{cny(9_999_999), ltc.GradeC, ltc.LevelB},
		{cny(1), ltc.GradeS, ltc.LevelA},
		{cny(1_000_000), ltc.GradeB, ltc.LevelB},
		{cny(999_999), ltc.GradeB, ltc.LevelC},
		{cny(1), ltc.GradeA, ltc.LevelB},
		{cny(0), ltc.GradeC, ltc.LevelC},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, p.LevelFor(tt.value, tt.grade), "%d %s", tt.value.AmountMinor, tt.grade)
	}
}

func TestDefaultPolicyMatchesTheDomain(t *testing.T) {
	p := ltc.DefaultPolicy()
	require.NoError(t, p.Validate())
	for level, want := range map[ltc.ProjectLevel]struct {
		authority int
		reviews   []ltc.ReviewFunction
		sla       time.Duration
	}{
		ltc.LevelC: {1, []ltc.ReviewFunction{ltc.FunctionFinance}, 3 * 24 * time.Hour},
		ltc.LevelB: {2, []ltc.ReviewFunction{ltc.FunctionFinance, ltc.FunctionLegal, ltc.FunctionDelivery}, 5 * 24 * time.Hour},
		ltc.LevelA: {3, []ltc.ReviewFunction{ltc.FunctionFinance, ltc.FunctionLegal, ltc.FunctionDelivery, ltc.FunctionSolution}, 7 * 24 * time.Hour},
	} {
		lp := p.Levels[level]
		assert.Equal(t, want.authority, lp.Authority, level)
		assert.Equal(t, want.reviews, lp.Reviews, level)
		assert.Equal(t, want.sla, time.Duration(lp.DecisionSLA), level)
	}
	assert.Equal(t, 14*24*time.Hour, time.Duration(p.LeadSLA))
}

func TestPolicyFileRoundTrip(t *testing.T) {
	b, err := json.Marshal(ltc.DefaultPolicy())
	require.NoError(t, err)
	assert.Contains(t, string(b), `"lead_sla":"336h0m0s"`, "durations are text in files")
	p, err := ltc.ParsePolicy(b)
	require.NoError(t, err)
	assert.Equal(t, ltc.DefaultPolicy(), p)
}

func TestPolicyValidation(t *testing.T) {
	for name, doc := range map[string]string{
		"no version":    `{"lead_sla":"1h"}`,
		"NUL version":   `{"version":"x\u0000","lead_sla":"1h"}`,
		"huge level A":  `{"version":"x","lead_sla":"1h","level_a":{"min_value_minor":1000000000000000001}}`,
		"bad duration":  `{"version":"x","lead_sla":"soon"}`,
		"missing level": `{"version":"x","lead_sla":"1h","levels":{"A":{"authority":3,"decision_sla":"1h"}}}`,
		"bad authority": `{"version":"x","lead_sla":"1h","levels":{"A":{"authority":4,"decision_sla":"1h"},"B":{"authority":2,"decision_sla":"1h"},"C":{"authority":1,"decision_sla":"1h"}}}`,
		"bad review":    `{"version":"x","lead_sla":"1h","levels":{"A":{"authority":3,"decision_sla":"1h","reviews":["HR"]},"B":{"authority":2,"decision_sla":"1h"},"C":{"authority":1,"decision_sla":"1h"}}}`,
	} {
		_, err := ltc.ParsePolicy([]byte(doc))
		assert.Error(t, err, name)
	}
}

func TestDurationReadsNanosecondsOfOlderProcesses(t *testing.T) {
	var d ltc.Duration
	require.NoError(t, json.Unmarshal([]byte(`1209600000000000`), &d))
	assert.Equal(t, 14*24*time.Hour, time.Duration(d))
}

func TestTheAccountRulesOfThePolicy(t *testing.T) {
	p := ltc.DefaultPolicy()
	assert.Equal(t, ltc.Money{Currency: "CNY", AmountMinor: 500_00}, p.ComplianceReviewAbove)
	assert.Equal(t, 14*24*time.Hour, time.Duration(p.ReviewGrace))
	assert.Equal(t, 7*24*time.Hour, time.Duration(p.ReviewEscalateAfter))

	// A policy written before the account rules takes their defaults.
	older, err := ltc.ParsePolicy([]byte(`{"version":"v0","lead_sla":"1h","levels":{"A":{"authority":3,"decision_sla":"1h"},"B":{"authority":2,"decision_sla":"1h"},"C":{"authority":1,"decision_sla":"1h"}}}`))
	require.NoError(t, err)
	assert.True(t, ltc.NeedsComplianceReview(ltc.Money{Currency: "CNY", AmountMinor: 500_01}, older))
	assert.False(t, ltc.NeedsComplianceReview(ltc.Money{Currency: "CNY", AmountMinor: 500_00}, older))
	assert.True(t, ltc.NeedsComplianceReview(ltc.Money{Currency: "EUR", AmountMinor: 1}, older), "another currency always needs it")

	p.ComplianceReviewAbove = ltc.Money{Currency: "EUR", AmountMinor: 100_00}
	assert.False(t, ltc.NeedsComplianceReview(ltc.Money{Currency: "EUR", AmountMinor: 100_00}, p))
	assert.True(t, ltc.NeedsComplianceReview(ltc.Money{Currency: "CNY", AmountMinor: 1}, p))

	for name, change := range map[string]func(*ltc.Policy){
		"a threshold in no currency":       func(p *ltc.Policy) { p.ComplianceReviewAbove = ltc.Money{AmountMinor: 100} },
		"a threshold in a lower-case code": func(p *ltc.Policy) { p.ComplianceReviewAbove.Currency = "cny" },
		"a negative threshold":             func(p *ltc.Policy) { p.ComplianceReviewAbove.AmountMinor = -1 },
		"a negative review grace":          func(p *ltc.Policy) { p.ReviewGrace = -1 },
		"a negative escalation":            func(p *ltc.Policy) { p.ReviewEscalateAfter = -1 },
	} {
		bad := ltc.DefaultPolicy()
		change(&bad)
		assert.Error(t, bad.Validate(), name)
	}
	_, err = ltc.ParsePolicy([]byte(`{"version":"x","lead_sla":"1h","review_grace":"-1h","levels":{"A":{"authority":3,"decision_sla":"1h"},"B":{"authority":2,"decision_sla":"1h"},"C":{"authority":1,"decision_sla":"1h"}}}`))
	assert.ErrorContains(t, err, "review_grace must not be negative")
	b, err := json.Marshal(ltc.DefaultPolicy())
	require.NoError(t, err)
	assert.Contains(t, string(b), `"compliance_review_above":{"currency":"CNY","amount_minor":50000}`)
	assert.Contains(t, string(b), `"review_grace":"336h0m0s"`)
}
