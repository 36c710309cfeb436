package org.tilldela.usage;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.tilldela.governance.CallerScope;

/**
 * Whose figures an account may see on the utilisation page, as SQL to put in a query's {@code where} (like
 * {@link CallerScope}, which it wraps for a scoped grant): everything (a licence administrator of the whole
 * installation), the pools of the organisation a buyer buys for, or the school units of a scoped grant (a
 * principal: their school only).
 */
public final class Viewer {

    private enum Kind { EVERYTHING, BUYER, GRANTED, REGIONAL }

    private final Kind kind;
    private final UUID organisation;
    private final UUID organiser;
    private final CallerScope scope;

    private Viewer(Kind kind, UUID organisation, UUID organiser, CallerScope scope) {
        this.kind = kind;
        this.organisation = organisation;
        this.organiser = organiser;
        this.scope = scope;
    }

    public static Viewer everything() {
        return new Viewer(Kind.EVERYTHING, null, null, null);
    }

    /** A buyer: the organisation they buy for (an organiser, or one school unit) and the organiser above it. */
    public static Viewer buyer(UUID organisation, UUID organiser) {
        return new Viewer(Kind.BUYER, Objects.requireNonNull(organisation), Objects.requireNonNull(organiser), null);
    }

    /** A grant over some organisation units (not nothing, not the whole installation). */
    public static Viewer granted(CallerScope scope) {
        if (scope.isNothing()) {
            throw new IllegalArgumentException("a scope that covers nothing sees nothing: no viewer");
        }
        return scope.isWholeInstallation() ? everything() : new Viewer(Kind.GRANTED, null, null, scope);
    }

    /**
     * A purchasing centre (REGIONAL) over some organisers: the pools within its scope, with their figures per organiser
     * (the organisation a pool was bought for is replaced by its organiser: no school unit is told apart, and never a
     * person).
     */
    public static Viewer regional(CallerScope scope) {
        if (scope.isNothing()) {
            throw new IllegalArgumentException("a scope that covers nothing sees nothing: no viewer");
        }
        return new Viewer(Kind.REGIONAL, null, null, scope);
    }

    /** Whether the viewer sees everything (a licence administrator of the whole installation). */
    boolean everythingSeen() {
        return kind == Kind.EVERYTHING;
    }

    /** Figures per organiser rather than per organisation bought for (a purchasing centre's). */
    public boolean perOrganiser() {
        return kind == Kind.REGIONAL;
    }

    /** The column of {@code licence_pool} that names the organisation a line is about: the pool's scope, or its organiser. */
    String lineOrganisation(String alias) {
        return alias + (perOrganiser() ? ".organiser_id" : ".scope_id");
    }

    /** The parameters the fragments use: bind them with the statement. */
    Map<String, Object> params() {
        return switch (kind) {
            case EVERYTHING -> Map.of();
            case BUYER -> Map.of("viewer_organisation", organisation);
            case GRANTED, REGIONAL -> scope.params();
        };
    }

    /**
     * A licence pool (alias of {@code licence_pool}) is seen: a buyer's are those bought by or for their organisation; a
     * grant's those it covers for everyone at the pool's unit ({@link CallerScope#unitInEveryForm}, as the licence pages
     * decide: a grant narrowed to preschools sees no organiser-wide pool).
     */
    String pool(String alias) {
        return switch (kind) {
            case EVERYTHING -> "true";
            case BUYER -> "(" + alias + ".organiser_id = :viewer_organisation or " + alias + ".scope_id = :viewer_organisation)";
            case GRANTED, REGIONAL -> scope.unitInEveryForm(alias + ".scope_id");
        };
    }

    /**
     * Figures of a school unit (its id column), from pools of an organiser (its id column), are seen: an organiser's
     * buyer sees all its units, a school unit's buyer and a scoped grant only their own units.
     */
    String unit(String unitColumn, String organiserColumn) {
        return switch (kind) {
            case EVERYTHING -> "true";
            case BUYER -> organisation.equals(organiser) ? "(" + organiserColumn + " = :viewer_organisation)" : "(" + unitColumn + " = :viewer_organisation)";
            case GRANTED, REGIONAL -> scope.unitInEveryForm(unitColumn);
        };
    }

    /** Tells apart viewers whose figures may differ: the kind, the organisation bought for, and a scoped grant's account. */
    String key() {
        return kind + ":" + organisation + ":" + new java.util.TreeMap<>(params());
    }

    @Override
    public String toString() {
        return "Viewer[" + kind + "]";
    }
}
