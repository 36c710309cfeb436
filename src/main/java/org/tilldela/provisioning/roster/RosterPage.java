package org.tilldela.provisioning.roster;

import java.util.List;
import java.util.Map;

/** One page of a collection: its records (fields selected) and how many the whole collection holds. */
record RosterPage(List<Map<String, Object>> records, int total) {
}
