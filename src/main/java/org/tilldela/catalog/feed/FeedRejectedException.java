package org.tilldela.catalog.feed;

import java.util.List;

/** The feed had problems, so none of it was applied. */
public class FeedRejectedException extends RuntimeException {

    private final transient List<FeedProblem> problems;

    public FeedRejectedException(List<FeedProblem> problems) {
        super(problems.size() + " problem(s) in the feed; nothing was applied"
                + (problems.isEmpty() ? "" : " (first: " + problems.getFirst().where() + ": " + problems.getFirst().reason() + ")"));
        this.problems = List.copyOf(problems);
    }

    public List<FeedProblem> problems() {
        return problems;
    }
}
