package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.types.UserResource;
import com.unboundid.scim2.common.utils.JsonUtils;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.tilldela.provisioning.cli.SupplierScimServer;

/**
 * Our SCIM client's Bulk messages as an independent implementation reads them (Captain Goldfish's SCIM SDK server):
 * its ServiceProviderConfig read, a BulkRequest with a created user and a group membership by {@code bulkId}
 * reference answered operation by operation, and a request over the supplier's limit refused as a whole.
 * No database: the messages only.
 */
class ScimClientBulkTest {

    @Test
    void aBulkRequestIsAnsweredOperationByOperationWithBulkIdsResolved() throws Exception {
        try (SupplierScimServer supplier = new SupplierScimServer("t-" + UUID.randomUUID(), true, 10, 100_000);
             ScimClient scim = client(supplier)) {
            assertThat(scim.bulk()).isEqualTo(new ScimClient.BulkLimits(10, 100_000));
            assertThat(scim.patchSupported()).isTrue();
            String groupExternalId = "g-" + UUID.randomUUID();
            String groupId = scim.createGroup(groupExternalId, "7A").getId();

            UserResource user = new UserResource().setUserName("pseudonym-1");
            user.setExternalId("pseudonym-1");
            ObjectNode request = JsonUtils.getJsonNodeFactory().objectNode();
            request.putArray("schemas").add("urn:ietf:params:scim:api:messages:2.0:BulkRequest");
            var operations = request.putArray("Operations");
            operations.addObject().put("method", "POST").put("bulkId", "u1").put("path", "/Users").set("data", JsonUtils.valueToNode(user));
            operations.addObject().put("method", "PATCH").put("bulkId", "m1").put("path", "/Groups/" + groupId)
                    .set("data", ScimClient.patchMessage(ScimClient.membersAdded(java.util.List.of("bulkId:u1"))));
            UserResource taken = new UserResource().setUserName("pseudonym-1"); // the same userName again: 409 for this one alone
            operations.addObject().put("method", "POST").put("bulkId", "u2").put("path", "/Users").set("data", JsonUtils.valueToNode(taken));

            ObjectNode response = scim.bulk(request);
            JsonNode answers = response.path("Operations");
            assertThat(answers).hasSize(3);
            String created = null;
            for (JsonNode answer : answers) {
                switch (answer.path("bulkId").asText()) {
                    case "u1" -> {
                        assertThat(answer.path("status").asText()).isEqualTo("201");
                        String location = answer.path("location").asText();
                        created = location.substring(location.lastIndexOf('/') + 1);
                    }
                    case "m1" -> assertThat(answer.path("status").asText()).isEqualTo("200");
                    case "u2" -> assertThat(answer.path("status").asText()).isEqualTo("409");
                    default -> throw new AssertionError("unexpected answer " + answer);
                }
            }
            assertThat(created).isNotNull();
            assertThat(supplier.userWithExternalId("pseudonym-1").orElseThrow().getId()).contains(created);
            assertThat(supplier.members(groupExternalId)).containsExactly(created); // the bulkId reference resolved to the new user's id
        }
    }

    @Test
    void aRequestOverTheSuppliersLimitIsRefusedAsAWhole() throws Exception {
        try (SupplierScimServer supplier = new SupplierScimServer("t-" + UUID.randomUUID(), true, 2, 100_000);
             ScimClient scim = client(supplier)) {
            ObjectNode request = JsonUtils.getJsonNodeFactory().objectNode();
            request.putArray("schemas").add("urn:ietf:params:scim:api:messages:2.0:BulkRequest");
            var operations = request.putArray("Operations");
            for (int i = 0; i < 3; i++) {
                UserResource user = new UserResource().setUserName("over-" + i);
                operations.addObject().put("method", "POST").put("bulkId", "u" + i).put("path", "/Users").set("data", JsonUtils.valueToNode(user));
            }
            assertThatThrownBy(() -> scim.bulk(request)).isInstanceOf(ScimException.class)
                    // RFC 7644 §3.7.4 asks for 413; this implementation answers 400 for too many operations: either is a refusal of the whole
                    .satisfies(e -> assertThat(((ScimException) e).getScimError().getStatus()).isIn(400, 413));
            assertThat(supplier.userCount()).isZero();
        }
    }

    /** An update replaces what is released and removes what no longer is — also attributes the supplier never had. */
    @Test
    void anUpdateIsTakenWhateverTheUserHadBefore() throws Exception {
        try (SupplierScimServer supplier = new SupplierScimServer("t-" + UUID.randomUUID(), true, 10, 100_000);
             ScimClient scim = client(supplier)) {
            UserResource user = new UserResource().setUserName("pseudonym-2");
            user.setExternalId("pseudonym-2");
            String id = scim.create(user).getId();
            UserResource named = new UserResource().setUserName("pseudonym-2").setName(new com.unboundid.scim2.common.types.Name().setGivenName("Ebba"));
            named.setExternalId("pseudonym-2");
            named.setActive(true);
            scim.update(id, named);
            assertThat(supplier.users().get(id).getName().flatMap(n -> n.getGivenName())).contains("Ebba");
            scim.update(id, user);
            assertThat(supplier.users().get(id).getName()).isEmpty();
        }
    }

    @Test
    void aSupplierWithoutBulkSaysSo() throws Exception {
        try (SupplierScimServer supplier = new SupplierScimServer("t-" + UUID.randomUUID(), false, 0, 0);
             ScimClient scim = client(supplier)) {
            assertThat(scim.bulk()).isNull();
        }
    }

    private static ScimClient client(SupplierScimServer supplier) {
        return new ScimClient(new Connectors.Endpoint(UUID.randomUUID(), supplier.baseUrl(), Connector.Auth.BEARER, supplier.token(), null, null, null,
                List.of("User", "Group"), Instant.now(), Connector.Profile.SCIM_CORE, null, null, null), Duration.ofSeconds(5), new ConnectorHosts("127.0.0.1:*"));
    }
}
