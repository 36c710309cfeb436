package org.tilldela.directory.importing;

import java.util.Optional;

/**
 * Reads one source's snapshot (a OneRoster zip, an SS 12000 server) into the stage. Problems with the
 * input go to {@link StagedSnapshot#problems()}; the importer refuses the whole import if there are any.
 */
public interface SnapshotReader {

    /** The source kind as stored: ONEROSTER, SS12000, CSV. */
    String sourceKind();

    void read(StagedSnapshot stage, ImportProgress progress);

    /**
     * A digest of exactly the input {@link #read} reads (a package's bytes), so that the importer can recognise
     * the package it imported last without reading it again; empty when the input is not a fixed file (a
     * server). Asked before and after reading: the two must agree for the import to be remembered as this package.
     */
    default Optional<byte[]> packageDigest() {
        return Optional.empty();
    }
}
