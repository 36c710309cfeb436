package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;
import org.tilldela.directory.importing.ImportProblem;
import org.tilldela.directory.importing.ImportRejectedException;
import org.tilldela.directory.importing.ImportRuns;

/**
 * Bad input is refused as a whole, with problems naming file, line, column and reason. Each test imports
 * a good snapshot first, then a bad one into the same source, and checks that nothing of it was applied.
 */
@RecordApplicationEvents
class OneRosterRejectionTest extends DirectoryImportTestSupport {

    @Autowired
    ApplicationEvents events;

    private String source;
    private OneRosterPackage pkg;
    private Map<String, String> stateBefore;
    private long runsBefore;

    @BeforeEach
    void importAGoodSnapshotFirst() {
        source = newSource("reject");
        pkg = OneRosterPackage.small();
        importZip(source, pkg.writeV11(tmp.resolve("good.zip")));
        // The bad snapshots below would change something if applied: p4 leaves.
        pkg.removeUser("p4");
        stateBefore = state(source);
        runsBefore = runs(source);
        events.clear();
    }

    @Test
    void truncatedZipIsRefused() throws Exception {
        byte[] good = Files.readAllBytes(pkg.writeV11(tmp.resolve("whole.zip")));
        Path half = Files.write(tmp.resolve("half.zip"), Arrays.copyOf(good, good.length / 2));

        ImportRejectedException e = refused(half);

        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("half.zip");
            assertThat(p.reason()).contains("truncated");
        });
    }

    @Test
    void csvWhoseLastRowIsCutOffMidRowIsRefused() {
        Map<String, String> files = pkg.v11Files();
        String users = files.get("users.csv");
        // The last row is g2 on line 13 (p4 removed); cut it after its fifth field, without a line end.
        String withoutEnd = users.substring(0, users.length() - 2);
        int lastRowStart = withoutEnd.lastIndexOf("\r\n") + 2;
        String lastRow = withoutEnd.substring(lastRowStart);
        assertThat(lastRow).startsWith("g2,");
        int cut = nthIndexOf(lastRow, ',', 5) + 3;
        files.put("users.csv", withoutEnd.substring(0, lastRowStart + cut));

        ImportRejectedException e = refused(OneRosterPackage.zip(tmp.resolve("cut.zip"), files));

        assertThat(e.problems()).anySatisfy(problem("users.csv", 13, "username", "truncated"));
    }

    @Test
    void csvCutOffInsideAQuotedValueIsRefused() {
        Map<String, String> files = pkg.v11Files();
        // A final row whose quoted name never ends: the file stops mid-value.
        files.put("users.csv", files.get("users.csv") + "z9,active,2026-08-01,true,org-1,student,z9,,\"Zelda, the");

        ImportRejectedException e = refused(OneRosterPackage.zip(tmp.resolve("cutquoted.zip"), files));

        assertThat(e.problems()).anySatisfy(p -> {
            assertThat(p.file()).isEqualTo("users.csv");
            assertThat(p.line()).isEqualTo(14);
            assertThat(p.reason()).contains("truncated");
        });
    }

    @Test
    void textAfterAClosingQuoteIsRefusedNotReadIntoTheValue() {
        Map<String, String> files = pkg.v11Files();
        files.put("users.csv", files.get("users.csv") + "z9,active,2026-08-01,true,org-1,student,z9,\"Zelda\"x,Zed,,,,\r\n");

        ImportRejectedException e = refused(OneRosterPackage.zip(tmp.resolve("afterquote.zip"), files));

        assertThat(e.problems()).anySatisfy(p -> {
            assertThat(p.file()).isEqualTo("users.csv");
            assertThat(p.line()).isEqualTo(14);
            assertThat(p.reason()).contains("unreadable row").contains("after closing quote");
        });
    }

    @Test
    void aColumnNamedTwiceInTheHeaderIsRefused() {
        Map<String, String> files = pkg.v11Files();
        // the header names username once more at its end; every row has a value there
        String widened = files.get("users.csv").replace("\r\n", ",x\r\n");
        files.put("users.csv", widened.replaceFirst(",x\r\n", ",username\r\n"));

        ImportRejectedException e = refused(OneRosterPackage.zip(tmp.resolve("twice.zip"), files));

        assertThat(e.problems()).anySatisfy(problem("users.csv", 1, "username", "named twice"));
    }

    @Test
    void missingRequiredColumnIsRefused() {
        Map<String, String> files = pkg.v11Files();
        files.put("users.csv", OneRosterPackage.dropColumn(files.get("users.csv"), "familyName"));

        ImportRejectedException e = refused(OneRosterPackage.zip(tmp.resolve("nofamilyname.zip"), files));

        assertThat(e.problems()).anySatisfy(problem("users.csv", 1, "familyName", "required column is missing"));
    }

    @Test
    void duplicateSourcedIdIsRefusedAtTheSecondOccurrence() {
        Map<String, String> files = pkg.v11Files();
        // p3 is on line 4; a second p3 comes last, on line 14.
        files.put("users.csv", OneRosterPackage.appendLine(files.get("users.csv"),
                "p3,active,2026-08-01,true,org-1,student,other.p3,,Other,Namesson,,,,,,,07,,,GR"));

        ImportRejectedException e = refused(OneRosterPackage.zip(tmp.resolve("duplicate.zip"), files));

        assertThat(e.problems()).anySatisfy(problem("users.csv", 14, "sourcedId", "duplicate id 'p3'"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p.reason()).contains("first on line 4"));
    }

    @Test
    void anEnrollmentDateThatIsNoDayIsRefusedAndATimestampIsReadAsItsDate() {
        Map<String, String> files = pkg.v11Files();
        int next = pkg.enrollments.size() + 2;
        String enrollments = files.get("enrollments.csv");
        // header: sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate
        enrollments = OneRosterPackage.appendLine(enrollments, "e-p3-c-7b,active,2026-08-01,c-7b,org-1,p3,student,false,2026-02-30,");
        enrollments = OneRosterPackage.appendLine(enrollments, "e-p1-c-7b,active,2026-08-01,c-7b,org-1,p1,student,false,2026-08-15,2027-6-1");
        enrollments = OneRosterPackage.appendLine(enrollments, "e-p2-c-7b,active,2026-08-01,c-7b,org-1,p2,student,false,2026-08-15T08:00:00Z,2027-06-30");
        files.put("enrollments.csv", enrollments);

        ImportRejectedException e = refused(OneRosterPackage.zip(tmp.resolve("baddates.zip"), files));

        assertThat(e.problems()).satisfiesExactlyInAnyOrder(
                problem("enrollments.csv", next, "beginDate", "'2026-02-30' is not a date"),
                problem("enrollments.csv", next + 1, "endDate", "'2027-6-1' is not a date"));
    }

    @Test
    void enrollmentToAnUnknownClassIsRefused() {
        pkg.enrollments.add(new OneRosterPackage.Enrollment("e-p3-ghost", "c-ghost", "org-1", "p3", "student"));
        int line = pkg.enrollments.size() + 1;

        ImportRejectedException e = refused(pkg.writeV11(tmp.resolve("brokenref.zip")));

        assertThat(e.problems()).singleElement().satisfies(problem("enrollments.csv", line, "classSourcedId", "'c-ghost'"));
        assertThat(e.problems().getFirst().reason()).contains("classes.csv");
    }

    @Test
    void removingAClassThatUnchangedEnrollmentsStillReferToIsRefused() {
        // The enrollments of 7B are exactly as imported before (and so not staged again); their class goes.
        pkg.classes.removeIf(k -> k.id().equals("c-7b"));
        int line = 0;
        for (int i = 0; i < pkg.enrollments.size(); i++) {
            if (pkg.enrollments.get(i).classId().equals("c-7b") && line == 0) {
                line = i + 2;
            }
        }

        ImportRejectedException e = refused(pkg.writeV11(tmp.resolve("classgone.zip")));

        assertThat(e.problems()).anySatisfy(problem("enrollments.csv", line, "classSourcedId", "'c-7b'"));
        assertThat(e.problems()).allSatisfy(p -> assertThat(p.reason()).contains("which is not in classes.csv"));
    }

    @Test
    void aRepeatedRowThatIsUnchangedIsStillADuplicate() {
        // p3 exactly as stored, twice: the second sighting is reported against the first.
        Map<String, String> files = pkg.v11Files();
        String users = files.get("users.csv");
        String p3 = Arrays.stream(users.split("\r\n")).filter(l -> l.startsWith("p3,")).findFirst().orElseThrow();
        files.put("users.csv", OneRosterPackage.appendLine(users, p3));
        long lastLine = users.split("\r\n").length + 1;

        ImportRejectedException e = refused(OneRosterPackage.zip(tmp.resolve("p3twice.zip"), files));

        assertThat(e.problems()).anySatisfy(problem("users.csv", lastLine, "sourcedId", "duplicate id 'p3' (first on line 4)"));
    }

    @Test
    void aStudentRoleOfAnUnknownUserIsRefusedInOneRoster12() {
        Map<String, String> files = pkg.v12Files();
        String roles = files.get("roles.csv");
        long line = roles.split("\\r\\n").length + 1;
        files.put("roles.csv", OneRosterPackage.appendLine(roles, "r-ghost,active,2026-08-01,ghost,primary,student,,,org-1,"));

        ImportRejectedException e = refused(OneRosterPackage.zip(tmp.resolve("ghostrole.zip"), files));

        assertThat(e.problems()).anySatisfy(problem("roles.csv", line, "userSourcedId", "'ghost'"));
    }

    @Test
    void aNulCharacterInANameIsRefused() {
        pkg.users.replaceAll(u -> u.id().equals("p3")
                ? new OneRosterPackage.User(u.id(), u.role(), u.orgs(), u.givenName(), "Test\u0000berg", u.agents(), u.grades(), u.marking(), u.schoolForm())
                : u);

        ImportRejectedException e = refused(pkg.writeV11(tmp.resolve("nul.zip")));

        assertThat(e.problems()).anySatisfy(problem("users.csv", 4, "familyName", "NUL"));
    }

    @Test
    void organisationsThatAreTheirOwnAncestorsAreRefused() {
        // org-0 (line 2) becomes a child of org-1, whose parent is org-0: a loop
        pkg.orgs.replaceAll(o -> o.id().equals("org-0")
                ? new OneRosterPackage.Org(o.id(), o.name(), o.type(), o.identifier(), "org-1", o.schoolForms(), o.municipalityCode()) : o);

        ImportRejectedException e = refused(pkg.writeV11(tmp.resolve("loop.zip")));

        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("orgs.csv");
            assertThat(p.column()).isEqualTo("parentSourcedId");
            assertThat(p.reason()).contains("its own ancestor").contains("org-0").contains("org-1");
            assertThat(p.line()).isIn(2L, 3L);
        });
    }

    @Test
    void enrollmentOfAnUnknownUserIsRefused() {
        pkg.enrollments.add(new OneRosterPackage.Enrollment("e-nobody-7a", "c-7a", "org-1", "nobody", "student"));
        int line = pkg.enrollments.size() + 1;

        ImportRejectedException e = refused(pkg.writeV11(tmp.resolve("brokenuser.zip")));

        assertThat(e.problems()).singleElement().satisfies(problem("enrollments.csv", line, "userSourcedId", "'nobody'"));
    }

    @Test
    void unknownEnumValuesAreRefused() {
        // classes.csv line 4 is c-ma7; users.csv line 4 is p3.
        pkg.replaceClass("c-ma7", k -> new OneRosterPackage.Klass(k.id(), k.title(), "lecture", k.school(), k.grades(), k.schoolForm(), k.groupType()));
        pkg.users.replaceAll(u -> u.id().equals("p3")
                ? new OneRosterPackage.User(u.id(), u.role(), u.orgs(), u.givenName(), u.familyName(), u.agents(), u.grades(), "Hemlig", u.schoolForm())
                : u);

        ImportRejectedException e = refused(pkg.writeV11(tmp.resolve("enums.zip")));

        assertThat(e.problems()).anySatisfy(problem("classes.csv", 4, "classType", "unknown value 'lecture'"));
        assertThat(e.problems()).anySatisfy(problem("users.csv", 4, "metadata.securityMarking", "unknown value 'Hemlig'"));
        assertThat(e.problems()).hasSize(2);
    }

    @Test
    void wrongEncodingIsRefused() {
        // The first non-ASCII letter is the å of Frans Påhittad (p6) on line 6 (p4 removed; p1's "Skyddad
        // folkbokföring" made ASCII); the file is written as ISO-8859-1.
        pkg.users.replaceAll(u -> u.id().equals("p1")
                ? new OneRosterPackage.User(u.id(), u.role(), u.orgs(), u.givenName(), u.familyName(), u.agents(), u.grades(), "", u.schoolForm())
                : u);
        Map<String, String> files = pkg.v11Files();
        assertThat(files.get("users.csv").lines().limit(5).allMatch(l -> l.chars().allMatch(c -> c < 128))).isTrue();
        assertThat(files.get("users.csv").lines().toList().get(5)).contains("Påhittad");
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        files.forEach((name, text) -> bytes.put(name, text.getBytes(name.equals("users.csv") ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8)));

        ImportRejectedException e = refused(OneRosterPackage.zipBytes(tmp.resolve("latin1.zip"), bytes));

        assertThat(e.problems()).anySatisfy(p -> {
            assertThat(p.file()).isEqualTo("users.csv");
            assertThat(p.line()).isEqualTo(6);
            assertThat(p.reason()).contains("UTF-8");
        });
    }

    @Test
    void missingManifestIsRefused() {
        Map<String, String> files = pkg.v11Files();
        files.remove("manifest.csv");

        ImportRejectedException e = refused(OneRosterPackage.zip(tmp.resolve("nomanifest.zip"), files));

        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("nomanifest.zip");
            assertThat(p.reason()).contains("manifest.csv is missing");
        });
    }

    @Test
    void deltaManifestIsRefused() {
        Map<String, String> files = pkg.v11Files();
        files.put("manifest.csv", files.get("manifest.csv").replace("file.users,bulk", "file.users,delta"));
        int line = files.get("manifest.csv").lines().toList().indexOf("file.users,delta") + 1;

        ImportRejectedException e = refused(OneRosterPackage.zip(tmp.resolve("delta.zip"), files));

        assertThat(e.problems()).singleElement().satisfies(problem("manifest.csv", line, "file.users", "delta"));
    }

    @Test
    void unsupportedVersionIsRefused() {
        Map<String, String> files = pkg.v11Files();
        files.put("manifest.csv", files.get("manifest.csv").replace("oneroster.version,1.1", "oneroster.version,1.0"));

        ImportRejectedException e = refused(OneRosterPackage.zip(tmp.resolve("v10.zip"), files));

        assertThat(e.problems()).singleElement().satisfies(problem("manifest.csv", 3, "oneroster.version", "unsupported OneRoster version '1.0'"));
    }

    @Test
    void oneRoster12WithoutRolesIsRefused() {
        Map<String, String> files = pkg.v12Files();
        files.remove("roles.csv");

        ImportRejectedException e = refused(OneRosterPackage.zip(tmp.resolve("noroles.zip"), files));

        assertThat(e.problems()).anySatisfy(p -> {
            assertThat(p.file()).isEqualTo("noroles.zip");
            assertThat(p.reason()).contains("roles.csv");
        });
    }

    @Test
    void aProblemListNamesEveryProblemNotJustTheFirst() {
        Map<String, String> files = pkg.v11Files();
        files.put("classes.csv", OneRosterPackage.dropColumn(files.get("classes.csv"), "title"));
        pkg.enrollments.add(new OneRosterPackage.Enrollment("e-x", "c-7a", "org-1", "p3", "lecturer"));
        files.put("enrollments.csv", pkg.v11Files().get("enrollments.csv"));

        ImportRejectedException e = refused(OneRosterPackage.zip(tmp.resolve("many.zip"), files));

        assertThat(e.problems()).anySatisfy(problem("classes.csv", 1, "title", "missing"));
        assertThat(e.problems()).anySatisfy(problem("enrollments.csv", pkg.enrollments.size() + 1, "role", "unknown value 'lecturer'"));
        assertThat(e.getMessage()).contains("nothing was changed").contains("enrollments.csv, line " + (pkg.enrollments.size() + 1) + ", column role");
    }

    // ---- helpers

    /** Imports the bad zip into the test's source and checks that it was refused and nothing was applied. */
    private ImportRejectedException refused(Path zip) {
        Throwable thrown = catchThrowable(() -> importZip(source, zip));

        assertThat(thrown).isInstanceOf(ImportRejectedException.class);
        ImportRejectedException e = (ImportRejectedException) thrown;
        assertThat(e.problems()).isNotEmpty().allSatisfy(p -> {
            assertThat(p.file()).isNotBlank();
            assertThat(p.reason()).isNotBlank();
        });
        assertThat(state(source)).as("nothing applied").isEqualTo(stateBefore);
        assertThat(events.stream(DirectoryChangesRecorded.class)).as("nothing announced").isEmpty();
        assertThat(runs(source)).isEqualTo(runsBefore + 1);
        ImportRuns.Run run = latestRun(source);
        assertThat(run.status()).isEqualTo(ImportRuns.Status.FAILED);
        assertThat(run.finishedAt()).isNotNull();
        assertThat(run.problems()).isEqualTo(e.problems());
        return e;
    }

    private static Consumer<ImportProblem> problem(String file, long line, String column, String reasonPart) {
        return p -> {
            assertThat(p.file()).isEqualTo(file);
            assertThat(p.line()).isEqualTo(line);
            assertThat(p.column()).isEqualTo(column);
            assertThat(p.reason()).contains(reasonPart);
        };
    }

    private static int nthIndexOf(String s, char c, int n) {
        int at = -1;
        for (int i = 0; i < n; i++) {
            at = s.indexOf(c, at + 1);
        }
        return at;
    }
}
