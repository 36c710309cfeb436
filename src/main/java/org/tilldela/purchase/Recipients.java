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

    Recipients(Rosters rosters, OrganisationBrowser organisations) {
        this.rosters = rosters;
        this.organisations = organisations;
    }

    /** Refuses anything outside the scope; otherwise the persons the selections pick now. */
    public Resolution resolve(BuyerScope scope, List<Recipient> selections) {
        check(scope, selections);
        List<Rosters.Selector> selectors = selections.stream().map(r -> r.toRoster(scope.organisationId())).toList();
        Rosters.Matches matches = rosters.match(selectors, null);
        Set<UUID> persons = new LinkedHashSet<>();
        Map<Recipient, Integer> counts = new LinkedHashMap<>();
        selections.forEach(r -> counts.put(r, 0));
        for (int i = 0; i < matches.size(); i++) {
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
                    if (!inside(scope, g.organisationId())) {
                        throw new RecipientsRefused("The group " + g.name() + " (" + g.organisationName() + ") is outside "
                                + scope.organisationName() + ", the organisation you buy for.");
                    }
                }
                case PERSON -> {
                    if (rosters.persons(r.toRoster(scope.organisationId())).isEmpty()) {
                        throw new RecipientsRefused("The person " + r.personId() + " is not placed at " + scope.organisationName()
                                + ", the organisation you buy for (or is not in the directory).");
                    }
                }
                default -> {
                    List<OrganisationBrowser.UnitName> trail = organisations.ancestry(r.organisationId());
                    if (trail.isEmpty()) {
                        throw new RecipientsRefused("There is no organisation " + r.organisationId() + " in the directory.");
                    }
                    if (trail.stream().noneMatch(u -> u.id().equals(scope.organisationId()))) {
                        throw new RecipientsRefused(trail.getLast().name() + " is outside " + scope.organisationName()
                                + ", the organisation you buy for.");
                    }
                }
            }
        }
    }

    /** Whether an organisation is the scope or below it. */
    public boolean inside(BuyerScope scope, UUID organisationId) {
        return organisations.ancestry(organisationId).stream().anyMatch(u -> u.id().equals(scope.organisationId()));
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
