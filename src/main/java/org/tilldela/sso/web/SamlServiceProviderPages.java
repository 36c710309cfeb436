package org.tilldela.sso.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.sso.SamlServiceProviders;
import org.tilldela.sso.SignInClientRefused;

/** The administrators' page of SAML service providers: the registered ones, and registering one from its metadata. */
@Controller
@RequestMapping("/sso/saml")
@PreAuthorize("hasAuthority('RIGHT_ACCESS_ADMIN') and @scopes.wholeInstallation(authentication, 'ACCESS_ADMIN')")
class SamlServiceProviderPages {

    private final SamlServiceProviders providers;
    private final Catalog catalog;
    private final org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings provider;

    SamlServiceProviderPages(SamlServiceProviders providers, Catalog catalog,
                             org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings provider) {
        this.providers = providers;
        this.catalog = catalog;
        this.provider = provider;
    }

    record Row(SamlServiceProviders.ServiceProvider sp, String product, String articleNumber) {
    }

    @GetMapping
    String index(Model model, HttpServletRequest request) {
        var all = providers.all();
        var products = catalog.products(all.stream().map(SamlServiceProviders.ServiceProvider::productId).distinct().toList()).stream()
                .collect(java.util.stream.Collectors.toMap(Product::id, p -> p));
        model.addAttribute("rows", all.stream().map(sp -> new Row(sp, products.containsKey(sp.productId()) ? products.get(sp.productId()).title() : "",
                products.containsKey(sp.productId()) ? products.get(sp.productId()).articleNumber() : "")).toList());
        String base = provider.getIssuer() != null ? provider.getIssuer()
                : org.springframework.web.servlet.support.ServletUriComponentsBuilder.fromContextPath(request).build().toUriString();
        model.addAttribute("idpMetadata", base + "/saml2/idp/metadata");
        return "sso/saml-service-providers";
    }

    @PostMapping
    String register(@RequestParam String articleNumber, @RequestParam(defaultValue = "") String metadata,
                    @RequestParam(defaultValue = "") String metadataUrl, Authentication admin, RedirectAttributes redirect) {
        UUID product = catalog.productByArticleNumber(articleNumber.strip()).map(Product::id).orElse(null);
        if (product == null) {
            redirect.addFlashAttribute("problemKey", "sso.saml.admin.noProduct");
            return "redirect:/sso/saml";
        }
        try {
            if (!metadata.isBlank()) {
                providers.register(product, metadata, admin.getName());
            } else {
                providers.registerFrom(product, metadataUrl, admin.getName());
            }
            redirect.addFlashAttribute("messageKey", "sso.saml.admin.registered");
        } catch (SignInClientRefused e) {
            redirect.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/sso/saml";
    }

    @PostMapping("/remove")
    String remove(@RequestParam String entityId, Authentication admin, RedirectAttributes redirect) {
        if (providers.remove(entityId, admin.getName())) {
            redirect.addFlashAttribute("messageKey", "sso.saml.admin.removed");
        } else {
            redirect.addFlashAttribute("problemKey", "sso.saml.admin.notRegistered");
        }
        return "redirect:/sso/saml";
    }
}
