package org.tilldela.directory;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.governance.AuditTrail;

/**
 * Who teaches whom, as the imported school data says today — THE rule by which a member of staff may act
 * for a pupil (set their password, make or end their sign-in card). Nothing is granted: the authority
 * follows the directory and ends with it.
 *
 * <p>A person teaches a class when, today, they are a member of a group of kind CLASS in the role TEACHER
 * <em>and</em> hold a duty at the school unit the class belongs to. The pupils they may act for are the
 * class's members in the role PUPIL today. This is the narrowest rule the data carries: a duty alone (every
 * teacher of a school for every pupil of it) would be far wider, and a class membership alone would outlive
 * the teacher leaving the school if an import kept a stale membership. OneRoster's {@code enrollments.csv}
 * (role {@code teacher}) and the demo municipality carry both; SS 12000 imports carry duties but no teachers
 * in groups yet, so their teachers have no classes here.
 */
@Service
@Transactional(readOnly = true)
public class Teaching {

    /** A class the person teaches, with its school unit. */
    public record TaughtClass(UUID id, String name, UUID schoolUnitId, String schoolUnitName) {
    }

    /** A pupil of a taught class, as their teacher sees them. */
    public record Pupil(UUID id, String givenName, String familyName, boolean protectedIdentity) {
    }

    /** The classes (today) the rule is about, as a query of the teacher (:teacher) and date (:today). */
    private static final String TAUGHT = """
            select g.id, g.name, o.id school_unit_id, o.name school_unit_name
            from membership m
            join student_group g on g.id = m.group_id and g.kind = 'CLASS'
            join organisation o on o.id = g.organisation_id
            where m.person_id = :teacher and m.role = 'TEACHER'
              and (m.start_date is null or m.start_date <= :today) and (m.end_date is null or m.end_date >= :today)
              and (g.start_date is null or g.start_date <= :today) and (g.end_date is null or g.end_date >= :today)
              and exists (select 1 from duty d where d.person_id = m.person_id and d.organisation_id = g.organisation_id
                          and (d.start_date is null or d.start_date <= :today) and (d.end_date is null or d.end_date >= :today))
            """;

    private final JdbcClient jdbc;
    private final AuditTrail audit;

    Teaching(JdbcClient jdbc, AuditTrail audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    /** The classes the person teaches today, by name; empty for anyone who teaches none (a pupil, a guardian). */
    public List<TaughtClass> classesOf(UUID teacherId) {
        return jdbc.sql("select * from (" + TAUGHT + ") taught order by lower(name), school_unit_name")
                .param("teacher", teacherId).param("today", LocalDate.now()).query(TaughtClass.class).list();
    }

    /** The class, if the person teaches it today. */
    public Optional<TaughtClass> taughtClass(UUID teacherId, UUID classId) {
        return jdbc.sql("select * from (" + TAUGHT + ") taught where id = :class")
                .param("teacher", teacherId).param("today", LocalDate.now()).param("class", classId).query(TaughtClass.class).optional();
    }

    /**
     * The pupils of a class the person teaches, by name; empty when they do not teach it. A protected pupil is
     * shown to their own teacher (who makes their card), and each such showing is in the audit trail.
     */
    @Transactional
    public List<Pupil> pupilsOf(UUID teacherId, UUID classId) {
        if (taughtClass(teacherId, classId).isEmpty()) {
            return List.of();
        }
        List<Pupil> pupils = jdbc.sql(PUPILS + " order by lower(p.given_name), lower(p.family_name), p.id")
                .param("class", classId).param("today", LocalDate.now()).query(Pupil.class).list();
        pupils.stream().filter(Pupil::protectedIdentity).forEach(p -> audit.record(teacherId.toString(), "VIEW_PROTECTED_PERSON", "person",
                p.id().toString(), Map.of("in", "class", "id", classId.toString(), "masked", false)));
        return pupils;
    }

    /**
     * The pupil, shown to their teacher on a page of their own (their password form): as {@link #pupilOf}, and a
     * protected pupil's showing is in the audit trail — theirs only, not their classmates'.
     */
    @Transactional
    public Optional<Pupil> pupilShown(UUID teacherId, UUID classId, UUID pupilId) {
        Optional<Pupil> pupil = pupilOf(teacherId, classId, pupilId);
        pupil.filter(Pupil::protectedIdentity).ifPresent(p -> audit.record(teacherId.toString(), "VIEW_PROTECTED_PERSON", "person",
                p.id().toString(), Map.of("in", "class", "id", classId.toString(), "masked", false)));
        return pupil;
    }

    /**
     * Is the person a pupil today — a PUPIL of a current class, and not staff? What a pupil's sign-in card needs
     * besides itself: a pupil who has left (or has become staff) cannot sign in with a card nobody ended.
     */
    public boolean isPupil(UUID personId) {
        return jdbc.sql("""
                        select exists (select 1 from membership m
                          join student_group g on g.id = m.group_id and g.kind = 'CLASS'
                          join person p on p.id = m.person_id
                          where m.person_id = :person and m.role = 'PUPIL'
                            and (m.start_date is null or m.start_date <= :today) and (m.end_date is null or m.end_date >= :today)
                            and (g.start_date is null or g.start_date <= :today) and (g.end_date is null or g.end_date >= :today)"""
                        + NOT_STAFF + ")")
                .param("person", personId).param("today", LocalDate.now()).query(Boolean.class).single();
    }

    /** The pupil, if they are a pupil of this class today and the person teaches it today (anyone else: empty). */
    public Optional<Pupil> pupilOf(UUID teacherId, UUID classId, UUID pupilId) {
        if (taughtClass(teacherId, classId).isEmpty()) {
            return Optional.empty();
        }
        return jdbc.sql(PUPILS + " and p.id = :pupil").param("class", classId).param("today", LocalDate.now()).param("pupil", pupilId)
                .query(Pupil.class).optional();
    }

    /**
     * Pupils only: someone who is also staff today (a duty anywhere, or TEACHER in any group) is never a pupil a
     * teacher may act for, even with a PUPIL membership (an import's mistake, a teacher sitting in on a class):
     * setting their password or making their card would take over a staff account.
     */
    static final String NOT_STAFF = """
              and not exists (select 1 from duty d where d.person_id = p.id
                              and (d.start_date is null or d.start_date <= :today) and (d.end_date is null or d.end_date >= :today))
              and not exists (select 1 from membership t where t.person_id = p.id and t.role = 'TEACHER'
                              and (t.start_date is null or t.start_date <= :today) and (t.end_date is null or t.end_date >= :today))""";

    private static final String PUPILS = """
            select p.id, p.given_name, p.family_name, p.protection <> 'NONE' protected_identity
            from membership m join person p on p.id = m.person_id
            where m.group_id = :class and m.role = 'PUPIL'
              and (m.start_date is null or m.start_date <= :today) and (m.end_date is null or m.end_date >= :today)""" + NOT_STAFF;
}
