package ltc_test

import (
	"context"
	"flag"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/transport"
)

// No container engine runs here, so the compose file is checked by loading it with the compose spec's own parser
// and asserting the services, their images or builds, and how they are wired.
func loadCompose(t *testing.T, env ...string) (*types.Project, error) {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{"docker-compose.yml"}, cli.WithEnv(env), cli.WithName("ltc"))
	require.NoError(t, err)
	return opts.LoadProject(context.Background())
}

func TestComposeStack(t *testing.T) {
	p, err := loadCompose(t, "LTC_JWT_SECRET=0123456789abcdef0123456789abcdef")
	require.NoError(t, err)

	var names []string
	for name := range p.Services {
		names = append(names, name)
	}
	assert.ElementsMatch(t, []string{"postgresql", "temporal-schema", "temporal", "temporal-ui",
		"ltcd-migrate", "ltcd-worker", "ltcd-tls", "ltcd-serve"}, names)

	svc := func(name string) types.ServiceConfig { return p.Services[name] }
	env := func(name, key string) string {
		v := svc(name).Environment[key]
		require.NotNil(t, v, "%s has no %s", name, key)
		return *v
	}

	assert.Equal(t, "temporalio/server:1.29.1", svc("temporal").Image, "the server version the pinned CLI embeds")
	assert.Equal(t, "postgres12", env("temporal", "DB"))
	assert.Equal(t, "postgresql", env("temporal", "POSTGRES_SEEDS"))
	assert.Equal(t, types.ServiceConditionCompletedSuccessfully, svc("temporal").DependsOn["temporal-schema"].Condition)
	assert.Equal(t, "postgresql", env("temporal-schema", "SQL_HOST"))
	assert.Equal(t, "temporal:7233", env("temporal-ui", "TEMPORAL_ADDRESS"))

	for name, command := range map[string]string{"ltcd-migrate": "migrate", "ltcd-worker": "worker", "ltcd-serve": "serve", "ltcd-tls": "tls-cert"} {
		s := svc(name)
		require.NotNil(t, s.Build, "%s is built from the Dockerfile", name)
		assert.Equal(t, "Dockerfile", s.Build.Dockerfile)
		_, err := os.Stat(s.Build.Context + "/" + s.Build.Dockerfile)
		assert.NoError(t, err)
		assert.Equal(t, command, s.Command[0], name)
		if name == "ltcd-tls" {
			continue
		}

		db, err := url.Parse(env(name, "DATABASE_URL"))
		require.NoError(t, err)
		assert.Contains(t, p.Services, db.Hostname(), "%s's database is a service of the stack", name)
		assert.Equal(t, "ltc", strings.TrimPrefix(db.Path, "/"))
		if name != "ltcd-migrate" {
			assert.Equal(t, "temporal:7233", env(name, "TEMPORAL_ADDRESS"))
			assert.NotEmpty(t, env(name, "LTC_JWT_SECRET"))
			assert.Equal(t, types.ServiceConditionCompletedSuccessfully, s.DependsOn["ltcd-migrate"].Condition,
				"%s starts after the migration", name)
			assert.Equal(t, types.ServiceConditionHealthy, s.DependsOn["temporal"].Condition)
		}
	}
	assert.Contains(t, svc("ltcd-serve").Command, "0.0.0.0:7070")
}

// TestComposePublishesOnlyTheAPI: PostgreSQL, Temporal and its UI are reached only inside the stack's network;
// the API is published, on loopback unless LTC_API_BIND widens it.
func TestComposePublishesOnlyTheAPI(t *testing.T) {
	p, err := loadCompose(t, "LTC_JWT_SECRET=0123456789abcdef0123456789abcdef")
	require.NoError(t, err)
	for name, s := range p.Services {
		assert.NotEqual(t, "host", s.NetworkMode, "%s shares the host's network: every port it opens is public", name)
		if name != "ltcd-serve" {
			assert.Empty(t, s.Ports, "%s publishes a port", name)
		}
	}
	ports := p.Services["ltcd-serve"].Ports
	require.Len(t, ports, 1)
	assert.Equal(t, uint32(7070), ports[0].Target)
	assert.Equal(t, "7070", ports[0].Published)
	assert.Equal(t, "127.0.0.1", ports[0].HostIP, "loopback by default")

	p, err = loadCompose(t, "LTC_JWT_SECRET=0123456789abcdef0123456789abcdef", "LTC_API_BIND=0.0.0.0")
	require.NoError(t, err)
	assert.Equal(t, "0.0.0.0", p.Services["ltcd-serve"].Ports[0].HostIP, "widened on purpose")
}

// TestComposeServesTheAPIOverTLS reads ltcd serve's configuration as the compose file gives it (its command and
// environment), with the certificates ltcd-tls writes into the shared volume, and checks that ltcd accepts it
// and serves TLS: the API listens on every interface of its container, where plaintext is refused.
func TestComposeServesTheAPIOverTLS(t *testing.T) {
	p, err := loadCompose(t, "LTC_JWT_SECRET=0123456789abcdef0123456789abcdef")
	require.NoError(t, err)
	serve, certs := p.Services["ltcd-serve"], p.Services["ltcd-tls"]
	assert.Equal(t, types.ServiceConditionCompletedSuccessfully, serve.DependsOn["ltcd-tls"].Condition,
		"the certificates exist before the API starts")

	// Both mount the same volume: ltcd-tls writes it, ltcd-serve only reads it.
	mount := func(s types.ServiceConfig) types.ServiceVolumeConfig {
		require.Len(t, s.Volumes, 1, s.Name)
		return s.Volumes[0]
	}
	assert.Equal(t, types.VolumeTypeVolume, mount(serve).Type)
	assert.Equal(t, mount(certs).Source, mount(serve).Source)
	assert.Equal(t, mount(certs).Target, mount(serve).Target)
	assert.True(t, mount(serve).ReadOnly)
	assert.False(t, mount(certs).ReadOnly)
	assert.Contains(t, p.Volumes, mount(serve).Source)
	dir := mount(serve).Target

	// What ltcd-tls writes, written here; the container's folder maps to a temporary one.
	fs := flag.NewFlagSet("ltcd tls-cert", flag.ContinueOnError)
	certDir := fs.String("dir", "", "")
	hosts := fs.String("hosts", "", "")
	require.NoError(t, fs.Parse(certs.Command[1:]))
	assert.Equal(t, dir, *certDir)
	assert.Contains(t, strings.Split(*hosts, ","), "ltcd-serve", "the certificate names the service, for clients in the stack")
	local := t.TempDir()
	_, err = transport.WriteDevFiles(local, strings.Split(*hosts, ","), false)
	require.NoError(t, err)

	configure := func(without ...string) (*config.Config, error) {
		for key, v := range serve.Environment {
			if v != nil && !slices.Contains(without, key) {
				t.Setenv(key, strings.Replace(*v, dir+"/", local+"/", 1))
			}
		}
		for _, key := range without {
			t.Setenv(key, "")
		}
		var cfg config.Config
		fs := flag.NewFlagSet("ltcd serve", flag.ContinueOnError)
		cfg.Register(fs)
		return &cfg, fs.Parse(serve.Command[1:])
	}
	log := slog.New(slog.DiscardHandler)
	cfg, err := configure()
	require.NoError(t, err)
	assert.False(t, transport.IsLoopback(cfg.GRPCAddr), "listens beyond loopback, so TLS is a must")
	assert.Equal(t, local+"/"+transport.ServerCertFile, cfg.TLSCertFile)
	assert.Equal(t, local+"/"+transport.ServerKeyFile, cfg.TLSKeyFile)
	tlsConfig, err := cfg.ServerTLS(log)
	require.NoError(t, err)
	assert.NotNil(t, tlsConfig, "TLS")
	assert.Empty(t, cfg.TLSClientCAFile, "mTLS is for systems: off unless LTC_TLS_CLIENT_CA_FILE asks for it")

	cfg, err = configure("LTC_TLS_CERT_FILE", "LTC_TLS_KEY_FILE")
	require.NoError(t, err)
	_, err = cfg.ServerTLS(log)
	assert.ErrorContains(t, err, "plaintext is only for loopback", "without the certificate ltcd serve would not start")
}

func TestComposeNeedsTheJWTSecret(t *testing.T) {
	_, err := loadCompose(t)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "LTC_JWT_SECRET")
}
