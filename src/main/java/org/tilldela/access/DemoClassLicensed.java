package org.tilldela.access;

import java.util.List;
import java.util.UUID;

/** On first start, the demo licensed one class for a product under an approved agreement; demos of later modules build on it. */
public record DemoClassLicensed(UUID productId, String className, List<UUID> personIds) {
}
