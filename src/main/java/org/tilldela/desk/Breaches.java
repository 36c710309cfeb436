package org.tilldela.desk;

import java.sql.Array;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;
import org.tilldela.ledger.Holding;
import org.tilldela.ledger.LedgerReports;

/**
 * Breach support (GDPR Art. 33/34): an incident at one or more recipients is recorded with when it was discovered,
 * the period it concerns and a description; the desk shows the 72-hour clock from discovery, the persons whose data
 * those recipients held in the period and what (the disclosure ledger, within the officer's scope), as a list to
 * export, and a draft notification in Swedish, Danish or English with the counts filled in. Recording is audited, and
 * so is every look at the list of affected persons.
 */
@Service
public class Breaches {

    /** Art. 33(1): notify the supervisory authority within 72 hours of becoming aware. */
    public static final Duration NOTIFY_WITHIN = Duration.ofHours(72);
    /** The affected persons listed and exported at most. */
    public static final int MAX_AFFECTED = 100_000;

    public record Incident(long id, Instant discoveredAt, Instant periodFrom, Instant periodTo, String description, String recordedBy,
                           Instant recordedAt, boolean wholeInstallation, List<UUID> scopeUnits, List<UUID> suppliers) {
        public Instant notifyBy() {
            return discoveredAt.plus(NOTIFY_WITHIN);
        }
    }

    /** The clock on the page: hours left (negative: overdue by). */
    public record Countdown(Instant notifyBy, long hoursLeft, boolean overdue) {
    }

    /** Who is affected: the holdings, and counts per supplier and per kind of data. */
    public record Affected(List<Holding> holdings, long persons, Map<String, Long> perSupplier, Map<String, Long> perAttribute, boolean truncated) {
    }

    private final JdbcClient jdbc;
    private final Scopes scopes;
    private final AdminGrants grants;
    private final Catalog catalog;
    private final LedgerReports ledger;
    private final AuditTrail audit;
    private final MessageSource messages;
    private final DataAccessAgreements access;
    private final Clock clock;
    /** The zone configured for the installation (tilldela.time-zone, else the import sources'); null: the organiser's. */
    private final ZoneId configuredZone;

    static final ZoneId SWEDEN = ZoneId.of("Europe/Stockholm");
    static final ZoneId DENMARK = ZoneId.of("Europe/Copenhagen");

    Breaches(JdbcClient jdbc, Scopes scopes, AdminGrants grants, Catalog catalog, LedgerReports ledger, AuditTrail audit, MessageSource messages,
             DataAccessAgreements access, Optional<Clock> clock,
             @org.springframework.beans.factory.annotation.Value("${tilldela.time-zone:${tilldela.import.sources.time-zone:}}") String zone) {
        this.access = access;
        this.configuredZone = zone == null || zone.isBlank() ? null : ZoneId.of(zone.strip());
        this.jdbc = jdbc;
        this.scopes = scopes;
        this.grants = grants;
        this.catalog = catalog;
        this.ledger = ledger;
        this.audit = audit;
        this.messages = messages;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    private CallerScope scope(Authentication caller) {
        if (scopes.of(caller, AdminRight.ACCOUNT_ADMIN).isWholeInstallation()) {
            return CallerScope.wholeInstallation();
        }
        return scopes.of(caller, AdminRight.DATA_PROTECTION_OFFICER);
    }

    /** Records an incident within the caller's scope; refuses (IllegalArgumentException) what does not add up. */
    @Transactional
    public Incident record(Authentication caller, Instant discoveredAt, Instant periodFrom, Instant periodTo, Set<UUID> suppliers, String description) {
        if (discoveredAt == null || periodFrom == null || periodTo == null || !periodTo.isAfter(periodFrom)) {
            throw new IllegalArgumentException("An incident needs when it was discovered and a period whose end is after its start.");
        }
        if (discoveredAt.isAfter(clock.instant().plus(Duration.ofMinutes(5)))) {
            throw new IllegalArgumentException("An incident cannot be discovered in the future.");
        }
        if (suppliers == null || suppliers.isEmpty() || catalog.suppliers(suppliers).size() != suppliers.size()) {
            throw new IllegalArgumentException("Name the recipient (one or more suppliers) of the incident.");
        }
        if (description == null || description.isBlank() || description.length() > 10_000) {
            throw new IllegalArgumentException("Describe the incident (at most 10,000 characters).");
        }
        CallerScope scope = scope(caller);
        List<UUID> units = scope.isWholeInstallation() ? List.of() : grants.of(caller.getName()).stream()
                .filter(g -> g.right() == AdminRight.DATA_PROTECTION_OFFICER).flatMap(g -> g.organisations().stream()).distinct().sorted().toList();
        long id = jdbc.sql("""
                        insert into breach_incident (discovered_at, period_from, period_to, description, recorded_by, recorded_at, whole_installation, scope_units)
                        values (:d, :f, :t, :text, :by, :at, :whole, cast(:units as uuid[])) returning id
                        """).param("d", Timestamp.from(discoveredAt)).param("f", Timestamp.from(periodFrom)).param("t", Timestamp.from(periodTo))
                .param("text", description.strip()).param("by", caller.getName()).param("at", Timestamp.from(clock.instant()))
                .param("whole", scope.isWholeInstallation()).param("units", units.toArray(UUID[]::new)).query(Long.class).single();
        for (UUID s : suppliers) {
            jdbc.sql("insert into breach_incident_supplier (incident_id, supplier_id) values (:i, :s)").param("i", id).param("s", s).update();
        }
        // ids only: the description may name people, and the audit trail holds no personal data
        audit.record(caller.getName(), "BREACH_RECORDED", "breach_incident", Long.toString(id),
                Map.of("suppliers", suppliers.stream().map(UUID::toString).sorted().toList(), "discoveredAt", discoveredAt.toString()));
        return find(id).orElseThrow();
    }

    private static final String SELECT = """
            select i.id, i.discovered_at, i.period_from, i.period_to, i.description, i.recorded_by, i.recorded_at, i.whole_installation, i.scope_units,
                   array(select s.supplier_id from breach_incident_supplier s where s.incident_id = i.id order by s.supplier_id) suppliers
            from breach_incident i""";

    private Optional<Incident> find(long id) {
        return jdbc.sql(SELECT + " where i.id = :id").param("id", id).query(Breaches::incident).optional();
    }

    /** The incidents the caller may see (as the processing record's versions), newest discovery first, at most 200. */
    @Transactional(readOnly = true)
    public List<Incident> visibleTo(Authentication caller) {
        CallerScope scope = scope(caller);
        Predicate<UUID> within = scopes.unitTest(scope);
        return jdbc.sql(SELECT + " order by i.discovered_at desc, i.id desc limit 200").query(Breaches::incident).list().stream()
                .filter(i -> visible(i, scope, within)).toList();
    }

    /** An incident, if the caller may see it; empty otherwise (404). */
    @Transactional(readOnly = true)
    public Optional<Incident> incident(Authentication caller, long id) {
        CallerScope scope = scope(caller);
        Predicate<UUID> within = scopes.unitTest(scope);
        return find(id).filter(i -> visible(i, scope, within));
    }

    private static boolean visible(Incident i, CallerScope scope, Predicate<UUID> within) {
        return scope.isWholeInstallation() || (!i.wholeInstallation() && !i.scopeUnits().isEmpty() && i.scopeUnits().stream().allMatch(within));
    }

    /**
     * The zone an incident's times are shown in: the organiser's, not the server's — a DPO reads and reports them in local
     * time. The configured zone when there is one; else the organiser above the incident's units by its municipality code
     * (Danish codes have three digits: Europe/Copenhagen; Swedish four: Europe/Stockholm).
     */
    public ZoneId zone(Incident incident) {
        return zone(incident.scopeUnits());
    }

    /** The zone the caller records an incident in: as {@link #zone(Incident)}, for the units of their DPO grants. */
    public ZoneId zone(Authentication caller) {
        CallerScope scope = scope(caller);
        return zone(scope.isWholeInstallation() ? List.of() : grants.of(caller.getName()).stream()
                .filter(g -> g.right() == AdminRight.DATA_PROTECTION_OFFICER).flatMap(g -> g.organisations().stream()).distinct().sorted().toList());
    }

    private ZoneId zone(List<UUID> units) {
        if (configuredZone != null) {
            return configuredZone;
        }
        if (units.isEmpty()) {
            // the whole installation: the organisers' zone if they share one country, else Sweden's
            List<Integer> lengths = jdbc.sql("""
                            select distinct length(municipality_code) from organisation where kind = 'ORGANISER' and municipality_code is not null""")
                    .query(Integer.class).list();
            return lengths.equals(List.of(3)) ? DENMARK : SWEDEN;
        }
        String code = jdbc.sql("""
                        with recursive up(id, parent_id, kind, municipality_code, depth) as (
                            select id, parent_id, kind, municipality_code, 0 from organisation where id = any(cast(:units as uuid[]))
                            union all
                            select o.id, o.parent_id, o.kind, o.municipality_code, up.depth + 1 from up join organisation o on o.id = up.parent_id
                            where up.depth < 8
                        )
                        select municipality_code from up where kind = 'ORGANISER' and municipality_code is not null order by depth, id limit 1""")
                .param("units", units.toArray(UUID[]::new)).query(String.class).optional().orElse(null);
        return code != null && code.strip().length() == 3 ? DENMARK : SWEDEN;
    }

    public Countdown countdown(Incident incident) {
        Duration left = Duration.between(clock.instant(), incident.notifyBy());
        return new Countdown(incident.notifyBy(), left.toHours(), left.isNegative());
    }

    /** The persons whose data the incident's recipients held in its period, within the caller's scope; audited (a look at persons). */
    @Transactional
    public Affected affected(Authentication caller, Incident incident) {
        CallerScope scope = scope(caller);
        // by the scope the data went under (the agreements made for units within scope), not where persons are placed today
        List<Holding> all = ledger.heldDuring(incident.suppliers(), incident.periodFrom(), incident.periodTo(), scope, access.madeWithin(scope), access.madeAbove(scope),
                LocalDate.now(clock), MAX_AFFECTED + 1);
        boolean truncated = all.size() > MAX_AFFECTED;
        List<Holding> holdings = truncated ? all.subList(0, MAX_AFFECTED) : all;
        Map<UUID, String> names = catalog.suppliers(incident.suppliers()).stream().collect(Collectors.toMap(Supplier::id, Supplier::name));
        Map<String, Long> perSupplier = new TreeMap<>();
        holdings.stream().collect(Collectors.groupingBy(Holding::supplierId, Collectors.mapping(Holding::personId, Collectors.toSet())))
                .forEach((s, persons) -> perSupplier.put(names.getOrDefault(s, s.toString()), (long) persons.size()));
        Map<String, Long> perAttribute = new TreeMap<>();
        holdings.stream().collect(Collectors.groupingBy(h -> h.personId())).forEach((person, hs) -> hs.stream()
                .flatMap(h -> h.attributes().stream()).distinct().forEach(a -> perAttribute.merge(a, 1L, Long::sum)));
        long persons = holdings.stream().map(Holding::personId).distinct().count();
        audit.record(caller.getName(), "BREACH_AFFECTED_LISTED", "breach_incident", Long.toString(incident.id()), Map.of("persons", persons));
        return new Affected(holdings, persons, perSupplier, perAttribute, truncated);
    }

    /** The draft notification to the supervisory authority, in {@code language} (sv, da or en), with the counts filled in. */
    public String draft(Incident incident, Affected affected, Locale language) {
        // in the organiser's zone, named: the authority reads the times as stated, not in the server's zone
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm '('VV')'").withZone(zone(incident));
        String recipients = String.join(", ", affected.perSupplier().isEmpty()
                ? catalog.suppliers(incident.suppliers()).stream().map(Supplier::name).sorted().toList()
                : affected.perSupplier().keySet().stream().toList());
        String data = affected.perAttribute().entrySet().stream()
                .map(e -> messages.getMessage("attribute." + e.getKey(), null, e.getKey(), language) + " (" + e.getValue() + ")")
                .collect(Collectors.joining(", "));
        return messages.getMessage("gov2.breach.draftText", new Object[] {time.format(incident.discoveredAt()), recipients,
                time.format(incident.periodFrom()), time.format(incident.periodTo()), Long.toString(affected.persons()), data.isEmpty() ? "-" : data,
                incident.description(), time.format(incident.notifyBy())}, language);
    }

    private static Incident incident(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        Array units = rs.getArray("scope_units");
        Array suppliers = rs.getArray("suppliers");
        return new Incident(rs.getLong("id"), rs.getTimestamp("discovered_at").toInstant(), rs.getTimestamp("period_from").toInstant(),
                rs.getTimestamp("period_to").toInstant(), rs.getString("description"), rs.getString("recorded_by"), rs.getTimestamp("recorded_at").toInstant(),
                rs.getBoolean("whole_installation"), units == null ? List.of() : List.of((UUID[]) units.getArray()),
                suppliers == null ? List.of() : List.of((UUID[]) suppliers.getArray()));
    }
}
