package web

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// TestEveryStringOfThePagesIsInTheCatalogue checks that each word of the templates and the navigation, and each
// value of the enums the pages show, has its English and Chinese message.
func TestEveryStringOfThePagesIsInTheCatalogue(t *testing.T) {
	keys := map[string]bool{}
	pages, err := fs.Glob(files, "templates/*.html")
	require.NoError(t, err)
	literal := regexp.MustCompile(`\.T "([^"]+)"`)
	for _, p := range pages {
		text, err := fs.ReadFile(files, p)
		require.NoError(t, err)
		for _, m := range literal.FindAllStringSubmatch(string(text), -1) {
			keys[m[1]] = true
		}
	}
	require.NotEmpty(t, keys)
	for _, s := range sections {
		keys[s.Label] = true
	}
	for _, names := range []map[int32]string{ltcv1.Stage_name, ltcv1.Outcome_name, ltcv1.Gate_name,
		ltcv1.DecisionStatus_name, ltcv1.Verdict_name, ltcv1.ProjectLevel_name, ltcv1.CustomerGrade_name,
		ltcv1.ReviewFunction_name, ltcv1.ReviewResult_name, ltcv1.TeamRole_name, ltcv1.RiskCategory_name,
		ltcv1.RiskLevel_name, ltcv1.RiskStatus_name, ltcv1.LeadState_name, ltcv1.LeadSource_name, ltcv1.Urgency_name,
		ltcv1.RelationshipLevel_name, ltcv1.ContactRole_name, ltcv1.MeetingKind_name, ltcv1.Tender_name, ltcv1.Attitude_name, ltcv1.Trend_name, ltcv1.SupplierState_name,
		ltcv1.ActivityKind_name, ltcv1.ActivityState_name, ltcv1.ActivityReviewStatus_name, ltcv1.ForecastCategory_name} {
		for _, n := range names {
			keys[n] = true
		}
	}
	formWords(keys, dealActions) // the deal's and the account's forms carry their words from Go
	formWords(keys, accountActions)
	formWords(keys, workActions)
	formWords(keys, leadActions)
	formWords(keys, webhookActions)
	formWords(keys, decisionActions)
	keys[eraseUnticked] = true                                             // and so does the refusal the account page makes itself
	for _, stage := range append(stagePath, ltcv1.Stage_STAGE_EXECUTION) { // and so do what a deal needs and what its team owes
		for _, n := range missing(&ltcv1.Opportunity{Stage: stage, SummaryDueTime: timestamppb.Now(),
			Decisions: []*ltcv1.Decision{{Status: ltcv1.DecisionStatus_DECISION_STATUS_PENDING}}}) {
			keys[n.What] = true
		}
	}
	for _, o := range obligations([]*ltcv1.Opportunity{{Stage: ltcv1.Stage_STAGE_HANDOVER, NextReportDueTime: timestamppb.Now(),
		SummaryDueTime: timestamppb.Now(), HandoverDueTime: timestamppb.Now()}}) {
		keys[o.What] = true
	}
	for _, typ := range ltc.EventTypes {
		if !slices.Contains(ltc.AccountEventTypes, typ) {
			keys[typ] = true // the deal's timeline names each of its events
		}
	}
	for key := range keys {
		m, ok := catalogue[key]
		if assert.True(t, ok, "%q is not in the catalogue", key) {
			assert.NotEmpty(t, m.zh, "%q has no Chinese", key)
		}
	}
	zh := printer(language.SimplifiedChinese)
	assert.Equal(t, "标前引导", zh.Sprintf(ltcv1.Stage_STAGE_PURSUIT.String()))
	assert.Equal(t, "已升级 2 次", zh.Sprintf("escalated %d times", 2))
	assert.Equal(t, "Pursuit", printer(language.English).Sprintf(ltcv1.Stage_STAGE_PURSUIT.String()))
}

// formWords adds the words of a page's forms to keys: titles, who takes them, labels, hints and the options' labels
// (but those shown as they are, such as a contact's name).
func formWords[T subject](keys map[string]bool, actions []action[T]) {
	for _, a := range actions {
		keys[a.Title], keys[a.Who] = true, true
		for _, f := range a.Fields {
			keys[f.Label] = true
			if f.Hint != "" {
				keys[f.Hint] = true
			}
			for _, o := range f.Options {
				if !o.Plain {
					keys[o.Label] = true
				}
			}
		}
	}
}

// TestTheChartsWordsAreTranslated checks the words the pipeline's charts carry from Go rather than from a template.
func TestTheChartsWordsAreTranslated(t *testing.T) {
	latin := regexp.MustCompile(`[A-Za-z]`)
	for _, c := range pipelineCharts(printer(language.SimplifiedChinese), &ltcv1.GetPipelineReportResponse{}) {
		assert.NotRegexp(t, latin, c.Title, c.ID)
		var spec chartSpec
		require.NoError(t, json.Unmarshal([]byte(c.Spec), &spec), c.ID)
		assert.NotRegexp(t, latin, spec.Unit, c.ID)
		for _, s := range spec.Series {
			assert.NotRegexp(t, latin, s.Name, c.ID)
		}
	}
	zh := &Page{p: printer(language.SimplifiedChinese)}
	assert.Equal(t, "36.0 小时", zh.Span(durationpb.New(36*time.Hour)))
	assert.Equal(t, "3.0 天", zh.Span(durationpb.New(72*time.Hour)))
}
