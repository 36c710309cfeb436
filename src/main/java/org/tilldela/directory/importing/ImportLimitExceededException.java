package org.tilldela.directory.importing;

/**
 * The input goes beyond one of the {@link ImportLimits}: refused like any bad input, and stopped at once,
 * before it costs more memory, disk or time. Its reason names the file and the limit (never content).
 */
public class ImportLimitExceededException extends ImportRejectedException {

    public ImportLimitExceededException(ImportProblem problem) {
        super(problem);
    }
}
