package org.tilldela.provisioning;

import jakarta.ws.rs.ProcessingException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.governance.AuditTrail;
import org.tilldela.usage.PublisherFigures;
import tools.jackson.databind.json.JsonMapper;

/**
 * A publisher's own licence figures, fetched through BOL and given to the utilisation page ({@link PublisherFigures}):
 * per school the connector has sent orders or assignments for, BOL's per-user listing where the publisher offers it
 * ({@code /v1/school-units/users/licenses}: each user's licences and whether they used it — counted here, no person kept),
 * else its totals per school unit ({@code /v1/school-units/licenses}). Every {@code tilldela.provisioning.bol.statistics-every}
 * (6 h) by one node, or at once by an administrator.
 */
@Component
class BolStatistics {

    private static final Logger log = LoggerFactory.getLogger(BolStatistics.class);

    private final JdbcClient jdbc;
    private final Connectors connectors;
    private final BolOrders orders;
    private final Catalog catalog;
    private final OrganisationBrowser organisations;
    private final PublisherFigures figures;
    private final AuditTrail audit;
    private final ProvisioningSettings settings;
    private final ConnectorHosts hosts;
    private final JsonMapper json;
    private final Duration every;

    BolStatistics(JdbcClient jdbc, Connectors connectors, BolOrders orders, Catalog catalog, OrganisationBrowser organisations, PublisherFigures figures,
                  AuditTrail audit, ProvisioningSettings settings, ConnectorHosts hosts, JsonMapper json,
                  @Value("${tilldela.provisioning.bol.statistics-every:6h}") Duration every) {
        this.jdbc = jdbc;
        this.connectors = connectors;
        this.orders = orders;
        this.catalog = catalog;
        this.organisations = organisations;
        this.figures = figures;
        this.audit = audit;
        this.settings = settings;
        this.hosts = hosts;
        this.json = json;
        this.every = every;
    }

    /** What a fetch came to: how the publisher counted, for how many schools, and how many figures were kept. */
    record Fetched(PublisherFigures.Method method, int schools, int figures) {
    }

    /** The BOL connectors whose figures are due, each claimed by this node (another node skips it) and fetched. */
    @Scheduled(initialDelayString = "${tilldela.provisioning.bol.statistics-check:5m}", fixedDelayString = "${tilldela.provisioning.bol.statistics-check:5m}")
    void scheduled() {
        if (!settings.workerEnabled()) {
            return;
        }
        List<UUID> due = jdbc.sql("""
                        update provisioning_connector set statistics_fetched_at = now()
                        where profile = 'BOL' and enabled and (statistics_fetched_at is null or statistics_fetched_at < now() - make_interval(secs => :every))
                        returning id
                        """).param("every", every.toSeconds()).query(UUID.class).list();
        for (UUID connector : due) {
            try {
                fetch(connector);
            } catch (RuntimeException e) {
                log.info("BOL statistics of connector {} not fetched: {}", connector, e.getClass().getSimpleName());
            }
        }
    }

    /** Fetches now, for an administrator (audited). */
    Fetched fetchNow(UUID connector, String actor) {
        Fetched fetched = fetch(connector);
        jdbc.sql("update provisioning_connector set statistics_fetched_at = now() where id = :c").param("c", connector).update();
        audit.record(actor, "BOL_STATISTICS_FETCHED", "provisioning_connector", connector.toString(),
                Map.of("method", fetched.method().name(), "schools", fetched.schools(), "figures", fetched.figures()));
        return fetched;
    }

    /** A school the publisher knows from what was sent, and the unit it is in Tilldela. */
    private record School(BolMessages.School ref, UUID organisation, String name) {
    }

    Fetched fetch(UUID connectorId) {
        Connectors.Endpoint endpoint = connectors.endpoint(connectorId).filter(Connectors.Endpoint::bol)
                .orElseThrow(() -> new IllegalArgumentException("No BOL connector with id " + connectorId + "."));
        List<School> schools = schools(connectorId);
        Map<String, UUID> products = new HashMap<>();
        for (Product p : catalog.products(jdbc.sql("select product_id from provisioning_connector_product where connector_id = :c")
                .param("c", connectorId).query(UUID.class).list())) {
            products.put(p.articleNumber(), p.id());
        }
        BolClient client = new BolClient(endpoint, settings.httpTimeout(), hosts, json);
        try {
            List<PublisherFigures.Figure> perUser = perUser(client, schools, products);
            PublisherFigures.Method method = PublisherFigures.Method.PER_USER;
            List<PublisherFigures.Figure> found = perUser;
            if (perUser == null) {
                method = PublisherFigures.Method.PER_SCHOOL_UNIT;
                found = perSchoolUnit(client, connectorId, schools, products);
            }
            figures.replace(connectorId, endpoint.supplierId(), found);
            return new Fetched(method, schools.size(), found.size());
        } finally {
            client.close();
        }
    }

    /** BOL's per-user listing, school by school; null when the publisher does not offer it (404, 405 or 501 on the first school). */
    private List<PublisherFigures.Figure> perUser(BolClient client, List<School> schools, Map<String, UUID> products) {
        List<PublisherFigures.Figure> out = new ArrayList<>();
        for (School school : schools) {
            BolClient.Answer<BolMessages.SchoolUsersResponse> answer = client.post("/v1/school-units/users/licenses",
                    new BolMessages.SchoolUsersRequest(orders.clientId(), client.endpoint().serviceProviderId(),
                            new BolMessages.School(school.ref().idSource(), school.ref().id(), null)), BolMessages.SchoolUsersResponse.class);
            if (answer.body() == null) {
                if (List.of(404, 405, 501).contains(answer.status())) {
                    return null;
                }
                throw refused(answer);
            }
            record Count(int[] assigned, int[] used, boolean[] usedKnown, int[] unassigned) {
            }
            Map<String, Count> byArticle = new LinkedHashMap<>();
            java.util.function.Function<String, Count> count = a -> byArticle.computeIfAbsent(a,
                    k -> new Count(new int[1], new int[1], new boolean[1], new int[1]));
            for (BolMessages.SchoolUser user : Optional.ofNullable(answer.body().users()).orElse(List.of())) {
                for (BolMessages.UserLicence licence : Optional.ofNullable(user.assignedLicenses()).orElse(List.of())) {
                    Count c = count.apply(licence.articleNumber());
                    c.assigned()[0]++;
                    if (licence.used() != null) {
                        c.usedKnown()[0] = true;
                        c.used()[0] += licence.used() ? 1 : 0;
                    }
                }
            }
            for (BolMessages.Unassigned free : Optional.ofNullable(answer.body().unassignedLicenses()).orElse(List.of())) {
                count.apply(free.articleNumber()).unassigned()[0] += free.quantity() == null ? 0 : free.quantity().intValue();
            }
            byArticle.forEach((article, c) -> {
                UUID product = products.get(article);
                if (product != null) {
                    out.add(new PublisherFigures.Figure(product, school.organisation(), organiser(school.organisation()), school.name(),
                            PublisherFigures.Method.PER_USER, c.assigned()[0] + c.unassigned()[0], c.assigned()[0], c.unassigned()[0],
                            c.usedKnown()[0] ? c.used()[0] : null));
                }
            });
        }
        return out;
    }

    /** BOL's totals per school unit, for every school at once, of the orders placed since the connector's first. */
    private List<PublisherFigures.Figure> perSchoolUnit(BolClient client, UUID connector, List<School> schools, Map<String, UUID> products) {
        if (schools.isEmpty()) {
            return List.of();
        }
        LocalDate from = jdbc.sql("select min(created_at)::date from bol_order where connector_id = :c").param("c", connector)
                .query(LocalDate.class).optional().filter(Objects::nonNull).orElse(LocalDate.now().minusYears(1));
        BolClient.Answer<BolMessages.SchoolLicencesResponse> answer = client.post("/v1/school-units/licenses",
                new BolMessages.SchoolLicencesRequest(orders.clientId(), client.endpoint().serviceProviderId(), from, null,
                        schools.stream().map(s -> new BolMessages.School(s.ref().idSource(), s.ref().id(), null)).toList()),
                BolMessages.SchoolLicencesResponse.class);
        if (answer.body() == null) {
            throw refused(answer);
        }
        Map<String, School> byRef = new HashMap<>();
        schools.forEach(s -> byRef.put(s.ref().idSource() + "\u0000" + s.ref().id(), s));
        List<PublisherFigures.Figure> out = new ArrayList<>();
        for (BolMessages.SchoolLicences school : Optional.ofNullable(answer.body().schools()).orElse(List.of())) {
            School known = byRef.get(school.idSource() + "\u0000" + school.id());
            for (BolMessages.ArticleLicences a : Optional.ofNullable(school.articles()).orElse(List.of())) {
                UUID product = products.get(a.articleNumber());
                if (product != null) {
                    UUID unit = known == null ? null : known.organisation();
                    out.add(new PublisherFigures.Figure(product, unit, organiser(unit), known == null ? school.id() : known.name(),
                            PublisherFigures.Method.PER_SCHOOL_UNIT, whole(a.totalLicenses()),
                            a.assignedLicenses() == null ? 0 : a.assignedLicenses().intValue(), whole(a.unassignedLicenses()), whole(a.usedLicenses())));
                }
            }
        }
        return out;
    }

    private static Integer whole(BigDecimal n) {
        return n == null ? null : n.intValue();
    }

    private UUID organiser(UUID unit) {
        return unit == null ? null : organisations.organiser(unit).map(OrganisationBrowser.UnitName::id).orElse(null);
    }

    private static ProcessingException refused(BolClient.Answer<?> answer) {
        return new ProcessingException("HTTP " + answer.status() + (answer.problem() == null ? "" : ": " + answer.problem().say()));
    }

    /** The schools assignments went for, and the school units orders were bought for. */
    private List<School> schools(UUID connector) {
        Map<String, School> out = new LinkedHashMap<>();
        jdbc.sql("""
                        select distinct school_id_source, school_id, school_organisation_id from bol_assignment where connector_id = :c
                        order by school_id_source, school_id
                        """).param("c", connector)
                .query(rs -> {
                    UUID unit = rs.getObject(3, UUID.class);
                    String name = unit == null ? rs.getString(2) : organisations.organisation(unit).map(OrganisationBrowser.Organisation::name)
                            .orElse(rs.getString(2));
                    out.putIfAbsent(rs.getString(1) + "\u0000" + rs.getString(2),
                            new School(new BolMessages.School(rs.getString(1), rs.getString(2), null), unit, name));
                });
        for (UUID scope : jdbc.sql("select distinct scope_id from bol_order where connector_id = :c and scope_id is not null")
                .param("c", connector).query(UUID.class).list()) {
            organisations.organisation(scope).filter(o -> "SCHOOL_UNIT".equals(o.kind())).ifPresent(o -> {
                BolMessages.School ref = BolOrders.school(o);
                out.putIfAbsent(ref.idSource() + "\u0000" + ref.id(), new School(ref, o.id(), o.name()));
            });
        }
        return List.copyOf(out.values());
    }
}
