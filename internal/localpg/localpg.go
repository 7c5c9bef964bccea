// Package localpg runs a PostgreSQL cluster of the project's own with the system's server binaries: a durable one
// under .dev/ for `ltcd dev`, and a throwaway one per test binary. PostgreSQL refuses to run as root, so as root the
// cluster runs as the "postgres" user.
package localpg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Options configures a cluster.
type Options struct {
	// DataDir holds the cluster; it is created and initialised when it holds none.
	DataDir string
	// Port is the TCP port on 127.0.0.1.
	Port int
	// Throwaway trades durability for speed (fsync off): for tests only.
	Throwaway bool
	// LogFile receives the server's output.
	LogFile string
}

// Cluster is a running PostgreSQL server.
type Cluster struct {
	opts Options
	cmd  *exec.Cmd
	done chan error
}

// BinDir finds the server binaries: $PG_BIN if set, else the newest /usr/lib/postgresql/*/bin with a postgres.
func BinDir() (string, error) {
	if dir := os.Getenv("PG_BIN"); dir != "" {
		return dir, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server binaries found (install Debian's postgresql package, or set PG_BIN)")
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Start initialises the cluster if needed and starts it, returning when it accepts connections.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	cred, err := runAs()
	if err != nil {
		return nil, err
	}
	if err := reachable(opts.DataDir, cred); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if err := chown(opts.DataDir, cred); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(opts.DataDir, "PG_VERSION")); errors.Is(err, fs.ErrNotExist) {
		args := []string{"-D", opts.DataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"}
		if opts.Throwaway {
			args = append(args, "--no-sync")
		}
		init := command(filepath.Join(bin, "initdb"), cred, args...)
		if out, err := init.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("initdb %s: %w\n%s", opts.DataDir, err, out)
		}
	}
	args := []string{"-D", opts.DataDir, "-p", strconv.Itoa(opts.Port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"}
	if opts.Throwaway {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := command(filepath.Join(bin, "postgres"), cred, args...)
	if opts.LogFile != "" {
		log, err := os.OpenFile(opts.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL log: %w", err)
		}
		defer log.Close()
		cmd.Stdout, cmd.Stderr = log, log
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	c := &Cluster{opts: opts, cmd: cmd, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	if err := c.waitReady(ctx); err != nil {
		_ = c.Stop()
		return nil, err
	}
	return c, nil
}

// URL is the connection URL of database db as the superuser.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.opts.Port, db)
}

// CreateDatabase creates database name unless it exists.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return err
}

// Signal sends sig to the postmaster, then to each of its children (backends and auxiliary processes, each in a
// process group of its own): SIGSTOP freezes the whole server, connections and all, SIGCONT thaws it. For fault
// tests.
func (c *Cluster) Signal(sig syscall.Signal) error {
	postmaster := c.cmd.Process.Pid
	if err := syscall.Kill(postmaster, sig); err != nil {
		return fmt.Errorf("signal postmaster %d: %w", postmaster, err)
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return fmt.Errorf("list processes: %w", err)
	}
	parent := strconv.Itoa(postmaster)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone
		}
		// stat is "pid (comm) state ppid ...", and comm may hold spaces.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 1 && fields[1] == parent {
			if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
				return fmt.Errorf("signal backend %d: %w", pid, err)
			}
		}
	}
	return nil
}

// Stop shuts the server down (fast shutdown: open transactions roll back, committed data stays).
func (c *Cluster) Stop() error {
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
		return nil
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
		return errors.New("postgres did not stop within 30s; killed")
	}
}

func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case err := <-c.done:
			c.done <- err
			return fmt.Errorf("postgres exited while starting (%v); see %s", err, c.opts.LogFile)
		case <-ctx.Done():
			return fmt.Errorf("postgres did not accept connections within 60s: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// runAs returns the credential to run the server with: the postgres user when we are root, else ourselves.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs the postgres user to run PostgreSQL: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// reachable checks that the server's user can reach the data directory: as root, the cluster runs as postgres,
// which cannot enter a directory such as /root.
func reachable(dataDir string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}
	for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
		if info, err := os.Stat(dir); err == nil && info.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("PostgreSQL runs as the postgres user, which cannot enter %s: make it searchable "+
				"(chmod o+x %s), move the project, or set DATABASE_URL", dir, dir)
		}
		if dir == filepath.Dir(dir) {
			return nil
		}
	}
}

func chown(dir string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	return filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, int(cred.Uid), int(cred.Gid))
	})
}

// command runs name as cred, and has the kernel stop it if this process dies, so no server outlives its owner.
func command(name string, cred *syscall.Credential, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGINT, Setpgid: true}
	return cmd
}
