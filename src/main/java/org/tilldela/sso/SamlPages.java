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
    private final AuthorizationServerSettings provider;

    SamlPages(SamlIdentityProvider idp, AuthorizationServerSettings provider) {
        this.idp = idp;
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
