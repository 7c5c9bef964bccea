package ltc

// IsOverdue reports whether something the deal owes is late now: its pending decision (past the SLA at the top
// authority), the weekly report of the last period checked, its handover (while open) or its project summary
// (while missing), or an invoice of its contract in execution (while unpaid). ListOpportunities' overdue filter selects these deals.
func (o Opportunity) IsOverdue() bool {
	if d, ok := o.Pending(); ok && d.Overdue {
		return true
	}
	if c := o.Cadence; o.Open() && c != nil && c.Checked > 0 && !c.has(c.Checked-1) {
		return true
	}
	if o.Execution != nil && o.Stage == StageExecution && o.Execution.OverdueReceivable() {
		return true
	}
	return (o.Open() && o.HandoverOverdue) || (o.SummaryOverdue && o.Summary == nil)
}
