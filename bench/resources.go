package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"
)

// resourceRow is what one process holds and spends for open deals.
type resourceRow struct {
	server, process string
	before, after   usage
	idleCPU         time.Duration // CPU used over idleWindow with the deals open
}

const idleWindow = 20 * time.Second

// openDealResources opens n deals (each in PURSUIT with its team, so its weekly report timer runs), then reads
// each process's memory and CPU: before, after, and over an idle window with the deals open.
func openDealResources(ctx context.Context, server string, d *driver, pids map[string]int, n, c int) ([]resourceRow, error) {
	names := make([]string, 0, len(pids))
	for name := range pids {
		names = append(names, name)
	}
	slices.Sort(names)
	read := func() (map[string]usage, error) {
		us := map[string]usage{}
		for _, name := range names {
			u, err := usageOf(pids[name])
			if err != nil {
				return nil, fmt.Errorf("read usage of %s: %w", name, err)
			}
			us[name] = u
		}
		return us, nil
	}
	before, err := read()
	if err != nil {
		return nil, err
	}
	r := drive(ctx, n, c, func(int) []step { return d.lifecycle()[:openDealSteps] })
	if r.errors > 0 {
		return nil, fmt.Errorf("opening deals on %s: %d errors, first: %w", server, r.errors, r.firstErr)
	}
	time.Sleep(3 * time.Second) // let the last workflow tasks and timers settle
	after, err := read()
	if err != nil {
		return nil, err
	}
	time.Sleep(idleWindow)
	idle, err := read()
	if err != nil {
		return nil, err
	}
	rows := make([]resourceRow, 0, len(names))
	for _, name := range names {
		rows = append(rows, resourceRow{server: server, process: name, before: before[name], after: after[name],
			idleCPU: idle[name].CPU - after[name].CPU})
	}
	return rows, nil
}

func printResources(out io.Writer, rows []resourceRow, n int) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(out, "\n## Resources of %d open deals\n\n", n)
	fmt.Fprintf(out, "Each deal is in PURSUIT with its team appointed, so its weekly report timer runs. RSS before and after\n")
	fmt.Fprintf(out, "opening them (after the write path ran); CPU spent opening them (6 calls each); CPU over %s idle with them open.\n\n", idleWindow)
	fmt.Fprintf(out, "| Temporal server | process | RSS before MiB | RSS after MiB | RSS per 1000 open deals MiB | CPU s per 1000 deals opened | idle CPU %% |\n")
	fmt.Fprintf(out, "|---|---|--:|--:|--:|--:|--:|\n")
	per := 1000 / float64(n)
	for _, r := range rows {
		fmt.Fprintf(out, "| %s | %s | %.0f | %.0f | %.1f | %.1f | %.2f |\n", r.server, r.process, mib(r.before.RSS), mib(r.after.RSS),
			mib(r.after.RSS-r.before.RSS)*per, (r.after.CPU-r.before.CPU).Seconds()*per, 100*r.idleCPU.Seconds()/idleWindow.Seconds())
	}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
