package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import net.datafaker.Faker;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.tilldela.directory.importing.Entity;
import org.tilldela.directory.importing.Ids;
import org.tilldela.directory.importing.ImportSummary;

/**
 * A person's id gives nothing away about the source's id it was made from, which in many Swedish exports
 * is the civic number: it is keyed with this installation's secret, not a plain hash anyone can recompute.
 */
class DirectoryIdsTest extends DirectoryImportTestSupport {

    @Autowired
    Ids ids;

    /** A synthetic civic number (Datafaker), used as the person's source id as Swedish exports often do. */
    private static String civicNumber() {
        return new Faker(Locale.of("sv", "SE"), new Random(4711)).idNumber().validSvSeSsn();
    }

    @Test
    void aPersonsIdCannotBeRecomputedFromTheirSourceId() {
        String source = newSource("ids");
        String civic = civicNumber();
        OneRosterPackage pkg = OneRosterPackage.small();
        pkg.users.add(new OneRosterPackage.User(civic, "student", "org-1", "Nova", "Påhittadsson", "", "07", "Skyddad folkbokföring", "GR"));
        pkg.enroll(civic, "c-7a");
        importZip(source, pkg.writeV11(tmp.resolve("civic.zip")));

        UUID id = jdbc.sql("select id from person where source = :s and source_id = :c").param("s", source).param("c", civic)
                .query(UUID.class).single();
        // not what the plain name-based derivation gives, in any spelling of the name
        for (String name : List.of(source + '\u0000' + "PERSON" + '\u0000' + civic, civic, source + "/" + civic)) {
            assertThat(id).isNotEqualTo(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(id.version()).isEqualTo(8);
        // keyed: the same source id under another installation's secret is another id, under ours the same
        byte[] otherSecret = new byte[32];
        new SecureRandom().nextBytes(otherSecret);
        assertThat(Ids.keyedWith(otherSecret).of(source, Entity.PERSON, civic)).isNotEqualTo(id);
        assertThat(ids.of(source, Entity.PERSON, civic)).isEqualTo(id);
        // the id does not contain the civic number's digits in any plain form
        assertThat(id.toString().replace("-", "")).doesNotContain(civic.replaceAll("\\D", ""));
    }

    @Test
    void idsAreStableAcrossReimportsSoAnUnchangedSnapshotChangesNothing() {
        String source = newSource("ids-stable");
        String civic = civicNumber();
        OneRosterPackage pkg = OneRosterPackage.small();
        pkg.users.add(new OneRosterPackage.User(civic, "student", "org-1", "Nova", "Påhittadsson", "", "07", "", "GR"));
        pkg.enroll(civic, "c-7a");
        importZip(source, pkg.writeV11(tmp.resolve("first.zip")));
        UUID id = ids.of(source, Entity.PERSON, civic);
        Map<String, String> before = state(source);
        before.remove("last_import_at");

        ImportSummary again = importZip(source, pkg.writeV11(tmp.resolve("again.zip")));

        assertThat(again.changedAnything()).isFalse();
        Map<String, String> after = state(source);
        after.remove("last_import_at");
        assertThat(after).isEqualTo(before);
        assertThat(jdbc.sql("select id from person where source = :s and source_id = :c").param("s", source).param("c", civic)
                .query(UUID.class).single()).isEqualTo(id);
    }

    @Test
    void twoInstallationsKeyTheSameRecordDifferently() {
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(a);
        new SecureRandom().nextBytes(b);
        String civic = civicNumber();
        for (Entity e : Entity.values()) {
            UUID ofA = Ids.keyedWith(a).of("oneroster", e, civic);
            assertThat(Ids.keyedWith(a).of("oneroster", e, civic)).isEqualTo(ofA);
            assertThat(Ids.keyedWith(b).of("oneroster", e, civic)).isNotEqualTo(ofA);
            assertThat(ofA.version()).isEqualTo(8);
            assertThat(ofA.variant()).isEqualTo(2);
        }
    }
}
