package store

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/DataDog/sketches-go/ddsketch/mapping"
	ddstore "github.com/DataDog/sketches-go/ddsketch/store"

	"github.com/ltcengine/ltc/internal/ltc"
)

// The report's percentiles come from histograms of durations in the buckets of DDSketch (DataDog's sketches-go):
// its logarithmic mapping puts a duration x in bucket floor(ln(x) / ln(gamma)), gamma = (1 + a) / (1 - a), and
// gives back for a bucket a value within a of every duration in it, for a relative accuracy a of 1 %. Such
// histograms are exact counts per bucket, so they merge by adding: the database keeps one per day (and month) and
// key, and the report adds those of its period. Why this sketch: its error bound is relative and holds at every
// rank whatever the distribution (stays last minutes to months), it merges exactly (a t-digest or a GK summary
// merges only approximately), and the bucket of a value is one formula PostgreSQL computes too (report_bucket,
// migration 012), so triggers keep the histograms with plain counts. The library, kept by DataDog and used by its
// agents, gives the mapping and the bucket store the percentiles are read from.
const relativeAccuracy = 0.01

// durationMapping is report_bucket's mapping (migration 012 writes its multiplier, 1 / ln(gamma), out).
var durationMapping = func() *mapping.LogarithmicMapping {
	m, err := mapping.NewLogarithmicMapping(relativeAccuracy)
	if err != nil {
		panic(err)
	}
	return m
}()

// zeroBucket is report_bucket's bucket of the durations of zero or less, which the mapping cannot take.
const zeroBucket = -32768

// durations is a histogram of durations in seconds: those of zero or less, and the others by bucket.
type durations struct {
	zero     float64
	positive *ddstore.DenseStore
}

func newDurations() *durations { return &durations{positive: ddstore.NewDenseStore()} }

// add counts n durations of the bucket.
func (h *durations) add(bucket, n int) {
	if bucket == zeroBucket {
		h.zero += float64(n)
		return
	}
	h.positive.AddWithCount(bucket, float64(n))
}

// addAll counts counts[i] durations of buckets[i], a histogram of the database.
func (h *durations) addAll(buckets, counts []int32) error {
	if len(buckets) != len(counts) {
		return fmt.Errorf("a histogram of %d buckets and %d counts", len(buckets), len(counts))
	}
	for i, b := range buckets {
		h.add(int(b), int(counts[i]))
	}
	return nil
}

func (h *durations) count() int { return int(h.zero + h.positive.TotalCount()) }

// valueAt is the duration of the given rank (0 the shortest), within 1 %.
func (h *durations) valueAt(rank float64) float64 {
	if rank < h.zero {
		return 0
	}
	return durationMapping.Value(h.positive.KeyAtRank(rank - h.zero))
}

// percentile is PostgreSQL's percentile_cont, which the report used before: the value at rank q * (count - 1),
// interpolated between the two ranks around it. Both are within 1 % of the exact durations at those ranks, and so
// is the interpolation between them (the durations are not negative).
func (h *durations) percentile(q float64) time.Duration {
	r := q * float64(h.count()-1)
	lo, hi := math.Floor(r), math.Ceil(r)
	v := h.valueAt(lo)
	if hi > lo {
		v += (r - lo) * (h.valueAt(hi) - v)
	}
	return seconds(v)
}

func (h *durations) summary() Duration {
	return Duration{Count: h.count(), Median: h.percentile(0.5), P90: h.percentile(0.9)}
}

// units is the condition that the unit in column lies within the reach's units; "" when the reach holds
// everything. Only units: a report's reach names no person (ltc.ReportsReach).
func (f *filter) units(column string, r ltc.Reach) string {
	if r.All {
		return ""
	}
	var any []string
	for _, u := range r.Units {
		any = append(any, f.unitIs(column, u))
	}
	if len(any) == 0 {
		return "FALSE"
	}
	return "(" + strings.Join(any, " OR ") + ")"
}
