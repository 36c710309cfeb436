package org.tilldela.sso;

import java.time.Instant;
import java.util.UUID;

/**
 * A person signed in to a product through Tilldela: the product redeemed an authorization code for them (a
 * refresh is not a sign-in). Published after the release for the sign-in was made and recorded; the usage
 * module counts it as use of the product.
 */
public record SignedInToProduct(UUID personId, UUID productId, UUID supplierId, Instant at) {
}
