package org.tilldela.sso;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.keycloak.dom.saml.v2.metadata.EntityDescriptorType;
import org.keycloak.dom.saml.v2.metadata.IndexedEndpointType;
import org.keycloak.dom.saml.v2.metadata.KeyDescriptorType;
import org.keycloak.dom.saml.v2.metadata.KeyTypes;
import org.keycloak.dom.saml.v2.metadata.SPSSODescriptorType;
import org.keycloak.saml.common.constants.JBossSAMLURIConstants;
import org.keycloak.saml.common.exceptions.ParsingException;
import org.keycloak.saml.processing.core.parsers.saml.SAMLParser;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.governance.AuditTrail;

/**
 * Suppliers' SAML service providers, each registered by an administrator from its metadata (uploaded, or
 * fetched from its URL) and bound to one product. The entityID, the HTTP-POST AssertionConsumerService
 * locations, the certificates and whether it signs its AuthnRequests all come from the metadata — parsed by
 * Keycloak's SAML parser, which reads no DTD and resolves no external entity.
 */
@Service
public class SamlServiceProviders {

    static final String POST_BINDING = JBossSAMLURIConstants.SAML_HTTP_POST_BINDING.get();
    static final int MAX_METADATA_BYTES = SamlMetadataFetch.MAX_METADATA_BYTES;

    private final JdbcClient jdbc;
    private final Catalog catalog;
    private final AuditTrail audit;
    private final ProviderHosts hosts;

    SamlServiceProviders(JdbcClient jdbc, Catalog catalog, AuditTrail audit, SsoSettings settings, ProviderHosts hosts) {
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.audit = audit;
        this.hosts = hosts;
    }

    /**
     * A registered SP; {@code acsUrls} with the default first. Certificates are DER, base64. {@code contentEncryption}:
     * the XML Encryption algorithm its assertions are encrypted with, when it has an encryption certificate. {@code sloUrl}
     * (with its binding, and where its LogoutResponses go if elsewhere): its SingleLogoutService; null when it has none.
     * {@code signResponse}: the whole Response is signed as well as the assertion (some SPs require a signed message).
     */
    public record ServiceProvider(String entityId, UUID productId, List<String> acsUrls, List<String> signingCertificates,
                                  List<String> encryptionCertificates, boolean authnRequestsSigned, String metadataUrl, Instant registeredAt,
                                  String registeredBy, String contentEncryption, String sloBinding, String sloUrl, String sloResponseUrl,
                                  boolean signResponse) {

        List<X509Certificate> signingKeys() {
            return signingCertificates.stream().map(SamlServiceProviders::certificate).toList();
        }

        /**
         * The certificate assertions are encrypted to: the first of the metadata's encryption certificates that is valid
         * now (else its first, as the SP published it); none when the SP publishes no encryption key.
         */
        Optional<X509Certificate> encryptionKey() {
            List<X509Certificate> all = encryptionCertificates.stream().map(SamlServiceProviders::certificate).toList();
            return all.stream().filter(c -> {
                try {
                    c.checkValidity();
                    return true;
                } catch (java.security.cert.CertificateException e) {
                    return false;
                }
            }).findFirst().or(() -> all.stream().findFirst());
        }
    }

    /** AES-256-GCM (XML Encryption 1.1): what assertions are encrypted with unless the SP's metadata asks for AES-128-CBC only. */
    static final String AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
    static final String AES128_CBC = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";

    /** Registers the SP the uploaded metadata describes, for the product. */
    @Transactional
    public ServiceProvider register(UUID productId, String metadata, String actor) {
        return register(productId, metadata, null, actor);
    }

    /** Fetches the SP's metadata from its URL (http or https) and registers it, remembering where it came from. */
    @Transactional
    public ServiceProvider registerFrom(UUID productId, String metadataUrl, String actor) {
        URI uri;
        String metadata;
        try {
            uri = SamlMetadataFetch.url(metadataUrl);
            metadata = SamlMetadataFetch.fetch(uri, "an SP's", hosts);
        } catch (IllegalArgumentException e) {
            throw new SignInClientRefused(e.getMessage());
        }
        return register(productId, metadata, uri.toString(), actor);
    }

    private ServiceProvider register(UUID productId, String metadata, String metadataUrl, String actor) {
        if (productId == null || catalog.product(productId).isEmpty()) {
            throw new SignInClientRefused("No product with that id.");
        }
        if (metadata == null || metadata.isBlank()) {
            throw new SignInClientRefused("The metadata is empty.");
        }
        if (metadata.getBytes(StandardCharsets.UTF_8).length > MAX_METADATA_BYTES) {
            throw new SignInClientRefused("The metadata is larger than an SP's metadata is.");
        }
        Parsed parsed = parse(metadata);
        if (find(parsed.entityId()).isPresent()) {
            throw new SignInClientRefused("A service provider with that entityID is already registered.");
        }
        jdbc.sql("""
                        insert into sso_saml_sp (entity_id, product_id, metadata, acs_urls, signing_certificates, encryption_certificates,
                                                 authn_requests_signed, metadata_url, registered_by, content_encryption, slo_binding, slo_url,
                                                 slo_response_url)
                        values (:e, :p, :m, :acs, :sign, :enc, :signed, :url, :by, :content, :sloBinding, :sloUrl, :sloResponseUrl)""")
                .param("e", parsed.entityId()).param("p", productId).param("m", metadata).param("acs", parsed.acsUrls().toArray(String[]::new))
                .param("sign", parsed.signing().toArray(String[]::new)).param("enc", parsed.encryption().toArray(String[]::new))
                .param("signed", parsed.authnRequestsSigned()).param("url", metadataUrl).param("by", actor).param("content", parsed.contentEncryption())
                .param("sloBinding", parsed.slo() == null ? null : parsed.slo().binding()).param("sloUrl", parsed.slo() == null ? null : parsed.slo().url())
                .param("sloResponseUrl", parsed.slo() == null ? null : parsed.slo().responseUrl()).update();
        audit.record(actor, "SSO_SAML_SP_REGISTERED", "product", productId.toString(),
                Map.of("entityId", parsed.entityId(), "acsUrls", parsed.acsUrls(), "authnRequestsSigned", parsed.authnRequestsSigned(),
                        "source", metadataUrl == null ? "upload" : metadataUrl));
        return find(parsed.entityId()).orElseThrow();
    }

    /** Removes a registration; sign-ins to it stop at once. */
    @Transactional
    public boolean remove(String entityId, String actor) {
        Optional<ServiceProvider> sp = find(entityId);
        if (sp.isEmpty()) {
            return false;
        }
        jdbc.sql("delete from sso_saml_sp where entity_id = :e").param("e", entityId).update();
        audit.record(actor, "SSO_SAML_SP_REMOVED", "product", sp.get().productId().toString(), Map.of("entityId", entityId));
        return true;
    }

    /** Whether the SP gets the whole Response signed as well as the assertion (some SPs require a signed message). Audited. */
    @Transactional
    public boolean setSignResponse(String entityId, boolean signResponse, String actor) {
        Optional<ServiceProvider> sp = find(entityId);
        if (sp.isEmpty()) {
            return false;
        }
        jdbc.sql("update sso_saml_sp set sign_response = :s where entity_id = :e").param("s", signResponse).param("e", entityId).update();
        audit.record(actor, "SSO_SAML_SP_SIGN_RESPONSE_SET", "product", sp.get().productId().toString(),
                Map.of("entityId", entityId, "signResponse", signResponse));
        return true;
    }

    private static final java.util.regex.Pattern DOMAIN = java.util.regex.Pattern.compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");

    /**
     * The scope of an organiser's eduPersonPrincipalName and eduPersonScopedAffiliation: its own domain (e.g.
     * "exempel.se"), which SPs check against the scopes the federation lists for the IdP. Audited.
     */
    @Transactional
    public void setOrganiserScope(UUID organiserId, String scope, String actor) {
        String domain = scope == null ? "" : scope.strip().toLowerCase(java.util.Locale.ROOT);
        if (organiserId == null || !DOMAIN.matcher(domain).matches()) {
            throw new SignInClientRefused("The scope must be a domain name, such as exempel.se.");
        }
        jdbc.sql("""
                        insert into sso_saml_organiser_scope (organiser_id, scope, set_by) values (:o, :s, :by)
                        on conflict (organiser_id) do update set scope = excluded.scope, set_by = excluded.set_by, set_at = now()""")
                .param("o", organiserId).param("s", domain).param("by", actor).update();
        audit.record(actor, "SSO_SAML_SCOPE_SET", "organisation", organiserId.toString(), Map.of("scope", domain));
    }

    private static final String SELECT = """
            select entity_id, product_id, acs_urls, signing_certificates, encryption_certificates, authn_requests_signed, metadata_url,
                   registered_at, registered_by, content_encryption, slo_binding, slo_url, slo_response_url, sign_response
              from sso_saml_sp""";

    public Optional<ServiceProvider> find(String entityId) {
        return jdbc.sql(SELECT + " where entity_id = :e").param("e", entityId).query(SamlServiceProviders::row).optional();
    }

    public List<ServiceProvider> all() {
        return jdbc.sql(SELECT + " order by registered_at, entity_id").query(SamlServiceProviders::row).list();
    }

    /** The SPs of these products, by product (the start page opens a product through its first one). */
    Map<UUID, String> entityIdsOf(List<UUID> products) {
        Map<UUID, String> found = new java.util.LinkedHashMap<>();
        if (!products.isEmpty()) {
            jdbc.sql("select product_id, entity_id from sso_saml_sp where product_id in (:p) order by registered_at")
                    .param("p", products).query((rs, n) -> Map.entry(rs.getObject(1, UUID.class), rs.getString(2))).list()
                    .forEach(e -> found.putIfAbsent(e.getKey(), e.getValue()));
        }
        return found;
    }

    private static ServiceProvider row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new ServiceProvider(rs.getString(1), rs.getObject(2, UUID.class), List.of((String[]) rs.getArray(3).getArray()),
                List.of((String[]) rs.getArray(4).getArray()), List.of((String[]) rs.getArray(5).getArray()), rs.getBoolean(6), rs.getString(7),
                rs.getTimestamp(8).toInstant(), rs.getString(9),
                rs.getString(10) == null ? AES256_GCM : rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13), rs.getBoolean(14));
    }

    record Parsed(String entityId, List<String> acsUrls, List<String> signing, List<String> encryption, boolean authnRequestsSigned,
                  String contentEncryption, Slo slo) {
    }

    /** An SP's SingleLogoutService: its binding (HTTP-Redirect or HTTP-POST), location, and ResponseLocation if it has one. */
    record Slo(String binding, String url, String responseUrl) {
    }

    /** What registration takes from the metadata: one EntityDescriptor with an SPSSODescriptor and an HTTP-POST ACS. */
    static Parsed parse(String metadata) {
        Object parsed;
        try {
            parsed = SAMLParser.getInstance().parse(new ByteArrayInputStream(metadata.getBytes(StandardCharsets.UTF_8)));
        } catch (ParsingException | RuntimeException e) {
            throw new SignInClientRefused("The metadata is not SAML 2.0 metadata that can be read.");
        }
        if (!(parsed instanceof EntityDescriptorType entity)) {
            throw new SignInClientRefused("The metadata must describe one entity (an EntityDescriptor).");
        }
        SPSSODescriptorType sp = entity.getChoiceType().stream().flatMap(c -> c.getDescriptors().stream())
                .map(EntityDescriptorType.EDTDescriptorChoiceType::getSpDescriptor).filter(d -> d != null).findFirst()
                .orElseThrow(() -> new SignInClientRefused("The metadata describes no service provider (SPSSODescriptor)."));
        if (entity.getEntityID() == null || entity.getEntityID().isBlank()) {
            throw new SignInClientRefused("The metadata names no entityID.");
        }
        List<IndexedEndpointType> post = new ArrayList<>(sp.getAssertionConsumerService().stream()
                .filter(a -> a.getBinding() != null && POST_BINDING.equals(a.getBinding().toString()) && a.getLocation() != null).toList());
        // the default ACS first (isDefault, else the lowest index): it answers requests that name none
        post.sort(Comparator.comparing((IndexedEndpointType a) -> !Boolean.TRUE.equals(a.isIsDefault())).thenComparingInt(IndexedEndpointType::getIndex));
        List<String> acs = post.stream().map(a -> a.getLocation().toString()).distinct().toList();
        if (acs.isEmpty()) {
            throw new SignInClientRefused("The metadata has no AssertionConsumerService with the HTTP-POST binding.");
        }
        for (String url : acs) {
            URI u = URI.create(url);
            if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) {
                throw new SignInClientRefused("An AssertionConsumerService location is not an http(s) URL.");
            }
        }
        List<String> signing = new ArrayList<>();
        List<String> encryption = new ArrayList<>();
        List<String> methods = new ArrayList<>();
        for (KeyDescriptorType key : sp.getKeyDescriptor()) {
            List<String> certificates = certificatesIn(key.getKeyInfo());
            if (key.getUse() == null || key.getUse() == KeyTypes.SIGNING) {
                signing.addAll(certificates);
            }
            if (key.getUse() == null || key.getUse() == KeyTypes.ENCRYPTION) {
                encryption.addAll(certificates);
                key.getEncryptionMethod().forEach(m -> methods.add(m.getAlgorithm()));
            }
        }
        // SAML Metadata §2.4.1.1: an EncryptionMethod lists what the SP can decrypt; without any, it takes the default
        String content = methods.contains(AES128_CBC) && !methods.contains(AES256_GCM) ? AES128_CBC : null;
        boolean signs = Boolean.TRUE.equals(sp.isAuthnRequestsSigned());
        if (signs && signing.isEmpty()) {
            throw new SignInClientRefused("The metadata says the SP signs its AuthnRequests but carries no signing certificate.");
        }
        return new Parsed(entity.getEntityID(), acs, signing.stream().distinct().toList(), encryption.stream().distinct().toList(), signs, content,
                singleLogout(sp));
    }

    /** The SP's SingleLogoutService, HTTP-Redirect before HTTP-POST (Tilldela sends over either); none over other bindings. */
    private static Slo singleLogout(SPSSODescriptorType sp) {
        for (String binding : List.of(SamlIdentityProvider.REDIRECT_BINDING, POST_BINDING)) {
            for (org.keycloak.dom.saml.v2.metadata.EndpointType slo : sp.getSingleLogoutService()) {
                if (slo.getBinding() != null && binding.equals(slo.getBinding().toString()) && slo.getLocation() != null) {
                    String url = slo.getLocation().toString();
                    String response = slo.getResponseLocation() == null ? null : slo.getResponseLocation().toString();
                    for (String u : java.util.Arrays.asList(url, response)) {
                        if (u != null && !"https".equals(URI.create(u).getScheme()) && !"http".equals(URI.create(u).getScheme())) {
                            throw new SignInClientRefused("A SingleLogoutService location is not an http(s) URL.");
                        }
                    }
                    return new Slo(binding, url, response);
                }
            }
        }
        return null;
    }

    /** The X509Certificate values of a KeyInfo, each checked to be a certificate; DER as base64 without line breaks. */
    private static List<String> certificatesIn(org.w3c.dom.Element keyInfo) {
        List<String> found = new ArrayList<>();
        if (keyInfo == null) {
            return found;
        }
        org.w3c.dom.NodeList nodes = keyInfo.getElementsByTagNameNS("http://www.w3.org/2000/09/xmldsig#", "X509Certificate");
        for (int i = 0; i < nodes.getLength(); i++) {
            String text = nodes.item(i).getTextContent().replaceAll("\\s+", "");
            certificate(text);
            found.add(text);
        }
        return found;
    }

    static X509Certificate certificate(String base64) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(base64)));
        } catch (CertificateException | IllegalArgumentException e) {
            throw new SignInClientRefused("A certificate in the metadata cannot be read.");
        }
    }
}
