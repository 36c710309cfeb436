-- The fingerprint of the input record a membership was read from (OneRoster: an enrollments.csv record's values as the
-- import reads them; see StagedSnapshot.openFingerprinted). A later import of the same source recognises an unchanged
-- record by its fingerprint alone — without parsing it into a row, making its id or hashing its content — and finds
-- the rows of records that are no longer there by theirs. Null for rows from readers that do not fingerprint (SS 12000)
-- and for rows stored before this column: their records are read in full once and the column filled then.
-- Without a default, so adding it rewrites nothing.
alter table membership add column line_fp uuid;
