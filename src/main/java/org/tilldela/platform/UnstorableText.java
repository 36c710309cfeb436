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

    @ExceptionHandler(DataIntegrityViolationException.class)
    void refuse(DataIntegrityViolationException e, HttpServletResponse response) throws IOException {
        if (!CHARACTER_NOT_IN_REPERTOIRE.equals(sqlState(e))) {
            throw e; // any other violation is handled as before
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
