package ltc_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		"ltcd-migrate", "ltcd-worker", "ltcd-serve"}, names)

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

	for name, command := range map[string]string{"ltcd-migrate": "migrate", "ltcd-worker": "worker", "ltcd-serve": "serve"} {
		s := svc(name)
		require.NotNil(t, s.Build, "%s is built from the Dockerfile", name)
		assert.Equal(t, "Dockerfile", s.Build.Dockerfile)
		_, err := os.Stat(s.Build.Context + "/" + s.Build.Dockerfile)
		assert.NoError(t, err)
		assert.Equal(t, command, s.Command[0], name)

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
	require.Len(t, svc("ltcd-serve").Ports, 1)
	assert.Equal(t, uint32(7070), svc("ltcd-serve").Ports[0].Target)
}

func TestComposeNeedsTheJWTSecret(t *testing.T) {
	_, err := loadCompose(t)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "LTC_JWT_SECRET")
}
