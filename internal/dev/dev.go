// Package dev runs the whole engine on one machine for development (`ltcd dev`): a project-local PostgreSQL
// cluster (unless DATABASE_URL is set) and Temporal dev server under .dev/, migrations, the worker, the API and the
// web workplace (with a sign-in listing the demo people), and ready tokens for the demo people. Everything it starts stops with it; the data stays for the next run.
package dev

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"golang.org/x/sync/errgroup"

	"github.com/ltcengine/ltc/internal/auth"
	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/engine"
	"github.com/ltcengine/ltc/internal/localpg"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/web"
	"github.com/ltcengine/ltc/worker"
)

// Options configures the development stack.
type Options struct {
	Dir          string // state directory, ".dev"
	TemporalCLI  string // the Temporal CLI binary
	PostgresPort int
	TemporalPort int
	UIPort       int
	Out          io.Writer // where the banner goes
}

// TokenTTL is how long the demo tokens stay valid.
const TokenTTL = 30 * 24 * time.Hour

// DemoPeople are the people `ltcd dev` mints tokens for, by the name scripts use: the EMEA region with its German
// office (where the demo deal runs), and the APAC region with its Japanese office, so scoped inboxes and reads can
// be tried; the executive of authority 3, the CRM integration and the operator see the whole company.
var DemoPeople = map[string]ltc.Actor{
	"sales":                 {ID: "sam", Name: "Sam Sales", Roles: []ltc.Role{ltc.RoleSales}, Unit: germany},
	"sales2":                {ID: "sara", Name: "Sara Solution", Roles: []ltc.Role{ltc.RoleSales}, Unit: germany},
	"sales3":                {ID: "fred", Name: "Fred Fulfilment", Roles: []ltc.Role{ltc.RoleSales}, Unit: germany},
	"delivery_pm":           {ID: "dora", Name: "Dora Delivery", Roles: []ltc.Role{ltc.RoleSales}, Unit: germany},
	"sales_manager":         {ID: "mia", Name: "Mia Manager", Roles: []ltc.Role{ltc.RoleSalesManager}, Unit: germany},
	"executive1":            {ID: "eli", Name: "Eli Office", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 1, Unit: germany},
	"executive2":            {ID: "eva", Name: "Eva Region", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2, Unit: "emea"},
	"executive3":            {ID: "eric", Name: "Eric Corporate", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 3, Unit: ltc.Company},
	"reviewer_finance":      {ID: "fiona", Name: "Fiona Finance", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}, Unit: "emea"},
	"reviewer_legal":        {ID: "leo", Name: "Leo Legal", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionLegal}, Unit: "emea"},
	"reviewer_delivery":     {ID: "dan", Name: "Dan Delivery", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionDelivery}, Unit: "emea"},
	"reviewer_solution":     {ID: "sol", Name: "Sol Solution", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionSolution}, Unit: "emea"},
	"sales_apac":            {ID: "ken", Name: "Ken Sales", Roles: []ltc.Role{ltc.RoleSales}, Unit: japan},
	"sales_manager_apac":    {ID: "yui", Name: "Yui Manager", Roles: []ltc.Role{ltc.RoleSalesManager}, Unit: japan},
	"executive1_apac":       {ID: "ren", Name: "Ren Office", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 1, Unit: japan},
	"executive2_apac":       {ID: "aiko", Name: "Aiko Region", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2, Unit: "apac"},
	"reviewer_finance_apac": {ID: "hana", Name: "Hana Finance", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}, Unit: "apac"},
	"system":                {ID: "crm", Name: "CRM integration", Roles: []ltc.Role{ltc.RoleSystem}, Unit: ltc.Company, Scopes: []string{ltc.ScopeRead}},
	"erp":                   {ID: "erp", Name: "ERP integration", Roles: []ltc.Role{ltc.RoleSystem}, Unit: ltc.Company, Scopes: []string{ltc.ScopeWrite}},
	"admin":                 {ID: "ops", Name: "Operator", Roles: []ltc.Role{ltc.RoleAdmin}, Unit: ltc.Company},
}

// demoManagers is whom each demo person reports to, for the notifications that reach a person's manager: the
// German office's people report to Mia, Mia to Eli, Eli to Eva, Eva to Eric; the EMEA reviewers to Eva; the
// Japanese office likewise up to Aiko and Eric.
var demoManagers = map[string]string{
	"sam": "mia", "sara": "mia", "fred": "mia", "dora": "mia", "mia": "eli", "eli": "eva", "eva": "eric",
	"fiona": "eva", "leo": "eva", "dan": "eva", "sol": "eva",
	"ken": "yui", "yui": "ren", "ren": "aiko", "aiko": "eric", "hana": "aiko",
}

// DemoDirectory is the directory of the demo people: mail at example.com, their managers, and Simplified Chinese
// for the APAC people, so both languages of the mails show.
func DemoDirectory() []store.DirectoryPerson {
	var out []store.DirectoryPerson
	for _, name := range sortedNames() {
		a := DemoPeople[name]
		lang := "en"
		if a.Unit.Region() == "apac" {
			lang = "zh-CN"
		}
		out = append(out, store.DirectoryPerson{ID: a.ID, Name: a.Name, Email: a.ID + "@example.com", Roles: a.Roles,
			Authority: a.Authority, Functions: a.Functions, Unit: a.Unit, ManagerID: demoManagers[a.ID], Language: lang})
	}
	return out
}

// The demo's offices.
const (
	germany ltc.Unit = "emea/germany"
	japan   ltc.Unit = "apac/japan"
)

// Run runs the stack until ctx ends.
func Run(ctx context.Context, cfg config.Config, opts Options, log *slog.Logger) error {
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	unlock, err := lock(filepath.Join(dir, "ltcd.lock"))
	if err != nil {
		return err
	}
	defer unlock()

	if cfg.JWTSecret == "" {
		if cfg.JWTSecret, err = devSecret(filepath.Join(dir, "jwt-secret")); err != nil {
			return err
		}
	}
	if cfg.DatabaseURL == "" {
		log.Info("starting PostgreSQL", "dir", filepath.Join(dir, "postgres"), "port", opts.PostgresPort)
		cluster, err := localpg.Start(ctx, localpg.Options{
			DataDir: filepath.Join(dir, "postgres"), Port: opts.PostgresPort, LogFile: filepath.Join(dir, "postgres.log"),
		})
		if err != nil {
			return fmt.Errorf("start PostgreSQL: %w", err)
		}
		defer func() { log.Info("stopping PostgreSQL"); _ = cluster.Stop() }()
		if err := cluster.CreateDatabase(ctx, "ltc"); err != nil {
			return fmt.Errorf("create database: %w", err)
		}
		cfg.DatabaseURL = cluster.URL("ltc")
	}
	if err := store.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return err
	}

	log.Info("starting Temporal dev server", "port", opts.TemporalPort, "ui_port", opts.UIPort)
	temporalLog, err := os.OpenFile(filepath.Join(dir, "temporal.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer temporalLog.Close()
	cfg.TemporalAddress = net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.TemporalPort))
	temporal, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:  opts.TemporalCLI,
		ClientOptions: &client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace},
		DBFilename:    filepath.Join(dir, "temporal.db"),
		EnableUI:      true,
		UIPort:        strconv.Itoa(opts.UIPort),
		LogLevel:      "warn",
		ExtraArgs:     []string{"--sqlite-pragma", "journal_mode=WAL"},
		Stdout:        temporalLog,
		Stderr:        temporalLog,
	})
	if err != nil {
		return fmt.Errorf("start Temporal dev server (%s): %w", opts.TemporalCLI, err)
	}
	defer func() { log.Info("stopping Temporal"); _ = temporal.Stop() }()

	b, err := engine.Dial(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer b.Close()
	w := b.Worker(cfg, log)
	if err := w.Start(); err != nil {
		return err
	}
	defer w.Stop()
	policy, err := cfg.Policy()
	if err != nil {
		return err
	}
	if err := worker.StartAccountProcesses(ctx, b.Temporal, cfg.TaskQueue, b.Store, policy); err != nil {
		return err
	}
	if err := b.Store.UpsertPeople(ctx, DemoDirectory()); err != nil {
		return err
	}
	if err := SeedReference(ctx, b.Store, policy.Base()); err != nil {
		return err
	}
	if err := b.LoadPeople(ctx, cfg, log); err != nil {
		return err
	}
	srv, l, err := b.API(cfg, log)
	if err != nil {
		return err
	}
	tokens, err := writeTokens(dir, []byte(cfg.JWTSecret))
	if err != nil {
		return err
	}
	if cfg.WebSessionKey == "" {
		if cfg.WebSessionKey, err = devSecret(filepath.Join(dir, "web-session-key")); err != nil {
			return err
		}
	}
	workplace, wl, err := b.Web(cfg, log, l.Addr().String(), SignIn(tokens))
	if err != nil {
		_ = l.Close()
		return err
	}
	// Mail is caught in a folder, with links to this workplace.
	cfg.MailDir = filepath.Join(dir, "mail")
	if cfg.WebURL == "" && wl != nil {
		cfg.WebURL = "http://" + wl.Addr().String()
	}
	notifier, err := b.Notifier(cfg, log)
	if err != nil {
		_ = l.Close()
		return err
	}
	banner(opts, cfg, dir, tokens, wl)
	return b.Run(ctx, cfg, log, func(ctx context.Context) error {
		g, ctx := errgroup.WithContext(ctx)
		g.Go(func() error { return notifier.Run(ctx) })
		g.Go(func() error { return b.ForecastSnapshots(ctx, log) })
		g.Go(func() error { return engine.ServeWithWeb(ctx, srv, l, workplace, wl, log) })
		return g.Wait()
	})
}

// lock takes the stack's lock file, so a second `ltcd dev` fails clearly instead of fighting over ports and data.
func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid, _ := io.ReadAll(f)
		f.Close()
		return nil, fmt.Errorf("another `ltcd dev` is already running (pid %s, lock %s); stop it first",
			strings.TrimSpace(string(pid)), path)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() { _ = f.Truncate(0); f.Close() }, nil
}

// devSecret returns the development JWT secret, made once and kept so tokens survive a restart.
func devSecret(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= auth.MinSecretLen {
		return strings.TrimSpace(string(b)), nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	secret := hex.EncodeToString(raw)
	return secret, os.WriteFile(path, []byte(secret+"\n"), 0o600)
}

// MintTokens mints a token per demo person, valid for TokenTTL from now, by the person's name.
func MintTokens(secret []byte, now time.Time) (map[string]string, error) {
	tokens := map[string]string{}
	for name, person := range DemoPeople {
		tok, err := auth.Mint(secret, person, now, TokenTTL)
		if err != nil {
			return nil, err
		}
		tokens[name] = tok
	}
	return tokens, nil
}

// SignIn is the web workplace's dev sign-in: each demo person, in the order of their names, with their token.
func SignIn(tokens map[string]string) web.DevSignIn {
	var signIn web.DevSignIn
	for _, name := range sortedNames() {
		p := DemoPeople[name]
		signIn.People = append(signIn.People, web.DevPerson{Key: name, Name: p.Name, About: about(p), Token: tokens[name]})
	}
	return signIn
}

// about says what a demo person does: "executive, authority 2, emea".
func about(a ltc.Actor) string {
	var parts []string
	for _, r := range a.Roles {
		parts = append(parts, string(r))
	}
	if a.Authority > 0 {
		parts = append(parts, "authority "+strconv.Itoa(a.Authority))
	}
	for _, f := range a.Functions {
		parts = append(parts, string(f))
	}
	return strings.Join(append(parts, a.Unit.String()), ", ")
}

// writeTokens mints a token per demo person and writes them to .dev/tokens.json ({"sales": "eyJ…", …}) and
// .dev/tokens.env (LTC_TOKEN_SALES=eyJ…, for `source`).
func writeTokens(dir string, secret []byte) (map[string]string, error) {
	tokens, err := MintTokens(secret, time.Now())
	if err != nil {
		return nil, err
	}
	var env strings.Builder
	for _, name := range sortedNames() {
		fmt.Fprintf(&env, "LTC_TOKEN_%s=%s\n", strings.ToUpper(name), tokens[name])
	}
	js, err := json.MarshalIndent(tokens, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "tokens.json"), append(js, '\n'), 0o600); err != nil {
		return nil, err
	}
	return tokens, os.WriteFile(filepath.Join(dir, "tokens.env"), []byte(env.String()), 0o600)
}

func sortedNames() []string {
	names := make([]string, 0, len(DemoPeople))
	for n := range DemoPeople {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func banner(opts Options, cfg config.Config, dir string, tokens map[string]string, workplace net.Listener) {
	out := opts.Out
	fmt.Fprintf(out, "\nLTC engine is running.\n\n")
	if workplace != nil {
		fmt.Fprintf(out, "  Web           http://%s   (sign in as any demo person)\n", workplace.Addr())
	}
	fmt.Fprintf(out, "  gRPC API      %s   (grpcurl -plaintext %s list)\n", cfg.GRPCAddr, cfg.GRPCAddr)
	fmt.Fprintf(out, "  Temporal      %s   UI http://127.0.0.1:%d\n", cfg.TemporalAddress, opts.UIPort)
	fmt.Fprintf(out, "  PostgreSQL    %s\n", redact(cfg.DatabaseURL))
	if cfg.AdminAddr != "" {
		fmt.Fprintf(out, "  Admin         http://%s/metrics  /healthz  /readyz\n", cfg.AdminAddr)
	}
	fmt.Fprintf(out, "  Mail          %s   (every notification mail as a .eml file; webhooks are sent for real)\n", cfg.MailDir)
	fmt.Fprintf(out, "  Tokens        %s/tokens.json and tokens.env (valid %s)\n\n", dir, TokenTTL)
	for _, name := range sortedNames() {
		p := DemoPeople[name]
		fmt.Fprintf(out, "  %-22s %-16s %s\n", name, p.Name, tokens[name])
	}
	fmt.Fprintf(out, "\nCtrl-C stops everything; the data stays in %s.\n\n", dir)
}

// redact hides a password in a database URL.
func redact(url string) string {
	if at := strings.LastIndex(url, "@"); at > 0 {
		if scheme := strings.Index(url, "://"); scheme >= 0 {
			if colon := strings.Index(url[scheme+3:at], ":"); colon >= 0 {
				return url[:scheme+3+colon] + ":***" + url[at:]
			}
		}
	}
	return url
}
