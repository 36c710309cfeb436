package org.tilldela.catalog.feed;

/** A feed applied: how many products it created and how many existing ones (same article number) it updated. */
public record FeedResult(CatalogFeeds.Format format, int products, int created, int updated) {
}
