package org.tilldela.usage;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.governance.AuditTrail;

/**
 * Usage reported by a supplier: one row per pseudonym, product and day. Each row is checked on its own; the
 * answer counts the rows taken and lists, by their place in the report, only those not simply taken (refused
 * with the reason, or replaced by a later row of the same report), so that a clean report of 10,000 rows is
 * answered in a few bytes. The taken rows are stored in one statement, a resend of the same product, person and
 * day replacing the earlier row.
 */
@Service
public class UsageReports {

    /** The most rows one report may carry. */
    public static final int MAX_ROWS = 10_000;

    /** One row as the supplier sent it: text, so that a malformed value refuses its row and not the whole report. */
    public record ReportedRow(String pseudonym, String productId, String day, String lastActiveAt, Integer sessions, Integer activities) {
    }

    public enum Status {
        ACCEPTED,
        /** A later row of the same report names the same product, pseudonym and day, and replaces this one. */
        REPLACED_IN_REPORT,
        REFUSED
    }

    /** The answer to row {@code row} (counted from 0, in the order sent); {@code reason} only when refused. */
    public record RowResult(int row, Status status, String reason) {
    }

    /**
     * {@code accepted} counts the rows taken, a row replaced by a later one of the same report included (it was
     * valid); {@code rows} lists, in the order sent, every row that is not simply {@link Status#ACCEPTED}.
     */
    public record Outcome(int accepted, int refused, List<RowResult> rows) {
    }

    /** Why a row is refused: a code a supplier's system can act on. */
    static final String MISSING = "missingField", MALFORMED = "malformed", UNKNOWN_PRODUCT = "unknownProduct",
            UNKNOWN_PSEUDONYM = "unknownPseudonym", FUTURE = "inTheFuture", PAST_RETENTION = "beforeRetention", NEGATIVE = "negativeCount",
            NOT_LICENSED = "notLicensed";

    private final JdbcClient jdbc;
    private final Catalog catalog;
    private final org.tilldela.licensing.Licences licences;
    private final PseudonymIndex index;
    private final AuditTrail audit;
    private final UsageRetention retention;
    private final Clock clock;

    UsageReports(JdbcClient jdbc, Catalog catalog, PseudonymIndex index, AuditTrail audit,
                 UsageRetention retention, Optional<Clock> clock, org.tilldela.licensing.Licences licences) {
        this.licences = licences;
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.index = index;
        this.audit = audit;
        this.retention = retention;
        this.clock = clock.orElse(Clock.systemDefaultZone());
    }

    private record Parsed(int row, UUID pseudonym, UUID product, LocalDate day, Instant lastActiveAt, Integer sessions, Integer activities) {
    }

    /** Stores what may be stored of a supplier's report and answers with the rows not simply taken. At most {@link #MAX_ROWS} rows. */
    @Transactional
    public Outcome report(UUID supplierId, String clientId, List<ReportedRow> rows) {
        if (rows.size() > MAX_ROWS) {
            throw new IllegalArgumentException("At most " + MAX_ROWS + " rows in one report.");
        }
        LocalDate today = LocalDate.now(clock);
        Instant now = clock.instant();
        LocalDate oldest = retention.firstKeptDay(today);
        RowResult[] results = new RowResult[rows.size()];
        List<Parsed> parsed = new ArrayList<>(rows.size());
        // a report names few days, each on thousands of rows: each is parsed once
        Map<String, LocalDate> days = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            ReportedRow r = rows.get(i);
            String refusal = null;
            UUID pseudonym = null, product = null;
            LocalDate day = null;
            Instant lastActive = null;
            if (r == null || blank(r.pseudonym()) || blank(r.productId()) || blank(r.day())) {
                refusal = MISSING;
            } else {
                try {
                    pseudonym = UUID.fromString(r.pseudonym().strip());
                    product = UUID.fromString(r.productId().strip());
                    day = days.computeIfAbsent(r.day(), d -> LocalDate.parse(d.strip()));
                    lastActive = blank(r.lastActiveAt()) ? null : Instant.parse(r.lastActiveAt().strip());
                } catch (IllegalArgumentException | DateTimeParseException e) {
                    refusal = MALFORMED;
                }
            }
            if (refusal == null) {
                if (day.isAfter(today) || (lastActive != null && lastActive.isAfter(now))) {
                    refusal = FUTURE;
                } else if (day.isBefore(oldest) || (lastActive != null && lastActive.isBefore(oldest.minusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()))) {
                    // a last activity before the kept days (year 0 among them, which the database would refuse with the
                    // whole report) is no figure to keep either
                    refusal = PAST_RETENTION;
                } else if ((r.sessions() != null && r.sessions() < 0) || (r.activities() != null && r.activities() < 0)) {
                    refusal = NEGATIVE;
                }
            }
            if (refusal != null) {
                results[i] = new RowResult(i, Status.REFUSED, refusal);
            } else {
                parsed.add(new Parsed(i, pseudonym, product, day, lastActive, r.sessions(), r.activities()));
            }
        }

        // the supplier's own products only; another supplier's product is answered as one that does not exist
        Set<UUID> products = new HashSet<>();
        parsed.forEach(p -> products.add(p.product()));
        Set<UUID> own = new HashSet<>();
        for (Product p : catalog.products(products)) {
            if (p.supplierId().equals(supplierId)) {
                own.add(p.id());
            }
        }
        Set<UUID> pseudonyms = new HashSet<>(parsed.size() * 2);
        parsed.stream().filter(p -> own.contains(p.product())).forEach(p -> pseudonyms.add(p.pseudonym()));
        Map<UUID, UUID> persons = pseudonyms.isEmpty() ? Map.of() : index.persons(supplierId, pseudonyms);

        // the last row for a product, person and day wins, as a resend in a later report would
        record Key(UUID product, UUID person, LocalDate day) {
        }
        // usage is kept only of a person given a licence for the product: a supplier knows a person's pseudonym from one
        // of its products, and must not make usage of another a record about them
        Map<UUID, Set<UUID>> asked = new LinkedHashMap<>();
        for (Parsed p : parsed) {
            UUID person = own.contains(p.product()) ? persons.get(p.pseudonym()) : null;
            if (person != null) {
                asked.computeIfAbsent(p.product(), k -> new HashSet<>()).add(person);
            }
        }
        Map<UUID, Set<UUID>> licensed = new HashMap<>();
        asked.forEach((product, who) -> licensed.put(product, licences.everHeld(who, product)));
        Map<Key, Accepted> kept = new LinkedHashMap<>(parsed.size() * 2);
        for (Parsed p : parsed) {
            if (!own.contains(p.product())) {
                results[p.row()] = new RowResult(p.row(), Status.REFUSED, UNKNOWN_PRODUCT);
                continue;
            }
            UUID person = persons.get(p.pseudonym());
            if (person == null) {
                results[p.row()] = new RowResult(p.row(), Status.REFUSED, UNKNOWN_PSEUDONYM);
                continue;
            }
            if (!licensed.getOrDefault(p.product(), Set.of()).contains(person)) {
                results[p.row()] = new RowResult(p.row(), Status.REFUSED, NOT_LICENSED);
                continue;
            }
            Accepted earlier = kept.put(new Key(p.product(), person, p.day()), new Accepted(p, person));
            if (earlier != null) {
                results[earlier.row().row()] = new RowResult(earlier.row().row(), Status.REPLACED_IN_REPORT, null);
            }
            results[p.row()] = TAKEN;
        }
        store(supplierId, kept.values(), now);

        int accepted = 0;
        int refused = 0;
        List<RowResult> notTaken = new ArrayList<>();
        for (RowResult r : results) {
            if (r == TAKEN) {
                accepted++;
                continue;
            }
            if (r.status() == Status.REFUSED) {
                refused++;
            } else {
                accepted++;
            }
            notTaken.add(r);
        }
        // counts only: which persons a supplier reported about is usage data, and stays in usage_day
        audit.record("supplier:" + clientId, "USAGE_REPORTED", "supplier", supplierId.toString(),
                Map.of("client", clientId, "rows", rows.size(), "accepted", accepted, "refused", refused));
        return new Outcome(accepted, refused, notTaken);
    }

    /** Marks a row taken as sent; not part of the answer. */
    private static final RowResult TAKEN = new RowResult(-1, Status.ACCEPTED, null);

    /** A row taken, and the person its pseudonym is. */
    private record Accepted(Parsed row, UUID person) {
    }

    /** One statement for the whole report: the rows go in as arrays and come out of unnest. */
    private void store(UUID supplierId, java.util.Collection<Accepted> rows, Instant now) {
        if (rows.isEmpty()) {
            return;
        }
        int n = rows.size();
        UUID[] products = new UUID[n];
        UUID[] persons = new UUID[n];
        String[] days = new String[n];
        String[] lastActive = new String[n];
        Integer[] sessions = new Integer[n];
        Integer[] activities = new Integer[n];
        int i = 0;
        for (Accepted a : rows) {
            Parsed p = a.row();
            products[i] = p.product();
            persons[i] = a.person();
            days[i] = p.day().toString();
            lastActive[i] = p.lastActiveAt() == null ? null : p.lastActiveAt().toString();
            sessions[i] = p.sessions();
            activities[i] = p.activities();
            i++;
        }
        jdbc.sql("""
                        insert into usage_day (product_id, person_id, day, supplier_id, last_active_at, sessions, activities, reported_at)
                        select product_id, person_id, day, :supplier, last_active_at, sessions, activities, :now
                        from unnest(:products::uuid[], :persons::uuid[], :days::date[], :lastActive::timestamptz[], :sessions::int[], :activities::int[])
                             as u (product_id, person_id, day, last_active_at, sessions, activities)
                        on conflict (product_id, person_id, day) do update set last_active_at = excluded.last_active_at,
                            sessions = excluded.sessions, activities = excluded.activities, reported_at = excluded.reported_at""")
                .param("supplier", supplierId).param("now", java.sql.Timestamp.from(now)).param("products", products).param("persons", persons)
                .param("days", days).param("lastActive", lastActive).param("sessions", sessions).param("activities", activities).update();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
