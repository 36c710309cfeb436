package org.tilldela.provisioning.roster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The query parameters every OneRoster collection takes — {@code limit} (default 100, at most 1,000),
 * {@code offset}, {@code filter}, {@code sort} and {@code orderBy}, {@code fields} — checked against the
 * fields of the entity asked for. Filter and sort on a field the entity does not have are refused (400,
 * invalid_filter_field / invalid_selection_field — 1.2 has no invalid_sort_field); so is a selection of fields none of which it has
 * (invalid_selection_field). Unknown names among known ones in {@code fields} are left out, the rest kept.
 */
record RosterQuery(int limit, int offset, RosterFilter filter, String sort, boolean descending, Set<String> fields) {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    static RosterQuery of(Map<String, String> params, Set<String> entityFields) {
        int limit = number(params.get("limit"), DEFAULT_LIMIT, "limit");
        int offset = number(params.get("offset"), 0, "offset");
        if (limit < 1) {
            throw OneRosterError.badRequest("invaliddata", "limit must be at least 1.");
        }
        limit = Math.min(limit, MAX_LIMIT);
        RosterFilter filter = null;
        String text = params.get("filter");
        if (text != null) {
            try {
                filter = RosterFilter.parse(text);
            } catch (RosterFilter.Malformed e) {
                throw OneRosterError.badRequest("invalid_filter_field", e.getMessage());
            }
            for (String f : filter.fields()) {
                if (!known(f, entityFields)) {
                    throw OneRosterError.badRequest("invalid_filter_field", "No field '" + f + "' to filter on.");
                }
            }
        }
        String sort = params.get("sort");
        if (sort != null && (sort.isBlank() || !known(sort, entityFields))) {
            throw OneRosterError.badRequest("invalid_selection_field", "No field '" + sort + "' to sort on.");
        }
        String orderBy = params.getOrDefault("orderBy", "asc");
        if (!orderBy.equals("asc") && !orderBy.equals("desc")) {
            throw OneRosterError.badRequest("invaliddata", "orderBy is asc or desc.");
        }
        Set<String> fields = null;
        if (params.get("fields") != null) {
            fields = new LinkedHashSet<>();
            for (String f : params.get("fields").split(",")) {
                if (entityFields.contains(f.strip())) {
                    fields.add(f.strip());
                }
            }
            if (fields.isEmpty()) {
                throw OneRosterError.badRequest("invalid_selection_field", "None of the selected fields exists: " + params.get("fields"));
            }
        }
        return new RosterQuery(limit, offset, filter, sort, orderBy.equals("desc"), fields);
    }

    /** A field, or a dotted path whose first part is one (roles.role, school.sourcedId). */
    static boolean known(String field, Set<String> entityFields) {
        String[] parts = field.split("\\.");
        // "." splits into nothing: no field
        return entityFields.contains(field) || parts.length > 0 && entityFields.contains(parts[0]);
    }

    private static int number(String value, int fallback, String name) {
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n < 0) {
                throw OneRosterError.badRequest("invaliddata", name + " must not be negative.");
            }
            return n;
        } catch (NumberFormatException e) {
            throw OneRosterError.badRequest("invaliddata", name + " must be a whole number.");
        }
    }

    boolean filters() {
        return filter != null;
    }

    /** Whether anything but paging narrows or orders the collection. */
    boolean needsEveryRecord() {
        return filter != null || sort != null;
    }

    /** The fields filter and sort read. */
    Set<String> fieldsRead() {
        Set<String> read = new LinkedHashSet<>();
        if (filter != null) {
            filter.fields().forEach(f -> read.add(f.split("\\.")[0]));
        }
        if (sort != null) {
            read.add(sort.split("\\.")[0]);
        }
        return read;
    }

    /** Filters and sorts records in memory (records missing the sort field last). */
    List<Map<String, Object>> apply(List<Map<String, Object>> records) {
        List<Map<String, Object>> kept = new ArrayList<>();
        for (Map<String, Object> r : records) {
            if (filter == null || filter.test(r)) {
                kept.add(r);
            }
        }
        if (sort != null) {
            Comparator<Map<String, Object>> bySort = Comparator.comparing(r -> sortKey(r), Comparator.nullsLast(
                    descending ? Comparator.<String, String>comparing(s -> s, RosterFilter::compare).reversed()
                            : Comparator.<String, String>comparing(s -> s, RosterFilter::compare)));
            kept.sort(bySort);
        }
        return kept;
    }

    private String sortKey(Map<String, Object> record) {
        List<Object> values = new ArrayList<>();
        RosterFilter.collect(record, sort.split("\\."), 0, values);
        return values.stream().filter(v -> v != null && !(v instanceof Map) && !(v instanceof java.util.Collection)).map(String::valueOf)
                .findFirst().orElse(null);
    }

    /** One page of an already filtered and sorted list. */
    <T> List<T> page(List<T> all) {
        if (offset >= all.size()) {
            return List.of();
        }
        return all.subList(offset, Math.min(all.size(), offset + limit));
    }

    /** The selected fields of a record (all of them without {@code fields}). */
    Map<String, Object> select(Map<String, Object> record) {
        if (fields == null) {
            return record;
        }
        Map<String, Object> selected = new LinkedHashMap<>();
        fields.forEach(f -> {
            if (record.containsKey(f)) {
                selected.put(f, record.get(f));
            }
        });
        return selected;
    }
}
