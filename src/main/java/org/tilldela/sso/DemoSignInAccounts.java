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
    private final org.tilldela.directory.Teaching teaching;
    private final Environment environment;
    private final String baseUrl;

    DemoSignInAccounts(PersonAccounts accounts, org.tilldela.catalog.Catalog catalog, org.tilldela.directory.Teaching teaching,
                       Environment environment, @Value("${tilldela.base-url:}") String baseUrl) {
        this.accounts = accounts;
        this.catalog = catalog;
        this.teaching = teaching;
        this.environment = environment;
        this.baseUrl = baseUrl;
    }

    @EventListener
    void onDemoClass(DemoClassLicensed demo) {
        // the class's teacher (by the directory's rule) gets an account too, to try "My classes" and sign-in cards
        UUID teacher = demo.personIds().stream().filter(p -> teaching.classesOf(p).stream().anyMatch(c -> c.name().equals(demo.className())))
                .findFirst().orElse(null);
        List<UUID> members = demo.personIds().stream().filter(p -> !p.equals(teacher)).limit(ACCOUNTS).toList();
        String klass = demo.className().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
        String signIn = (baseUrl.isBlank() ? "http://localhost:" + environment.getProperty("local.server.port",
                environment.getProperty("server.port", "8080")) : baseUrl.replaceAll("/+$", "")) + "/sign-in";
        StringBuilder printed = new StringBuilder("\n Demo pupils and staff of class " + demo.className() + ": sign in at " + signIn + "\n");
        // the product the class is licensed for: the one a new user registers the demo product's sign-in client for (README)
        catalog.product(demo.productId()).ifPresent(p -> printed.append(" Licensed for: ").append(p.title()).append(" (product id ")
                .append(p.id()).append(")\n"));
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < members.size(); i++) {
            printed.append(account(members.get(i), "demo." + klass + "." + (i + 1), random)).append('\n');
        }
        if (teacher != null) {
            printed.append(account(teacher, "demo." + klass + ".teacher", random)).append("  (their teacher: My classes, sign-in cards)\n");
        }
        // Printed, not logged: the one place these passwords are ever shown (synthetic demo persons only).
        System.out.println(printed.append(" (shown once; an administrator sets new ones with PUT /api/v1/sso/persons/{id}/account)\n"));
    }

    private String account(UUID person, String username, SecureRandom random) {
        StringBuilder password = new StringBuilder();
        for (int c = 0; c < 10; c++) {
            password.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        accounts.setPassword(person, username, password.toString(), "demo");
        return String.format("   %-18s password: %s", username, password);
    }
}
