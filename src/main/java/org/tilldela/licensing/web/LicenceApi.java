package org.tilldela.licensing.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.tilldela.licensing.Licences;
import org.tilldela.licensing.PersonLicence;

/** A person's licences over the API: for licence administrators, and for directory administrators looking at a person. */
@RestController
@PreAuthorize("hasAnyAuthority('RIGHT_LICENCE_ADMIN', 'RIGHT_DIRECTORY_ADMIN')")
@RequestMapping("/api/v1")
@Tag(name = "Licences", description = "Who holds which licence.")
class LicenceApi {

    private final Licences licences;

    LicenceApi(Licences licences) {
        this.licences = licences;
    }

    @GetMapping("/persons/{id}/licences")
    @Operation(summary = "Every licence of a person: product, pool, state (ACTIVE, GRACE, ENDED), how it came, validity")
    List<PersonLicence> ofPerson(@PathVariable UUID id) {
        return licences.ofPerson(id);
    }
}
