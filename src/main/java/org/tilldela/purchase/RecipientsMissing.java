package org.tilldela.purchase;

/**
 * An order was asked for with a line of a licensed (digital) product that names nobody yet; nothing was
 * placed. {@code productTitle} lets a page say it in the reader's language.
 */
public class RecipientsMissing extends IllegalArgumentException {

    private final String productTitle;

    public RecipientsMissing(String productTitle) {
        super("Choose who should get " + productTitle + " before ordering it.");
        this.productTitle = productTitle;
    }

    public String productTitle() {
        return productTitle;
    }
}
