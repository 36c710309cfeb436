-- Appends update each holding once, not twice: the chain record of a holding's latest release is named later.
--
-- Why: an append learns a chained release's sequence number only under the ledger head's lock, after its one upsert
-- of the holdings has decided which releases repeat; writing that number back took a second update of every chained
-- holding, about a fifth of an append's database time (BENCHMARKS.md, "One holding update per append"). Now the
-- upsert records when the latest release was made (release_at) and leaves release_sequence empty; the first repeat
-- that needs the number finds the key's newest record at that moment (one month's partition, one index probe) and
-- keeps it. Rows written before keep their numbers (and need no release_at); no index: holding updates stay HOT.
alter table holding add column release_at timestamptz;
comment on column holding.release_at is 'when the latest release (release_hash) was made: its chain record''s disclosed_at';
comment on column holding.release_sequence is
    'the chain record of the latest release (release_hash); null or 0: not named yet — the key''s newest disclosure_record at release_at';
