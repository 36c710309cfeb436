package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every text the UI shows exists in English, Swedish and Danish (issue 13): each key of a messages file is in its _sv and
 * _da files and the other way round — a key in one language only falls back to English, or shows the key itself. The
 * categories the issue names (import problems, gate reasons, adequacy notes, errors, civic number labels) are checked
 * by name to be there at all.
 */
class MessagesInEveryLanguageTest {

    private static final List<String> BUNDLES = List.of("messages", "catalog", "purchase", "licensing", "access", "ledger", "governance", "sso",
            "sso-cards", "provisioning");

    @Test
    void everyKeyIsInEveryLanguage() throws IOException {
        for (String bundle : BUNDLES) {
            Set<String> english = keys("i18n/" + bundle + ".properties");
            assertThat(english).as(bundle).isNotEmpty();
            for (String language : List.of("sv", "da")) {
                Set<String> other = keys("i18n/" + bundle + "_" + language + ".properties");
                assertThat(difference(english, other)).as("%s: in English, missing in %s", bundle, language).isEmpty();
                assertThat(difference(other, english)).as("%s: in %s, missing in English", bundle, language).isEmpty();
            }
        }
    }

    @Test
    void theIssuesCategoriesAreWordedInEachLanguage() throws IOException {
        Set<String> all = new TreeSet<>();
        for (String bundle : BUNDLES) {
            all.addAll(keys("i18n/" + bundle + "_da.properties"));
        }
        assertThat(all).contains("purchase.gate.noProcessingAgreement", "purchase.gate.thirdCountry", "purchase.gate.beyondPolicy",
                "error.404.title", "ui13.civic.SE", "ui13.civic.DK", "ui13.import.problem.required", "ui13.adequacy.note.US");
    }

    /**
     * The Danish UI says CPR-nummer only for a Dane: a label for the civic number of nobody in particular (a product's
     * data needs, a package of attributes) names both kinds, since the product may be bought for Swedish pupils.
     */
    @Test
    void theDanishWordsForACivicNumberOfNobodyInParticularNameBothKinds() throws IOException {
        for (String bundle : BUNDLES) {
            Properties danish = properties("i18n/" + bundle + "_da.properties");
            for (String key : danish.stringPropertyNames()) {
                String text = danish.getProperty(key);
                if (text.contains("CPR") && !key.startsWith("ui13.civic.")) {
                    assertThat(text).as("%s: %s", bundle, key).containsIgnoringCase("personnummer");
                }
            }
        }
    }

    /**
     * And the Swedish UI says personnummer only for a Swede (ui13.civic.SE): a label for the civic number of nobody in
     * particular (a product's data needs, the directory's column) names both kinds, as the Danish one does.
     */
    @Test
    void theSwedishWordsForACivicNumberOfNobodyInParticularNameBothKinds() throws IOException {
        for (String bundle : BUNDLES) {
            Properties swedish = properties("i18n/" + bundle + "_sv.properties");
            for (String key : swedish.stringPropertyNames()) {
                String text = swedish.getProperty(key);
                if (text.toLowerCase(java.util.Locale.ROOT).contains("personnummer") && !key.startsWith("ui13.civic.")) {
                    assertThat(text).as("%s: %s", bundle, key).contains("CPR");
                }
            }
        }
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    private static Set<String> keys(String resource) throws IOException {
        return new TreeSet<>(properties(resource).stringPropertyNames());
    }

    private static Properties properties(String resource) throws IOException {
        try (InputStream in = MessagesInEveryLanguageTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            Properties p = new Properties();
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            return p;
        }
    }
}
