package store

import "context"

// Setting returns a run-time setting of the store's connections.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.pool.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v)
	return v, err
}

// MigrateTo brings the database at url to the given schema version.
func MigrateTo(ctx context.Context, url string, version int32) error {
	return migrateTo(ctx, url, version)
}

// DurationBucket is the library's bucket of a duration in seconds, as report_bucket numbers them.
func DurationBucket(seconds float64) int {
	if seconds <= 0 {
		return zeroBucket
	}
	return durationMapping.Index(seconds)
}
