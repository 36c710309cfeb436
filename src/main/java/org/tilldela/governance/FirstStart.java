package org.tilldela.governance;

import java.security.SecureRandom;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * First start of an empty database: creates the administrator {@code admin} (password from
 * TILLDELA_ADMIN_PASSWORD, or a random one printed once) and then announces {@link FirstStartCompleted}
 * so the demo data can be loaded.
 */
@Component
class FirstStart {

    private static final Logger log = LoggerFactory.getLogger(FirstStart.class);
    private static final String ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private final AdminAccounts accounts;
    private final PasswordPolicy policy;
    private final ApplicationEventPublisher events;
    private final boolean enabled;
    private final String port;

    FirstStart(AdminAccounts accounts, PasswordPolicy policy, ApplicationEventPublisher events, @Value("${tilldela.bootstrap.enabled:true}") boolean enabled,
               @Value("${local.server.port:${server.port:8080}}") String port) {
        this.accounts = accounts;
        this.policy = policy;
        this.events = events;
        this.enabled = enabled;
        this.port = port;
    }

    @EventListener(ApplicationReadyEvent.class)
    @Order(0)
    void onReady(ApplicationReadyEvent ready) {
        if (!enabled) {
            return;
        }
        // where users sign in: the configured public address, else this machine
        String baseUrl = ready.getApplicationContext().getEnvironment().getProperty("tilldela.base-url", "").strip();
        String url = baseUrl.isEmpty() ? "http://localhost:" + ready.getApplicationContext().getEnvironment().getProperty("local.server.port", port) + "/"
                : baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
        if (accounts.any()) {
            System.out.println("\nTilldela is running: sign in at " + url + "\n");
            return;
        }
        String password = System.getenv("TILLDELA_ADMIN_PASSWORD");
        boolean generated = password == null || password.isBlank();
        if (generated) {
            do {
                // 20 random characters pass the policy almost always, and almost is not always
                password = randomPassword();
            } while (policy.problemWith(password, "admin").isPresent());
        } else {
            var problem = policy.problemWith(password, "admin");
            if (problem.isPresent()) {
                throw new IllegalStateException("TILLDELA_ADMIN_PASSWORD is refused (" + problem.get() + "): use at least "
                        + PasswordPolicy.MIN_LENGTH + " characters, not a common password, not a run or repeat, not containing 'admin'");
            }
        }
        accounts.create("admin", "Administrator", password, EnumSet.complementOf(EnumSet.of(AdminRight.VIEW_PROTECTED_IDENTITIES)), "first-start");
        events.publishEvent(new FirstStartCompleted());
        // Printed, not logged: the one place the generated password is ever shown.
        System.out.println("\n==============================================================");
        System.out.println(" Tilldela is running: sign in at " + url);
        System.out.println(" user: admin");
        System.out.println(generated ? " password: " + password + "   (shown once; set TILLDELA_ADMIN_PASSWORD to choose it)"
                : " password: the value of TILLDELA_ADMIN_PASSWORD");
        System.out.println("==============================================================\n");
        log.info("Created the first administrator account 'admin'");
    }

    private static String randomPassword() {
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
