package org.tilldela.catalog;

/** The demo catalogue has been loaded on first start (after the demo municipality); demos of later modules build on it. */
public record DemoCatalogueLoaded() {
}
