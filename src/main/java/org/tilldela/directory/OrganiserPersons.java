package org.tilldela.directory;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The persons of one organiser (huvudman / skoleejer) — pupils enrolled at, and staff on duty today in, the
 * organiser or any unit below it — found by one of their identifiers. Signing in through a municipality's own
 * identity provider asks this which directory person an upstream account is; it answers ids only, never a
 * person's data.
 */
@Service
public class OrganiserPersons {

    /** The directory fields an upstream account may be matched on. */
    public enum Field {
        /** e-mail, compared without case */
        EMAIL,
        /** the sign-in name the source system gave the person, compared without case */
        USERNAME,
        /** the source system's own id of the person (OneRoster sourcedId, SS 12000 id), compared exactly */
        SOURCE_ID,
        /** personnummer / CPR, compared by its digits only (the same form the directory holds); never logged */
        CIVIC_NUMBER
    }

    private final JdbcClient jdbc;

    OrganiserPersons(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The organiser's name, when {@code id} is an organiser. */
    @Transactional(readOnly = true)
    public Optional<String> organiserName(UUID id) {
        return jdbc.sql("select name from organisation where id = :id and kind = 'ORGANISER'").param("id", id).query(String.class).optional();
    }

    /**
     * The persons of the organiser whose {@code field} equals {@code value}, at most {@code limit} of them
     * (two are enough to tell one from many). A blank value matches nobody.
     */
    @Transactional(readOnly = true)
    public List<UUID> matching(UUID organiserId, Field field, String value, int limit) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        String v = value.strip();
        if (field == Field.CIVIC_NUMBER) {
            // compared by its digits: a value that is no civic number (personnummer 10 or 12 digits, CPR 10) must not
            // match a stored number that is no number either (an empty string has no digits too)
            v = v.replaceAll("[^0-9]", "");
            if (v.length() != 10 && v.length() != 12) {
                return List.of();
            }
        }
        String condition = switch (field) {
            case EMAIL -> "lower(p.email) = lower(:v)";
            case USERNAME -> "lower(p.username) = lower(:v)";
            case SOURCE_ID -> "p.source_id = :v";
            // the expression of index person_civic_number_digits
            case CIVIC_NUMBER -> "p.civic_number is not null and regexp_replace(p.civic_number, '[^0-9]', '', 'g') = :v";
        };
        // the organiser's units, down from it (units can sit under area offices); the depth bound guards against a cycle
        return jdbc.sql("""
                        with recursive units(id, depth) as (
                            select id, 0 from organisation where id = :organiser and kind = 'ORGANISER'
                            union all
                            select o.id, u.depth + 1 from organisation o join units u on o.parent_id = u.id where u.depth < 20
                        )
                        select p.id from person p
                        where %s
                          and (exists (select 1 from enrolment e where e.person_id = p.id and e.school_unit_id in (select id from units))
                               or exists (select 1 from duty d where d.person_id = p.id and d.organisation_id in (select id from units)
                                          and (d.start_date is null or d.start_date <= current_date)
                                          and (d.end_date is null or d.end_date >= current_date)))
                        order by p.id
                        limit :limit
                        """.formatted(condition))
                .param("organiser", organiserId).param("v", v).param("limit", limit)
                .query(UUID.class).list();
    }
}
