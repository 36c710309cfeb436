package org.tilldela.governance;

import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A small synthetic municipality for tests of scoped rights, written straight into the directory's tables
 * under a source of its own (so it never meets other tests' data):
 *
 * <pre>
 * Organiser "Provby kommun"                     Organiser "Grannby kommun"
 *  ├─ School A (GR): pupil a1 in class gA,        └─ School C (GR): pupil c1
 *  │                 teacher tA on duty
 *  └─ School B (GR, FS): pupils b1 and bProt (protected) in class gB (GR),
 *                        preschool child b2 in group gBpre (FS), guardian of b1
 * </pre>
 */
public final class ScopedMunicipality {

    public final String source;
    public final UUID organiser, schoolA, schoolB, otherOrganiser, schoolC;
    public final UUID a1, tA, b1, b2, bProt, bGuardian, c1;
    public final UUID gA, gB, gBpre, gC;
    /** Family names, unique to this instance, so a search finds this instance's persons only. */
    public final String familyA, familyB, familyPre, familyProtected, familyC;

    private final JdbcClient jdbc;

    public ScopedMunicipality(JdbcClient jdbc) {
        this.jdbc = jdbc;
        String u = UUID.randomUUID().toString().substring(0, 8);
        source = "scopes-" + u;
        familyA = "Arvidsson" + u;
        familyB = "Bengtsson" + u;
        familyPre = "Persson" + u;
        familyProtected = "Skyddad" + u;
        familyC = "Carlsson" + u;
        jdbc.sql("insert into directory_source (name, kind) values (:s, 'CSV')").param("s", source).update();
        organiser = organisation("ORGANISER", "Provby kommun " + u, null, new String[0]);
        schoolA = organisation("SCHOOL_UNIT", "A-skolan " + u, organiser, new String[] {"GR"});
        schoolB = organisation("SCHOOL_UNIT", "B-skolan " + u, organiser, new String[] {"GR", "FS"});
        otherOrganiser = organisation("ORGANISER", "Grannby kommun " + u, null, new String[0]);
        schoolC = organisation("SCHOOL_UNIT", "C-skolan " + u, otherOrganiser, new String[] {"GR"});

        a1 = person("Alva", familyA, "NONE");
        tA = person("Tore", familyA, "NONE");
        b1 = person("Bo", familyB, "NONE");
        bProt = person("Sam", familyProtected, "PROTECTED_REGISTRATION");
        b2 = person("Pim", familyPre, "NONE");
        bGuardian = person("Gun", familyB, "NONE");
        c1 = person("Cia", familyC, "NONE");

        enrol(a1, schoolA, "GR");
        enrol(b1, schoolB, "GR");
        enrol(bProt, schoolB, "GR");
        enrol(b2, schoolB, "FS");
        enrol(c1, schoolC, "GR");
        gA = group(schoolA, "4A " + u, "GR", a1);
        gB = group(schoolB, "4B " + u, "GR", b1, bProt);
        gBpre = group(schoolB, "Blåklockan " + u, "FS", b2);
        gC = group(schoolC, "4C " + u, "GR", c1);
        jdbc.sql("insert into duty (id, source, source_id, person_id, organisation_id, role, content_hash) values (:id, :s, :sid, :p, :o, 'TEACHER', :h)")
                .param("id", UUID.randomUUID()).param("s", source).param("sid", UUID.randomUUID().toString()).param("p", tA).param("o", schoolA)
                .param("h", UUID.randomUUID()).update();
        jdbc.sql("""
                        insert into guardian_link (id, source, source_id, guardian_id, child_id, relation, content_hash)
                        values (:id, :s, :sid, :g, :c, 'GUARDIAN', :h)""")
                .param("id", UUID.randomUUID()).param("s", source).param("sid", UUID.randomUUID().toString()).param("g", bGuardian).param("c", b1)
                .param("h", UUID.randomUUID()).update();
    }

    private UUID organisation(String kind, String name, UUID parent, String[] forms) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into organisation (id, source, source_id, kind, name, parent_id, school_forms, content_hash)
                        values (:id, :s, :sid, :k, :n, :p, cast(:f as text[]), :h)""")
                .param("id", id).param("s", source).param("sid", id.toString()).param("k", kind).param("n", name).param("p", parent)
                .param("f", forms).param("h", UUID.randomUUID()).update();
        return id;
    }

    private UUID person(String given, String family, String protection) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into person (id, source, source_id, given_name, family_name, protection, content_hash)
                        values (:id, :s, :sid, :g, :f, :p, :h)""")
                .param("id", id).param("s", source).param("sid", id.toString()).param("g", given).param("f", family).param("p", protection)
                .param("h", UUID.randomUUID()).update();
        return id;
    }

    private void enrol(UUID person, UUID unit, String form) {
        jdbc.sql("""
                        insert into enrolment (id, source, source_id, person_id, school_unit_id, school_form, content_hash)
                        values (:id, :s, :sid, :p, :u, :f, :h)""")
                .param("id", UUID.randomUUID()).param("s", source).param("sid", UUID.randomUUID().toString()).param("p", person).param("u", unit)
                .param("f", form).param("h", UUID.randomUUID()).update();
    }

    private UUID group(UUID unit, String name, String form, UUID... members) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into student_group (id, source, source_id, organisation_id, kind, name, school_form, content_hash)
                        values (:id, :s, :sid, :o, 'CLASS', :n, :f, :h)""")
                .param("id", id).param("s", source).param("sid", id.toString()).param("o", unit).param("n", name).param("f", form)
                .param("h", UUID.randomUUID()).update();
        for (UUID m : members) {
            jdbc.sql("""
                            insert into membership (id, source, source_id, group_id, person_id, role, content_hash)
                            values (:id, :s, :sid, :g, :p, 'PUPIL', :h)""")
                    .param("id", UUID.randomUUID()).param("s", source).param("sid", UUID.randomUUID().toString()).param("g", id).param("p", m)
                    .param("h", UUID.randomUUID()).update();
        }
        return id;
    }
}
