package org.tilldela.sso.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "saml-sign-in", mixinStandardHelpOptions = true, description = {
        "Starts Tilldela (with the demo municipality) in this JVM on a fresh embedded database under --work-dir, registers two SAML",
        "service providers for the demo product (one without and one with an encryption certificate), signs --pupils licence holders",
        "in once, and measures over loopback signed SAML Responses/s (median, p99) for SP-initiated sign-ins of those already",
        "signed-in persons — AuthnRequest over HTTP-Redirect, the continuation, the page with the Response; release policy and",
        "ledger writes included — plain (signed assertion) and encrypted (signed, then AES-256-GCM / RSA-OAEP), after a warm-up."})
public class SamlSignInBenchmarkCommand implements Callable<Integer> {

    @Option(names = "--work-dir", defaultValue = "target/benchmark-saml-sign-in", description = "Where the database goes (emptied first).")
    Path workDir;

    @Option(names = "--port", defaultValue = "18081", description = "Tilldela's loopback port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--seconds", defaultValue = "15", description = "Length of each measurement (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warm-up", defaultValue = "30", description = "Warm-up in seconds before the first round, plain and encrypted in turn (default ${DEFAULT-VALUE}).")
    int warmUp;

    @Option(names = "--runs", defaultValue = "3", description = "Measured rounds, each plain then encrypted (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--pupils", defaultValue = "32", description = "Distinct persons, each signed in once in a browser of their own (default ${DEFAULT-VALUE}).")
    int pupils;

    @Option(names = "--concurrency", defaultValue = "8", description = "Browsers signing in at the same time (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Override
    public Integer call() throws Exception {
        new SamlSignInBenchmark(new SamlSignInBenchmark.Settings(workDir, port, seconds, warmUp, runs, pupils, concurrency), System.out).run();
        return 0;
    }
}
