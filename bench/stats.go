package main

import (
	"slices"
	"sync"
	"time"
)

// latencies collects the durations of calls by name, safely from many goroutines.
type latencies struct {
	mu    sync.Mutex
	byKey map[string][]time.Duration
	order []string
}

func newLatencies() *latencies { return &latencies{byKey: map[string][]time.Duration{}} }

// time runs call and records how long it took under key.
func (l *latencies) time(key string, call func() error) error {
	start := time.Now()
	err := call()
	l.add(key, time.Since(start))
	return err
}

func (l *latencies) add(key string, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.byKey[key]; !ok {
		l.order = append(l.order, key)
	}
	l.byKey[key] = append(l.byKey[key], d)
}

// summary is the distribution of one set of durations.
type summary struct {
	N                  int
	P50, P95, P99, Max time.Duration
}

func summarize(ds []time.Duration) summary {
	if len(ds) == 0 {
		return summary{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return summary{N: len(s), P50: quantile(s, 0.50), P95: quantile(s, 0.95), P99: quantile(s, 0.99), Max: s[len(s)-1]}
}

// quantile is the nearest-rank quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// all is the distribution of every recorded duration; each the distribution per key, in first-seen order.
func (l *latencies) all() summary {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ds []time.Duration
	for _, k := range l.order {
		ds = append(ds, l.byKey[k]...)
	}
	return summarize(ds)
}

// of is the distribution of the durations recorded under key.
func (l *latencies) of(key string) summary {
	l.mu.Lock()
	defer l.mu.Unlock()
	return summarize(l.byKey[key])
}

func (l *latencies) each(fn func(key string, s summary)) {
	l.mu.Lock()
	keys := slices.Clone(l.order)
	l.mu.Unlock()
	for _, k := range keys {
		l.mu.Lock()
		s := summarize(l.byKey[k])
		l.mu.Unlock()
		fn(k, s)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
