package org.tilldela.sso;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.springframework.web.util.UriComponentsBuilder;

/** The SAML identity provider's endpoints and the pages of a SAML sign-in (see SamlIdentityProvider). */
@Controller
@PreAuthorize("hasAuthority('ROLE_PERSON')")
class SamlPages {

    private static final Logger log = LoggerFactory.getLogger(SamlPages.class);
    private static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
            + "form-action 'self'";

    private final SamlIdentityProvider idp;
    private final SamlSingleLogout logout;
    private final AuthorizationServerSettings provider;

    SamlPages(SamlIdentityProvider idp, SamlSingleLogout logout, AuthorizationServerSettings provider) {
        this.idp = idp;
        this.logout = logout;
        this.provider = provider;
    }

    /** The configured public address, or (without tilldela.base-url) this request's origin, as the OpenID provider's issuer. */
    private String base(HttpServletRequest request) {
        return provider.getIssuer() != null ? provider.getIssuer() : ServletUriComponentsBuilder.fromContextPath(request).build().toUriString();
    }

    /** Whatever the client accepts (a browser asks for HTML): the media type SAML metadata is served as (SAML Metadata §4.1.1). */
    @GetMapping(SamlIdentityProvider.METADATA_PATH)
    @PreAuthorize("permitAll()")
    ResponseEntity<String> metadata(HttpServletRequest request) {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/samlmetadata+xml")).body(idp.metadata(base(request)));
    }

    /** SP-initiated, HTTP-Redirect binding. */
    @GetMapping(SamlIdentityProvider.SSO_PATH)
    @PreAuthorize("permitAll()")
    String redirectBinding(@RequestParam(name = "SAMLRequest", required = false) String samlRequest,
                           @RequestParam(name = "RelayState", required = false) String relayState, HttpServletRequest request) {
        return continueAt(idp.receive(samlRequest, relayState, request.getQueryString() == null ? "" : request.getQueryString(), base(request)));
    }

    /** SP-initiated, HTTP-POST binding. */
    @PostMapping(SamlIdentityProvider.SSO_PATH)
    @PreAuthorize("permitAll()")
    String postBinding(@RequestParam(name = "SAMLRequest", required = false) String samlRequest,
                       @RequestParam(name = "RelayState", required = false) String relayState, HttpServletRequest request) {
        return continueAt(idp.receive(samlRequest, relayState, null, base(request)));
    }

    /** IdP-initiated, from the start page's tile. */
    @GetMapping("/saml2/idp/initiate")
    String initiate(@RequestParam("sp") String entityId) {
        return continueAt(idp.initiate(entityId));
    }

    private static String continueAt(String key) {
        return "redirect:" + UriComponentsBuilder.fromPath(SamlIdentityProvider.CONTINUE_PATH).queryParam("key", key).build().toUriString();
    }

    @GetMapping(SamlIdentityProvider.CONTINUE_PATH)
    String proceed(@RequestParam("key") String key, Authentication person, Model model, HttpServletRequest request, HttpServletResponse response) {
        SamlIdentityProvider.Next next = idp.proceed(UUID.fromString(person.getName()), key, base(request));
        switch (next) {
            case SamlIdentityProvider.NoLicence refused -> {
                policy(response, refused.denied().acsUrl());
                model.addAttribute("denied", refused.refusal());
                model.addAttribute("saml", refused.denied());
                return "sso/no-licence";
            }
            case SamlIdentityProvider.Notice notice -> {
                policy(response, null);
                model.addAttribute("notice", notice.notice());
                model.addAttribute("samlKey", key);
                return "sso/notice";
            }
            case SamlIdentityProvider.Post post -> {
                if (post.participant() != null) {
                    // which SPs got an assertion in this session: Single Logout signs the person out of them
                    SamlSingleLogout.remember(request.getSession(), post.participant());
                }
                policy(response, post.form().acsUrl());
                model.addAttribute("saml", post.form());
                return "sso/saml-post";
            }
        }
    }

    /** "Continue" on the first-use notice. */
    @PostMapping(SamlIdentityProvider.CONTINUE_PATH + "/notice")
    String noticeRead(@RequestParam("key") String key, Authentication person) {
        idp.noticeSeen(UUID.fromString(person.getName()), key);
        return continueAt(key);
    }

    // ---- Single Logout

    /** An SP's LogoutRequest or LogoutResponse, HTTP-Redirect binding. */
    @GetMapping(SamlSingleLogout.SLO_PATH)
    @PreAuthorize("permitAll()")
    String logoutRedirect(@RequestParam(name = "SAMLRequest", required = false) String samlRequest,
                          @RequestParam(name = "SAMLResponse", required = false) String samlResponse,
                          @RequestParam(name = "RelayState", required = false) String relayState, HttpServletRequest request,
                          HttpServletResponse response, Model model) {
        return logoutMessage(samlRequest, samlResponse, relayState, request.getQueryString() == null ? "" : request.getQueryString(), request,
                response, model);
    }

    /** An SP's LogoutRequest or LogoutResponse, HTTP-POST binding (cross-site: no session cookie, no CSRF token; the message's own checks stand). */
    @PostMapping(SamlSingleLogout.SLO_PATH)
    @PreAuthorize("permitAll()")
    String logoutPost(@RequestParam(name = "SAMLRequest", required = false) String samlRequest,
                      @RequestParam(name = "SAMLResponse", required = false) String samlResponse,
                      @RequestParam(name = "RelayState", required = false) String relayState, HttpServletRequest request,
                      HttpServletResponse response, Model model) {
        return logoutMessage(samlRequest, samlResponse, relayState, null, request, response, model);
    }

    private String logoutMessage(String samlRequest, String samlResponse, String relayState, String rawQuery, HttpServletRequest request,
                                 HttpServletResponse response, Model model) {
        if (samlRequest != null && !samlRequest.isBlank()) {
            // on to Tilldela's own origin, where the session cookie comes along, before the session is looked at
            return "redirect:" + UriComponentsBuilder.fromPath(SamlSingleLogout.CONTINUE_PATH)
                    .queryParam("key", logout.receiveRequest(samlRequest, relayState, rawQuery, base(request))).build().toUriString();
        }
        if (samlResponse != null && !samlResponse.isBlank()) {
            return send(logout.next(logout.receiveResponse(samlResponse, relayState, rawQuery, base(request)), base(request)), response, model);
        }
        throw new SamlIdentityProvider.Refused("No SAMLRequest or SAMLResponse.");
    }

    /** Ends the person's session where the initiating SP was one of its SPs, then sends the browser to the next SP (or back). */
    @GetMapping(SamlSingleLogout.CONTINUE_PATH)
    @PreAuthorize("permitAll()")
    String logoutContinue(@RequestParam("key") String key, HttpServletRequest request, HttpServletResponse response, Model model) {
        Authentication signedIn = org.springframework.security.core.context.SecurityContextHolder.getContext().getAuthentication();
        boolean person = signedIn != null && signedIn.getAuthorities().stream().anyMatch(a -> PersonAccounts.PERSON.equals(a.getAuthority()));
        if (logout.begin(key, SamlSingleLogout.participants(request.getSession(false)), person)) {
            // Spring Security's own sign-out: the session is invalidated (and with it its row in PostgreSQL), the context cleared
            new org.springframework.security.web.authentication.logout.SecurityContextLogoutHandler().logout(request, response, signedIn);
        }
        return send(logout.next(key, base(request)), response, model);
    }

    private static String send(SamlSingleLogout.Next next, HttpServletResponse response, Model model) {
        return switch (next) {
            case SamlSingleLogout.Redirect redirect -> "redirect:" + redirect.url();
            case SamlSingleLogout.Post post -> {
                policy(response, post.url());
                model.addAttribute("logout", post);
                yield "sso/saml-logout";
            }
        };
    }

    /** The pupils' pages' policy; a page whose form goes to the SP's ACS also lets forms go to that one origin (from its metadata). */
    private static void policy(HttpServletResponse response, String acsUrl) {
        String extra = "";
        if (acsUrl != null) {
            URI acs = URI.create(acsUrl);
            extra = " " + acs.getScheme() + "://" + acs.getRawAuthority();
        }
        response.setHeader("Content-Security-Policy", POLICY + extra);
    }

    /** A refused message: the reason is logged for the administrator (it holds no personal data); the browser gets a plain page. */
    @ExceptionHandler(SamlIdentityProvider.Refused.class)
    @ResponseStatus(HttpStatus.BAD_REQUEST)
    @PreAuthorize("permitAll()") // a stranger's refused AuthnRequest gets this page too
    String refused(SamlIdentityProvider.Refused e, Model model, HttpServletResponse response) {
        log.info("SAML request refused: {}", e.getMessage());
        policy(response, null);
        model.addAttribute("reason", e.getMessage());
        return "sso/saml-refused";
    }
}
