package org.tilldela.directory.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.tilldela.directory.RegionalCounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.Scopes;

/** The purchasing centre's (REGIONAL) counts over the API: aggregates per organiser within its scope, never a name or a person id. */
@RestController
@PreAuthorize("hasAuthority('RIGHT_REGIONAL')")
@Tag(name = "Regional", description = "Counts for a purchasing centre serving several organisers: per organiser, never a person.")
class RegionalApi {

    private final RegionalCounts counts;
    private final Scopes scopes;

    RegionalApi(RegionalCounts counts, Scopes scopes) {
        this.counts = counts;
        this.scopes = scopes;
    }

    @GetMapping("/api/v1/regional/organisers")
    @Operation(summary = "Per organiser within the caller's REGIONAL scope: school units, pupils, staff and groups, counted within the scope")
    List<RegionalCounts.Organiser> organisers(Authentication auth) {
        return counts.organisers(scopes.of(auth, AdminRight.REGIONAL));
    }
}
