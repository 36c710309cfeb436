package org.tilldela.catalog.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogPage;
import org.tilldela.catalog.CatalogQuery;
import org.tilldela.catalog.CatalogSearch;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;

/** The catalogue for buyers (and its keepers): search with facets, and a product with its data-needs declaration and supplier. */
@RestController
@PreAuthorize("hasAnyAuthority('RIGHT_BUYER','RIGHT_CATALOG_ADMIN')")
@RequestMapping("/api/v1/catalog")
@Tag(name = "Catalogue", description = "Search products (Swedish and Danish full text, facets, pages) and read one with its data-needs declaration.")
class CatalogApi {

    private final CatalogSearch search;
    private final Catalog catalog;

    CatalogApi(CatalogSearch search, Catalog catalog) {
        this.search = search;
        this.catalog = catalog;
    }

    /** A product with the supplier that would receive its declared data: where it processes, under which agreements. */
    record ProductDetail(Product product, Supplier supplier) {
    }

    @GetMapping("/products")
    @Operation(summary = "Search the catalogue; facet values within one facet are alternatives, different facets all apply")
    CatalogPage products(@RequestParam(defaultValue = "") @Parameter(description = "words, Swedish or Danish; the last is a prefix") String q,
                         @RequestParam(required = false) @Parameter(description = "PRINTED_BOUND, PRINTED_PAPERBACK, DIGITAL, BUNDLE") List<String> kind,
                         @RequestParam(required = false) @Parameter(description = "school form code, e.g. GR, DK-FS") List<String> form,
                         @RequestParam(required = false) List<String> subject,
                         @RequestParam(required = false) @Parameter(description = "supplier id") List<String> supplier,
                         @RequestParam(required = false) @Parameter(description = "a declared attribute, e.g. GIVEN_NAME") List<String> need,
                         @RequestParam(defaultValue = "1") int page,
                         @RequestParam(defaultValue = "20") @Parameter(description = "at most " + CatalogQuery.MAX_PAGE_SIZE) int size) {
        return search.search(new SearchParams(q, kind, form, subject, supplier, need, page, size).toQuery());
    }

    @GetMapping("/products/{id}")
    @Operation(summary = "A product with its data-needs declaration and its supplier")
    ProductDetail product(@PathVariable UUID id) {
        Product product = catalog.product(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no product " + id));
        return new ProductDetail(product, catalog.supplier(product.supplierId()).orElseThrow());
    }
}
