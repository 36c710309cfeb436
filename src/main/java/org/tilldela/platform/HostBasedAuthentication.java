package org.tilldela.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** The embedded cluster's pg_hba.conf: who may connect how. */
final class HostBasedAuthentication {

    /** Every role signs in with a password, over loopback TCP; there is no Unix socket to reach. */
    static final String PASSWORDS_ONLY = """
            # Written by Tilldela: every role signs in with its password (SCRAM-SHA-256), over loopback only.
            # TYPE  DATABASE  USER  ADDRESS        METHOD
            host    all       all   127.0.0.1/32   scram-sha-256
            host    all       all   ::1/128        scram-sha-256
            """;

    private static final Pattern TRUST = Pattern.compile("(?m)^\\s*(local|host\\w*)\\s.*\\btrust\\s*$");

    private HostBasedAuthentication() {
    }

    /** A cluster made before Tilldela required passwords (initdb -A trust) still trusts every local user. */
    static boolean trustsAnyone(Path pgDir) throws IOException {
        Path hba = pgDir.resolve("pg_hba.conf");
        return Files.exists(hba) && TRUST.matcher(Files.readString(hba)).find();
    }

    static void requirePasswords(Path pgDir) throws IOException {
        Files.writeString(pgDir.resolve("pg_hba.conf"), PASSWORDS_ONLY);
    }
}
