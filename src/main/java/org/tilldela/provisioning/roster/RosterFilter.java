package org.tilldela.provisioning.roster;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The OneRoster 1.2 {@code filter} parameter: predicates {@code field op 'value'} with the operators
 * {@code = != > >= < <= ~} (~: contains, case-insensitive), joined by {@code AND} and {@code OR} (AND binds
 * tighter; parentheses group). A dotted field ({@code roles.role}, {@code school.sourcedId}) reaches into
 * nested objects; a list matches when any element does. A field the record does not carry (absent, or
 * withheld by the release policy) matches nothing, whatever the operator. Parsed by a tokenizer and a
 * recursive descent, and evaluated in memory: user input never reaches SQL.
 */
sealed interface RosterFilter {

    boolean test(Map<String, ?> record);

    /** The fields the filter names, for checking them against the entity's fields before anything is read. */
    Set<String> fields();

    record Predicate(String field, String op, String value) implements RosterFilter {
        @Override
        public boolean test(Map<String, ?> record) {
            List<Object> found = new ArrayList<>();
            collect(record, field.split("\\."), 0, found);
            for (Object v : found) {
                if (v != null && matches(v)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public Set<String> fields() {
            return Set.of(field);
        }

        private boolean matches(Object actual) {
            String text = String.valueOf(actual);
            if (op.equals("~")) {
                return text.toLowerCase(Locale.ROOT).contains(value.toLowerCase(Locale.ROOT));
            }
            int c = compare(text, value);
            return switch (op) {
                case "=" -> c == 0;
                case "!=" -> c != 0;
                case ">" -> c > 0;
                case ">=" -> c >= 0;
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                default -> false;
            };
        }
    }

    record And(RosterFilter left, RosterFilter right) implements RosterFilter {
        @Override
        public boolean test(Map<String, ?> record) {
            return left.test(record) && right.test(record);
        }

        @Override
        public Set<String> fields() {
            Set<String> all = new LinkedHashSet<>(left.fields());
            all.addAll(right.fields());
            return all;
        }
    }

    record Or(RosterFilter left, RosterFilter right) implements RosterFilter {
        @Override
        public boolean test(Map<String, ?> record) {
            return left.test(record) || right.test(record);
        }

        @Override
        public Set<String> fields() {
            Set<String> all = new LinkedHashSet<>(left.fields());
            all.addAll(right.fields());
            return all;
        }
    }

    /** Values of a (possibly dotted) field path, through nested maps and lists. */
    static void collect(Object node, String[] path, int i, List<Object> out) {
        if (node instanceof Collection<?> list) {
            list.forEach(e -> collect(e, path, i, out));
            return;
        }
        if (i == path.length) {
            out.add(node);
            return;
        }
        if (node instanceof Map<?, ?> map && map.containsKey(path[i])) {
            collect(map.get(path[i]), path, i + 1, out);
        }
    }

    /** Dates and date-times compare as instants (a date as its start, UTC); numbers as numbers; the rest as text. */
    static int compare(String actual, String expected) {
        Instant a = instant(actual), e = instant(expected);
        if (a != null && e != null) {
            return a.compareTo(e);
        }
        if (actual.matches("-?\\d+(\\.\\d+)?") && expected.matches("-?\\d+(\\.\\d+)?")) {
            return new java.math.BigDecimal(actual).compareTo(new java.math.BigDecimal(expected));
        }
        return actual.compareTo(expected);
    }

    private static Instant instant(String s) {
        if (s.length() < 10 || !Character.isDigit(s.charAt(0)) || s.charAt(4) != '-') {
            return null;
        }
        try {
            if (s.length() == 10) {
                return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException again) {
                return null;
            }
        }
    }

    /** Parses a filter; a malformed one is refused with the reason. */
    static RosterFilter parse(String text) {
        return new Parser(text).parse();
    }

    final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message);
        }
    }

    final class Parser {
        private static final List<String> OPERATORS = List.of("!=", ">=", "<=", "=", ">", "<", "~");
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        RosterFilter parse() {
            if (s == null || s.isBlank()) {
                throw new Malformed("The filter is empty.");
            }
            RosterFilter f = or();
            skipSpace();
            if (pos != s.length()) {
                throw new Malformed("Unexpected text at position " + (pos + 1) + " of the filter.");
            }
            return f;
        }

        private RosterFilter or() {
            RosterFilter left = and();
            while (keyword("OR")) {
                left = new Or(left, and());
            }
            return left;
        }

        private RosterFilter and() {
            RosterFilter left = primary();
            while (keyword("AND")) {
                left = new And(left, primary());
            }
            return left;
        }

        private RosterFilter primary() {
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == '(') {
                pos++;
                RosterFilter inner = or();
                skipSpace();
                if (pos >= s.length() || s.charAt(pos) != ')') {
                    throw new Malformed("A '(' in the filter is not closed.");
                }
                pos++;
                return inner;
            }
            int start = pos;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '.' || s.charAt(pos) == '_')) {
                pos++;
            }
            String field = s.substring(start, pos);
            if (field.isEmpty()) {
                throw new Malformed("A field name is expected at position " + (start + 1) + " of the filter.");
            }
            skipSpace();
            String op = OPERATORS.stream().filter(o -> s.startsWith(o, pos)).findFirst()
                    .orElseThrow(() -> new Malformed("An operator (=, !=, >, >=, <, <=, ~) is expected after '" + field + "'."));
            pos += op.length();
            skipSpace();
            if (pos >= s.length() || s.charAt(pos) != '\'') {
                throw new Malformed("The value after '" + field + op + "' must be in single quotes.");
            }
            int end = s.indexOf('\'', pos + 1);
            if (end < 0) {
                throw new Malformed("A quoted value in the filter is not closed.");
            }
            String value = s.substring(pos + 1, end);
            pos = end + 1;
            return new Predicate(field, op, value);
        }

        /** AND / OR as whole words, with white space before them. */
        private boolean keyword(String word) {
            int save = pos;
            skipSpace();
            if (pos > save && s.startsWith(word, pos) && pos + word.length() < s.length() && Character.isWhitespace(s.charAt(pos + word.length()))) {
                pos += word.length();
                return true;
            }
            if (pos < s.length() && pos > save && (s.startsWith(word.toLowerCase(Locale.ROOT), pos))) {
                throw new Malformed("Logical operators are AND and OR, in capitals.");
            }
            pos = save;
            return false;
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }
    }
}
