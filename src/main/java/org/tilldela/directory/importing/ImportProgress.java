package org.tilldela.directory.importing;

/** Told how a long import goes, for a progress bar on the command line or a live view in the browser. */
public interface ImportProgress {

    /** A new phase starts; total is the expected amount of work in it (records, or a file's bytes), or 0 when unknown. */
    void phase(String name, long total);

    /** n more units of the current phase are done. */
    void advance(long n);

    /**
     * n more records were read in the current phase, where the phase counts something else (a file's bytes): the live
     * view says how many records that is. Told in batches (a thousand at a time), not per record.
     */
    default void records(long n) {
    }

    ImportProgress NONE = new ImportProgress() {
        @Override
        public void phase(String name, long total) {
        }

        @Override
        public void advance(long n) {
        }
    };
}
