package org.tilldela.sso;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.tilldela.access.Release;
import org.tilldela.catalog.Attribute;

/**
 * The SAML attributes of an assertion, per Skolfederation's attribute profile (eduPerson and SIS names, URI
 * name format with their OIDs), made only from what {@link org.tilldela.access.ReleasePolicy} released: nothing
 * here reads the directory. eduPersonPrincipalName is the supplier's pairwise pseudonym scoped to the organiser —
 * never built from a name or civic number.
 */
@Component
class SamlAttributes {

    /** An attribute of the profile: its OID name (urn:oid:…) and friendly name. */
    enum ProfileAttribute {
        EDU_PERSON_PRINCIPAL_NAME("urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "eduPersonPrincipalName"),
        EDU_PERSON_SCOPED_AFFILIATION("urn:oid:1.3.6.1.4.1.5923.1.1.1.9", "eduPersonScopedAffiliation"),
        // The name is the profile's: sisSchoolUnitCode replaced norEduOrgUnitUniqueIdentifier in Skolfederation's attribute
        // profile 3.1 because a person may belong to several school units (multi-valued), see
        // https://www.skolfederation.se/skolfederations-attributprofil-version-3-1/ ; the current profile is version 4.2
        // (SIS/TK 450, linked from https://www.skolfederation.se/teknisk-information/attribut/). The OID arc 1.2.752.194.10.2
        // is SIS's for these attributes (sisLegalGuardianFor .1, sisSchoolGrade .2: pysaml2's
        // src/saml2/attributemaps/saml_uri.py); sisSchoolUnitCode is .4 (and sisSchoolCourseStudent .5,
        // sisSchoolCourseTeacher .6) in the table of profile version 4.0 that MV-Nordic publishes for its Skolfederation
        // SPs (https://www.mv-nordic.com/se/support/skolfederation-support/, checked 2026-12-03).
        SIS_SCHOOL_UNIT_CODE("urn:oid:1.2.752.194.10.2.4", "sisSchoolUnitCode"),
        GIVEN_NAME("urn:oid:2.5.4.42", "givenName"),
        SN("urn:oid:2.5.4.4", "sn"),
        DISPLAY_NAME("urn:oid:2.16.840.1.113730.3.1.241", "displayName"),
        MAIL("urn:oid:0.9.2342.19200300.100.1.3", "mail");

        private final String oid;
        private final String friendlyName;

        ProfileAttribute(String oid, String friendlyName) {
            this.oid = oid;
            this.friendlyName = friendlyName;
        }

        String oid() {
            return oid;
        }

        String friendlyName() {
            return friendlyName;
        }
    }

    private final JdbcClient jdbc;
    private final String defaultScope;

    /** Without an organiser's own scope, the installation's host name (tilldela.base-url), else "tilldela.local". */
    SamlAttributes(JdbcClient jdbc, @Value("${tilldela.base-url:}") String baseUrl) {
        this.jdbc = jdbc;
        String host = baseUrl.isBlank() ? null : URI.create(baseUrl.strip()).getHost();
        this.defaultScope = host == null ? "tilldela.local" : host;
    }

    Map<ProfileAttribute, List<String>> of(Release release) {
        Map<ProfileAttribute, List<String>> out = new LinkedHashMap<>();
        Map<Attribute, Object> values = release.values();
        String scope = scope(values.get(Attribute.ORGANISATION));
        Object pseudonym = values.get(Attribute.PSEUDONYMOUS_ID);
        if (pseudonym != null) {
            out.put(ProfileAttribute.EDU_PERSON_PRINCIPAL_NAME, List.of(pseudonym + "@" + scope));
        }
        if (values.get(Attribute.ROLES) instanceof Collection<?> roles) {
            Set<String> affiliations = new LinkedHashSet<>();
            roles.forEach(r -> affiliations.addAll(affiliations(String.valueOf(r))));
            if (!affiliations.isEmpty()) {
                out.put(ProfileAttribute.EDU_PERSON_SCOPED_AFFILIATION, affiliations.stream().map(a -> a + "@" + scope).toList());
            }
        }
        if (values.get(Attribute.SCHOOL_UNIT) instanceof Collection<?> units) {
            List<String> codes = units.stream().filter(u -> u instanceof Map<?, ?>).map(u -> ((Map<?, ?>) u).get("code"))
                    .filter(c -> c != null && !c.toString().isBlank()).map(Object::toString).distinct().toList();
            if (!codes.isEmpty()) {
                out.put(ProfileAttribute.SIS_SCHOOL_UNIT_CODE, codes);
            }
        }
        Object given = values.get(Attribute.GIVEN_NAME);
        Object family = values.get(Attribute.FAMILY_NAME);
        if (given != null) {
            out.put(ProfileAttribute.GIVEN_NAME, List.of(given.toString()));
        }
        if (family != null) {
            out.put(ProfileAttribute.SN, List.of(family.toString()));
        }
        if (given != null && family != null) {
            out.put(ProfileAttribute.DISPLAY_NAME, List.of(given + " " + family));
        }
        Object mail = values.get(Attribute.EMAIL);
        if (mail != null) {
            out.put(ProfileAttribute.MAIL, List.of(mail.toString()));
        }
        return out;
    }

    /** The directory's roles as eduPerson affiliations: pupils are students; teachers faculty; other staff staff; all staff employees. */
    static List<String> affiliations(String role) {
        return switch (role) {
            case "PUPIL" -> List.of("student");
            case "TEACHER", "PRESCHOOL_TEACHER" -> List.of("faculty", "employee");
            case "PRINCIPAL", "ADMINISTRATOR", "OTHER_STAFF" -> List.of("staff", "employee");
            default -> List.of();
        };
    }

    /** The scope of the person's (first) organiser, if the release names it and it has one; else the installation's. */
    private String scope(Object organisations) {
        List<UUID> organisers = new ArrayList<>();
        if (organisations instanceof Collection<?> list) {
            list.forEach(o -> {
                if (o instanceof Map<?, ?> m && m.get("id") != null) {
                    organisers.add(UUID.fromString(m.get("id").toString()));
                }
            });
        }
        if (organisers.isEmpty()) {
            return defaultScope;
        }
        return jdbc.sql("select scope from sso_saml_organiser_scope where organiser_id = :o").param("o", organisers.getFirst())
                .query(String.class).optional().orElse(defaultScope);
    }
}
