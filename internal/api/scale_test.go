package api_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ltcengine/ltc/internal/testenv"
)

// startAPI runs `ltcd serve` as its own process on the engine's database, Temporal and task queue, and returns a
// connection to it once it serves.
func startAPI(t *testing.T, bin string, e *testenv.Engine) (*exec.Cmd, *grpc.ClientConn) {
	t.Helper()
	port, err := testenv.FreePort()
	require.NoError(t, err)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+e.Config.DatabaseURL, "TEMPORAL_ADDRESS="+e.Config.TemporalAddress,
		"TEMPORAL_NAMESPACE=default", "LTC_TASK_QUEUE="+e.Config.TaskQueue, "LTC_JWT_SECRET="+e.Config.JWTSecret,
		"LTC_GRPC_ADDR="+addr, "LTC_ADMIN_ADDR=", "LTC_WEB_ADDR=", "LTC_LOG_LEVEL=error", "LTC_REQUEST_TIMEOUT=20s")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		return err == nil && resp.Status == healthpb.HealthCheckResponse_SERVING
	}, time.Minute, 100*time.Millisecond, "ltcd serve on %s answers", addr)
	return cmd, conn
}

// TestTwoAPIsAndTwoWorkersWithOneOfEachKilledLoseNothing runs the engine as operations.md says it scales: two
// `ltcd serve` and two `ltcd worker` processes on one Temporal server and one database. Deals move through both
// APIs; mid-traffic one API and one worker are killed with SIGKILL; clients go on through the other API. Every
// deal completes with each change once and in order, and the read model and the log follow each process.
func TestTwoAPIsAndTwoWorkersWithOneOfEachKilledLoseNothing(t *testing.T) {
	bin := buildLtcd(t)
	e := testenv.StartEngine(t, testenv.NoWorker())
	workers := []*exec.Cmd{startWorker(t, bin, e), startWorker(t, bin, e)}
	api1, conn1 := startAPI(t, bin, e)
	_, conn2 := startAPI(t, bin, e)
	faultyTrafficVia(t, e, []*grpc.ClientConn{conn1, conn2}, 10, func() {
		require.NoError(t, api1.Process.Signal(syscall.SIGKILL))
		require.NoError(t, workers[0].Process.Signal(syscall.SIGKILL))
	})
}
