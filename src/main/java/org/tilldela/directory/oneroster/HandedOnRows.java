package org.tilldela.directory.oneroster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A table's rows parsed on the calling thread and handled, in their order, on a thread of their own. For users.csv:
 * handling a user's record (its fingerprint, whether it is stored, what the guardian links need of it) costs about what
 * parsing it does, and the file is the longest of a package — in a nightly delta the other reading thread had finished
 * enrollments.csv a second and a half before this one finished users.csv, one core doing the work of two
 * (BENCHMARKS.md). Rows go over in batches; the handler sees them one at a time, never two at once, so it needs no
 * locking of its own. What the handler throws stops the parsing and is thrown here.
 */
final class HandedOnRows {

    private static final int BATCH = 512;
    /** Batches waiting: enough to even out the two sides, few enough to hold little (a batch is about 100 KB). */
    private static final int WAITING = 8;
    private static final List<CsvTable.Row> END = List.of();

    private HandedOnRows() {
    }

    static void forEachRow(CsvTable table, String threadName, Consumer<CsvTable.Row> handler) {
        BlockingQueue<List<CsvTable.Row>> queue = new ArrayBlockingQueue<>(WAITING);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        AtomicBoolean abandoned = new AtomicBoolean();
        Thread worker = Thread.ofPlatform().name(threadName).start(() -> {
            boolean handling = true;
            while (true) {
                List<CsvTable.Row> batch = takeUninterruptibly(queue);
                if (batch == END) {
                    return;
                }
                // after a failure (or when the reading is abandoned) the rest is only taken, so that the parsing side never waits
                for (int i = 0; handling && i < batch.size(); i++) {
                    if (abandoned.get()) {
                        handling = false;
                        break;
                    }
                    try {
                        handler.accept(batch.get(i));
                    } catch (Throwable t) {
                        failed.compareAndSet(null, t);
                        handling = false;
                    }
                }
            }
        });
        var batch = new Object() {
            List<CsvTable.Row> rows = new ArrayList<>(BATCH);
        };
        try {
            table.forEachRow(r -> {
                if (failed.get() != null) {
                    throw new HandlerFailed();
                }
                batch.rows.add(r);
                if (batch.rows.size() == BATCH) {
                    putUninterruptibly(queue, batch.rows);
                    batch.rows = new ArrayList<>(BATCH);
                }
            });
            if (!batch.rows.isEmpty()) {
                putUninterruptibly(queue, batch.rows);
            }
        } catch (HandlerFailed stopped) {
            // thrown below
        } catch (RuntimeException | Error e) {
            abandoned.set(true); // the parsing failed: what is queued is not handled
            throw e;
        } finally {
            if (Thread.currentThread().isInterrupted()) {
                abandoned.set(true); // the import is being abandoned (see CsvTable.forEachRow)
            }
            putUninterruptibly(queue, END);
            joinUninterruptibly(worker);
        }
        Throwable t = failed.get();
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    /** The handler has failed: the parsing stops. */
    private static final class HandlerFailed extends RuntimeException {
        HandlerFailed() {
            super(null, null, false, false);
        }
    }

    private static <T> void putUninterruptibly(BlockingQueue<T> queue, T item) {
        uninterruptibly(() -> {
            queue.put(item);
            return null;
        });
    }

    private static <T> T takeUninterruptibly(BlockingQueue<T> queue) {
        return uninterruptibly(queue::take);
    }

    private static void joinUninterruptibly(Thread thread) {
        uninterruptibly(() -> {
            thread.join();
            return null;
        });
    }

    /** A wait that an interrupt does not cut short (the two sides must meet at the end); the interrupt is kept. */
    private static <T> T uninterruptibly(Waiting<T> waiting) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return waiting.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private interface Waiting<T> {
        T get() throws InterruptedException;
    }
}
