package org.tilldela.catalog.feed;

import java.util.List;

/**
 * One thing wrong with a feed: where (the CSV line, counting the header as line 1, or the JSON product's
 * index in {@code products}, from 0), which field, and why — a message code under {@code catalog.error.}
 * with its arguments, and the reason in English for the API and the command line.
 */
public record FeedProblem(Integer line, Integer index, String field, String code, List<String> args, String reason) {

    public FeedProblem {
        args = List.copyOf(args);
    }

    /** "line 7" or "product 3", for logs and the command line. */
    public String where() {
        return line != null ? "line " + line : index != null ? "product " + index : "feed";
    }
}
