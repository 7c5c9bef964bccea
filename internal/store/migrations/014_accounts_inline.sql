-- An account's document (about 6 KB of JSON for 10 contacts, 2-6 KB compressed) is kept in its row, as a deal's is
-- (migration 006): with the default layout the documents of S and A accounts, and half of the others, went to the
-- TOAST table, and GetAccount read 35 buffers of an S account's instead of 4. STORAGE MAIN compresses a document
-- and keeps it in its heap page unless the row cannot fit one; toast_tuple_target compresses only rows above 4 KB.
-- Rows written before this keep their layout until the account changes.
ALTER TABLE accounts ALTER COLUMN doc SET STORAGE MAIN, SET (toast_tuple_target = 4080);
