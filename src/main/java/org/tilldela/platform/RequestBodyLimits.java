package org.tilldela.platform;

import jakarta.servlet.Filter;
import org.springframework.util.unit.DataSize;

/**
 * How large a request body may be: {@code tilldela.upload.import-max-size} for the OneRoster import
 * endpoints, {@code tilldela.upload.max-size} for every other. Every security chain that reads bodies puts
 * a {@link #gate()} before anything reads one (the administrators' doors here, the sign-in doors of the sso module).
 */
public record RequestBodyLimits(DataSize importMaxSize, DataSize maxSize) {

    /** A gate of its own for one filter chain (a filter, not a bean: the servlet container must not run it for every request too). */
    public Filter gate() {
        return new RequestBodyGate(importMaxSize, maxSize);
    }
}
