package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	temporallog "go.temporal.io/sdk/log"
)

// quiet drops the Temporal SDK's log lines: the benchmark reports errors itself.
var quiet = temporallog.NewStructuredLogger(slog.New(slog.DiscardHandler))

// proc is a server process the benchmark started; it stops with the benchmark.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan error
	log  string
}

// startProc runs bin with args and extra environment, its output going to dir/name.log.
func startProc(dir, name string, env []string, bin string, args ...string) (*proc, error) {
	logPath := filepath.Join(dir, name+".log")
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan error, 1), log: logPath}
	go func() { p.done <- cmd.Wait() }()
	return p, nil
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// exited returns an error with the end of the log if the process has stopped.
func (p *proc) exited() error {
	select {
	case err := <-p.done:
		p.done <- err
		return fmt.Errorf("%s exited (%v): %s", p.name, err, tail(p.log))
	default:
		return nil
	}
}

// stop asks the process to stop and waits for it, killing it after 30 seconds.
func (p *proc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

// usage is a process's resident memory and the CPU time it has used so far.
type usage struct {
	RSS int64 // bytes
	CPU time.Duration
}

// usageOf reads /proc/PID: VmRSS from status, user plus system time from stat.
func usageOf(pid int) (usage, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return usage{}, err
	}
	var u usage
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			u.RSS = kb * 1024
		}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return usage{}, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 14th
	// and 15th fields of the line, in clock ticks (100 per second on Linux).
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	u.CPU = time.Duration(utime+stime) * 10 * time.Millisecond
	return u, nil
}

// cpuOf is the CPU time used so far by the process and, with children, by its child processes still running
// (PostgreSQL's backends are children of its postmaster).
func cpuOf(pid int, children bool) (time.Duration, error) {
	u, err := usageOf(pid)
	if err != nil || !children {
		return u.CPU, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	total := u.CPU
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", child))
		if err != nil {
			continue
		}
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
		if ppid, _ := strconv.Atoi(fields[1]); ppid == pid {
			if cu, err := usageOf(child); err == nil {
				total += cu.CPU
			}
		}
	}
	return total, nil
}

// postmasterPID reads the PostgreSQL server's process id from its data directory.
func postmasterPID(dataDir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func freeAddr() (string, error) {
	port, err := freePort()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), err
}

// devServer starts the Temporal dev server of the pinned CLI on a SQLite file in WAL mode, as `ltcd dev` runs it.
func devServer(ctx context.Context, dir, cli string) (*proc, string, error) {
	ports := make([]string, 3)
	for i := range ports {
		port, err := freePort()
		if err != nil {
			return nil, "", err
		}
		ports[i] = strconv.Itoa(port)
	}
	p, err := startProc(dir, "temporal-dev", nil, cli, "server", "start-dev", "--headless", "--ip", "127.0.0.1",
		"--port", ports[0], "--http-port", ports[1], "--metrics-port", ports[2], "--log-level", "warn",
		"--db-filename", filepath.Join(dir, "temporal.db"), "--sqlite-pragma", "journal_mode=WAL")
	if err != nil {
		return nil, "", err
	}
	addr := "127.0.0.1:" + ports[0]
	if err := waitTemporal(ctx, addr, p); err != nil {
		p.stop()
		return nil, "", err
	}
	return p, addr, nil
}

// waitTemporal waits until the frontend at addr serves the default namespace.
func waitTemporal(ctx context.Context, addr string, p *proc) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		c, err := client.Dial(client.Options{HostPort: addr, Logger: quiet})
		if err == nil {
			_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
			c.Close()
			if err == nil {
				return nil
			}
		}
		if p != nil {
			if perr := p.exited(); perr != nil {
				return perr
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("temporal at %s not ready: %w", addr, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// engine is the LTC engine as deployed: `ltcd serve` (the API) and `ltcd worker`, each its own process.
type engine struct {
	api, worker *proc
	grpcAddr    string
	admin       map[string]string // admin address by process: "serve", "worker"
}

// startEngine starts the API and the worker on database url and the Temporal frontend, and waits until both
// report ready.
func startEngine(ctx context.Context, dir, name, ltcd, url, temporal string, secret string) (*engine, error) {
	grpcAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	e := &engine{grpcAddr: grpcAddr, admin: map[string]string{}}
	common := []string{"DATABASE_URL=" + url, "TEMPORAL_ADDRESS=" + temporal, "LTC_TASK_QUEUE=" + name,
		"LTC_JWT_SECRET=" + secret, "LTC_LOG_LEVEL=warn", "LTC_GRPC_ADDR=" + grpcAddr, "LTC_WEB_ADDR=", "LTC_PPROF=true",
		"OTEL_EXPORTER_OTLP_ENDPOINT=", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="}
	for _, role := range []string{"worker", "serve"} {
		admin, err := freeAddr()
		if err != nil {
			return nil, err
		}
		p, err := startProc(dir, name+"-"+role, append(common, "LTC_ADMIN_ADDR="+admin), ltcd, role)
		if err != nil {
			e.stop()
			return nil, err
		}
		e.admin[role] = admin
		if role == "worker" {
			e.worker = p
		} else {
			e.api = p
		}
		if err := waitReady(ctx, "http://"+admin+"/readyz", p); err != nil {
			e.stop()
			return nil, err
		}
	}
	return e, nil
}

func (e *engine) stop() {
	for _, p := range []*proc{e.api, e.worker} {
		if p != nil {
			p.stop()
		}
	}
}

func waitReady(ctx context.Context, url string, p *proc) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
		}
		if perr := p.exited(); perr != nil {
			return perr
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready at %s: %w", p.name, url, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// profile takes a CPU profile of each engine process for the given time, writing dir/NAME-PROCESS.pprof; wait
// returns once both are written.
func (e *engine) profile(dir, name string, d time.Duration) (wait func() error) {
	errc := make(chan error, len(e.admin))
	for role, addr := range e.admin {
		go func() {
			url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, int(d.Seconds()))
			resp, err := http.Get(url)
			if err != nil {
				errc <- err
				return
			}
			defer resp.Body.Close()
			f, err := os.Create(filepath.Join(dir, name+"-"+role+".pprof"))
			if err != nil {
				errc <- err
				return
			}
			_, err = io.Copy(f, resp.Body)
			errc <- errors.Join(err, f.Close())
		}()
	}
	return func() error {
		var errs []error
		for range e.admin {
			errs = append(errs, <-errc)
		}
		return errors.Join(errs...)
	}
}
