-- Placeholder for the migration 017 another branch adds: tern refuses a gap in the numbers, and the reference data
-- are 018. Drop this file when the real 017 is merged.
SELECT 1;
