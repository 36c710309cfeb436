package org.tilldela.provisioning;

import com.unboundid.scim2.common.types.Email;
import com.unboundid.scim2.common.types.EnterpriseUserExtension;
import com.unboundid.scim2.common.types.Name;
import com.unboundid.scim2.common.types.Role;
import com.unboundid.scim2.common.types.UserResource;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.tilldela.catalog.Attribute;

/**
 * What the release policy let go, as a SCIM core User (RFC 7643 §4.1) with the enterprise extension (§4.3):
 * nothing else goes into it.
 *
 * <table>
 *   <tr><th>attribute</th><th>SCIM</th></tr>
 *   <tr><td>PSEUDONYMOUS_ID</td><td>externalId (and userName, when no e-mail is released)</td></tr>
 *   <tr><td>GIVEN_NAME, FAMILY_NAME</td><td>name.givenName, name.familyName, displayName</td></tr>
 *   <tr><td>EMAIL</td><td>emails (work, primary) and userName</td></tr>
 *   <tr><td>ROLES</td><td>roles</td></tr>
 *   <tr><td>ORGANISATION, SCHOOL_UNIT</td><td>enterprise organization, department (names)</td></tr>
 * </table>
 * GROUPS go as Group resources (not yet pushed); GRADE, GUARDIAN_LINKS, CIVIC_NUMBER and PROTECTION_FLAG have no
 * place in SCIM core and are not sent by this mapping (the EGIL profile carries them).
 */
final class ScimUsers {

    private ScimUsers() {
    }

    static String externalId(Map<Attribute, Object> values) {
        return (String) values.get(Attribute.PSEUDONYMOUS_ID);
    }

    static UserResource user(Map<Attribute, Object> values) {
        String externalId = externalId(values);
        String email = (String) values.get(Attribute.EMAIL);
        UserResource user = new UserResource();
        user.setExternalId(externalId);
        user.setUserName(email != null ? email : externalId);
        String given = (String) values.get(Attribute.GIVEN_NAME);
        String family = (String) values.get(Attribute.FAMILY_NAME);
        if (given != null || family != null) {
            user.setName(new Name().setGivenName(given).setFamilyName(family));
            user.setDisplayName(List.of(given == null ? "" : given, family == null ? "" : family).stream().filter(s -> !s.isBlank())
                    .collect(Collectors.joining(" ")));
        }
        if (email != null) {
            user.setEmails(List.of(new Email().setValue(email).setType("work").setPrimary(true)));
        }
        if (values.get(Attribute.ROLES) instanceof Collection<?> roles && !roles.isEmpty()) {
            user.setRoles(roles.stream().map(r -> new Role().setValue(String.valueOf(r))).toList());
        }
        String organization = names(values.get(Attribute.ORGANISATION));
        String department = names(values.get(Attribute.SCHOOL_UNIT));
        if (organization != null || department != null) {
            EnterpriseUserExtension enterprise = new EnterpriseUserExtension();
            enterprise.setOrganization(organization);
            enterprise.setDepartment(department);
            user.setExtension(enterprise);
        }
        user.setActive(true);
        return user;
    }

    /**
     * A digest of the attributes of a user that Tilldela sets and a supplier's staff could change: externalId,
     * userName, name, displayName, e-mail addresses. The same for what we sent and for the supplier's copy, so a
     * differing digest is drift made at the supplier (or data of ours changed since). SHA-256 over the values as a
     * JSON array (written by the SCIM SDK's own mapper).
     */
    static String digest(UserResource user) {
        List<String> values = new java.util.ArrayList<>();
        values.add(user.getExternalId());
        values.add(user.getUserName());
        values.add(user.getName() == null ? null : user.getName().getGivenName());
        values.add(user.getName() == null ? null : user.getName().getFamilyName());
        values.add(user.getDisplayName());
        values.addAll(user.getEmails() == null ? List.of() : user.getEmails().stream().map(Email::getValue).filter(Objects::nonNull).sorted().toList());
        try {
            byte[] json = com.unboundid.scim2.common.utils.JsonUtils.getObjectWriter().writeValueAsBytes(values);
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String names(Object value) {
        if (!(value instanceof Collection<?> list) || list.isEmpty()) {
            return null;
        }
        String joined = list.stream().map(v -> v instanceof Map<?, ?> m ? (String) m.get("name") : null).filter(Objects::nonNull).distinct()
                .collect(Collectors.joining(", "));
        return joined.isEmpty() ? null : joined;
    }
}
