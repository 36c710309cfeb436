-- SAML Single Logout (front channel). Where an SP takes LogoutRequests and sends its LogoutResponses, from its metadata's
-- SingleLogoutService (HTTP-Redirect preferred, else HTTP-POST); null: the SP does not take part in Single Logout (an SP
-- registered before this is registered again to take part).
alter table sso_saml_sp add column slo_binding text, add column slo_url text, add column slo_response_url text;

-- A Single Logout under way: started by an SP's LogoutRequest (initiator_*) or by signing out on the start page (no
-- initiator). The browser carries a random key (in RelayState towards the SPs), kept here as its SHA-256, so any node
-- goes on with it; the Tilldela session itself is ended at the start.
create table sso_saml_logout (
    key_hash              text        primary key,
    initiator_entity_id   text,
    initiator_request_id  text,
    initiator_name_id     text,
    initiator_relay_state text,
    -- the person's session was looked at (and ended where the initiator was one of its SPs)
    started               boolean     not null,
    -- an SP answered with another status than Success: the initiator is told PartialLogout
    partial               boolean     not null default false,
    expires_at            timestamptz not null
);
create index sso_saml_logout_expires on sso_saml_logout (expires_at);

-- The session's other SPs, sent a LogoutRequest in turn: request_id once it was sent, answered once its LogoutResponse came.
create table sso_saml_logout_participant (
    key_hash      text    not null references sso_saml_logout (key_hash) on delete cascade,
    position      int     not null,
    sp_entity_id  text    not null,
    name_id       text    not null,
    session_index text,
    request_id    text,
    answered      boolean not null default false,
    primary key (key_hash, position)
);
