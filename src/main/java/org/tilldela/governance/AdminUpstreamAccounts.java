package org.tilldela.governance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Administrators of an organiser with its own identity provider: which account an upstream sign-in is, which
 * organisers an account belongs to (whose provider it must then sign in through), and the two settings an account
 * administrator keeps for that: an explicit binding to an upstream subject, and the break-glass mark that lets an
 * account still sign in with its local password. Every change is audited.
 */
@Service
@Transactional
public class AdminUpstreamAccounts {

    private final JdbcClient jdbc;
    private final AuditTrail audit;
    private final AdminGrants grants;
    private final java.util.List<UpstreamOrganisers> upstreamOrganisers;

    AdminUpstreamAccounts(JdbcClient jdbc, AuditTrail audit, AdminGrants grants, java.util.List<UpstreamOrganisers> upstreamOrganisers) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.grants = grants;
        this.upstreamOrganisers = upstreamOrganisers;
    }

    /** An organiser an account may be bound at: its id and name. */
    public record Organiser(UUID id, String name) {
    }

    /**
     * The organisers {@code actor} may bind an account at ({@link #bind}): those with an identity provider of their own
     * over which the actor holds ACCOUNT_ADMIN, by name.
     */
    @Transactional(readOnly = true)
    public java.util.List<Organiser> bindable(String actor) {
        java.util.List<Organiser> all = jdbc.sql("select id, name from organisation where kind = 'ORGANISER' order by name, id")
                .query((rs, n) -> new Organiser(rs.getObject(1, UUID.class), rs.getString(2))).list();
        Set<UUID> withProvider = new java.util.HashSet<>();
        Set<UUID> ids = all.stream().map(Organiser::id).collect(java.util.stream.Collectors.toSet());
        upstreamOrganisers.forEach(u -> withProvider.addAll(u.withProvider(ids)));
        return all.stream().filter(o -> withProvider.contains(o.id()))
                .filter(o -> grants.covers(actor, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(o.id()), Set.of()))).toList();
    }

    /**
     * The enabled account an upstream sign-in at {@code organiser}'s provider is: the one bound to the upstream
     * subject, else the one linked to the directory person the provider's claim matched ({@code person}; null: none).
     */
    @Transactional(readOnly = true)
    public Optional<String> find(UUID organiser, String subject, UUID person) {
        Optional<String> bound = subject == null ? Optional.empty()
                : jdbc.sql("select username from admin_account where upstream_organiser_id = :o and upstream_subject = :s and enabled")
                .param("o", organiser).param("s", subject).query(String.class).optional();
        if (bound.isPresent() || person == null) {
            return bound;
        }
        // by the linked person only an account whose rights lie within this organiser alone: the organiser's provider
        // vouches for its own people, so it must not open an account that reaches another organiser or the whole
        // installation (a person on duty at two organisers), nor one bound to another organiser's provider
        List<String> linked = jdbc.sql("""
                        select username from admin_account where person_id = :p and enabled
                          and (upstream_organiser_id is null or upstream_organiser_id = :o)""")
                .param("p", person).param("o", organiser).query(String.class).list();
        return linked.size() == 1 && rightsOnlyAt(linked.getFirst(), organiser) ? Optional.of(linked.getFirst()) : Optional.empty();
    }

    /** Whether every right of the account lies under the organiser (none over the whole installation, none elsewhere). */
    private boolean rightsOnlyAt(String username, UUID organiser) {
        boolean whole = jdbc.sql("select exists (select 1 from admin_grant where username = :u and whole_installation)").param("u", username)
                .query(Boolean.class).single();
        if (whole) {
            return false;
        }
        List<UUID> reached = jdbc.sql(ORGANISERS_OF_UNITS.formatted("""
                        select gu.organisation_id from admin_grant g join admin_grant_unit gu on gu.grant_id = g.id where g.username = :u
                        """)).param("u", username).query(UUID.class).list();
        return reached.stream().allMatch(organiser::equals);
    }

    /** Notes an administrator's sign-in through an organiser's provider (audited; the account's last sign-in). */
    public void signedIn(String username, UUID provider, UUID organiser, String address) {
        jdbc.sql("update admin_account set last_signed_in_at = now() where username = :u").param("u", username).update();
        audit.record("sign-in", "ADMIN_UPSTREAM_SIGN_IN", "admin_account", username,
                Map.of("provider", provider.toString(), "organiser", organiser.toString(), "address", address == null ? "unknown" : address));
    }

    /**
     * The organisers the account belongs to: the one its upstream subject is bound at, those where its linked person
     * is on duty today, and, when every unit its grants name lies under one organiser (and none is over the whole
     * installation), that one. An account serving several organisers by its grants alone (a regional purchasing
     * centre) or the whole installation belongs to none by its grants.
     */
    @Transactional(readOnly = true)
    public Set<UUID> organisersOf(String username) {
        List<UUID> own = jdbc.sql(ORGANISERS_OF_UNITS.formatted("""
                        select upstream_organiser_id from admin_account where username = :u and upstream_organiser_id is not null
                        union
                        select d.organisation_id from admin_account a join duty d on d.person_id = a.person_id
                        where a.username = :u and (d.start_date is null or d.start_date <= current_date) and (d.end_date is null or d.end_date >= current_date)
                        """)).param("u", username).query(UUID.class).list();
        java.util.Set<UUID> organisers = new java.util.HashSet<>(own);
        boolean whole = jdbc.sql("select exists (select 1 from admin_grant where username = :u and whole_installation)").param("u", username)
                .query(Boolean.class).single();
        if (!whole) {
            List<UUID> byGrants = jdbc.sql(ORGANISERS_OF_UNITS.formatted("""
                            select gu.organisation_id from admin_grant g join admin_grant_unit gu on gu.grant_id = g.id where g.username = :u
                            """)).param("u", username).query(UUID.class).list();
            if (byGrants.size() == 1) {
                organisers.add(byGrants.getFirst());
            }
        }
        return Set.copyOf(organisers);
    }

    /** The organisers above (or at) the units the inner select names; the depth bound guards against a cycle in bad data. */
    private static final String ORGANISERS_OF_UNITS = """
            with recursive start(unit_id) as (
            %s
            ), up(id, parent_id, kind, depth) as (
                select o.id, o.parent_id, o.kind, 0 from organisation o where o.id in (select unit_id from start)
                union all
                select o.id, o.parent_id, o.kind, up.depth + 1 from up join organisation o on o.id = up.parent_id
                where up.kind <> 'ORGANISER' and up.depth < 20
            )
            select distinct id from up where kind = 'ORGANISER'
            """;

    /** Whether the account can sign in through an organiser's provider at all: bound to an upstream subject, or linked to a person. */
    @Transactional(readOnly = true)
    public boolean hasUpstreamRoute(String username) {
        return jdbc.sql("select upstream_subject is not null or person_id is not null from admin_account where username = :u").param("u", username)
                .query(Boolean.class).optional().orElse(false);
    }

    /**
     * The organisers with a provider through which the account is to sign in: those it belongs to that have one, where
     * it has a way in there (bound, or linked to a person the provider can match); empty otherwise — refusing the
     * password of an account without a way in would lock it out of everything. Break-glass or not.
     */
    @Transactional(readOnly = true)
    public Set<UUID> providerOrganisers(String username) {
        Set<UUID> organisers = organisersOf(username);
        if (organisers.isEmpty()) {
            return Set.of();
        }
        Set<UUID> withProvider = new java.util.TreeSet<>();
        upstreamOrganisers.forEach(u -> withProvider.addAll(u.withProvider(organisers)));
        return withProvider.isEmpty() || !hasUpstreamRoute(username) ? Set.of() : withProvider;
    }

    /**
     * Whether the account signs in only through its organiser's provider ({@link #providerOrganisers}) and is no
     * break-glass account. Its password is refused (AdminSignIn) — and so is a personal API token: the provider stands
     * for password and second factor, and an account it disables must not go on through a token made while it let the
     * account in.
     */
    @Transactional(readOnly = true)
    public boolean signsInThroughProviderOnly(String username) {
        return !providerOrganisers(username).isEmpty() && !breakGlass(username);
    }

    /** May the account still sign in with its local password though its organiser has a provider? */
    @Transactional(readOnly = true)
    public boolean breakGlass(String username) {
        return jdbc.sql("select break_glass from admin_account where username = :u").param("u", username).query(Boolean.class).optional().orElse(false);
    }

    /** How an account signs in upstream, as the account pages and API show it. */
    public record Binding(UUID organiser, String subject, boolean breakGlass) {
    }

    @Transactional(readOnly = true)
    public Binding binding(String username) {
        return jdbc.sql("select upstream_organiser_id, upstream_subject, break_glass from admin_account where username = :u").param("u", username)
                .query((rs, n) -> new Binding(rs.getObject(1, UUID.class), rs.getString(2), rs.getBoolean(3))).optional()
                .orElse(new Binding(null, null, false));
    }

    /**
     * Binds the account to the subject ({@code sub}) of an upstream account at the organiser's provider (both null:
     * unbinds). The actor must manage the account ({@link AdminGrants#withinReach}) and hold ACCOUNT_ADMIN over the
     * organiser; otherwise false, as if there were no such account.
     */
    public boolean bind(String actor, String username, UUID organiser, String subject) {
        if (!grants.withinReach(actor, username) || !exists(username)) {
            return false;
        }
        String sub = subject == null ? null : subject.strip();
        if ((organiser == null) != (sub == null || sub.isEmpty())) {
            throw new IllegalArgumentException("A binding names both the organiser and the upstream subject (or neither, to remove it).");
        }
        if (sub != null && sub.length() > 255) {
            throw new IllegalArgumentException("An upstream subject is at most 255 characters.");
        }
        if (organiser != null) {
            boolean covered = jdbc.sql("select exists (select 1 from organisation where id = :o and kind = 'ORGANISER')").param("o", organiser)
                    .query(Boolean.class).single() && grants.covers(actor, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(organiser), Set.of()));
            if (!covered) {
                return false;
            }
        }
        try {
            jdbc.sql("update admin_account set upstream_organiser_id = :o, upstream_subject = :s where username = :u")
                    .param("o", organiser).param("s", organiser == null ? null : sub).param("u", username).update();
        } catch (DuplicateKeyException e) {
            throw new IllegalArgumentException("That upstream account is bound to another account already.");
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        if (organiser != null) {
            // the subject is the provider's opaque id of the person's account there: an identifier like a record id
            detail.put("organiser", organiser.toString());
            detail.put("subject", sub);
        }
        audit.record(actor, organiser == null ? "ADMIN_ACCOUNT_UPSTREAM_UNBOUND" : "ADMIN_ACCOUNT_UPSTREAM_BOUND", "admin_account", username, detail);
        return true;
    }

    /**
     * Ends every administrator's binding to the organiser's provider — it was removed, or now names another issuer, and
     * an upstream subject is unique only at the issuer that made it. Each account is audited as unbound, with the reason;
     * an account administrator binds it again to its subject at the new provider. Returns how many.
     */
    public int unbindAll(UUID organiser, String actor, String reason) {
        List<String> unbound = jdbc.sql("""
                        update admin_account set upstream_organiser_id = null, upstream_subject = null
                        where upstream_organiser_id = :o returning username""")
                .param("o", organiser).query(String.class).list();
        for (String username : unbound) {
            audit.record(actor, "ADMIN_ACCOUNT_UPSTREAM_UNBOUND", "admin_account", username, Map.of("organiser", organiser.toString(), "reason", reason));
        }
        return unbound.size();
    }

    /** Marks (or unmarks) a break-glass account; never one's own, so a stolen session cannot open the password door. */
    public boolean setBreakGlass(String actor, String username, boolean breakGlass) {
        if (!grants.withinReach(actor, username) || !exists(username)) {
            return false;
        }
        if (actor.equals(username)) {
            throw new IllegalArgumentException("You cannot mark your own account as a break-glass account.");
        }
        jdbc.sql("update admin_account set break_glass = :b where username = :u").param("b", breakGlass).param("u", username).update();
        audit.record(actor, breakGlass ? "ADMIN_ACCOUNT_BREAK_GLASS_MARKED" : "ADMIN_ACCOUNT_BREAK_GLASS_UNMARKED", "admin_account", username, Map.of());
        return true;
    }

    private boolean exists(String username) {
        return jdbc.sql("select exists (select 1 from admin_account where username = :u)").param("u", username).query(Boolean.class).single();
    }
}
