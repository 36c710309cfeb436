package org.tilldela.purchase;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.directory.Rosters;
import org.tilldela.directory.Viewer;

/**
 * Turns an order line's selections into the persons they stand for today, inside the buyer's scope
 * only: a selection anchored outside it (another school's class, a person who is not there) is refused
 * with a message saying which, never silently narrowed.
 */
@Service
// not read-only: the directory's roster matching works in temporary tables
@Transactional
public class Recipients {

    /** The persons, each once, and how many each selection picks. */
    public record Resolution(List<UUID> persons, Map<Recipient, Integer> perSelection) {
        public Resolution {
            persons = List.copyOf(persons);
            perSelection = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(perSelection));
        }
    }

    /**
     * A selection as a page shows it: {@code name} the group's, unit's or person's name (null for a masked
     * protected person), {@code unitName} where it is anchored.
     */
    public record Described(Recipient recipient, String name, String unitName, boolean masked) {
    }

    private final Rosters rosters;
    private final OrganisationBrowser organisations;
    private final org.tilldela.governance.Scopes scopes;
    private final org.springframework.jdbc.core.simple.JdbcClient jdbc;

    Recipients(Rosters rosters, OrganisationBrowser organisations, org.tilldela.governance.Scopes scopes,
               org.springframework.jdbc.core.simple.JdbcClient jdbc) {
        this.rosters = rosters;
        this.organisations = organisations;
        this.scopes = scopes;
        this.jdbc = jdbc;
    }

    /**
     * The buyer's BUYER grant's scope (governance). The buyer scope says where an account buys for; the grant says what
     * it may see at all: a selection, a unit, a group or a person must lie within both. (A buyer scope over the
     * organiser given to an account granted BUYER over one school reached every school of the organiser.)
     */
    public org.tilldela.governance.CallerScope granted(BuyerScope scope) {
        return scopes.of(scope.username(), org.tilldela.governance.AdminRight.BUYER);
    }

    /** Whether the unit may be browsed within the BUYER grant (under a grant narrowed to forms: every unit on the way to them). */
    private boolean unitGranted(BuyerScope scope, UUID unit) {
        return unitWithin(scope, unit, false);
    }

    /**
     * Whether a selection anchored at the unit (its pupils, a grade, a role, everyone) lies within the BUYER grant for
     * everyone it reaches: the licence pool it becomes takes everyone at the unit, whatever their school form, so a grant
     * narrowed to forms buys so only for a unit of those forms alone (a class of its forms is picked as a group).
     */
    private boolean unitSelectable(BuyerScope scope, UUID unit) {
        return unitWithin(scope, unit, true);
    }

    private boolean unitWithin(BuyerScope scope, UUID unit, boolean everyForm) {
        org.tilldela.governance.CallerScope granted = granted(scope);
        return granted.isWholeInstallation() || jdbc.sql("select exists (select 1 from organisation o where o.id = :id and "
                        + (everyForm ? granted.unitInEveryForm("o.id") : granted.unit("o.id")) + ")")
                .params(granted.params()).param("id", unit).query(Boolean.class).single();
    }

    /** Whether a group is inside the buyer scope and within the BUYER grant (its unit, and its school form if the grant names forms). */
    public boolean groupInside(BuyerScope scope, UUID groupId) {
        org.tilldela.governance.CallerScope granted = granted(scope);
        return organisations.group(groupId).filter(g -> inside(scope, g.organisationId())).isPresent()
                && (granted.isWholeInstallation() || jdbc.sql("select exists (select 1 from student_group g where g.id = :id and " + granted.group("g") + ")")
                .params(granted.params()).param("id", groupId).query(Boolean.class).single());
    }

    private boolean personGranted(BuyerScope scope, UUID person) {
        org.tilldela.governance.CallerScope granted = granted(scope);
        return granted.isWholeInstallation() || jdbc.sql("select exists (select 1 from person p where p.id = :id and " + granted.person("p.id") + ")")
                .params(granted.params()).param("id", person).query(Boolean.class).single();
    }

    /** The persons among {@code persons} within the BUYER grant: a unit's roster may hold pupils of a school form the grant does not cover. */
    private Set<UUID> granted(BuyerScope scope, java.util.Collection<UUID> persons) {
        org.tilldela.governance.CallerScope granted = granted(scope);
        if (granted.isWholeInstallation() || persons.isEmpty()) {
            return new java.util.HashSet<>(persons);
        }
        Set<UUID> within = new java.util.HashSet<>();
        List<UUID> all = new ArrayList<>(persons);
        for (int from = 0; from < all.size(); from += 1000) {
            within.addAll(jdbc.sql("select p.id from person p where p.id in (:ids) and " + granted.person("p.id")).params(granted.params())
                    .param("ids", all.subList(from, Math.min(all.size(), from + 1000))).query(UUID.class).list());
        }
        return within;
    }

    /** Refuses anything outside the scope; otherwise the persons the selections pick now. */
    public Resolution resolve(BuyerScope scope, List<Recipient> selections) {
        check(scope, selections);
        List<Rosters.Selector> selectors = selections.stream().map(r -> r.toRoster(scope.organisationId())).toList();
        Rosters.Matches matches = rosters.match(selectors, null);
        Set<UUID> persons = new LinkedHashSet<>();
        Map<Recipient, Integer> counts = new LinkedHashMap<>();
        selections.forEach(r -> counts.put(r, 0));
        List<UUID> matched = new ArrayList<>();
        for (int i = 0; i < matches.size(); i++) {
            matched.add(matches.person(i));
        }
        Set<UUID> within = granted(scope, matched);
        for (int i = 0; i < matches.size(); i++) {
            if (!within.contains(matches.person(i))) {
                continue;
            }
            persons.add(matches.person(i));
            counts.merge(selections.get(matches.selector(i)), 1, Integer::sum);
        }
        List<UUID> sorted = new ArrayList<>(persons);
        sorted.sort(null);
        return new Resolution(sorted, counts);
    }

    /** Each selection must be anchored inside the scope: a unit or group below it, a person placed there. */
    public void check(BuyerScope scope, List<Recipient> selections) {
        for (Recipient r : selections) {
            switch (r.kind()) {
                case GROUP -> {
                    OrganisationBrowser.Group g = organisations.group(r.groupId())
                            .orElseThrow(() -> new RecipientsRefused("There is no group " + r.groupId() + " in the directory."));
                    if (!groupInside(scope, g.id())) {
                        throw new RecipientsRefused("The group " + g.name() + " (" + g.organisationName() + ") is outside "
                                + scope.organisationName() + ", the organisation you buy for.");
                    }
                }
                case PERSON -> {
                    if (rosters.persons(r.toRoster(scope.organisationId())).isEmpty() || !personGranted(scope, r.personId())) {
                        throw new RecipientsRefused("The person " + r.personId() + " is not placed at " + scope.organisationName()
                                + ", the organisation you buy for (or is not in the directory).");
                    }
                }
                default -> {
                    List<OrganisationBrowser.UnitName> trail = organisations.ancestry(r.organisationId());
                    if (trail.isEmpty()) {
                        throw new RecipientsRefused("There is no organisation " + r.organisationId() + " in the directory.");
                    }
                    if (trail.stream().noneMatch(u -> u.id().equals(scope.organisationId())) || !unitSelectable(scope, r.organisationId())) {
                        throw new RecipientsRefused(trail.getLast().name() + " is outside " + scope.organisationName()
                                + ", the organisation you buy for.");
                    }
                }
            }
        }
    }

    /**
     * Where the recipient browser opens when no unit is asked for: the buyer scope's own unit when the BUYER grant covers
     * it, else the highest unit within both the buyer scope and the grant (a buyer over the organiser granted one school
     * opens at that school), by name; the buyer scope's unit when the grant covers nothing in it (then nothing is shown).
     */
    public UUID start(BuyerScope scope) {
        if (unitGranted(scope, scope.organisationId())) {
            return scope.organisationId();
        }
        org.tilldela.governance.CallerScope granted = granted(scope);
        return jdbc.sql("""
                        with recursive below(id, name, depth) as (
                            select o.id, o.name, 0 from organisation o where o.parent_id = :root
                            union all
                            select o.id, o.name, b.depth + 1 from organisation o join below b on o.parent_id = b.id where b.depth < 20
                        )
                        select b.id from below b join organisation o on o.id = b.id where\s""" + granted.unit("o.id") + """
                         order by b.depth, b.name, b.id limit 1""")
                .params(granted.params()).param("root", scope.organisationId()).query(UUID.class).optional().orElse(scope.organisationId());
    }

    /** Whether an organisation is the scope or below it. */
    public boolean inside(BuyerScope scope, UUID organisationId) {
        return organisations.ancestry(organisationId).stream().anyMatch(u -> u.id().equals(scope.organisationId())) && unitGranted(scope, organisationId);
    }

    /** Names for showing selections (protected persons masked for a viewer who may not see them, and audited). */
    public List<Described> describe(List<Recipient> selections, Viewer viewer) {
        List<Described> out = new ArrayList<>();
        for (Recipient r : selections) {
            switch (r.kind()) {
                case GROUP -> {
                    Optional<OrganisationBrowser.Group> g = organisations.group(r.groupId());
                    out.add(new Described(r, g.map(OrganisationBrowser.Group::name).orElse("?"), g.map(OrganisationBrowser.Group::organisationName).orElse(null), false));
                }
                case PERSON -> {
                    Optional<OrganisationBrowser.Member> m = organisations.person(r.personId(), viewer);
                    boolean masked = m.map(OrganisationBrowser.Member::masked).orElse(false);
                    out.add(new Described(r, m.filter(x -> !x.masked()).map(x -> x.givenName() + " " + x.familyName()).orElse(null), null, masked));
                }
                default -> {
                    List<OrganisationBrowser.UnitName> trail = organisations.ancestry(r.organisationId());
                    out.add(new Described(r, null, trail.isEmpty() ? "?" : trail.getLast().name(), false));
                }
            }
        }
        return out;
    }
}
