package org.tilldela.directory.importing;

import java.util.Map;
import org.springframework.stereotype.Component;
import org.tilldela.governance.AuditedRecords;
import org.tilldela.governance.CallerScope;

/**
 * For the audit search: events about import sources and import runs lie within a scope that covers their directory source
 * ({@link SourceScopes#covered}, the rule the import pages follow), so an organiser's auditor sees what was done to the
 * organiser's imports and nothing of another organiser's.
 */
@Component
class ImportAuditRecords implements AuditedRecords {

    @Override
    public Map<String, String> within(CallerScope scope) {
        // a source by its name now; a removed one (its row gone) by the name its removal recorded, so the trail of a
        // removed source stays with the organiser it imported
        return Map.of(
                "import_source", "select cast(s.id as text) from import_source s where " + SourceScopes.covered(scope, "s.name")
                        + " union all select r.target_id from audit_event r where r.target_type = 'import_source' and r.action = 'IMPORT_SOURCE_REMOVED' and "
                        + SourceScopes.covered(scope, "r.detail ->> 'name'"),
                "import_run", "select cast(i.id as text) from import_run i where " + SourceScopes.covered(scope, "i.source"));
    }
}
