package org.tilldela;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Keeps a copy of everything the test JVM writes to standard output and standard error — the application's log
 * (Spring Boot logs to the console), the commands' output and the tests' own — from the moment the test run
 * starts, for {@link NoPersonalDataInLogsTest}, which runs last. Registered in
 * {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}.
 *
 * <p>Logback's console appender writes to whatever {@code System.out} is when it writes, so the log passes through
 * here; a test that swaps {@code System.out} to capture a command's output keeps that output to itself.
 */
public final class LogCapture implements LauncherSessionListener {

    /** Far above a whole run's output (about 1 MB); past it the copy stops growing and says so. */
    private static final int LIMIT = 256 * 1024 * 1024;
    private static final ByteArrayOutputStream COPY = new ByteArrayOutputStream(1 << 20);
    private static boolean installed;
    private static boolean truncated;

    @Override
    public synchronized void launcherSessionOpened(LauncherSession session) {
        synchronized (COPY) {
            if (installed) {
                return;
            }
            installed = true;
        }
        System.setOut(new PrintStream(new Tee(System.out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(System.err), true, StandardCharsets.UTF_8));
    }

    /** Whether the copy runs (the run started through the JUnit Platform launcher, as Maven's does). */
    public static boolean installed() {
        synchronized (COPY) {
            return installed;
        }
    }

    /** Everything written so far; whether the copy stopped at its limit. */
    public static String captured() {
        synchronized (COPY) {
            return COPY.toString(StandardCharsets.UTF_8);
        }
    }

    public static boolean truncated() {
        synchronized (COPY) {
            return truncated;
        }
    }

    private static final class Tee extends OutputStream {
        private final OutputStream original;

        Tee(OutputStream original) {
            this.original = original;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            original.write(b, off, len);
            synchronized (COPY) {
                if (COPY.size() + len <= LIMIT) {
                    COPY.write(b, off, len);
                } else {
                    truncated = true;
                }
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            original.flush();
        }
    }
}
