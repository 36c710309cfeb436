-- Signed checkpoints of the chain: the head's sequence and hash at a moment, signed (a JWS, ES256) with a key
-- kept outside the database (LedgerCheckpoints). Whoever can write to the database can recompute every hash
-- after a record they changed, and the chain alone would still verify; they cannot sign a checkpoint, so a
-- rewritten record at or before a checkpoint's sequence shows up against it — and against a published copy of
-- it (a file, or the DPO's mailbox) if they remove the rows here as well.
create table ledger_checkpoint (
    sequence bigint      primary key check (sequence > 0),
    hash     bytea       not null check (octet_length(hash) = 32),
    made_at  timestamptz not null,
    key_id   text        not null,
    signed   text        not null   -- the compact JWS: header {alg ES256, kid}, claims {seq, head (hex), iat}
);
comment on table ledger_checkpoint is 'APPEND-ONLY: signed checkpoints of the disclosure ledger; the application may read and add rows, never change or remove them';

create trigger ledger_checkpoint_no_update_or_delete before update or delete on ledger_checkpoint
    for each row execute function disclosure_is_append_only();
create trigger ledger_checkpoint_no_truncate before truncate on ledger_checkpoint
    for each statement execute function disclosure_is_append_only();
