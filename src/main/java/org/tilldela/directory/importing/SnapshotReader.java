package org.tilldela.directory.importing;

/**
 * Reads one source's snapshot (a OneRoster zip, an SS 12000 server) into the stage. Problems with the
 * input go to {@link StagedSnapshot#problems()}; the importer refuses the whole import if there are any.
 */
public interface SnapshotReader {

    /** The source kind as stored: ONEROSTER, SS12000, CSV. */
    String sourceKind();

    void read(StagedSnapshot stage, ImportProgress progress);
}
