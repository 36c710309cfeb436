package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportSummary;

/** The synthetic municipality: deterministic for a seed, plausible, about 1% protected, importable in both locales. */
class GeneratorTest extends DirectoryImportTestSupport {

    private static MunicipalityGenerator.Result generate(Path zip, int persons, long seed, String locale) {
        return new MunicipalityGenerator(new MunicipalityGenerator.Settings(persons, seed, locale, 0, 0)).writeTo(zip);
    }

    @Test
    void sameSeedGivesByteIdenticalZipDifferentSeedADifferentOne() throws Exception {
        Path first = tmp.resolve("a.zip");
        Path second = tmp.resolve("b.zip");
        Path other = tmp.resolve("c.zip");
        generate(first, 300, 42, "sv");
        // More than the 2-second resolution of zip entry times later: a clock in the file would show.
        Thread.sleep(2100);
        generate(second, 300, 42, "sv");
        generate(other, 300, 43, "sv");

        assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
        assertThat(Files.readAllBytes(other)).isNotEqualTo(Files.readAllBytes(first));
    }

    @Test
    void swedishMunicipalityOf5000HasAboutOnePercentProtectedAndImportsCleanly() {
        String source = newSource("gen-sv");
        Path zip = tmp.resolve("sv.zip");
        MunicipalityGenerator.Result result = generate(zip, 5000, 7, "sv");

        ImportSummary summary = importZip(source, zip);

        assertThat(result.persons()).isEqualTo(5000);
        assertThat(summary.entities().get("persons").created()).isEqualTo(5000);
        assertThat(count("person", source)).isEqualTo(5000);
        long protectedPersons = jdbc.sql("select count(*) from person where source = :s and protection <> 'NONE'")
                .param("s", source).query(Long.class).single();
        assertThat(protectedPersons).as("about 1%% of 5000").isBetween(30L, 75L);
        assertThat(jdbc.sql("select count(distinct protection) from person where source = :s and protection <> 'NONE'")
                .param("s", source).query(Long.class).single()).as("both kinds of marking occur").isEqualTo(2);

        // A plausible municipality: one organiser, school units with codes, classes and teaching groups,
        // teachers with duties, guardians linked to pupils.
        assertThat(jdbc.sql("select count(*) from organisation where source = :s and kind = 'ORGANISER'").param("s", source)
                .query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from organisation where source = :s and kind = 'SCHOOL_UNIT' and school_unit_code ~ '^[0-9]{8}$'")
                .param("s", source).query(Long.class).single()).isEqualTo(result.schools());
        assertThat(jdbc.sql("select distinct school_form from enrolment where source = :s").param("s", source).query(String.class).list())
                .contains("FS", "FKLASS", "GR", "GRS", "GY");
        assertThat(jdbc.sql("select distinct kind from student_group where source = :s").param("s", source).query(String.class).list())
                .containsExactlyInAnyOrder("CLASS", "TEACHING_GROUP");
        assertThat(count("student_group", source)).isEqualTo(result.groups());
        assertThat(count("membership", source)).isEqualTo(result.memberships());
        assertThat(count("enrolment", source)).isEqualTo(result.pupils());
        assertThat(count("duty", source)).isEqualTo(result.staff());
        assertThat(jdbc.sql("select distinct role from duty where source = :s").param("s", source).query(String.class).list())
                .containsExactlyInAnyOrder("TEACHER", "ADMINISTRATOR");
        assertThat(count("guardian_link", source)).isEqualTo(result.guardianLinks()).isGreaterThan(result.pupils());
    }

    @Test
    void danishMunicipalityImportsCleanly() {
        String source = newSource("gen-da");
        Path zip = tmp.resolve("da.zip");
        MunicipalityGenerator.Result result = generate(zip, 1000, 7, "da");

        ImportSummary summary = importZip(source, zip);

        assertThat(summary.entities().get("persons").created()).isEqualTo(1000);
        assertThat(count("membership", source)).isEqualTo(result.memberships());
        assertThat(count("guardian_link", source)).isEqualTo(result.guardianLinks());
        assertThat(jdbc.sql("select distinct school_form from enrolment where source = :s").param("s", source).query(String.class).list())
                .containsExactlyInAnyOrder("DK-DT", "DK-FS", "DK-GYM");
        assertThat(jdbc.sql("select count(*) from person where source = :s and family_name ~ '[æøåÆØÅ]'").param("s", source)
                .query(Long.class).single()).as("Danish names survive the round trip").isPositive();
    }

    @Test
    void aVariedNextDayImportsAsJoinersMoversAndLeavers() {
        String source = newSource("gen-vary");
        Path day1 = tmp.resolve("day1.zip");
        Path day2 = tmp.resolve("day2.zip");
        generate(day1, 2000, 11, "sv");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(2000, 11, "sv", 3, 5)).writeTo(day2);
        importZip(source, day1);

        ImportSummary summary = importZip(source, day2);

        ImportSummary.Counts persons = summary.entities().get("persons");
        assertThat(persons.created()).isPositive().isEqualTo(persons.removed());
        assertThat(persons.updated()).as("renamed").isPositive();
        assertThat(persons.created() + persons.updated() + persons.removed()).isLessThan(2000 * 6 / 100);
        assertThat(journal(summary.runId())).extracting(Change::kind).contains("PERSON_JOINED", "PERSON_LEFT", "PERSON_MOVED", "GROUP_CHANGED");
    }
}
