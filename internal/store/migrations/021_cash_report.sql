-- The cash report at 10^6 deals (GetCashReport, p99 goal 300 ms), and what it calls collected.
--
-- Collected is the cash that came in during the period: the payments whose date falls in it, whatever invoice they
-- pay. contract_payments holds each payment as the deal's process last wrote it, beside its invoice; the report
-- reads a period's payments from its index alone. The payments recorded before this migration are copied from the
-- deals' documents.
CREATE TABLE contract_payments (
    deal_id        uuid        NOT NULL REFERENCES opportunities (id),
    reference      text        NOT NULL,
    invoice_number text        NOT NULL,
    org_unit       text        NOT NULL,
    owner_id       text        NOT NULL,
    account_id     uuid,
    currency       text        NOT NULL,
    amount_minor   bigint      NOT NULL CHECK (amount_minor > 0),
    paid_on        date        NOT NULL,
    recorded_at    timestamptz NOT NULL,
    PRIMARY KEY (deal_id, reference)
);
CREATE INDEX contract_payments_by_day ON contract_payments (paid_on)
    INCLUDE (org_unit, owner_id, account_id, currency, amount_minor);

INSERT INTO contract_payments (deal_id, reference, invoice_number, org_unit, owner_id, account_id, currency, amount_minor,
        paid_on, recorded_at)
SELECT i.deal_id, p->>'reference', i.number, i.org_unit, i.owner_id, i.account_id, i.currency,
       (p->'amount'->>'amount_minor')::bigint,
       make_date((p->'date'->>'year')::int, (p->'date'->>'month')::int, (p->'date'->>'day')::int),
       (p->>'recorded_at')::timestamptz
FROM contract_invoices i
JOIN opportunities o ON o.id = i.deal_id
CROSS JOIN LATERAL jsonb_array_elements(o.doc->'execution'->'invoices') AS inv
CROSS JOIN LATERAL jsonb_array_elements(coalesce(inv->'payments', '[]'::jsonb)) AS p
WHERE inv->>'number' = i.number;

-- The open milestones are read from cash_months below, no longer from their own index.
DROP INDEX contract_milestones_open;

-- A written-off contract's unpaid invoices are no longer receivable: contract_invoices.open says whether an invoice
-- is still to be paid (outstanding, of a contract not written off), and the open invoices' index is on it.
ALTER TABLE contract_invoices ADD COLUMN open boolean;
UPDATE contract_invoices i SET open = i.paid_minor < i.amount_minor
    AND NOT EXISTS (SELECT FROM opportunities o WHERE o.id = i.deal_id AND o.contract_status = 'WRITTEN_OFF');
ALTER TABLE contract_invoices ALTER COLUMN open SET NOT NULL;
DROP INDEX contract_invoices_open;
CREATE INDEX contract_invoices_open ON contract_invoices (org_unit, owner_id)
    INCLUDE (account_id, currency, amount_minor, paid_minor, due_date) WHERE open;

-- cash_months sums the contracts by month, unit, owner, account ('' for none) and currency: what was invoiced
-- (invoices by issue month), collected (payments by the month of their date) and what is expected (the open
-- milestones' amounts not invoiced, by planned month, '0001-01-01' for none; the open invoices' outstanding amounts,
-- by due month). The deal's transaction adds what its change moves (store.addCashMonths, one statement whose rows
-- are in key order, so two deals' upserts of it never wait on each other in a cycle). A report by unit reads a few
-- rows per unit and month instead of every invoice, payment and milestone; by owner, about a row per owner, month
-- and currency. An owner holds a few accounts, so keying by account costs few rows.
CREATE TABLE cash_months (
    month      date   NOT NULL,
    org_unit   text   NOT NULL,
    owner_id   text   NOT NULL,
    account_id text   NOT NULL,
    currency   text   NOT NULL,
    invoiced   bigint NOT NULL,
    collected  bigint NOT NULL,
    expected   bigint NOT NULL,
    PRIMARY KEY (month, org_unit, owner_id, account_id, currency)
);
CREATE INDEX cash_months_flows ON cash_months (month) INCLUDE (org_unit, owner_id, account_id, currency, invoiced, collected)
    WHERE invoiced <> 0 OR collected <> 0;
CREATE INDEX cash_months_expected ON cash_months (org_unit, owner_id) INCLUDE (month, account_id, currency, expected)
    WHERE expected <> 0;

INSERT INTO cash_months (month, org_unit, owner_id, account_id, currency, invoiced, collected, expected)
SELECT month, org_unit, owner_id, account_id, currency, sum(invoiced), sum(collected), sum(expected)
FROM (
    SELECT date_trunc('month', issued_at AT TIME ZONE 'UTC')::date AS month, org_unit, owner_id,
           coalesce(account_id::text, '') AS account_id, currency, amount_minor AS invoiced, 0 AS collected, 0 AS expected
    FROM contract_invoices
    UNION ALL
    SELECT date_trunc('month', due_date::timestamp)::date, org_unit, owner_id, coalesce(account_id::text, ''), currency,
           0, 0, amount_minor - paid_minor
    FROM contract_invoices WHERE open
    UNION ALL
    SELECT date_trunc('month', paid_on::timestamp)::date, org_unit, owner_id, coalesce(account_id::text, ''), currency,
           0, amount_minor, 0
    FROM contract_payments
    UNION ALL
    SELECT coalesce(date_trunc('month', planned_date::timestamp)::date, '0001-01-01'), org_unit, owner_id, coalesce(account_id::text, ''), currency,
           0, 0, amount_minor - invoiced_minor
    FROM contract_milestones WHERE open
) c
GROUP BY 1, 2, 3, 4, 5;
