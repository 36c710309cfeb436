-- Sign-in cards for young pupils: a printed QR code that opens a picture-password page. The card alone is not
-- enough (whoever finds a card would otherwise be that pupil): the pupil also picks their four pictures.
--
-- Neither secret is kept: the card's token (256 random bits) only as its SHA-256 hash, as client secrets are
-- (a generated value needs no slow hash, and the lookup is by the hash); the picture password only as an
-- Argon2id hash, like local passwords (it has few possibilities and must be slow to guess from a copy).
-- A pupil has at most one card in use: a new card ends the old one (REPLACED), a teacher can end one
-- (REVOKED). Ended cards stay as the history of who made and ended which card. failures counts wrong picture
-- passwords in a row; at tilldela.sso.card-max-failures the card is locked until a teacher makes a new one.
create table sso_sign_in_card (
    id           uuid        primary key,
    person_id    uuid        not null references person (id) on delete cascade on update cascade,
    -- the first name printed on the card, which the picture page greets the pupil with (so a pupil who took
    -- a classmate's card sees it is not theirs)
    first_name   text        not null,
    token_hash   text        not null unique,
    picture_hash text        not null,
    failures     int         not null default 0,
    made_by      text        not null,
    made_at      timestamptz not null default now(),
    -- the form that made it (the teacher's page), so a repeated submission of the same form is recognised
    made_with    uuid,
    ended        text        check (ended in ('REPLACED', 'REVOKED')),
    ended_by     text,
    ended_at     timestamptz,
    last_used_at timestamptz
);
create unique index sso_sign_in_card_in_use on sso_sign_in_card (person_id) where ended is null;
create index sso_sign_in_card_made_with on sso_sign_in_card (made_with);
