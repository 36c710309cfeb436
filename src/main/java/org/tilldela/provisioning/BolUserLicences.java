package org.tilldela.provisioning;

import jakarta.ws.rs.ProcessingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * What each publisher with a BOL connector says a person holds ({@code /v1/users/licenses}), asked by the ids Tilldela
 * sent it for that person — so the data protection officer can compare it with the ledger. Nothing the publisher says
 * is kept: it is shown once, to the one who asked (audited by {@link Connectors#publisherLicences}).
 */
@Component
class BolUserLicences {

    private final JdbcClient jdbc;
    private final Connectors connectors;
    private final BolOrders orders;
    private final ProvisioningSettings settings;
    private final ConnectorHosts hosts;
    private final JsonMapper json;
    private final org.tilldela.directory.OrganisationBrowser organisations;

    BolUserLicences(JdbcClient jdbc, Connectors connectors, BolOrders orders, ProvisioningSettings settings, ConnectorHosts hosts, JsonMapper json,
                    org.tilldela.directory.OrganisationBrowser organisations) {
        this.organisations = organisations;
        this.jdbc = jdbc;
        this.connectors = connectors;
        this.orders = orders;
        this.settings = settings;
        this.hosts = hosts;
        this.json = json;
    }

    List<Connectors.PublisherAnswer> of(UUID person) {
        record Sent(UUID connector, String supplierName, String connectorName, String idSource, String id) {
        }
        List<Sent> sent = jdbc.sql("""
                        select distinct a.connector_id, s.name, c.name, a.user_id_source, a.user_id from bol_assignment a
                        join provisioning_connector c on c.id = a.connector_id join supplier s on s.id = c.supplier_id
                        where a.person_id = :p order by s.name, c.name
                        """).param("p", person)
                .query((rs, n) -> new Sent(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5))).list();
        List<Connectors.PublisherAnswer> out = new ArrayList<>();
        for (Sent s : sent) {
            Optional<Connectors.Endpoint> endpoint;
            try {
                endpoint = connectors.endpoint(s.connector());
            } catch (RuntimeException e) {
                out.add(new Connectors.PublisherAnswer(s.supplierName(), s.connectorName(), List.of(), "the connector's stored secret could not be read"));
                continue;
            }
            if (endpoint.isEmpty()) {
                continue;
            }
            BolClient client = new BolClient(endpoint.get(), settings.httpTimeout(), hosts, json);
            try {
                BolClient.Answer<BolMessages.UserLicencesResponse> answer = client.post("/v1/users/licenses", new BolMessages.UserLicencesRequest(
                        orders.clientId(), endpoint.get().serviceProviderId(), new BolMessages.User(s.idSource(), s.id())),
                        BolMessages.UserLicencesResponse.class);
                if (answer.body() == null) {
                    out.add(new Connectors.PublisherAnswer(s.supplierName(), s.connectorName(), List.of(), answer.failure().reason()));
                    continue;
                }
                Map<String, String> schoolNames = schoolNames(s.connector(), person);
                List<Connectors.PublisherLicence> licences = new ArrayList<>();
                for (BolMessages.UserSchool school : Optional.ofNullable(answer.body().schools()).orElse(List.of())) {
                    String name = schoolNames.getOrDefault(school.idSource() + "\u0000" + school.id(), school.id());
                    for (BolMessages.HeldLicence l : Optional.ofNullable(school.assignedLicenses()).orElse(List.of())) {
                        licences.add(new Connectors.PublisherLicence(name, l.articleNumber(), l.articleName(), l.label(), l.validFromDate(),
                                l.validToDate()));
                    }
                }
                out.add(new Connectors.PublisherAnswer(s.supplierName(), s.connectorName(), licences, null));
            } catch (ProcessingException e) {
                out.add(new Connectors.PublisherAnswer(s.supplierName(), s.connectorName(), List.of(),
                        ProvisioningWorker.Failure.cut(e.getMessage(), 500)));
            } finally {
                client.close();
            }
        }
        return out;
    }

    /** The schools the person's assignments went for, by the ids sent, with their names in Tilldela where known. */
    private Map<String, String> schoolNames(UUID connector, UUID person) {
        Map<String, String> names = new java.util.HashMap<>();
        jdbc.sql("""
                        select distinct school_id_source, school_id, school_organisation_id from bol_assignment where connector_id = :c and person_id = :p
                        """).param("c", connector).param("p", person)
                .query(rs -> {
                    UUID unit = rs.getObject(3, UUID.class);
                    names.put(rs.getString(1) + "\u0000" + rs.getString(2), unit == null ? rs.getString(2)
                            : organisations.organisation(unit).map(org.tilldela.directory.OrganisationBrowser.Organisation::name).orElse(rs.getString(2)));
                });
        return names;
    }
}
