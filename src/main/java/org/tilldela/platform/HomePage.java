package org.tilldela.platform;

import java.util.List;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.Scopes;

/** The start page is the first area the signed-in administrator has a right to (and whose page opens for the grant's scope). */
@Controller
@PreAuthorize("hasRole('ADMIN')")
class HomePage {

    /** An area of the navigation bar: the right it takes, whether only a grant over the whole installation opens it. */
    private record Area(AdminRight right, String path, boolean wholeInstallationOnly) {
    }

    /** In the order of the navigation bar. */
    private static final List<Area> AREAS = List.of(
            new Area(AdminRight.DIRECTORY_ADMIN, "/directory", false),
            new Area(AdminRight.BUYER, "/purchase", false),
            // the catalogue is installation-wide (suppliers, their processing agreements with any organiser)
            new Area(AdminRight.CATALOG_ADMIN, "/catalog", true),
            new Area(AdminRight.LICENCE_ADMIN, "/licences", false),
            new Area(AdminRight.ACCESS_ADMIN, "/access", false),
            new Area(AdminRight.DATA_PROTECTION_OFFICER, "/ledger", false),
            new Area(AdminRight.ACCOUNT_ADMIN, "/admin/accounts", false),
            new Area(AdminRight.AUDITOR, "/admin/audit", false),
            new Area(AdminRight.REGIONAL, "/regional", false));

    private final Scopes scopes;

    HomePage(Scopes scopes) {
        this.scopes = scopes;
    }

    @GetMapping("/")
    String home(Authentication user) {
        return AREAS.stream()
                .filter(area -> user.getAuthorities().stream().anyMatch(a -> a.getAuthority().equals(area.right().authority())))
                .filter(area -> !area.wholeInstallationOnly() || scopes.wholeInstallation(user, area.right().name()))
                .findFirst().map(area -> "redirect:" + area.path()).orElse("no-rights");
    }
}
