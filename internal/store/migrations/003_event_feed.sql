-- The event feed of one deal, by global sequence (the cursor a consumer follows).
CREATE INDEX events_by_deal ON events (deal_id, sequence);
