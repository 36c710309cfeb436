package org.tilldela.directory.importing;

/**
 * Why an input was refused, pointing at the place: file (or SS 12000 endpoint), line (or item number),
 * column (or field), and the reason in plain words. Values that could be personal data are never quoted;
 * source ids are.
 */
public record ImportProblem(String file, long line, String column, String reason) {

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(", line ").append(line);
        }
        if (column != null && !column.isBlank()) {
            sb.append(", column ").append(column);
        }
        return sb.append(": ").append(reason).toString();
    }
}
