package org.tilldela.directory;

/**
 * Which organisation is a unit's organiser (huvudman / skoleejer): the nearest one of kind ORGANISER above it (or the
 * unit itself, when it is one). Units can sit under area offices, and an import can put organisations above the
 * organiser (OneRoster's state and national orgs, SS 12000's parents that are not a Huvudman — all kind OTHER), so
 * neither the unit's parent nor the top of its ancestry will do. One fragment, so that what the release policy
 * releases as a person's organiser and what a connector sends as a unit's organiser are the same organisation.
 */
final class Organisers {

    /**
     * Common table expressions (after {@code with recursive}, following a relation {@code units(unit_id)}) ending in
     * {@code organiser(unit_id, id, name)}: each unit's nearest ORGANISER, none when it has none. The climb stops at
     * the first organiser, and at 20 levels, so a loop in bad data cannot run away.
     */
    static final String NEAREST = """
            up as (
                select u.unit_id, o.id, o.parent_id, o.kind, o.name, 0 depth from units u join organisation o on o.id = u.unit_id
                union all
                select up.unit_id, o.id, o.parent_id, o.kind, o.name, up.depth + 1 from up join organisation o on o.id = up.parent_id
                where up.kind <> 'ORGANISER' and up.depth < 20
            ), organiser as (
                select distinct on (unit_id) unit_id, id, name from up where kind = 'ORGANISER' order by unit_id, depth
            )""";

    private Organisers() {
    }
}
