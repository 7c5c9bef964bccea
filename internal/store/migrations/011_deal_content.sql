-- A deal's content: what its changes add that the rules do not need (meetings' attendees, conclusions and action
-- items, weekly reports' texts, risks' descriptions and mitigations), kept beside the deal and out of its process's
-- state (ltc.RulesLimits). GetOpportunity fills the deal's doc in from it; lists and the process read the doc alone.
-- An item is written by the change that adds or replaces it, in that change's transaction.
CREATE TABLE deal_content (
    deal_id uuid  NOT NULL,
    kind    text  NOT NULL,
    key     text  NOT NULL,
    doc     jsonb NOT NULL,
    PRIMARY KEY (deal_id, kind, key)
);
