package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * A null where the API takes a list of values ({@code "organisations":[null]}), or a required name left out, is bad
 * input: the answer is 400 naming the request as unreadable or the field, not a server error — and nothing is saved.
 */
class NullsInRequestListsTest extends IntegrationTest {

    private static final String PASSWORD = "nulls-in-lists-password-1";

    @Autowired
    AdminAccounts accounts;

    private int post(String user, String path, Map<String, ?> body) {
        return RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(user, PASSWORD)).build()
                .post().uri(path).contentType(MediaType.APPLICATION_JSON).body(body).exchange((req, res) -> res.getStatusCode().value());
    }

    private static Map<String, Object> with(Object... pairs) {
        Map<String, Object> body = new HashMap<>(); // Map.of takes no null
        for (int i = 0; i < pairs.length; i += 2) {
            body.put((String) pairs[i], pairs[i + 1]);
        }
        return body;
    }

    private static List<Object> nullOnly() {
        List<Object> list = new java.util.ArrayList<>();
        list.add(null);
        return list;
    }

    @Test
    void aNullInAListOrAMissingDutyRoleIsABadRequest() {
        String u = UUID.randomUUID().toString().substring(0, 8);
        String root = "nulls-root-" + u;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        String target = "nulls-target-" + u;
        accounts.create(target, "Target", PASSWORD, EnumSet.noneOf(AdminRight.class), "test");
        UUID anyId = UUID.randomUUID();

        Map<String, Map<String, Object>> requests = new java.util.LinkedHashMap<>();
        requests.put("/api/v1/admin-accounts/" + target + "/grants", with("right", "BUYER", "organisations", nullOnly()));
        requests.put("/api/v1/admin-accounts/" + target + "/grants#forms", with("right", "BUYER", "organisations", List.of(anyId.toString()),
                "schoolForms", nullOnly()));
        requests.put("/api/v1/duty-rules", with("right", "DIRECTORY_ADMIN", "organisation", anyId.toString()));
        requests.put("/api/v1/purchase/orders", with("lines", nullOnly()));
        requests.put("/api/v1/purchase/orders#recipients", with("lines", List.of(with("productId", anyId.toString(), "recipients", nullOnly()))));
        requests.put("/api/v1/roster/clients", with("productId", anyId.toString(), "name", "Nulls", "scopes", nullOnly()));
        for (var request : requests.entrySet()) {
            String path = request.getKey().replaceAll("#.*", "");
            assertThat(post(root, path, request.getValue())).as(request.getKey()).isEqualTo(400);
        }
        assertThat(accounts.account(target)).isPresent();
    }
}
