// Package api is the engine's gRPC API (package ltc.v1): authentication, validation, error mapping and the
// services. Writes go to the deals' processes as Temporal Updates; reads come from PostgreSQL.
package api

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"time"

	"buf.build/go/protovalidate"
	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/ltcengine/ltc/internal/auth"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// Config wires the server to its backends.
type Config struct {
	Store     *store.Store
	Temporal  client.Client
	TaskQueue string
	// Policy is the policy new leads and deals start with.
	Policy   ltc.Policy
	Verifier *auth.Verifier
	Logger   *slog.Logger
	// Reflection turns on gRPC server reflection (v1 and v1alpha).
	Reflection bool
	// RequestTimeout bounds every call.
	RequestTimeout time.Duration
	// Metrics counts and times the calls.
	Metrics *grpcprom.ServerMetrics
	// Tracing traces every call with OpenTelemetry (the global tracer provider).
	Tracing bool
	// TLS, when set, secures the connections (and with ClientCAs, requires client certificates); nil serves
	// plaintext.
	TLS *tls.Config
}

// Server serves the API.
type Server struct {
	store     *store.Store
	temporal  client.Client
	taskQueue string
	policy    ltc.Policy
	log       *slog.Logger
	grpc      *grpc.Server
	health    *health.Server
	// admit sends a process one change at a time from this server.
	admit *admission
}

// New builds the server with its interceptors: panic recovery, logging, deadline and error mapping, bearer
// authentication and request validation, in that order.
func New(cfg Config) (*Server, error) {
	validator, err := protovalidate.New()
	if err != nil {
		return nil, fmt.Errorf("request validator: %w", err)
	}
	log := cfg.Logger
	options := []grpc.ServerOption{grpc.ForceServerCodecV2(newCodec())}
	if cfg.TLS != nil {
		options = append(options, grpc.Creds(credentials.NewTLS(cfg.TLS)))
	}
	if cfg.Tracing {
		options = append(options, grpc.StatsHandler(otelgrpc.NewServerHandler()))
	}
	g := grpc.NewServer(append(options,
		grpc.ChainUnaryInterceptor(
			recovery.UnaryServerInterceptor(recoverPanic(log)),
			cfg.Metrics.UnaryServerInterceptor(),
			logging.UnaryServerInterceptor(slogLogger(log), logging.WithLogOnEvents(logging.FinishCall),
				logging.WithFieldsFromContextAndCallMeta(callFields)),
			bound(cfg.RequestTimeout, log),
			authUnary(cfg.Verifier),
			hideCosts(),
			validate(validator),
		),
		grpc.ChainStreamInterceptor(
			recovery.StreamServerInterceptor(recoverPanic(log)),
			cfg.Metrics.StreamServerInterceptor(),
			logging.StreamServerInterceptor(slogLogger(log), logging.WithLogOnEvents(logging.FinishCall)),
			authStream(cfg.Verifier),
		))...,
	)
	s := &Server{
		store: cfg.Store, temporal: cfg.Temporal, taskQueue: cfg.TaskQueue, policy: cfg.Policy, log: log,
		grpc: g, health: health.NewServer(), admit: newAdmission(),
	}
	ltcv1.RegisterLeadServiceServer(g, leadService{Server: s})
	ltcv1.RegisterOpportunityServiceServer(g, opportunityService{Server: s})
	ltcv1.RegisterDecisionServiceServer(g, decisionService{Server: s})
	ltcv1.RegisterReportServiceServer(g, reportService{Server: s})
	ltcv1.RegisterAccountServiceServer(g, accountService{Server: s})
	ltcv1.RegisterPeopleServiceServer(g, peopleService{Server: s, delegations: delegations{Server: s}})
	ltcv1.RegisterReferenceDataServiceServer(g, referenceService{Server: s})
	ltcv1.RegisterContractServiceServer(g, contractService{Server: s})
	healthpb.RegisterHealthServer(g, s.health)
	if cfg.Reflection {
		reflection.Register(g) // v1 and v1alpha
	}
	cfg.Metrics.InitializeMetrics(g)
	for name := range g.GetServiceInfo() {
		s.health.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	}
	return s, nil
}

// Serve answers calls on l until Stop.
func (s *Server) Serve(l net.Listener) error { return s.grpc.Serve(l) }

// Stop reports NOT_SERVING, lets calls in flight finish until ctx ends, then closes what remains.
func (s *Server) Stop(ctx context.Context) {
	s.health.Shutdown()
	done := make(chan struct{})
	go func() { s.grpc.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.grpc.Stop()
	}
}
