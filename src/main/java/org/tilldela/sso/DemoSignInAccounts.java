package org.tilldela.sso;

import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.tilldela.access.DemoClassLicensed;

/**
 * On first start with the demo: local sign-in accounts for the members of the class the demo licensed, so
 * a new user can sign in as a (synthetic) pupil at once. Their passwords are printed once, like the
 * administrator's, and stored only as Argon2id hashes.
 */
@Component
class DemoSignInAccounts {

    static final int ACCOUNTS = 5;
    private static final String ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789";

    private final PersonAccounts accounts;
    private final org.tilldela.catalog.Catalog catalog;
    private final Environment environment;
    private final String baseUrl;

    DemoSignInAccounts(PersonAccounts accounts, org.tilldela.catalog.Catalog catalog, Environment environment,
                       @Value("${tilldela.base-url:}") String baseUrl) {
        this.accounts = accounts;
        this.catalog = catalog;
        this.environment = environment;
        this.baseUrl = baseUrl;
    }

    @EventListener
    void onDemoClass(DemoClassLicensed demo) {
        List<UUID> members = demo.personIds().stream().limit(ACCOUNTS).toList();
        String klass = demo.className().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
        String signIn = (baseUrl.isBlank() ? "http://localhost:" + environment.getProperty("local.server.port",
                environment.getProperty("server.port", "8080")) : baseUrl.replaceAll("/+$", "")) + "/sign-in";
        StringBuilder printed = new StringBuilder("\n Demo pupils and staff of class " + demo.className() + ": sign in at " + signIn + "\n");
        // the product the class is licensed for: the one a new user registers the demo product's sign-in client for (README)
        catalog.product(demo.productId()).ifPresent(p -> printed.append(" Licensed for: ").append(p.title()).append(" (product id ")
                .append(p.id()).append(")\n"));
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < members.size(); i++) {
            String username = "demo." + klass + "." + (i + 1);
            StringBuilder password = new StringBuilder();
            for (int c = 0; c < 10; c++) {
                password.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            accounts.setPassword(members.get(i), username, password.toString(), "demo");
            printed.append(String.format("   %-16s password: %s%n", username, password));
        }
        // Printed, not logged: the one place these passwords are ever shown (synthetic demo persons only).
        System.out.println(printed.append(" (shown once; an administrator sets new ones with PUT /api/v1/sso/persons/{id}/account)\n"));
    }
}
