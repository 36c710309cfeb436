package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.Entity;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportSummary;
import org.tilldela.directory.importing.SnapshotReader;
import org.tilldela.directory.importing.StagedSnapshot;
import org.tilldela.directory.oneroster.OneRosterReader;

/**
 * The package a source's last import read, imported again, is recognised by its digest and not read: the
 * summary says so and counts every stored row as unchanged, and nothing in the directory moves. Anything
 * that could make reading it give something else — another package in between, a school form added, a file
 * that changed while it was read — makes the next import read it; {@code --reread} reads it regardless.
 */
class UnchangedPackageTest extends DirectoryImportTestSupport {

    @Test
    void theSamePackageAgainIsNotReadUntilSomethingElseWasImported() throws Exception {
        String source = newSource("same-package");
        Path a = tmp.resolve("a.zip");
        Path b = tmp.resolve("b.zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(300, 21, "sv", 0, 0)).writeTo(a);
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(300, 21, "sv", 5, 4)).writeTo(b);

        ImportSummary first = importZip(source, a);
        assertThat(first.unchangedSince()).isNull();
        assertThat(first.phaseMillis()).containsKey("package digest");
        Map<String, String> stateA = withoutImportTime(state(source));
        Map<String, String> contentA = content(source);

        ImportSummary again = importZip(source, a);
        assertThat(again.unchangedSince()).isNotNull();
        assertThat(again.phaseMillis()).doesNotContainKey("read and stage");
        assertThat(again.changesRecorded()).isZero();
        for (Entity e : Entity.values()) {
            ImportSummary.Counts c = again.entities().get(e.label());
            assertThat(c.changedAnything()).as(e.label()).isFalse();
            assertThat(c.unchanged()).as(e.label()).isEqualTo(count(e.table(), source));
        }
        assertThat(again.entities().get("persons").unchanged()).isEqualTo(300);
        assertThat(withoutImportTime(state(source))).isEqualTo(stateA);
        assertThat(again.toText()).contains("not read again, nothing changed");

        // the same bytes under another name are the same package
        Path copy = Files.copy(a, tmp.resolve("copy-of-a.zip"));
        assertThat(importZip(source, copy).unchangedSince()).isNotNull();

        // read anyway (--reread): compared row by row, nothing changed; what it read is remembered as any read is
        ImportSummary reread = importRuns.runNow("ONEROSTER", new ImportOptions(source, false, "test", true),
                new OneRosterReader(a, "a.zip"), ImportProgress.NONE, "a.zip");
        assertThat(reread.unchangedSince()).isNull();
        assertThat(reread.phaseMillis()).containsKey("read and stage");
        assertThat(reread.changedAnything()).isFalse();
        ImportSummary afterReread = importZip(source, a);
        assertThat(afterReread.unchangedSince()).isNotNull();
        assertThat(afterReread.unchangedSince()).isAfter(again.unchangedSince());

        // another package in between: the first is read again and undoes what the other changed
        ImportSummary other = importZip(source, b);
        assertThat(other.changedAnything()).isTrue();
        ImportSummary back = importZip(source, a);
        assertThat(back.unchangedSince()).isNull();
        assertThat(back.changedAnything()).isTrue();
        assertThat(content(source)).isEqualTo(contentA);

        // another source importing the same package reads it: a source remembers only its own
        String second = newSource("same-package-2");
        assertThat(importZip(second, a).unchangedSince()).isNull();
        assertThat(count("person", second)).isEqualTo(300);
    }

    @Test
    void aSchoolFormAddedSinceMeansThePackageIsReadAgain() {
        String source = newSource("same-forms");
        Path a = tmp.resolve("forms.zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(50, 22, "da", 0, 0)).writeTo(a);
        importZip(source, a);
        assertThat(importZip(source, a).unchangedSince()).isNotNull();
        jdbc.sql("insert into school_form (code, country, name_sv, name_da, name_en, sort_order) values ('TESTFORM', 'SE', 'T', 'T', 'T', 999)").update();
        try {
            assertThat(importZip(source, a).unchangedSince()).isNull();
            assertThat(importZip(source, a).unchangedSince()).isNotNull();
        } finally {
            jdbc.sql("delete from school_form where code = 'TESTFORM'").update();
        }
    }

    @Test
    void aPackageThatChangedWhileItWasReadIsNotRemembered() {
        String source = newSource("same-moving");
        Path a = tmp.resolve("moving.zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(50, 23, "sv", 0, 0)).writeTo(a);
        OneRosterReader plain = new OneRosterReader(a, "moving.zip");
        byte[] digest = plain.packageDigest().orElseThrow();
        // a reader whose file is digested as A before reading and as something else after (replaced in between)
        AtomicInteger asked = new AtomicInteger();
        SnapshotReader replacedMeanwhile = new SnapshotReader() {
            @Override
            public String sourceKind() {
                return plain.sourceKind();
            }

            @Override
            public void read(StagedSnapshot stage, ImportProgress progress) {
                plain.read(stage, progress);
            }

            @Override
            public Optional<byte[]> packageDigest() {
                return Optional.of(asked.getAndIncrement() == 0 ? digest : new byte[32]);
            }
        };
        importRuns.runNow("ONEROSTER", new ImportOptions(source, false, "test"), replacedMeanwhile, ImportProgress.NONE, "moving.zip");
        assertThat(asked.get()).isEqualTo(2);
        // so the file as it is now (digest A) is read, not taken for what the last import read
        assertThat(importZip(source, a).unchangedSince()).isNull();
        assertThat(importZip(source, a).unchangedSince()).isNotNull();
    }

    private static Map<String, String> withoutImportTime(Map<String, String> state) {
        state.remove("last_import_at");
        return state;
    }

    /** Per table the rows' ids and content hashes: what the source holds, whenever it was written. */
    private Map<String, String> content(String source) {
        Map<String, String> content = new LinkedHashMap<>();
        for (String table : TABLES) {
            content.put(table, jdbc.sql("select count(*) || ':' || coalesce(md5(string_agg(id::text || content_hash::text, ',' order by id)), '-') from "
                    + table + " where source = :source").param("source", source).query(String.class).single());
        }
        return content;
    }
}
