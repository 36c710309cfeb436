package org.tilldela;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * No personal data in logs (issue 14): after every other test class of the run ({@link LastTestClass.RunsLast}), the
 * whole run's console output ({@link LogCapture}: the application's log, commands' output, the tests' own) is searched
 * for every person the run generated into the shared database — each full name, written "given family" or
 * "family, given", and each civic number, with or without its century and hyphen.
 *
 * <p>The search is by words, not substrings: a name is found when its words follow each other in the log (case and
 * accents as written), a civic number when a run of digits (a hyphen or plus allowed before the last four) equals it.
 * Persons in the databases that single tests make of their own are not covered.
 */
@LastTestClass.RunsLast
class NoPersonalDataInLogsTest extends IntegrationTest {

    private static final Pattern WORD = Pattern.compile("\\p{L}+(?:[-']\\p{L}+)*");
    private static final Pattern DIGITS = Pattern.compile("(?<![0-9])([0-9]{6,8})[-+]?([0-9]{4})(?![0-9])");

    @Autowired
    JdbcClient jdbc;

    record Person(String given, String family, String civic) {
    }

    @Test
    void theRunsLogNamesNoGeneratedPersonAndNoCivicNumber() {
        assertThat(LogCapture.installed()).as("the run's output was copied (LogCapture, registered for the JUnit Platform launcher)").isTrue();
        assertThat(LogCapture.truncated()).as("the whole output was kept").isFalse();
        String log = LogCapture.captured();
        assertThat(log).as("the run's log").contains("Started");
        List<Person> persons = jdbc.sql("select given_name as given, family_name as family, civic_number as civic from person").query(Person.class).list();
        // it checks what the test classes before it generated (thousands in a whole run): run it with them
        assertThat(persons).as("persons the run generated").hasSizeGreaterThan(10);

        // the search finds what it looks for: a log line naming someone, "family, given", with a civic number without its hyphen
        Person someone = persons.stream().filter(p -> p.civic() != null && p.civic().replaceAll("[^0-9]", "").length() >= 10).findFirst()
                .orElse(new Person(persons.getFirst().given(), persons.getFirst().family(), "19991231-9999"));
        String planted = "12:00:01 INFO  o.t.x.Something - imported " + someone.family() + ", " + someone.given() + " ("
                + someone.civic().replaceAll("[^0-9]", "") + ") into 3B\n";
        assertThat(personalDataIn(planted, List.of(someone))).hasSize(2);

        assertThat(personalDataIn(log, persons)).as("personal data in the run's log, " + persons.size() + " persons checked").isEmpty();
    }

    /** What of these persons the text names: "a name (A. B.)", "a civic number (A. B.)" — initials only, so that a failure's message does not spread it. */
    static List<String> personalDataIn(String log, List<Person> persons) {
        Set<String> wordRuns = new HashSet<>();
        List<String> words = new ArrayList<>();
        Matcher w = WORD.matcher(log);
        while (w.find()) {
            words.add(w.group().toLowerCase(Locale.ROOT));
        }
        for (int i = 0; i < words.size(); i++) {
            StringBuilder run = new StringBuilder(words.get(i));
            for (int n = 2; n <= 5 && i + n <= words.size(); n++) {
                run.append(' ').append(words.get(i + n - 1));
                wordRuns.add(run.toString());
            }
        }
        Set<String> numbers = new HashSet<>();
        Matcher d = DIGITS.matcher(log);
        while (d.find()) {
            numbers.add(d.group(1) + d.group(2));
        }

        List<String> found = new ArrayList<>();
        for (Person p : persons) {
            String given = words(p.given()), family = words(p.family());
            if (!given.isEmpty() && !family.isEmpty() && (wordRuns.contains(given + " " + family) || wordRuns.contains(family + " " + given))) {
                found.add("a name (" + initials(p) + ")");
            }
            if (p.civic() != null) {
                String digits = p.civic().replaceAll("[^0-9]", "");
                // with and without the century: 12 digits (YYYYMMDDNNNN) are also written as 10
                if (numbers.contains(digits) || digits.length() == 12 && numbers.contains(digits.substring(2))) {
                    found.add("a civic number (" + initials(p) + ")");
                }
            }
        }
        return found;
    }

    private static String words(String s) {
        if (s == null) {
            return "";
        }
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(Normalizer.normalize(s, Normalizer.Form.NFC));
        while (m.find()) {
            out.add(m.group().toLowerCase(Locale.ROOT));
        }
        return String.join(" ", out);
    }

    private static String initials(Person p) {
        return (p.given() == null || p.given().isEmpty() ? "?" : p.given().substring(0, 1)) + ". "
                + (p.family() == null || p.family().isEmpty() ? "?" : p.family().substring(0, 1)) + ".";
    }
}
