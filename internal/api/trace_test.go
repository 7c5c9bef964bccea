package api_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// TestTracingAcrossGRPCTemporalAndPostgreSQL turns tracing on and records the spans of one CreateLead: the gRPC
// call, the Temporal update and workflow, and the database queries, in one trace.
func TestTracingAcrossGRPCTemporalAndPostgreSQL(t *testing.T) {
	recorder := tracetest.NewSpanRecorder()
	previous := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder)))
	t.Cleanup(func() { otel.SetTracerProvider(previous) })

	e := testenv.StartEngine(t, testenv.Configure(func(c *config.Config) { c.Tracing = true }))
	_, err := ltcv1.NewLeadServiceClient(e.Conn).CreateLead(e.As(t, sam), createRequest())
	require.NoError(t, err)

	// The server ends its span after the answer is on its way: the client can see the answer first.
	names := map[string]bool{}
	var grpcTrace string
	traced := func() bool {
		for _, s := range recorder.Ended() {
			names[s.Name()] = true
			if s.Name() == "ltc.v1.LeadService/CreateLead" {
				grpcTrace = s.SpanContext().TraceID().String()
			}
		}
		return grpcTrace != ""
	}
	require.Eventually(t, traced, 5*time.Second, 10*time.Millisecond, "the gRPC call is traced: %v", names)
	var temporal, pg bool
	for _, s := range recorder.Ended() {
		if s.SpanContext().TraceID().String() != grpcTrace {
			continue
		}
		temporal = temporal || s.Name() == "RunActivity:RecordChange"
		pg = pg || s.Name() == "INSERT"
	}
	assert.True(t, temporal, "the workflow's activity is in the trace: %v", names)
	assert.True(t, pg, "its database writes are in the trace: %v", names)
}
