-- Repeated identical releases are counted on the holding row instead of each getting a chain record
-- (DisclosureLedger.append): a pupil who signs in to the same product every morning, or whose product
-- refreshes its tokens every few minutes, receives the same attributes under the same agreement again and
-- again; one chain record per token put every token response behind the one lock on ledger_head.
--   release_hash     SHA-256 of the latest release's content (ChainHash encoding with sequence 0, time 0):
--                    channel, attributes, agreement, legal basis, purpose, retention
--   release_sequence the chain record that release is (a repeat: the chain record it repeats)
--   repeats          releases counted here without a chain record of their own (also in disclosures)
-- No index on them: holding rows keep being updated in place (HOT, fillfactor 70).
alter table holding
    add column release_hash     bytea check (octet_length(release_hash) = 32),
    add column release_sequence bigint,
    add column repeats          bigint not null default 0;
