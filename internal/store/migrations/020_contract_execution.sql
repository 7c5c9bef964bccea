-- Contract execution to cash (ContractService, GetCashReport; deals of rules version 4). The deal's process holds
-- the contract's execution in the deal's doc; these columns and tables are what lists and the cash report read.

-- contract_status is the status of the deal's contract in execution (SIGNED, EXECUTION, COMPLETED,
-- WRITTEN_OFF), NULL for a deal without one.
ALTER TABLE opportunities ADD COLUMN contract_status text;
CREATE INDEX opportunities_contracts ON opportunities (created_at DESC, id DESC) WHERE contract_status IS NOT NULL;

-- contract_invoices holds each invoice of a contract as the deal's process last wrote it, with the deal's unit,
-- owner and account: the cash report sums them. paid_at is when it was paid in full.
CREATE TABLE contract_invoices (
    deal_id      uuid        NOT NULL REFERENCES opportunities (id),
    number       text        NOT NULL,
    org_unit     text        NOT NULL,
    owner_id     text        NOT NULL,
    account_id   uuid,
    currency     text        NOT NULL,
    amount_minor bigint      NOT NULL CHECK (amount_minor > 0),
    paid_minor   bigint      NOT NULL CHECK (paid_minor >= 0 AND paid_minor <= amount_minor),
    issued_at    timestamptz NOT NULL,
    due_date     date        NOT NULL,
    paid_at      timestamptz,
    PRIMARY KEY (deal_id, number)
);
-- The cash report reads the invoices issued in a period and the open ones from these indexes alone.
CREATE INDEX contract_invoices_by_issue ON contract_invoices (issued_at)
    INCLUDE (org_unit, owner_id, account_id, currency, amount_minor, paid_minor);
CREATE INDEX contract_invoices_open ON contract_invoices (org_unit, owner_id)
    INCLUDE (account_id, currency, amount_minor, paid_minor, due_date) WHERE paid_minor < amount_minor;

-- contract_milestones holds each milestone of a contract with what is invoiced of it: the open ones (not invoiced
-- in full) make the expected cash, by planned month.
CREATE TABLE contract_milestones (
    deal_id        uuid        NOT NULL REFERENCES opportunities (id),
    id             text        NOT NULL,
    org_unit       text        NOT NULL,
    owner_id       text        NOT NULL,
    account_id     uuid,
    currency       text        NOT NULL,
    amount_minor   bigint      NOT NULL,
    invoiced_minor bigint      NOT NULL,
    planned_date   date,
    due_at         timestamptz,
    open           boolean     NOT NULL,
    PRIMARY KEY (deal_id, id)
);
CREATE INDEX contract_milestones_open ON contract_milestones (org_unit, owner_id)
    INCLUDE (account_id, currency, amount_minor, invoiced_minor, planned_date) WHERE open;
