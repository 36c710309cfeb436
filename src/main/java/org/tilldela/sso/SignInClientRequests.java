package org.tilldela.sso;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.governance.AuditTrail;

/**
 * Sign-in clients a supplier files through its own API door for one of its products. The supplier gets
 * the client id (and for a confidential client its secret) at once, but nothing can sign in until an
 * access administrator approves the request; a declined one never becomes a client.
 */
@Service
public class SignInClientRequests {

    private final JdbcClient jdbc;
    private final SignInClients clients;
    private final Catalog catalog;
    private final AuditTrail audit;

    SignInClientRequests(JdbcClient jdbc, SignInClients clients, Catalog catalog, AuditTrail audit) {
        this.jdbc = jdbc;
        this.clients = clients;
        this.catalog = catalog;
        this.audit = audit;
    }

    public enum State { FILED, APPROVED, DECLINED }

    public record Filed(UUID requestId, String clientId, String clientSecret, State state) {
    }

    public record ClientRequest(UUID id, UUID supplierId, UUID productId, String clientId, String name, List<String> redirectUris, boolean confidential,
                                String initiateLoginUri, State state, String filedBy, Instant filedAt, String decidedBy, String decisionReason) {
    }

    /** Files a request; a product that is not the supplier's own is refused like one that does not exist. */
    @Transactional
    public Filed file(UUID supplierId, UUID productId, String name, List<String> redirectUris, boolean confidential, String initiateLoginUri,
                      String actor) {
        if (productId == null || catalog.product(productId).filter(p -> p.supplierId().equals(supplierId)).isEmpty()) {
            throw new SignInClientRefused("The product is not one of this supplier's.");
        }
        clients.check(productId, name, redirectUris, initiateLoginUri);
        UUID id = UUID.randomUUID();
        String clientId = "product-" + UUID.randomUUID();
        SignInClients.NewSecret secret = confidential ? clients.newSecret() : null;
        jdbc.sql("""
                        insert into sso_client_request (id, supplier_id, product_id, client_id, name, redirect_uris, confidential, initiate_login_uri,
                          secret_hash, state, filed_by)
                        values (:id, :s, :p, :c, :n, :r, :conf, :init, :h, 'FILED', :by)""")
                .param("id", id).param("s", supplierId).param("p", productId).param("c", clientId).param("n", name.strip())
                .param("r", String.join(" ", redirectUris)).param("conf", confidential).param("init", initiateLoginUri)
                .param("h", secret == null ? null : secret.encoded()).param("by", actor).update();
        audit.record(actor, "SSO_CLIENT_FILED", "product", productId.toString(), Map.of("request", id.toString(), "client", clientId));
        return new Filed(id, clientId, secret == null ? null : secret.secret(), State.FILED);
    }

    /** Approves: the client is registered as filed (with the secret the supplier already has) and can sign people in. */
    @Transactional
    public ClientRequest approve(UUID id, String actor) {
        ClientRequest request = open(id);
        // checked again as it is approved: a request filed under an older rule (a redirect URI with a comma) is refused now
        clients.check(request.productId(), request.name(), request.redirectUris(), request.initiateLoginUri());
        String secretHash = jdbc.sql("select secret_hash from sso_client_request where id = :id").param("id", id).query(String.class).optional()
                .orElse(null);
        clients.save(request.clientId(), request.productId(), request.name(), request.redirectUris(), secretHash, request.initiateLoginUri(), actor);
        decide(id, State.APPROVED, null, actor);
        return get(id);
    }

    @Transactional
    public ClientRequest decline(UUID id, String reason, String actor) {
        open(id);
        if (reason == null || reason.isBlank()) {
            throw new SignInClientRefused("Say why the request is declined.");
        }
        decide(id, State.DECLINED, reason, actor);
        return get(id);
    }

    public List<ClientRequest> ofSupplier(UUID supplierId) {
        return query("where supplier_id = :s", Map.of("s", supplierId));
    }

    public List<ClientRequest> filed() {
        return query("where state = 'FILED'", Map.of());
    }

    public ClientRequest get(UUID id) {
        return query("where id = :id", Map.of("id", id)).stream().findFirst().orElseThrow(() -> new SignInClientRefused("No such request."));
    }

    private ClientRequest open(UUID id) {
        ClientRequest request = jdbc.sql("select id from sso_client_request where id = :id for update").param("id", id).query(UUID.class).optional()
                .map(this::get).orElseThrow(() -> new SignInClientRefused("No such request."));
        if (request.state() != State.FILED) {
            throw new SignInClientRefused("The request has already been decided.");
        }
        return request;
    }

    private void decide(UUID id, State state, String reason, String actor) {
        jdbc.sql("update sso_client_request set state = :st, decided_by = :by, decided_at = now(), decision_reason = :r where id = :id")
                .param("st", state.name()).param("by", actor).param("r", reason).param("id", id).update();
        audit.record(actor, "SSO_CLIENT_REQUEST_" + state.name(), "sso_client_request", id.toString(), Map.of());
    }

    private List<ClientRequest> query(String where, Map<String, ?> params) {
        return jdbc.sql("select id, supplier_id, product_id, client_id, name, redirect_uris, confidential, initiate_login_uri, state, filed_by, filed_at, "
                        + "decided_by, decision_reason from sso_client_request " + where + " order by filed_at")
                .params(params)
                .query((rs, n) -> new ClientRequest(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class), rs.getString(4),
                        rs.getString(5), Arrays.asList(rs.getString(6).split(" ")), rs.getBoolean(7), rs.getString(8), State.valueOf(rs.getString(9)),
                        rs.getString(10), rs.getTimestamp(11).toInstant(), rs.getString(12), rs.getString(13)))
                .list();
    }
}
