package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func TestMetricsAfterTraffic(t *testing.T) {
	e := testenv.StartEngine(t, testenv.Configure(func(c *config.Config) { c.Pprof = true }))
	qualifiedDeal(t, e)
	_, _ = ltcv1.NewLeadServiceClient(e.Conn).GetLead(e.As(t, sam), &ltcv1.GetLeadRequest{Id: "not-a-uuid"})

	code, body := get(t, e.AdminURL+"/metrics")
	require.Equal(t, http.StatusOK, code)
	for _, series := range []string{
		`grpc_server_handled_total{grpc_code="OK",grpc_method="CreateLead",grpc_service="ltc.v1.LeadService",grpc_type="unary"} 1`,
		`grpc_server_handled_total{grpc_code="InvalidArgument",grpc_method="GetLead",grpc_service="ltc.v1.LeadService",grpc_type="unary"} 1`,
		`grpc_server_handling_seconds_bucket{grpc_method="QualifyLead"`,
		`ltc_open_deals{level="",stage="VALIDATION"} 1`,
		`ltc_weekly_reports_overdue 0`,
		`ltc_notifications_dispatch_lag_events `,
		`ltc_db_pool_connections{state="total"}`,
		`ltc_db_pool_max_connections 8`,
		`temporal_long_request_total{`,
		`temporal_local_activity_total{activity_type="RecordChange"`,
		`ltc_metrics_scrape_errors 0`,
	} {
		assert.True(t, strings.Contains(body, series), "missing %s", series)
	}
	assert.NotContains(t, body, "Bearer", "no token in metrics")

	code, body = get(t, e.AdminURL+"/readyz")
	assert.Equal(t, http.StatusOK, code, body)
	code, _ = get(t, e.AdminURL+"/healthz")
	assert.Equal(t, http.StatusOK, code)
	assert.True(t, strings.HasPrefix(body, "ready"))
	code, body = get(t, e.AdminURL+"/debug/pprof/goroutine?debug=1")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "goroutine profile:", "profiles are served for finding where time goes, when asked for")
}
