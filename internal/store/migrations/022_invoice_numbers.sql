-- invoice_numbers makes an invoice number unique company-wide: each number is held by one contract (its deal). The
-- API reserves the number for the IssueInvoice request before the deal's process accepts the invoice, marks it
-- issued once the process recorded it, and releases it when the process refused it; a reservation left behind by a
-- call that never finished is taken over after a while by another contract once its request is known not to be
-- pending (internal/api IssueInvoice). The deal's process and its writes are unchanged: contract_invoices stays
-- unique per contract, and nothing here can refuse a change the process recorded.
CREATE TABLE invoice_numbers (
    number      text        PRIMARY KEY,
    deal_id     uuid        NOT NULL REFERENCES opportunities (id),
    request_id  text        NOT NULL,
    reserved_at timestamptz NOT NULL DEFAULT now(),
    issued      boolean     NOT NULL DEFAULT false
);

-- The numbers issued before are held by the contract that issued them first.
INSERT INTO invoice_numbers (number, deal_id, request_id, reserved_at, issued)
SELECT DISTINCT ON (number) number, deal_id, '', issued_at, true
FROM contract_invoices
ORDER BY number, issued_at, deal_id;
