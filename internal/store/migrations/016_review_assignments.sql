-- Reviews a manager assigned to a named reviewer (ReassignReview): the functions whose missing review is assigned,
-- which leave the inbox of the function's other reviewers, and the reviewers they are assigned to, whose inbox
-- holds them. Decisions recorded before have none.
ALTER TABLE decisions
    ADD COLUMN assigned_reviews text[] NOT NULL DEFAULT '{}',
    ADD COLUMN review_assignees text[] NOT NULL DEFAULT '{}';
CREATE INDEX decisions_by_review_assignee ON decisions USING gin (review_assignees) WHERE status = 'PENDING';
