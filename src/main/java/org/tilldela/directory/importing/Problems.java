package org.tilldela.directory.importing;

import java.util.ArrayList;
import java.util.List;

/** Collects what is wrong with an input, so one run reports many problems, not just the first. Thread-safe: readers may read files in parallel. */
public final class Problems {

    public static final int LIMIT = 50;

    private final List<ImportProblem> list = new ArrayList<>();
    private int total;

    public synchronized void add(String file, long line, String column, String reason) {
        total++;
        if (list.size() < LIMIT) {
            list.add(new ImportProblem(file, line, column, reason));
        }
    }

    public synchronized boolean full() {
        return total >= LIMIT;
    }

    /** Throws when anything was found, so the import's transaction rolls back. */
    public synchronized void throwIfAny() {
        if (total > 0) {
            List<ImportProblem> reported = new ArrayList<>(list);
            if (total > list.size()) {
                reported.add(new ImportProblem("(all files)", 0, null, (total - list.size()) + " further problem(s) not listed"));
            }
            throw new ImportRejectedException(reported);
        }
    }
}
