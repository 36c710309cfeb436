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
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.Scopes;
import org.tilldela.licensing.Licences;
import org.tilldela.licensing.PersonLicence;

/** A person's licences over the API: for licence administrators, and for directory administrators looking at a person. */
@RestController
@PreAuthorize("hasAnyAuthority('RIGHT_LICENCE_ADMIN', 'RIGHT_DIRECTORY_ADMIN')")
@RequestMapping("/api/v1")
@Tag(name = "Licences", description = "Who holds which licence.")
class LicenceApi {

    private final Licences licences;
    private final OrganisationBrowser organisations;
    private final Scopes scopes;

    LicenceApi(Licences licences, OrganisationBrowser organisations, Scopes scopes) {
        this.licences = licences;
        this.organisations = organisations;
        this.scopes = scopes;
    }

    @GetMapping("/persons/{id}/licences")
    @Operation(summary = "Every licence of a person: product, pool, state (ACTIVE, GRACE, ENDED), how it came, validity; 404 when the person is "
            + "outside the caller's LICENCE_ADMIN and DIRECTORY_ADMIN scopes")
    List<PersonLicence> ofPerson(@PathVariable UUID id, Authentication auth) {
        if (!organisations.isWithin(id, scopes.of(auth, AdminRight.LICENCE_ADMIN)) && !organisations.isWithin(id, scopes.of(auth, AdminRight.DIRECTORY_ADMIN))) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no person " + id);
        }
        return licences.ofPerson(id);
    }
}
