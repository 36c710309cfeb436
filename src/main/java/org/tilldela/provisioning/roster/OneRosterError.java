package org.tilldela.provisioning.roster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * A refusal as the OneRoster 1.2 REST binding reports it: the HTTP status, and the imsx status payload
 * ({@code imsx_codeMajor} failure, {@code imsx_severity} error, a description, and the code minor —
 * {@code invalid_filter_field}, {@code invalid_selection_field} (also for an unknown sort field: 1.2 has no code of its own for it),
 * {@code unknownobject}, {@code unauthorisedrequest}, {@code forbidden}, {@code invaliddata}).
 */
final class OneRosterError extends RuntimeException {

    private final HttpStatus status;
    private final String codeMinor;

    OneRosterError(HttpStatus status, String codeMinor, String description) {
        super(description);
        this.status = status;
        this.codeMinor = codeMinor;
    }

    static OneRosterError badRequest(String codeMinor, String description) {
        return new OneRosterError(HttpStatus.BAD_REQUEST, codeMinor, description);
    }

    static OneRosterError notFound(String what) {
        return new OneRosterError(HttpStatus.NOT_FOUND, "unknownobject", what + " not found.");
    }

    HttpStatus status() {
        return status;
    }

    Map<String, Object> payload() {
        return payload(codeMinor, getMessage());
    }

    static Map<String, Object> payload(String codeMinor, String description) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("imsx_codeMajor", "failure");
        p.put("imsx_severity", "error");
        p.put("imsx_description", description);
        p.put("imsx_CodeMinor", Map.of("imsx_codeMinorField", List.of(Map.of("imsx_codeMinorFieldName", "TargetEndSystem",
                "imsx_codeMinorFieldValue", codeMinor))));
        return p;
    }
}
