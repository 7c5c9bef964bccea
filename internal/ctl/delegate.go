package ctl

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/types/known/timestamppb"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// onBehalfOf names the delegator a deputy acted for, if one.
func onBehalfOf(p *ltcv1.Person) string {
	if p == nil {
		return ""
	}
	return " on behalf of " + person(p)
}

func delegateCommands(run runner) *cobra.Command {
	delegate := &cobra.Command{Use: "delegate", Short: "Hand your pending decisions and reviews to a deputy for a period"}

	var st struct {
		start, end, reason string
		gates              []string
		days               int
	}
	set := &cobra.Command{Use: "set DEPUTY", Short: "Name a deputy until --end (or for --days), for --gate (default: every gate)", Args: cobra.ExactArgs(1),
		RunE: run(func(s *session, args []string) error {
			req := &ltcv1.SetDelegationRequest{RequestId: s.requestID(), Deputy: &ltcv1.Person{Id: args[0]}, Reason: st.reason}
			from := time.Now()
			if st.start != "" {
				t, err := when(st.start)
				if err != nil {
					return fmt.Errorf("--start: %w", err)
				}
				req.StartTime, from = timestamppb.New(t), t
			}
			switch {
			case st.end != "":
				t, err := when(st.end)
				if err != nil {
					return fmt.Errorf("--end: %w", err)
				}
				req.EndTime = timestamppb.New(t)
			case st.days > 0:
				req.EndTime = timestamppb.New(from.AddDate(0, 0, st.days))
			default:
				return fmt.Errorf("--end or --days says when the delegation ends (at most 90 days)")
			}
			for _, g := range st.gates {
				gate, err := enum[ltcv1.Gate](ltcv1.Gate_value, "GATE_", g)
				if err != nil {
					return err
				}
				req.Gates = append(req.Gates, gate)
			}
			resp, err := call(s, s.people.SetDelegation, req)
			if err != nil {
				return err
			}
			return s.show(resp.Delegation, func(w io.Writer) { renderDelegations(w, resp.Delegation) })
		})}
	sf := set.Flags()
	sf.StringVar(&st.start, "start", "", "when it starts: RFC 3339 or YYYY-MM-DD (default: now)")
	sf.StringVar(&st.end, "end", "", "when it ends (exclusive): RFC 3339 or YYYY-MM-DD")
	sf.IntVar(&st.days, "days", 0, "or: how many days it lasts")
	sf.StringSliceVar(&st.gates, "gate", nil, "INITIATION, ATB, ATC; repeat or comma-separate (default: every gate)")
	sf.StringVar(&st.reason, "reason", "", "why, e.g. annual leave")

	revoke := &cobra.Command{Use: "revoke DELEGATION", Short: "End a delegation now", Args: cobra.ExactArgs(1),
		RunE: run(func(s *session, args []string) error {
			resp, err := call(s, s.people.RevokeDelegation, &ltcv1.RevokeDelegationRequest{RequestId: s.requestID(), DelegationId: args[0]})
			if err != nil {
				return err
			}
			return s.show(resp.Delegation, func(w io.Writer) { renderDelegations(w, resp.Delegation) })
		})}

	var current bool
	list := &cobra.Command{Use: "list", Short: "The delegations you gave or received (an admin: all), newest first", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			resp, err := call(s, s.people.ListDelegations, &ltcv1.ListDelegationsRequest{PageSize: 200, CurrentOnly: current})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) {
				if len(resp.Delegations) == 0 {
					fmt.Fprintln(w, "No delegations.")
					return
				}
				renderDelegations(w, resp.Delegations...)
			})
		})}
	list.Flags().BoolVar(&current, "current", false, "only those in force now")
	delegate.AddCommand(set, revoke, list)
	return delegate
}

// when reads a time: RFC 3339, or a day (midnight UTC).
func when(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}

func renderDelegations(w io.Writer, ds ...*ltcv1.Delegation) {
	fmt.Fprintln(w, "DELEGATION\tFROM\tTO\tSTART\tEND\tGATES\tREVOKED\tREASON")
	for _, d := range ds {
		gates := "all"
		if len(d.Gates) > 0 {
			names := make([]string, len(d.Gates))
			for i, g := range d.Gates {
				names[i] = name(g, "GATE_")
			}
			gates = strings.Join(names, ",")
		}
		revoked := "-"
		if d.RevokeTime != nil {
			revoked = d.RevokeTime.AsTime().Format(time.DateTime)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Id, person(d.Delegator), person(d.Deputy),
			d.StartTime.AsTime().Format(time.DateTime), d.EndTime.AsTime().Format(time.DateTime), gates, revoked, d.Reason)
	}
}
