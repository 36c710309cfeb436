package org.tilldela.platform;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.webmvc.autoconfigure.error.ErrorViewResolver;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.ModelAndView;

/**
 * Every error answered as a page of the site — its layout, navigation and language — saying what went wrong in
 * words (400, 403, 404, 500 each their own; any other status the nearest of them) with a way back: to the area
 * the failing address belongs to, and to the start page. Nothing from the request is echoed but that area's name.
 * An upload refused for its size keeps its own page (error/413).
 */
@Component
class ErrorPages implements ErrorViewResolver {

    /** The site's areas as the navigation names them: path prefix and message key. */
    private static final List<Map.Entry<String, String>> AREAS = List.of(
            Map.entry("/directory", "nav.directory"), Map.entry("/imports", "nav.imports"), Map.entry("/purchase/approvals", "nav.purchaseApprovals"),
            Map.entry("/purchase", "nav.purchase"), Map.entry("/catalog", "nav.catalog"), Map.entry("/licences", "nav.licences"),
            Map.entry("/access", "nav.access"), Map.entry("/provisioning", "nav.connectors"), Map.entry("/ledger", "nav.ledger"));

    @Override
    public ModelAndView resolveErrorView(HttpServletRequest request, HttpStatus status, Map<String, Object> model) {
        if (status.value() == 413) {
            return new ModelAndView("error/413", model, status);
        }
        Map<String, Object> page = new HashMap<>(model);
        page.put("kind", switch (status.value()) {
            case 400, 403, 404 -> String.valueOf(status.value());
            default -> status.is4xxClientError() ? "400" : "500";
        });
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String path = uri instanceof String s ? s : "";
        AREAS.stream().filter(a -> path.equals(a.getKey()) || path.startsWith(a.getKey() + "/")).findFirst().ifPresent(a -> {
            page.put("backHref", a.getKey());
            page.put("backName", a.getValue());
        });
        return new ModelAndView("error/page", page, status);
    }
}
