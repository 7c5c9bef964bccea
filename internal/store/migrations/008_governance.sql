-- Governance: who may read each lead and deal (deal_access), the separation of duties in the inbox (a decision's
-- requester), the reviewers' reach (its required reviews), and who made each request (so nobody else replays it).

-- One row per lead and deal (they share an id): the org unit it belongs to and the people named on it. members
-- (owner and team) never decide or review its gates; readers (members, sponsor, the lead's creator) read it
-- wherever their unit; report_readers (members and sponsor) read its weekly reports. Every list, count and feed
-- checks it, so no page shows what a Get would refuse.
CREATE TABLE deal_access (
    deal_id        uuid   PRIMARY KEY,
    org_unit       text   NOT NULL,
    members        text[] NOT NULL,
    readers        text[] NOT NULL,
    report_readers text[] NOT NULL
);
CREATE INDEX deal_access_by_unit ON deal_access (org_unit text_pattern_ops);
CREATE INDEX deal_access_by_reader ON deal_access USING gin (readers);

-- Deals and leads recorded before org units belong to the whole company: only company-wide managers, executives
-- and admins see them, besides the people named on them.
INSERT INTO deal_access (deal_id, org_unit, members, readers, report_readers)
SELECT o.id, '', m.ids, m.ids, m.ids
FROM opportunities o,
LATERAL (SELECT ARRAY(SELECT DISTINCT id FROM (
    SELECT o.doc->'owner'->>'id' AS id
    UNION SELECT t->'person'->>'id' FROM jsonb_array_elements(coalesce(o.doc->'team', '[]'::jsonb)) t
) ids WHERE id IS NOT NULL AND id <> '') AS ids) m;

INSERT INTO deal_access (deal_id, org_unit, members, readers, report_readers)
SELECT l.id, '', ARRAY[l.owner_id], ARRAY(SELECT DISTINCT x FROM unnest(ARRAY[l.owner_id, l.doc->'created_by'->>'id']) x
    WHERE x IS NOT NULL AND x <> ''), ARRAY[l.owner_id]
FROM leads l
WHERE NOT EXISTS (SELECT 1 FROM opportunities o WHERE o.id = l.id);

-- The inbox reads its rows alone, in the order of decisions_pending: a decision keeps its deal's unit and members
-- (kept current with deal_access) beside its requester, so who may act on it is a condition on the row itself.
ALTER TABLE decisions
    ADD COLUMN requested_by text NOT NULL DEFAULT '',
    ADD COLUMN required_reviews text[] NOT NULL DEFAULT '{}',
    ADD COLUMN org_unit text NOT NULL DEFAULT '',
    ADD COLUMN members text[] NOT NULL DEFAULT '{}';
UPDATE decisions d SET
    requested_by = coalesce(d.doc->'requested_by'->>'id', ''),
    required_reviews = ARRAY(SELECT jsonb_array_elements_text(coalesce(d.doc->'required_reviews', '[]'::jsonb))),
    members = x.members
FROM deal_access x WHERE x.deal_id = d.opportunity_id;

-- The caller of each request; NULL for requests recorded before it was kept (and the engine's own changes).
ALTER TABLE requests ADD COLUMN actor_id text;
