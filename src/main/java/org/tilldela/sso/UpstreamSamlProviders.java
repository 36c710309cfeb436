package org.tilldela.sso;

import com.onelogin.saml2.settings.IdPMetadataParser;
import com.onelogin.saml2.settings.SettingsBuilder;
import com.onelogin.saml2.util.Constants;
import com.onelogin.saml2.util.Util;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.directory.OrganiserPersons;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.CallerScope;
import org.w3c.dom.Document;

/**
 * Organisers' own SAML identity providers (upstream SAML: ADFS, Shibboleth, an Entra ID enterprise app), the
 * SAML counterpart of {@link UpstreamProviders}: one per organiser, kept by the same administrators. Each is
 * registered from its metadata (uploaded, or fetched from its URL): its entityID, its HTTP-Redirect
 * SingleSignOnService and its signing certificates are taken from there, never typed — read by java-saml's
 * metadata parser on a document parsed with DTDs and external entities disabled. The matching rule names the
 * assertion's attribute that must equal a directory field of exactly one person of the organiser. Every change
 * is audited.
 */
@Service
public class UpstreamSamlProviders {

    static final int MAX_METADATA_BYTES = SamlMetadataFetch.MAX_METADATA_BYTES;
    /** An attribute's Name: a URI, an OID URN or a plain name; or "NameID" for the assertion's subject. */
    private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z0-9_.:/#-]{1,300}");
    static final String NAME_ID = "NameID";

    private final JdbcClient jdbc;
    private final OrganiserPersons persons;
    private final AuditTrail audit;
    private final ProviderHosts hosts;

    UpstreamSamlProviders(JdbcClient jdbc, OrganiserPersons persons, AuditTrail audit, ProviderHosts hosts) {
        this.jdbc = jdbc;
        this.persons = persons;
        this.audit = audit;
        this.hosts = hosts;
    }

    /**
     * What an administrator gives: the organiser, exactly one of {@code metadata} (the XML) and {@code metadataUrl}
     * (where to fetch it), and the matching rule. When changing, leave both metadata fields out to keep the stored
     * metadata.
     */
    public record Settings(UUID organiserId, String metadata, String metadataUrl, String matchAttribute, OrganiserPersons.Field matchField,
                           Boolean enabled) {
    }

    /**
     * An IdP as the API shows it, with what the municipality's administrator needs to register Tilldela there:
     * Tilldela's SP metadata URL (entityID, ACS, signing certificate) and its ACS URL.
     */
    public record Idp(UUID id, UUID organiserId, String organiserName, String entityId, String ssoUrl, List<String> signingCertificates,
                      String metadataUrl, String matchAttribute, OrganiserPersons.Field matchField, boolean enabled, String spMetadataUrl,
                      String acsUrl, Instant registeredAt, String registeredBy) {

        List<X509Certificate> signingKeys() {
            return signingCertificates.stream().map(UpstreamSamlProviders::certificate).toList();
        }
    }

    /** What registration takes from the IdP's metadata. Certificates: DER, base64. */
    record Parsed(String entityId, String ssoUrl, List<String> signing) {
    }

    @Transactional
    public Idp register(Settings settings, String actor) {
        String organiserName = checkRule(settings);
        if (jdbc.sql("select exists (select 1 from sso_upstream_provider where organiser_id = :o union all select 1 from sso_upstream_saml_idp where organiser_id = :o)")
                .param("o", settings.organiserId()).query(Boolean.class).single()) {
            throw new UpstreamProviders.AlreadyRegistered(organiserName);
        }
        Metadata metadata = metadata(settings).orElseThrow(() -> new IllegalArgumentException("Give either the IdP's metadata or its URL."));
        Parsed parsed = parse(metadata.xml());
        UUID id = UUID.randomUUID();
        int inserted = jdbc.sql("""
                        insert into sso_upstream_saml_idp (id, organiser_id, entity_id, sso_url, signing_certificates, metadata, metadata_url,
                                                           match_attribute, match_field, enabled, registered_by)
                        values (:id, :o, :entity, :sso, :certs, :metadata, :url, :attribute, :field, :enabled, :by)
                        on conflict (organiser_id) do nothing""")
                .param("id", id).param("o", settings.organiserId()).param("entity", parsed.entityId()).param("sso", parsed.ssoUrl())
                .param("certs", parsed.signing().toArray(String[]::new)).param("metadata", metadata.xml()).param("url", metadata.url())
                .param("attribute", settings.matchAttribute().strip()).param("field", settings.matchField().name())
                .param("enabled", settings.enabled() == null || settings.enabled()).param("by", actor).update();
        if (inserted == 0) {
            throw new UpstreamProviders.AlreadyRegistered(organiserName);
        }
        audit.record(actor, "SSO_UPSTREAM_SAML_IDP_REGISTERED", "sso_upstream_saml_idp", id.toString(), describe(settings, parsed, metadata.url()));
        return idp(id).orElseThrow();
    }

    /** The matching rule and enabled; new metadata (given or fetched) replaces the stored one, else that stays. */
    @Transactional
    public Idp change(UUID id, Settings settings, String actor) {
        Idp before = idp(id).orElseThrow(() -> new IllegalArgumentException("No SAML identity provider with that id."));
        if (settings.organiserId() != null && !settings.organiserId().equals(before.organiserId())) {
            throw new IllegalArgumentException("An identity provider stays with its organiser; remove it and register one for the other organiser.");
        }
        Settings complete = new Settings(before.organiserId(), settings.metadata(), settings.metadataUrl(), settings.matchAttribute(),
                settings.matchField(), settings.enabled() == null ? before.enabled() : settings.enabled());
        checkRule(complete);
        Optional<Metadata> metadata = metadata(complete);
        Parsed parsed = metadata.map(m -> parse(m.xml())).orElse(new Parsed(before.entityId(), before.ssoUrl(), before.signingCertificates()));
        jdbc.sql("""
                        update sso_upstream_saml_idp set entity_id = :entity, sso_url = :sso, signing_certificates = :certs,
                          metadata = coalesce(:metadata, metadata), metadata_url = case when :metadata is null then metadata_url else :url end,
                          match_attribute = :attribute, match_field = :field, enabled = :enabled, updated_by = :by, updated_at = now()
                        where id = :id""")
                .param("id", id).param("entity", parsed.entityId()).param("sso", parsed.ssoUrl()).param("certs", parsed.signing().toArray(String[]::new))
                .param("metadata", metadata.map(Metadata::xml).orElse(null)).param("url", metadata.map(Metadata::url).orElse(null))
                .param("attribute", complete.matchAttribute().strip()).param("field", complete.matchField().name())
                .param("enabled", complete.enabled()).param("by", actor).update();
        Map<String, Object> detail = describe(complete, parsed, metadata.map(Metadata::url).orElse(before.metadataUrl()));
        detail.put("metadataChanged", metadata.isPresent());
        audit.record(actor, "SSO_UPSTREAM_SAML_IDP_CHANGED", "sso_upstream_saml_idp", id.toString(), detail);
        return idp(id).orElseThrow();
    }

    @Transactional
    public void remove(UUID id, String actor) {
        UUID organiser = jdbc.sql("delete from sso_upstream_saml_idp where id = :id returning organiser_id").param("id", id).query(UUID.class).optional()
                .orElseThrow(() -> new IllegalArgumentException("No SAML identity provider with that id."));
        audit.record(actor, "SSO_UPSTREAM_SAML_IDP_REMOVED", "sso_upstream_saml_idp", id.toString(), Map.of("organiser", organiser.toString()));
    }

    public List<Idp> all() {
        return all(CallerScope.wholeInstallation());
    }

    public Optional<Idp> idp(UUID id) {
        return idp(CallerScope.wholeInstallation(), id);
    }

    /** The IdPs of the organisers the caller keeps identity providers for (the rule of {@link UpstreamProviders#kept}), by organiser name. */
    public List<Idp> all(CallerScope caller) {
        return jdbc.sql(SELECT + " where " + UpstreamProviders.kept(caller, "p.organiser_id") + " order by o.name, p.id").params(caller.params())
                .query(this::map).list();
    }

    /** The IdP if the caller keeps it; empty otherwise, whether or not it exists (the API answers 404). */
    public Optional<Idp> idp(CallerScope caller, UUID id) {
        return jdbc.sql(SELECT + " where p.id = :id and " + UpstreamProviders.kept(caller, "p.organiser_id")).params(caller.params()).param("id", id)
                .query(this::map).optional();
    }

    /** An enabled IdP whose organiser is in the directory: the one a sign-in may go through. */
    Optional<Idp> enabled(UUID id) {
        return jdbc.sql(SELECT + " where p.id = :id and p.enabled and o.id is not null").param("id", id).query(this::map).optional();
    }

    UpstreamProviders.Rule rule(Idp idp) {
        return new UpstreamProviders.Rule(idp.id(), idp.organiserId(), idp.matchAttribute(), idp.matchField(), "sso_upstream_saml_idp");
    }

    private record Metadata(String xml, String url) {
    }

    /** The metadata given, or fetched from the URL given; none when neither is (a change that keeps the stored one). */
    private Optional<Metadata> metadata(Settings s) {
        boolean xml = s.metadata() != null && !s.metadata().isBlank();
        boolean url = s.metadataUrl() != null && !s.metadataUrl().isBlank();
        if (xml && url) {
            throw new IllegalArgumentException("Give either the IdP's metadata or its URL, not both.");
        }
        if (xml) {
            return Optional.of(new Metadata(s.metadata(), null));
        }
        return url ? Optional.of(new Metadata(fetch(s.metadataUrl().strip()), s.metadataUrl().strip())) : Optional.empty();
    }

    private String fetch(String metadataUrl) {
        return SamlMetadataFetch.fetch(SamlMetadataFetch.url(metadataUrl), "an identity provider's", hosts);
    }

    /**
     * The IdP's entityID, its HTTP-Redirect SingleSignOnService (where Tilldela sends its signed AuthnRequests) and its
     * signing certificates, by java-saml's metadata parser. Util.loadXML refuses a DOCTYPE, so no external entity or
     * entity expansion is ever read.
     */
    static Parsed parse(String metadata) {
        if (metadata.getBytes(StandardCharsets.UTF_8).length > MAX_METADATA_BYTES) {
            throw new IllegalArgumentException("The metadata is larger than an identity provider's metadata is.");
        }
        Document document = Util.loadXML(metadata);
        if (document == null) {
            throw new IllegalArgumentException("The metadata is not XML that can be read (a DOCTYPE is refused).");
        }
        Map<String, Object> found;
        try {
            found = IdPMetadataParser.parseXML(document, null, null, Constants.BINDING_HTTP_REDIRECT, Constants.BINDING_HTTP_REDIRECT);
        } catch (Exception e) {
            throw new IllegalArgumentException("The metadata is not SAML 2.0 identity provider metadata that can be read.");
        }
        String entityId = (String) found.get(SettingsBuilder.IDP_ENTITYID_PROPERTY_KEY);
        if (entityId == null || entityId.isBlank()) {
            throw new IllegalArgumentException("The metadata describes no identity provider (IDPSSODescriptor with an entityID).");
        }
        String sso = (String) found.get(SettingsBuilder.IDP_SINGLE_SIGN_ON_SERVICE_URL_PROPERTY_KEY);
        if (sso == null || sso.isBlank()) {
            throw new IllegalArgumentException("The metadata has no SingleSignOnService with the HTTP-Redirect binding.");
        }
        URI ssoUri = URI.create(sso.strip());
        if (!"https".equals(ssoUri.getScheme()) && !"http".equals(ssoUri.getScheme()) || ssoUri.getHost() == null) {
            throw new IllegalArgumentException("The SingleSignOnService location is not an http(s) URL.");
        }
        List<String> signing = new ArrayList<>();
        found.forEach((key, value) -> {
            if ((key.equals(SettingsBuilder.IDP_X509CERT_PROPERTY_KEY) || key.startsWith(SettingsBuilder.IDP_X509CERTMULTI_PROPERTY_KEY + "."))
                    && value instanceof String text) {
                String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s+", "");
                certificate(base64);
                if (!signing.contains(base64)) {
                    signing.add(base64);
                }
            }
        });
        if (signing.isEmpty()) {
            throw new IllegalArgumentException("The metadata carries no signing certificate: Tilldela accepts only signed assertions.");
        }
        return new Parsed(entityId.strip(), ssoUri.toString(), List.copyOf(signing));
    }

    static X509Certificate certificate(String base64) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(base64)));
        } catch (CertificateException | IllegalArgumentException e) {
            throw new IllegalArgumentException("A certificate in the metadata cannot be read.");
        }
    }

    /** The checks every registration and change meet; answers the organiser's name. */
    private String checkRule(Settings s) {
        if (s.organiserId() == null) {
            throw new IllegalArgumentException("An identity provider belongs to an organiser (organiserId).");
        }
        String organiserName = persons.organiserName(s.organiserId())
                .orElseThrow(() -> new IllegalArgumentException("No organiser (huvudman / skoleejer) with that id in the directory."));
        if (s.matchAttribute() == null || !ATTRIBUTE.matcher(s.matchAttribute().strip()).matches()) {
            throw new IllegalArgumentException("An attribute to match is required: an attribute Name such as urn:oid:0.9.2342.19200300.100.1.3 "
                    + "(mail), http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn, or NameID for the assertion's subject.");
        }
        if (s.matchField() == null) {
            throw new IllegalArgumentException("A directory field to match is required: " + java.util.Arrays.toString(OrganiserPersons.Field.values()) + ".");
        }
        return organiserName;
    }

    private static Map<String, Object> describe(Settings s, Parsed parsed, String metadataUrl) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("organiser", s.organiserId().toString());
        detail.put("entityId", parsed.entityId());
        detail.put("ssoUrl", parsed.ssoUrl());
        detail.put("signingCertificates", parsed.signing().size());
        detail.put("source", metadataUrl == null ? "upload" : metadataUrl);
        detail.put("matchAttribute", s.matchAttribute().strip());
        detail.put("matchField", s.matchField().name());
        detail.put("enabled", s.enabled() == null || s.enabled());
        return detail;
    }

    private static final String SELECT = """
            select p.id, p.organiser_id, o.name, p.entity_id, p.sso_url, p.signing_certificates, p.metadata_url, p.match_attribute, p.match_field,
                   p.enabled, p.registered_at, p.registered_by
            from sso_upstream_saml_idp p left join organisation o on o.id = p.organiser_id""";

    private Idp map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        UUID id = rs.getObject(1, UUID.class);
        return new Idp(id, rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4), rs.getString(5), List.of((String[]) rs.getArray(6).getArray()),
                rs.getString(7), rs.getString(8), OrganiserPersons.Field.valueOf(rs.getString(9)), rs.getBoolean(10),
                null, null, rs.getTimestamp(11).toInstant(), rs.getString(12));
    }

    /** The IdP with Tilldela's addresses for it filled in, under {@code base} (the public origin). */
    public static Idp withAddresses(Idp idp, String base) {
        return new Idp(idp.id(), idp.organiserId(), idp.organiserName(), idp.entityId(), idp.ssoUrl(), idp.signingCertificates(), idp.metadataUrl(),
                idp.matchAttribute(), idp.matchField(), idp.enabled(), base + UpstreamSamlSignIn.metadata(idp.id()), base + UpstreamSamlSignIn.acs(idp.id()),
                idp.registeredAt(), idp.registeredBy());
    }
}
