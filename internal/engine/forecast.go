package engine

import (
	"context"
	"log/slog"
	"time"
)

// forecastPoll is how often the forecast snapshot job looks for a week that ended without its snapshot.
const forecastPoll = 5 * time.Minute

// ForecastSnapshots takes the forecast's weekly snapshot when a week ends (store.TakeForecastSnapshot), looking
// every five minutes, until ctx ends. Every worker may run it: the week's snapshot is taken once.
func (b *Backends) ForecastSnapshots(ctx context.Context, log *slog.Logger) error {
	for {
		taken, err := b.Store.TakeForecastSnapshot(ctx, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("Forecast: taking the weekly snapshot failed; trying again", "err", err)
		case taken:
			log.Info("Forecast: took the weekly snapshot")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(forecastPoll):
		}
	}
}
