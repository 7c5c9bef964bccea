package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings the database at url to the newest schema, then fills the columns the store derives in Go for rows
// written before them (backfill). Concurrent callers are safe: tern serialises the migrations with an advisory
// lock, and the backfill writes the same values whoever runs it.
func Migrate(ctx context.Context, url string) error { return migrateTo(ctx, url, -1) }

// migrateTo brings the database at url to the given schema version, or the newest when version is negative.
func migrateTo(ctx context.Context, url string, version int32) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("migrate: connect: %w", err)
	}
	defer conn.Close(ctx)
	m, err := migrate.NewMigrator(ctx, conn, "schema_version")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	if err := m.LoadMigrations(sub); err != nil {
		return fmt.Errorf("migrate: load: %w", err)
	}
	if version >= 0 {
		if err := m.MigrateTo(ctx, version); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := backfill(ctx, conn); err != nil {
		return err
	}
	return backfillAccounts(ctx, conn, time.Now())
}
