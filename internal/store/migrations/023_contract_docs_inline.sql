-- A deal in contract execution carries its milestones, acceptances, invoices and payments in its document: about
-- 11 KB of JSON, 4-5 KB compressed, over the 4 KB target migration 006 set, so those deals went to the TOAST table
-- again. Up to a page (8 KB), a row now stays in its heap page, compressed if needed.
ALTER TABLE opportunities SET (toast_tuple_target = 8160);
