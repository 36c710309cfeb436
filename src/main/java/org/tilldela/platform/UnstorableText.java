package org.tilldela.platform;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.sql.SQLException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * PostgreSQL stores no NUL character (U+0000) in text, and refuses any parameter holding one with SQLSTATE
 * 22021 (character_not_in_repertoire) — a search word from a URL, a field of a form or a JSON body. Java
 * strings reach it as valid UTF-8 otherwise, so that state always means the client sent text we cannot
 * store: a 400 through the ordinary error page, never a 500, and nothing of the text logged. Handling the
 * database's answer in one place covers every input, present and future, better than checking each.
 */
@ControllerAdvice
class UnstorableText {

    static final String CHARACTER_NOT_IN_REPERTOIRE = "22021";
    /** A date or time beyond what PostgreSQL keeps (years 4713 BC to 294276 AD; date 5874897 AD) — a date typed. */
    static final String DATETIME_FIELD_OVERFLOW = "22008";

    @ExceptionHandler(DataIntegrityViolationException.class)
    void refuse(DataIntegrityViolationException e, HttpServletResponse response) throws IOException {
        String state = sqlState(e);
        if (!CHARACTER_NOT_IN_REPERTOIRE.equals(state) && !DATETIME_FIELD_OVERFLOW.equals(state)) {
            throw e; // any other violation is handled as before
        }
        response.sendError(HttpServletResponse.SC_BAD_REQUEST);
    }

    /**
     * A date given that Java's own date arithmetic cannot go on from (a year of +999999999 and a day added): the same
     * kind of input, refused the same way.
     */
    @ExceptionHandler(java.time.DateTimeException.class)
    void refuse(java.time.DateTimeException e, HttpServletResponse response) throws IOException {
        response.sendError(HttpServletResponse.SC_BAD_REQUEST);
    }

    /**
     * A body that says it is multipart and is not (no boundary, cut short), or a form sent where a file is expected: 400.
     * A body over the upload limit stays 413 (Spring's own handling of MaxUploadSizeExceededException).
     */
    @ExceptionHandler(org.springframework.web.multipart.MultipartException.class)
    void refuse(org.springframework.web.multipart.MultipartException e, HttpServletResponse response) throws IOException {
        if (e instanceof org.springframework.web.multipart.MaxUploadSizeExceededException) {
            throw e;
        }
        response.sendError(HttpServletResponse.SC_BAD_REQUEST);
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
