-- What the pipeline report reads: closes by time, stage changes by deal, and decisions by when they were taken.
ALTER TABLE opportunities ADD COLUMN closed_at timestamptz;
CREATE INDEX opportunities_by_close ON opportunities (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX events_stage_changes ON events (deal_id, sequence) WHERE stage_before IS DISTINCT FROM stage_after;
CREATE INDEX events_by_time ON events (occurred_at);
CREATE INDEX decisions_by_decision_time ON decisions (updated_at) WHERE status NOT IN ('PENDING', 'WITHDRAWN');
