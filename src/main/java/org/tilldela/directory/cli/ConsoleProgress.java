package org.tilldela.directory.cli;

import java.io.PrintStream;
import org.tilldela.directory.importing.ImportProgress;

/** A progress bar on stderr: redrawn in place on a terminal, a line per phase otherwise (CI logs). */
final class ConsoleProgress implements ImportProgress {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private String phase;
    private long total;
    private long done;
    private long lastDraw;

    ConsoleProgress(PrintStream out) {
        this.out = out;
        this.terminal = System.console() != null;
    }

    @Override
    public void phase(String name, long total) {
        finishLine();
        this.phase = name;
        this.total = total;
        this.done = 0;
        if (!terminal) {
            out.printf("[%6.1f s] %s%n", elapsed(), name);
        }
        draw(true);
    }

    @Override
    public void advance(long n) {
        done += n;
        draw(false);
    }

    void finish() {
        finishLine();
    }

    private void draw(boolean force) {
        if (!terminal) {
            return;
        }
        long now = System.nanoTime();
        if (!force && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, done * WIDTH / total);
            out.printf("\r%-18s [%s%s] %3d%%  %6.1f s", phase, "#".repeat(filled), " ".repeat(WIDTH - filled), Math.min(100, done * 100 / total), elapsed());
        } else {
            out.printf("\r%-18s %6.1f s", phase, elapsed());
        }
    }

    private void finishLine() {
        if (terminal && phase != null) {
            draw(true);
            out.println();
        }
    }

    private double elapsed() {
        return (System.nanoTime() - started) / 1e9;
    }
}
