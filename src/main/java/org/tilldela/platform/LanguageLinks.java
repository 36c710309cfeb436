package org.tilldela.platform;

import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The header's language links lead to the same page with the same query — a search, a filter, a page number —
 * and only {@code lang} set, so switching language keeps what the user was looking at. Relative to the server
 * (path and query only): the link cannot lead anywhere else, whatever the request's Host header says.
 */
@ControllerAdvice(annotations = Controller.class)
class LanguageLinks {

    @ModelAttribute("languageLinks")
    Map<String, String> languageLinks(HttpServletRequest request) {
        Map<String, String> links = new LinkedHashMap<>();
        for (Locale language : WebConfiguration.SUPPORTED) {
            // the request's own path and query are already encoded: kept as they came (build(true)), lang replaced
            links.put(language.getLanguage(), UriComponentsBuilder.fromPath(request.getRequestURI()).query(request.getQueryString())
                    .replaceQueryParam("lang", language.getLanguage()).build(true).toUriString());
        }
        return links;
    }
}
