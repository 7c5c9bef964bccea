// Package ctl is ltcctl, the command-line client for the people of the process: iron-triangle members, managers,
// executives and reviewers. Tables for people, -o json for scripts; every gRPC error becomes one sentence.
package ctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/ltcengine/ltc/internal/transport"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// Options are the global flags.
type Options struct {
	Addr      string
	Token     string
	As        string // a person of the dev tokens file
	Tokens    string // the dev tokens file
	Output    string // table or json
	RequestID string
	Timeout   time.Duration
	// TLS asks for TLS with the system's roots; TLSCA trusts these CAs instead; TLSCert and TLSKey present a
	// client certificate to a server that requires mTLS. Any of them, or an address off loopback, means TLS.
	TLS     bool
	TLSCA   string
	TLSCert string
	TLSKey  string
}

// credentials are the connection's transport security: plaintext only to a loopback address without TLS
// options, so a token never crosses a network in the clear.
func (o Options) credentials() (credentials.TransportCredentials, error) {
	if !o.TLS && o.TLSCA == "" && o.TLSCert == "" && o.TLSKey == "" && transport.IsLoopback(o.Addr) {
		return insecure.NewCredentials(), nil
	}
	cfg, err := transport.Client(transport.ClientFiles{CAFile: o.TLSCA, CertFile: o.TLSCert, KeyFile: o.TLSKey})
	if err != nil {
		return nil, err
	}
	return credentials.NewTLS(cfg), nil
}

// tlsArgs are the TLS options as flags, for the commands the demo runs.
func (o Options) tlsArgs() []string {
	var args []string
	if o.TLS {
		args = append(args, "--tls")
	}
	for _, f := range [][2]string{{"--tls-ca", o.TLSCA}, {"--tls-cert", o.TLSCert}, {"--tls-key", o.TLSKey}} {
		if f[1] != "" {
			args = append(args, f[0], f[1])
		}
	}
	return args
}

// session is one invocation's connection and output.
type session struct {
	opts  Options
	out   io.Writer
	conn  *grpc.ClientConn
	leads ltcv1.LeadServiceClient
	deals ltcv1.OpportunityServiceClient
	gates ltcv1.DecisionServiceClient
	rep   ltcv1.ReportServiceClient
	// accounts is the AccountService.
	accounts ltcv1.AccountServiceClient
	// people is the PeopleService (delegations).
	people ltcv1.PeopleServiceClient
	// ref is the ReferenceDataService (exchange rates, products).
	ref ltcv1.ReferenceDataServiceClient
	// contracts is the ContractService.
	contracts ltcv1.ContractServiceClient
}

func (o Options) token() (string, error) {
	if o.As == "" {
		if o.Token == "" {
			return "", errors.New("no token: pass --token (or LTC_TOKEN), or --as NAME with the tokens file of `ltcd dev`")
		}
		return o.Token, nil
	}
	raw, err := os.ReadFile(o.Tokens)
	if err != nil {
		return "", fmt.Errorf("--as %s needs the tokens file %s (written by `ltcd dev`): %w", o.As, o.Tokens, err)
	}
	var tokens map[string]string
	if err := json.Unmarshal(raw, &tokens); err != nil {
		return "", fmt.Errorf("read %s: %w", o.Tokens, err)
	}
	tok, ok := tokens[o.As]
	if !ok {
		names := make([]string, 0, len(tokens))
		for n := range tokens {
			names = append(names, n)
		}
		return "", fmt.Errorf("no token for %q in %s (has: %s)", o.As, o.Tokens, strings.Join(names, ", "))
	}
	return tok, nil
}

func dial(o Options, out io.Writer) (*session, error) {
	creds, err := o.credentials()
	if err != nil {
		return nil, err
	}
	conn, err := grpc.NewClient(o.Addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, err
	}
	return &session{opts: o, out: out, conn: conn, leads: ltcv1.NewLeadServiceClient(conn),
		deals: ltcv1.NewOpportunityServiceClient(conn), gates: ltcv1.NewDecisionServiceClient(conn),
		rep: ltcv1.NewReportServiceClient(conn), accounts: ltcv1.NewAccountServiceClient(conn),
		people: ltcv1.NewPeopleServiceClient(conn), ref: ltcv1.NewReferenceDataServiceClient(conn),
		contracts: ltcv1.NewContractServiceClient(conn)}, nil
}

// ctx is a call's context: its deadline and the caller's token.
func (s *session) ctx() (context.Context, context.CancelFunc, error) {
	tok, err := s.opts.token()
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok), cancel, nil
}

// requestID is the request id of a change: --request-id to repeat a call safely, else a new one.
func (s *session) requestID() string {
	if s.opts.RequestID != "" {
		return s.opts.RequestID
	}
	return uuid.NewString()
}

// call runs one RPC with the caller's token and deadline.
func call[Req, Resp any](s *session, rpc func(context.Context, Req, ...grpc.CallOption) (Resp, error), req Req) (Resp, error) {
	var zero Resp
	ctx, cancel, err := s.ctx()
	if err != nil {
		return zero, err
	}
	defer cancel()
	resp, err := rpc(ctx, req)
	if err != nil {
		return zero, Explain(err, s.opts.Addr)
	}
	return resp, nil
}

// printJSON prints a message as JSON for scripts.
func (s *session) printJSON(m proto.Message) error {
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(m)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(s.out, string(b))
	return err
}

// show prints m as JSON with -o json, else as the table or text render draws it.
func (s *session) show(m proto.Message, render func(w io.Writer)) error {
	if s.opts.Output == "json" {
		return s.printJSON(m)
	}
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	render(tw)
	return tw.Flush()
}

// Explain turns a gRPC error into one sentence: the code, what is wrong, what to do.
func Explain(err error, addr string) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	msg := st.Message()
	var hint string
	switch st.Code() {
	case codes.Unauthenticated:
		hint = "pass a valid token with --token or LTC_TOKEN (tokens expire), or --as NAME against `ltcd dev`"
	case codes.PermissionDenied:
		hint = "ask someone who holds the role, or use their token"
	case codes.InvalidArgument:
		var fields []string
		for _, d := range st.Details() {
			if br, ok := d.(*errdetails.BadRequest); ok {
				for _, v := range br.FieldViolations {
					fields = append(fields, v.Field+" "+v.Description)
				}
			}
		}
		if len(fields) > 0 {
			msg = "invalid request: " + strings.Join(fields, "; ")
		}
		hint = "fix the flags and run it again"
	case codes.FailedPrecondition:
		hint = "the deal or account is not where this step belongs; `ltcctl deal show` or `ltcctl account show` tells where it is"
	case codes.NotFound:
		hint = "check the id (`ltcctl lead list`, `ltcctl deal list`, `ltcctl account list`)"
	case codes.AlreadyExists:
		hint = "use a new --request-id, or none"
		for _, d := range st.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok && info.Reason == "DUPLICATE_ACCOUNT" {
				hint = "the customer has its account already: use it, e.g. `ltcctl lead create --account " + info.Metadata["account_id"] + "`"
			}
		}
	case codes.Unavailable:
		hint = "is ltcd running at " + addr + "? (`make dev`, or --addr / LTC_ADDR; a TLS server needs --tls-ca, an mTLS one --tls-cert and --tls-key too)"
	case codes.DeadlineExceeded:
		hint = "the outcome is unknown; repeat the command with the same --request-id to learn it safely"
	case codes.Unimplemented:
		hint = "this server does not offer it yet"
	}
	if hint == "" {
		return fmt.Errorf("%s: %s", st.Code(), msg)
	}
	return fmt.Errorf("%s: %s (%s)", st.Code(), msg, hint)
}
