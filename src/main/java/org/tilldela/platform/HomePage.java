package org.tilldela.platform;

import java.util.List;
import java.util.Map;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The start page is the first area the signed-in administrator has a right to. */
@Controller
@PreAuthorize("hasRole('ADMIN')")
class HomePage {

    /** In the order of the navigation bar. */
    private static final List<Map.Entry<String, String>> AREAS = List.of(
            Map.entry("RIGHT_DIRECTORY_ADMIN", "/directory"),
            Map.entry("RIGHT_BUYER", "/purchase"),
            Map.entry("RIGHT_CATALOG_ADMIN", "/catalog"),
            Map.entry("RIGHT_LICENCE_ADMIN", "/licences"),
            Map.entry("RIGHT_ACCESS_ADMIN", "/access"),
            Map.entry("RIGHT_DATA_PROTECTION_OFFICER", "/ledger"),
            Map.entry("RIGHT_ACCOUNT_ADMIN", "/admin/accounts"),
            Map.entry("RIGHT_AUDITOR", "/admin/audit"),
            Map.entry("RIGHT_REGIONAL", "/regional"));

    @GetMapping("/")
    String home(Authentication user) {
        return AREAS.stream()
                .filter(area -> user.getAuthorities().stream().anyMatch(a -> a.getAuthority().equals(area.getKey())))
                .findFirst().map(area -> "redirect:" + area.getValue()).orElse("no-rights");
    }
}
