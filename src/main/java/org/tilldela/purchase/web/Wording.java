package org.tilldela.purchase.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.springframework.context.MessageSource;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;
import org.tilldela.catalog.Attribute;
import org.tilldela.directory.Viewer;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;
import org.tilldela.purchase.Recipients;
import org.tilldela.purchase.Verdict;

/** The gate's reasons and the recipients' selections in plain words, in the reader's language. */
@Component
class Wording {

    private final MessageSource messages;
    private final Scopes scopes;

    Wording(MessageSource messages, Scopes scopes) {
        this.messages = messages;
        this.scopes = scopes;
    }

    /** One reason as a sentence (messages {@code purchase.gate.<code>}). */
    String reason(Verdict.Reason r, Locale locale) {
        List<Object> args = new ArrayList<>(r.args());
        if (r.code().equals("thirdCountry") && !args.isEmpty()) {
            String code = (String) args.getFirst();
            String name = Locale.of("", code).getDisplayCountry(locale);
            args.set(0, name.equals(code) ? code : name + " (" + code + ")");
        }
        if (!r.attributes().isEmpty()) {
            args.add(attributes(r.attributes(), locale));
        }
        return messages.getMessage("purchase.gate." + r.code(), args.toArray(), r.code(), locale);
    }

    List<String> reasons(Verdict v, Locale locale) {
        return v.reasons().stream().map(r -> reason(r, locale)).toList();
    }

    String text(String key, Locale locale, Object... args) {
        return messages.getMessage(key, args, key, locale);
    }

    String outcome(Verdict.Outcome o, Locale locale) {
        return messages.getMessage("purchase.outcome." + o.name(), null, o.name(), locale);
    }

    String attributes(java.util.Collection<Attribute> attributes, Locale locale) {
        return attributes.stream().sorted().map(a -> messages.getMessage("attribute." + a.name(), null, a.name(), locale))
                .collect(Collectors.joining(", "));
    }

    /** A country's name as stored, or in {@code locale} when the stored one is its English name (as the list came). */
    String seededCountry(String code, String stored, Locale locale) {
        String english = Locale.of("", code).getDisplayCountry(Locale.ENGLISH);
        return stored != null && stored.equals(english) ? country(code, locale) : stored;
    }

    /** An adequacy note as stored, or in {@code locale} when it is still the note the list came with ({@code ui13.adequacy.note.<code>}). */
    String seededNote(String code, String stored, Locale locale) {
        if (stored == null) {
            return null;
        }
        String key = "ui13.adequacy.note." + code;
        String english = messages.getMessage(key, null, null, Locale.ENGLISH);
        return stored.equals(english) ? messages.getMessage(key, null, stored, locale) : stored;
    }

    String country(String code, Locale locale) {
        String name = Locale.of("", code).getDisplayCountry(locale);
        return name.isBlank() ? code : name;
    }

    /** A selection as a line of text: "Class 7A (Ekbacka skola)", "All pupils in grade 07 at Ekbacka skola", … */
    String recipient(Recipients.Described d, Locale locale) {
        var r = d.recipient();
        return switch (r.kind()) {
            case GROUP -> r.role() == null ? messages.getMessage("purchase.recipient.GROUP", new Object[] {d.name(), d.unitName()}, locale)
                    : messages.getMessage("ui13.recipient.GROUP." + (r.role().equals("PUPIL") || r.role().equals("STAFF") ? r.role() : "role"), new Object[] {d.name(), d.unitName(), role(r.role(), locale)}, locale);
            case PERSON -> d.masked() || d.name() == null ? messages.getMessage("purchase.recipient.protected", null, locale)
                    : messages.getMessage("purchase.recipient.PERSON", new Object[] {d.name()}, locale);
            case GRADE_AT_UNIT -> messages.getMessage("purchase.recipient.GRADE_AT_UNIT", new Object[] {r.grade(), d.unitName()}, locale);
            case ROLE_AT_UNIT -> messages.getMessage("purchase.recipient.ROLE_AT_UNIT",
                    new Object[] {role(r.role(), locale), d.unitName()}, locale);
            case ALL_PUPILS_AT_UNIT -> messages.getMessage("purchase.recipient.ALL_PUPILS_AT_UNIT", new Object[] {d.unitName()}, locale);
            case UNIT -> messages.getMessage("purchase.recipient.UNIT", new Object[] {role(r.role() == null ? "ANY" : r.role(), locale), d.unitName()},
                    locale);
        };
    }

    String role(String role, Locale locale) {
        return messages.getMessage("purchase.role." + (role == null ? "ANY" : role), null, role, locale);
    }

    /**
     * Who looks at recipients: the records a buyer may pick from are bounded by the buyer's scope (Recipients), a protected
     * person's identity by the scope of the account's own VIEW_PROTECTED_IDENTITIES grants, read now — not by the right
     * among the session's authorities, which a grant over one school gives too, and which a revoked grant leaves until
     * the account signs out.
     */
    Viewer viewer(Authentication auth) {
        return new Viewer(auth.getName(), CallerScope.wholeInstallation(), scopes.of(auth, AdminRight.VIEW_PROTECTED_IDENTITIES));
    }
}
