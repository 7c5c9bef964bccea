package ltc

import "time"

// Policy is the versioned configuration of the process: SLAs, thresholds and cadences. A lead or deal keeps the
// policy it started with, carried in its process input, so a policy change never rewrites a running deal's rules.
type Policy struct {
	Version string `json:"version"`
	// LeadSLA is how long a lead may stay NEW before it is flagged overdue and the owner's manager notified.
	LeadSLA time.Duration `json:"lead_sla"`
}

// DefaultPolicy is the policy of domain.md.
func DefaultPolicy() Policy {
	return Policy{
		Version: "default-1",
		LeadSLA: 14 * 24 * time.Hour,
	}
}
