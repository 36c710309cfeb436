package org.tilldela.licensing;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.tilldela.catalog.Attribute;

/**
 * A pool that may not be created; nothing was. The message is plain English (the API's answer); each
 * reason's {@code code} and {@code args} let a page say it in the reader's language (messages
 * {@code licences.refused.<code>}), {@code attributes} the data it is about.
 */
public class PoolRefused extends IllegalArgumentException {

    public record Reason(String code, List<String> args, Set<Attribute> attributes, String english) {
        public Reason {
            args = List.copyOf(args);
            attributes = Set.copyOf(attributes);
        }

        public static Reason of(String code, String english, String... args) {
            return new Reason(code, List.of(args), Set.of(), english);
        }
    }

    private final transient List<Reason> reasons;

    public PoolRefused(List<Reason> reasons) {
        super(reasons.stream().map(Reason::english).collect(Collectors.joining(" ")));
        this.reasons = List.copyOf(reasons);
    }

    public PoolRefused(Reason reason) {
        this(List.of(reason));
    }

    public List<Reason> reasons() {
        return reasons;
    }
}
