package org.tilldela.directory.importing;

import java.util.List;

/**
 * The kinds of record an import brings, each with its table and the columns a source supplies (besides
 * id, source, source_id and content_hash). The SQL that stages and diffs them is generated from this
 * list, so a column added here is imported, compared and updated everywhere at once.
 */
public enum Entity {
    ORGANISATION("organisation", "organisations", List.of("kind", "name", "parent_id", "school_unit_code", "municipality_code", "school_forms"), true),
    PERSON("person", "persons", List.of("given_name", "family_name", "civic_number", "email", "username", "protection"), true, true),
    ENROLMENT("enrolment", "enrolments", List.of("person_id", "school_unit_id", "school_form", "grade"), false, true),
    GROUP("student_group", "groups", List.of("organisation_id", "kind", "name", "school_form", "grades", "start_date", "end_date"), true),
    MEMBERSHIP("membership", "memberships", List.of("group_id", "person_id", "role", "start_date", "end_date"), false, true),
    DUTY("duty", "duties", List.of("person_id", "organisation_id", "role", "start_date", "end_date"), false, true),
    GUARDIAN_LINK("guardian_link", "guardianLinks", List.of("guardian_id", "child_id", "relation"), false, true);

    private final String table;
    private final String label;
    private final List<String> columns;
    private final boolean hasUpdatedAt;
    private final boolean hasLineFingerprint;

    Entity(String table, String label, List<String> columns, boolean hasUpdatedAt) {
        this(table, label, columns, hasUpdatedAt, false);
    }

    Entity(String table, String label, List<String> columns, boolean hasUpdatedAt, boolean hasLineFingerprint) {
        this.table = table;
        this.label = label;
        this.columns = columns;
        this.hasUpdatedAt = hasUpdatedAt;
        this.hasLineFingerprint = hasLineFingerprint;
    }

    public String table() {
        return table;
    }

    public String stageTable() {
        return "stage_" + table;
    }

    /** The name used in summaries and JSON. */
    public String label() {
        return label;
    }

    public List<String> columns() {
        return columns;
    }

    boolean hasUpdatedAt() {
        return hasUpdatedAt;
    }

    /**
     * Whether the table keeps, with each row, the fingerprint of the input record it was read from ({@code line_fp}), so
     * that a reader can let unchanged records stand unread (see {@link StagedSnapshot#fingerprintRecords}). Not
     * part of the content: a row read again from a changed record that yields the same row is unchanged.
     */
    boolean hasLineFingerprint() {
        return hasLineFingerprint;
    }
}
