package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.GenericScimResource;
import com.unboundid.scim2.common.types.UserResource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import net.datafaker.Faker;
import org.junit.jupiter.api.Test;

/**
 * Reconciliation lists everything a supplier has page by page (RFC 7644 §3.4.2.4, startIndex and count): against
 * UnboundID's SCIM server holding more users than one page, every user comes back exactly once.
 */
class ScimListingTest {

    @Test
    void everyUserIsListedOnceAcrossPages() throws Exception {
        Faker faker = new Faker(Locale.of("da"));
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            int n = ScimClient.PAGE * 2 + 37;
            for (int i = 0; i < n; i++) {
                String id = UUID.randomUUID().toString();
                ObjectNode user = JsonNodeFactory.instance.objectNode();
                user.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:User");
                user.put("id", id).put("externalId", UUID.randomUUID().toString()).put("userName", faker.internet().username() + "-" + i)
                        .put("active", true);
                user.putObject("name").put("givenName", faker.name().firstName()).put("familyName", faker.name().lastName());
                supplier.users.store.put(id, new GenericScimResource(user));
            }
            Connectors.Endpoint endpoint = new Connectors.Endpoint(UUID.randomUUID(), supplier.baseUrl(), Connector.Auth.BEARER, supplier.token, null, null,
                    null, List.of("User"), Instant.now(), Connector.Profile.SCIM_CORE, null, null, null);
            try (ScimClient scim = new ScimClient(endpoint, Duration.ofSeconds(5), new ConnectorHosts("127.0.0.1:*"))) {
                List<UserResource> all = scim.allUsers();
                assertThat(supplier.users.searches.get()).as("one request per page").isEqualTo(3);
                Set<String> ids = new HashSet<>();
                all.forEach(u -> ids.add(u.getId()));
                assertThat(all).hasSize(n);
                assertThat(ids).isEqualTo(supplier.users.store.keySet());
                assertThat(all).allSatisfy(u -> assertThat(u.getExternalId()).isNotBlank());
            }
        }
    }
}
