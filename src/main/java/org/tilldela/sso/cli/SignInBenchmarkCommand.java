package org.tilldela.sso.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sign-in", mixinStandardHelpOptions = true, description = {
        "Starts Tilldela (with the demo municipality) in this JVM on a fresh embedded database under --work-dir, registers a",
        "confidential sign-in client for the demo product, gives the demo class local accounts, and measures over loopback with",
        "wrk: authorization-code redemptions/s, refresh grants/s and client-credential grants/s (median, p99; ledger writes",
        "included), cold and after a warm-up, and the cost of one pupil's whole sign-in (Argon2id check and code flow).",
        "With --keycloak, the same wrk script against Keycloak (bench/keycloak.sh starts one) in the same run, and the ratio."})
public class SignInBenchmarkCommand implements Callable<Integer> {

    @Option(names = "--work-dir", defaultValue = "target/benchmark-sign-in", description = "Where the database and the prepared tokens go (emptied first).")
    Path workDir;

    @Option(names = "--port", defaultValue = "18080", description = "Tilldela's loopback port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--seconds", defaultValue = "15", description = "Length of each refresh and client-credential measurement (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warm-up", defaultValue = "60", description = "Warm-up per provider in seconds, refresh and client credentials (default ${DEFAULT-VALUE}).")
    int warmUp;

    @Option(names = "--runs", defaultValue = "3", description = "Measured rounds per provider (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--codes", defaultValue = "4000", description = "Authorization codes prepared per round (default ${DEFAULT-VALUE}).")
    int codes;

    @Option(names = "--families", defaultValue = "64", description = "Refresh-token families per round (default ${DEFAULT-VALUE}).")
    int families;

    @Option(names = "--pupils", defaultValue = "64", description = "Distinct persons signed in, for each provider; codes and token families are "
            + "spread over them (default ${DEFAULT-VALUE}; Keycloak's realm from bench/keycloak.sh has 64 users).")
    int pupils;

    @Option(names = "--sign-ins", defaultValue = "200", description = "Whole sign-ins timed for the morning-rush estimate (default ${DEFAULT-VALUE}).")
    int signIns;

    @Option(names = "--threads", defaultValue = "2", description = "wrk threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--connections", defaultValue = "16", description = "wrk connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--wrk", defaultValue = "wrk", description = "The wrk executable (Debian: apt-get install wrk).")
    String wrk;

    @Option(names = "--keycloak", description = "A Keycloak realm's issuer, e.g. http://127.0.0.1:8180/realms/bench (bench/keycloak.sh prints the options).")
    String keycloak;

    @Option(names = "--keycloak-client", defaultValue = "bench")
    String keycloakClient;

    @Option(names = "--keycloak-secret", defaultValue = "bench-secret-not-for-production-0123456789")
    String keycloakSecret;

    @Option(names = "--keycloak-users", defaultValue = "elev", description = "Keycloak's users are this followed by 1, 2, … --pupils (default ${DEFAULT-VALUE}).")
    String keycloakUsers;

    @Option(names = "--keycloak-password", defaultValue = SignInBenchmark.PASSWORD)
    String keycloakPassword;

    @Option(names = "--keycloak-only", description = "Measure only Keycloak (Tilldela is not started).")
    boolean keycloakOnly;

    @Override
    public Integer call() throws Exception {
        var settings = new SignInBenchmark.Settings(workDir, port, seconds, warmUp, runs, codes, families, pupils, signIns, threads, connections, wrk,
                keycloak, keycloakClient, keycloakSecret, keycloakUsers, keycloakPassword, keycloakOnly);
        new SignInBenchmark(settings, System.out).run();
        return 0;
    }
}
