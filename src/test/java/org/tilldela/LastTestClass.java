package org.tilldela;

import java.util.Comparator;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * The suite's class order (junit-platform.properties): as the test classes were found, except that a class marked
 * {@link RunsLast} runs after every other — it looks at what the whole run left behind.
 */
public final class LastTestClass implements ClassOrderer {

    @Override
    public void orderClasses(ClassOrdererContext context) {
        // a stable sort: every other class keeps its place
        context.getClassDescriptors().sort(Comparator.comparing(d -> d.isAnnotated(RunsLast.class)));
    }

    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target(java.lang.annotation.ElementType.TYPE)
    public @interface RunsLast {
    }
}
