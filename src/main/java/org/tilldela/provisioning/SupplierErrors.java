package org.tilldela.provisioning;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A supplier's error text made fit to keep. Suppliers echo what they were sent ("userName anna.svensson@… is taken",
 * "cannot deactivate Anna Svensson"), and the text is stored — an operation's last error, a dead letter, the
 * connector's last error — and shown to administrators. {@link #mask} is the one masking there is: values we hold
 * about the persons concerned become {@value #MASK}, and so does anything shaped like an e-mail address or a Swedish
 * personnummer / samordningsnummer or a Danish CPR number, whoever it belongs to. Every path that stores a supplier's
 * text goes through {@link Queue}, which masks it here with the persons' directory values ({@link #fitToKeep}); where
 * the values just sent are known, {@link ProvisioningWorker.Failure#masked} masks with them first (also with this
 * function): the display name and userName as they were built. A deactivation or deletion sends nothing, so only the
 * directory's values are there — reading them to mask is no release, and nothing of it is written to the ledger.
 */
@Component
class SupplierErrors {

    static final String MASK = "[…]";

    /** Stored error text is at most this long (after masking, so no value is cut in two and half of it kept). */
    static final int MAX_LENGTH = 500;

    /** An e-mail address (RFC 5322's common shape, Unicode letters allowed). */
    private static final Pattern EMAIL = Pattern.compile("[\\p{L}\\p{N}._%+'-]+@[\\p{L}\\p{N}-]+(?:\\.[\\p{L}\\p{N}-]+)*\\.\\p{L}{2,}");

    /**
     * A Swedish personnummer or samordningsnummer ([CC]YYMMDD[-+]NNNN, the day plus 60 for a samordningsnummer) or a
     * Danish CPR number (DDMMYY[-]NNNN), standing alone: not a part of a longer number, id or UUID.
     */
    private static final Pattern CIVIC_NUMBER = Pattern.compile("(?<![\\p{Alnum}-])(?:"
            + "(?:\\d{2})?\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01]|6[1-9]|[78]\\d|9[01])[-+]?\\d{4}"
            + "|(?:0[1-9]|[12]\\d|3[01])(?:0[1-9]|1[0-2])\\d{2}-?\\d{4})(?![\\p{Alnum}-])");

    private final JdbcClient jdbc;

    SupplierErrors(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The text with each of {@code ours} (case-insensitive, the longest first: a display name goes whole before its
     * given name would split it) and every e-mail address and civic number masked. White space is made one space; not cut.
     */
    static String mask(String text, Collection<String> ours) {
        if (text == null) {
            return null;
        }
        String masked = text.replaceAll("\\s+", " ").strip();
        List<String> values = ours.stream().filter(v -> v != null).map(String::strip).filter(v -> v.length() >= 2).distinct()
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
        for (String v : values) {
            masked = Pattern.compile(Pattern.quote(v), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE).matcher(masked).replaceAll(MASK);
        }
        masked = EMAIL.matcher(masked).replaceAll(MASK);
        return CIVIC_NUMBER.matcher(masked).replaceAll(MASK);
    }

    /**
     * The text as it may be stored: masked with what the directory holds about these persons now (names, e-mail,
     * username, civic number — read to mask, never sent, not a release) and the patterns of {@link #mask}, and cut to
     * {@link #MAX_LENGTH}.
     */
    String fitToKeep(String text, Collection<UUID> persons) {
        if (text == null) {
            return null;
        }
        return cut(mask(text, directoryValues(persons)));
    }

    private static String cut(String s) {
        return s.length() > MAX_LENGTH ? s.substring(0, MAX_LENGTH) + "…" : s;
    }

    /** What a supplier could echo of these persons that the directory holds: their names (each and together), e-mail, username, civic number. */
    private Set<String> directoryValues(Collection<UUID> persons) {
        Set<String> values = new HashSet<>();
        if (persons.isEmpty()) {
            return values;
        }
        jdbc.sql("select given_name, family_name, email, username, civic_number from person where id = any(:p)")
                .param("p", persons.stream().distinct().toArray(UUID[]::new))
                .query(rs -> {
                    List<String> one = new ArrayList<>();
                    for (int i = 1; i <= 5; i++) {
                        one.add(rs.getString(i));
                    }
                    values.addAll(one.stream().filter(v -> v != null).toList());
                    if (one.get(0) != null && one.get(1) != null) {
                        values.add(one.get(0).strip() + " " + one.get(1).strip());
                    }
                });
        return values;
    }
}
