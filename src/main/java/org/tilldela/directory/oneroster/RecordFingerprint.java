package org.tilldela.directory.oneroster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.UUID;

/**
 * The fingerprint of a CSV record as one reading of it sees it: MD5 of a recipe's version and the raw values of the
 * columns the reading uses, each prefixed by its length (so that no two different records run together alike), an
 * absent column told apart from an empty value. Two records with the same fingerprint are read into the same rows;
 * the import lets a record whose fingerprint is stored stand without reading it (see {@code RowWriter.keep}). One
 * instance per reading thread.
 */
final class RecordFingerprint {

    /** Which columns a reading uses, and its version: see where each recipe is declared. */
    record Recipe(String version, List<String> columns) {
    }

    private final Recipe recipe;
    private final MessageDigest md5;
    private final StringBuilder input = new StringBuilder(256);

    RecordFingerprint(Recipe recipe) {
        this.recipe = recipe;
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has MD5", e);
        }
    }

    UUID of(CsvTable.Row row) {
        input.setLength(0);
        input.append(recipe.version());
        for (String column : recipe.columns()) {
            String value = row.raw(column);
            if (value == null) {
                input.append('-');
            } else {
                input.append(value.length()).append(':').append(value);
            }
        }
        ByteBuffer digest = ByteBuffer.wrap(md5.digest(input.toString().getBytes(StandardCharsets.UTF_8)));
        return new UUID(digest.getLong(), digest.getLong());
    }
}
