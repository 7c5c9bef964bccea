package ctl

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// reassignFlags are the flags of every reassignment: to whom, their name, and why.
type reassignFlags struct{ to, name, reason string }

func (f *reassignFlags) add(c *cobra.Command, whom string) *cobra.Command {
	c.Flags().StringVar(&f.to, "to", "", whom+"'s user id")
	c.Flags().StringVar(&f.name, "name", "", whom+"'s display name")
	c.Flags().StringVar(&f.reason, "reason", "", "why")
	return c
}

func (f *reassignFlags) person() *ltcv1.Person { return &ltcv1.Person{Id: f.to, Name: f.name} }

// leadReassign is `lead reassign LEAD --to ID --reason R`.
func leadReassign(run runner) *cobra.Command {
	var f reassignFlags
	return f.add(&cobra.Command{Use: "reassign LEAD", Short: "Give a NEW lead another owner (sales managers, executives in scope)", Args: cobra.ExactArgs(1),
		RunE: run(func(s *session, args []string) error {
			resp, err := call(s, s.leads.ReassignLead, &ltcv1.ReassignLeadRequest{RequestId: s.requestID(), LeadId: args[0], Owner: f.person(), Reason: f.reason})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) { renderLead(w, resp.Lead) })
		})}, "the new owner")
}

// dealReassign is `deal reassign DEAL --to ID --reason R`.
func dealReassign(run runner) *cobra.Command {
	var f reassignFlags
	return f.add(change(run, "reassign DEAL", "Give the deal another owner, its AR (sales managers, executives in scope)", 1,
		func(s *session, args []string) (func() (*ltcv1.Opportunity, error), error) {
			return func() (*ltcv1.Opportunity, error) {
				resp, err := call(s, s.deals.ReassignOwner, &ltcv1.ReassignOwnerRequest{RequestId: s.requestID(), OpportunityId: args[0],
					Owner: f.person(), Reason: f.reason})
				return resp.GetOpportunity(), err
			}, nil
		}), "the new owner")
}

// reviewCommands is `review reassign DECISION --function F --to ID --reason R`.
func reviewCommands(run runner) *cobra.Command {
	review := &cobra.Command{Use: "review", Short: "Reassign the professional reviews of pending decisions"}
	var f reassignFlags
	var function string
	reassign := f.add(decision(run, "reassign DECISION", "Name the reviewer who owes a function's review (sales managers, executives in scope)",
		func(s *session, args []string) (func() (*ltcv1.Decision, error), error) {
			fn, err := enum[ltcv1.ReviewFunction](ltcv1.ReviewFunction_value, "REVIEW_FUNCTION_", function)
			if err != nil {
				return nil, err
			}
			return func() (*ltcv1.Decision, error) {
				r, err := call(s, s.gates.ReassignReview, &ltcv1.ReassignReviewRequest{RequestId: s.requestID(), DecisionId: args[0],
					Function: fn, Reviewer: f.person(), Reason: f.reason})
				return r.GetDecision(), err
			}, nil
		}), "the reviewer")
	reassign.Flags().StringVar(&function, "function", "", "FINANCE, LEGAL, DELIVERY or SOLUTION")
	review.AddCommand(reassign)
	return review
}

// renderAssignments prints a decision's review assignments.
func renderAssignments(w io.Writer, d *ltcv1.Decision) {
	for _, a := range d.ReviewAssignments {
		fmt.Fprintf(w, "Assigned\t%s review to %s by %s at %s: %s\n", name(a.Function, "REVIEW_FUNCTION_"), person(a.Reviewer),
			person(a.AssignedBy), a.AssignTime.AsTime().Format(time.DateTime), a.Reason)
	}
}

// renderReopenings prints the closes a deal's REOPEN approvals undid.
func renderReopenings(w io.Writer, o *ltcv1.Opportunity) {
	for _, r := range o.Reopenings {
		fmt.Fprintf(w, "Reopened\tto %s at %s (was %s at %s: %s)\n", name(r.Stage, "STAGE_"), r.ReopenTime.AsTime().Format(time.DateTime),
			name(r.Outcome, "OUTCOME_"), r.CloseTime.AsTime().Format(time.DateTime), r.CloseReason)
	}
}
