package org.tilldela.platform;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.MessageSource;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.util.HtmlUtils;

/**
 * A request Tomcat refuses before the application sees it — a search so long that the address is beyond what the
 * server reads (8 KB of request line and headers), a malformed request line — gets a page of the site saying so,
 * not Tomcat's own "HTTP Status 400" page. Without its headers read the reader's language is not known: the page
 * then says it in Swedish, Danish and English. Errors the application answers itself keep its error pages
 * ({@link ErrorPages}); this valve only speaks when nothing else has.
 */
@Component
class RequestErrorPage implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>, Ordered {

    private static final List<Locale> LANGUAGES = List.of(Locale.of("sv"), Locale.of("da"), Locale.ENGLISH);

    private final MessageSource messages;

    RequestErrorPage(MessageSource messages) {
        this.messages = messages;
    }

    /** After Spring Boot's own error valve is added: the valve added last runs first when the answer is written. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
        factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                // the host adds an error valve of this class only when it has none, so Tomcat's own is not added after it
                host.setErrorReportValveClass(SiteErrorReportValve.class.getName());
                host.getPipeline().addValve(new SiteErrorReportValve(messages));
            }
        });
    }

    /** Writes the page for an error answer nothing has written a body for. */
    static final class SiteErrorReportValve extends ErrorReportValve {

        private final MessageSource messages;

        /** For Tomcat, which makes one by its class name if it must (it does not: one is always added). */
        public SiteErrorReportValve() {
            this(null);
        }

        SiteErrorReportValve(MessageSource messages) {
            this.messages = messages;
            setShowReport(false);
            setShowServerInfo(false);
        }

        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int status = response.getStatus();
            if (messages == null || status < 400 || response.getContentWritten() > 0) {
                super.report(request, response, throwable);
                return;
            }
            AtomicBoolean ioAllowed = new AtomicBoolean(false);
            response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
            if (!ioAllowed.get() || !response.setErrorReported()) {
                return;
            }
            try {
                response.setContentType("text/html");
                response.setCharacterEncoding("UTF-8");
                Writer writer = response.getReporter();
                if (writer != null) {
                    writer.write(page(status, languages(request)));
                }
            } catch (IOException | IllegalStateException e) {
                // the client is gone or the answer is already on its way: nothing more to say
            }
        }

        /** The reader's language when their request said it (Accept-Language read); all three when it is not known. */
        private static List<Locale> languages(Request request) {
            String asked = request.getHeader("Accept-Language");
            if (asked == null) {
                return LANGUAGES;
            }
            Locale first = request.getLocale();
            return LANGUAGES.stream().filter(l -> l.getLanguage().equals(first.getLanguage())).findFirst().map(List::of).orElse(LANGUAGES);
        }

        private String page(int status, List<Locale> languages) {
            Locale main = languages.getFirst();
            StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"").append(main.getLanguage()).append("\">\n<head>\n")
                    .append("<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                    .append("<title>").append(text("error.request.title", main)).append(" – Tilldela</title>\n")
                    .append("<link rel=\"stylesheet\" href=\"/css/tilldela.css\">\n</head>\n<body>\n")
                    .append("<a class=\"skip-link\" href=\"#main\">").append(text("nav.skip", main)).append("</a>\n")
                    .append("<header class=\"banner\"><a class=\"brand\" href=\"/\"><span aria-hidden=\"true\" class=\"logo\">▚</span> ")
                    .append("<span>Tilldela</span></a>\n<nav aria-label=\"").append(text("nav.main", main)).append("\"><ul><li><a href=\"/\">")
                    .append(text("error.home", main)).append("</a></li></ul></nav></header>\n<main id=\"main\">\n");
            boolean first = true;
            for (Locale l : languages) {
                html.append("<section lang=\"").append(l.getLanguage()).append("\">\n<").append(first ? "h1" : "h2").append(">")
                        .append(text("error.request.title", l)).append("</").append(first ? "h1" : "h2").append(">\n<p>")
                        .append(text("error.request.body", l)).append("</p>\n<p><a href=\"/\">").append(text("error.home", l))
                        .append("</a></p>\n</section>\n");
                first = false;
            }
            html.append("<p class=\"muted small\">").append(text("error.status", main, status)).append("</p>\n</main>\n")
                    .append("<footer class=\"footer\"><p>").append(text("app.tagline", main)).append("</p></footer>\n</body>\n</html>\n");
            return html.toString();
        }

        private String text(String key, Locale locale, Object... args) {
            return HtmlUtils.htmlEscape(messages.getMessage(key, args, key, locale), "UTF-8");
        }
    }
}
