package org.tilldela.directory.web;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Component;
import org.tilldela.directory.importing.ImportProblem;

/**
 * An import problem in the reader's language. The readers report each problem as one English sentence (kept so in the
 * run's row, the log and the command line); the page recognises the sentences the readers write and words them from
 * {@code ui13.import.problem.<code>} with the sentence's values as arguments. A sentence it does not know is shown as
 * written rather than lost.
 */
@Component
class ImportProblemWords {

    private record Known(Pattern pattern, String code) {
    }

    // Most specific first: "… is missing" names a file only when nothing more precise matched.
    private static final List<Known> KNOWN = List.of(
            known("a value is required", "required"),
            known("is missing", "missing"),
            known("is not a JSON object", "notObject"),
            known("has a value of the wrong type", "wrongType"),
            known("contains a NUL character, which no text field may hold", "nul"),
            known("unknown value '(.*)' \\(allowed: (.*)\\)", "unknownValue"),
            known("'(.*)' is not a date \\(YYYY-MM-DD\\)", "notDate"),
            known("unknown school form '(.*)' \\(known: (.*)\\)", "unknownSchoolForm"),
            known("unknown group type '(.*)' \\(known: (.*)\\)", "unknownGroupType"),
            known("(\\d+) further problem\\(s\\) not listed", "further"),
            known("the file is empty; a header row is required", "empty"),
            known("not valid UTF-8 text; OneRoster files must be UTF-8 encoded", "notUtf8"),
            known("unreadable header: (.*)", "unreadableHeader"),
            known("required column is missing from the header", "columnMissing"),
            known("the file ends in the middle of a row \\(truncated\\?\\): (.*)", "truncated"),
            known("unreadable row: (.*)", "unreadableRow"),
            known("has (\\d+) fields where the header has (\\d+)(?: \\(truncated row\\?\\))?", "fieldCount"),
            known("manifest.csv is missing; a OneRoster package starts with its manifest", "noManifest"),
            known("unsupported OneRoster version '(.*)' \\(1.1 and 1.2 are supported\\)", "version"),
            known("must be 'bulk' for a full import, is '(.*?)'(?: \\(.*\\))?", "notBulk"),
            known("OneRoster 1.2 needs roles.csv in bulk mode", "roles"),
            known("manifest.csv lists (.*), which is not in the package", "listedMissing"),
            known("duplicate id '(.*)' \\(first on line (\\d+)\\)", "duplicate"),
            known("refers to '(.*)', which is not in (.*)", "refersTo"),
            known("'(.*)' is its own ancestor: (.*)", "loop"),
            known("(\\S+) is missing", "fileMissing"));

    private final MessageSource messages;

    ImportProblemWords(MessageSource messages) {
        this.messages = messages;
    }

    /** The problem's reason in {@code locale}, or as the reader wrote it. */
    String reason(String reason, Locale locale) {
        if (reason == null) {
            return null;
        }
        for (Known k : KNOWN) {
            Matcher m = k.pattern().matcher(reason);
            if (m.matches()) {
                Object[] args = new Object[m.groupCount()];
                for (int i = 0; i < args.length; i++) {
                    args[i] = m.group(i + 1);
                }
                return messages.getMessage("ui13.import.problem." + k.code(), args, reason, locale);
            }
        }
        return reason;
    }

    /** The run's problems with their reasons worded for {@code locale}. */
    List<ImportProblem> worded(List<ImportProblem> problems, Locale locale) {
        return problems == null ? List.of()
                : problems.stream().map(p -> new ImportProblem(p.file(), p.line(), p.column(), reason(p.reason(), locale))).toList();
    }

    private static Known known(String regex, String code) {
        return new Known(Pattern.compile(regex, Pattern.DOTALL), code);
    }
}
