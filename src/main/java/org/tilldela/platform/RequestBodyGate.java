package org.tilldela.platform;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Decides, before anything reads a request body, whether it may be read and how much of it. Tomcat parses
 * a multipart body — spooling every part to disk — the first time anyone asks for a request parameter, and
 * the CSRF filter asks for {@code _csrf} before authorisation is checked: without this gate a stranger's
 * upload of gigabytes was written to disk only to be refused. So a multipart body is never read for
 * someone who is not signed in (nor, on the import endpoints, for someone without the right to import),
 * and no body declared larger than its limit is read at all: the import uploads may be
 * {@code tilldela.upload.import-max-size}, every other body {@code tilldela.upload.max-size}. A refusal
 * answers without reading the body (Tomcat then swallows at most {@code server.tomcat.max-swallow-size} of
 * it and closes the connection). A body sent chunked, without a declared length, is bounded while it is
 * read (a multipart one by Tomcat at the import limit, then checked against its own).
 *
 * <p>Sits in both security filter chains after authentication (API: HTTP Basic) or the session's security
 * context (web) is known, and before the CSRF filter; made by {@link RequestBodyLimits#gate()}. Not a bean, so that Spring Boot does not also register
 * it with the servlet container.
 */
final class RequestBodyGate extends OncePerRequestFilter {

    /** The request attribute naming the limit a refused upload went beyond, for the error page (error/413). */
    static final String LIMIT_ATTRIBUTE = "uploadLimit";

    /** The endpoints that take a school's whole OneRoster package: the web form and the API. */
    static final Set<String> IMPORT_PATHS = Set.of("/imports/oneroster", "/api/v1/imports/oneroster");
    /** What the import endpoints require (the controllers say so too, but only after the body is parsed). */
    static final String IMPORT_RIGHT = "RIGHT_DIRECTORY_ADMIN";

    private final DataSize importMaxSize;
    private final DataSize maxSize;

    RequestBodyGate(DataSize importMaxSize, DataSize maxSize) {
        this.importMaxSize = importMaxSize;
        this.maxSize = maxSize;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long length = request.getContentLengthLong();
        boolean chunked = request.getHeader("Transfer-Encoding") != null;
        if (length <= 0 && !chunked) {
            chain.doFilter(request, response); // no body
            return;
        }
        String contentType = request.getContentType();
        boolean multipart = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/");
        DataSize limit = maxSize;
        if (multipart) {
            Authentication auth = SecurityContextHolder.getContext().getAuthentication();
            if (auth == null || !auth.isAuthenticated() || auth instanceof AnonymousAuthenticationToken) {
                response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
                return;
            }
            if (IMPORT_PATHS.contains(pathOf(request))) {
                if (auth.getAuthorities().stream().noneMatch(a -> IMPORT_RIGHT.equals(a.getAuthority()))) {
                    response.sendError(HttpServletResponse.SC_FORBIDDEN);
                    return;
                }
                limit = importMaxSize;
            }
            if (length < 0 && limit != importMaxSize && tooLargeOnceParsed(request, limit)) {
                // Sent chunked, its length unknown beforehand: Tomcat bounds the parse by the largest limit
                // (spring.servlet.multipart.max-request-size), spooling to disk; the smaller one is checked on
                // what was parsed, for someone signed in only.
                request.setAttribute(LIMIT_ATTRIBUTE, describe(limit));
                response.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
                return;
            }
        }
        if (length > limit.toBytes()) {
            request.setAttribute(LIMIT_ATTRIBUTE, describe(limit));
            response.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
            return;
        }
        // A body of unknown length (chunked) is bounded while it is read; form posts are bounded by Tomcat
        // (server.tomcat.max-http-form-post-size) as it parses them.
        chain.doFilter(length < 0 ? new Bounded(request, limit.toBytes()) : request, response);
    }

    private static boolean tooLargeOnceParsed(HttpServletRequest request, DataSize limit) throws IOException {
        long total = 0;
        try {
            for (Part part : request.getParts()) {
                total += part.getSize();
            }
        } catch (IllegalStateException e) {
            return true; // beyond even Tomcat's bound
        } catch (ServletException e) {
            return false; // not readable as multipart: the controller will say so
        }
        return total > limit.toBytes();
    }

    private static String pathOf(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }

    static String describe(DataSize size) {
        long bytes = size.toBytes();
        if (bytes % DataSize.ofGigabytes(1).toBytes() == 0) {
            return size.toGigabytes() + " GB";
        }
        if (bytes % DataSize.ofMegabytes(1).toBytes() == 0) {
            return size.toMegabytes() + " MB";
        }
        if (bytes % DataSize.ofKilobytes(1).toBytes() == 0) {
            return size.toKilobytes() + " kB";
        }
        return bytes + " B";
    }

    /** A request whose body stream ends in an error once more than the limit has been read. */
    private static final class Bounded extends HttpServletRequestWrapper {
        private final long limit;
        private ServletInputStream stream;

        Bounded(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    private long read;

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        if (b >= 0) {
                            count(1);
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = in.read(b, off, len);
                        if (n > 0) {
                            count(n);
                        }
                        return n;
                    }

                    private void count(int n) throws IOException {
                        read += n;
                        if (read > limit) {
                            throw new IOException("the request body is larger than " + limit + " bytes, the limit (tilldela.upload.max-size)");
                        }
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(getInputStream(), encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding)));
        }
    }
}
