package org.tilldela.directory.generator;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import net.datafaker.Faker;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Writes a OneRoster 1.1 CSV package for a plausible, entirely synthetic municipality: one organiser,
 * school units by school form, classes per grade and teaching groups, teachers with duties, pupils with
 * guardians, about 1% protected persons; Swedish or Danish names from Datafaker. The same arguments
 * always give the same bytes.
 *
 * <p>{@code varyPercent} makes a "next day" version of the same municipality: that share of persons is
 * changed — a third renamed, a third of the pupils moved to a parallel class, a third replaced by
 * newcomers (leavers and joiners).
 */
public final class MunicipalityGenerator {

    public record Settings(int persons, long seed, String locale, double varyPercent, long varySeed) {
        public Settings {
            if (persons < 20) {
                throw new IllegalArgumentException("--persons must be at least 20");
            }
            if (!locale.equals("sv") && !locale.equals("da")) {
                throw new IllegalArgumentException("--locale is sv or da");
            }
            if (varyPercent < 0 || varyPercent > 100) {
                throw new IllegalArgumentException("--vary is a percentage, 0–100");
            }
        }
    }

    /** Counts of what was written, for the command's report. */
    public record Result(int schools, int groups, int persons, int pupils, int staff, int guardians, int memberships, int guardianLinks) {
    }

    private record Form(String code, String kind, int share, String[] grades, int pupilsPerUnit, String unitWord) {
    }

    private record School(int index, String id, String name, Form form, String code) {
    }

    private record Klass(int index, String id, String name, School school, String grade, List<String> teachingGroups) {
    }

    private static final String SCHOOL_YEAR = "2026";
    private static final int CLASS_SIZE = 25;
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2026, 1, 1, 0, 0);

    private final Settings settings;
    private final boolean swedish;
    private final List<School> schools = new ArrayList<>();
    private final List<Klass> classes = new ArrayList<>();
    private final String[] givenNames;
    private final String[] familyNames;
    private final String[] streetWords;
    private int pupilCount;
    private int staffCount;
    private int guardianCount;
    private int[] pupilClass;
    private int[] staffSchool;
    private int[] classTeacher;

    public MunicipalityGenerator(Settings settings) {
        this.settings = settings;
        this.swedish = settings.locale().equals("sv");
        Faker faker = new Faker(swedish ? Locale.of("sv", "SE") : Locale.of("da", "DK"), new Random(settings.seed()));
        // A pool of names drawn from Datafaker, combined at random: as varied as needed, and fast at a million.
        this.givenNames = distinct(400, () -> faker.name().firstName());
        this.familyNames = distinct(400, () -> faker.name().lastName());
        this.streetWords = distinct(60, () -> faker.address().cityName());
        plan();
    }

    private static String[] distinct(int n, Supplier<String> draw) {
        LinkedHashSet<String> set = new LinkedHashSet<>();
        for (int i = 0; i < n * 20 && set.size() < n; i++) {
            set.add(draw.get());
        }
        return set.toArray(String[]::new);
    }

    private List<Form> forms() {
        if (swedish) {
            return List.of(
                    new Form("FS", "Förskola", 14, new String[] {"PK"}, 90, "förskola"),
                    new Form("GR", "Grundskola", 64, new String[] {"KG", "01", "02", "03", "04", "05", "06", "07", "08", "09"}, 420, "skola"),
                    new Form("GRS", "Anpassad grundskola", 3, new String[] {"01", "03", "05", "07", "09"}, 60, "anpassad grundskola"),
                    new Form("GY", "Gymnasieskola", 19, new String[] {"10", "11", "12"}, 600, "gymnasium"));
        }
        return List.of(
                new Form("DK-DT", "Dagtilbud", 14, new String[] {"PK"}, 90, "børnehus"),
                new Form("DK-FS", "Folkeskole", 67, new String[] {"KG", "01", "02", "03", "04", "05", "06", "07", "08", "09"}, 450, "skole"),
                new Form("DK-GYM", "Gymnasium", 19, new String[] {"10", "11", "12"}, 600, "gymnasium"));
    }

    /** Schools, classes and who goes where: small, kept in memory; persons are streamed. */
    private void plan() {
        int n = settings.persons();
        pupilCount = (int) Math.round(n * 0.50);
        staffCount = Math.max(4, (int) Math.round(n * 0.05));
        guardianCount = n - pupilCount - staffCount;
        Random random = new Random(settings.seed() ^ 0x5eed);
        List<Integer> pupilsPerForm = new ArrayList<>();
        int assigned = 0;
        List<Form> forms = forms();
        for (int i = 0; i < forms.size(); i++) {
            int share = i == forms.size() - 1 ? pupilCount - assigned : pupilCount * forms.get(i).share() / 100;
            pupilsPerForm.add(share);
            assigned += share;
        }
        int[] classOfPupil = new int[pupilCount];
        int pupil = 0;
        for (int f = 0; f < forms.size(); f++) {
            Form form = forms.get(f);
            int formPupils = pupilsPerForm.get(f);
            int units = Math.max(1, (int) Math.ceil(formPupils / (double) form.pupilsPerUnit()));
            int left = formPupils;
            for (int u = 0; u < units; u++) {
                int schoolPupils = left / (units - u);
                left -= schoolPupils;
                String place = streetWords[random.nextInt(streetWords.length)];
                School school = new School(schools.size(), "org-" + (schools.size() + 1),
                        place + (swedish ? "s " : " ") + form.unitWord() + (units > streetWords.length ? " " + (u + 1) : ""),
                        form, String.valueOf(10000000 + random.nextInt(89999999)));
                schools.add(school);
                int gradeCount = form.grades().length;
                int gradeLeft = schoolPupils;
                for (int g = 0; g < gradeCount; g++) {
                    int gradePupils = gradeLeft / (gradeCount - g);
                    gradeLeft -= gradePupils;
                    int classCount = Math.max(1, (int) Math.ceil(gradePupils / (double) CLASS_SIZE));
                    int firstClass = classes.size();
                    for (int c = 0; c < classCount; c++) {
                        String grade = form.grades()[g];
                        String label = className(form, grade, c);
                        // Pupils from year 1 up also sit in subject teaching groups.
                        List<String> groups = grade.equals("PK") || grade.equals("KG") || form.code().equals("GRS")
                                ? List.of() : List.of("Matematik", swedish ? "Engelska" : "Engelsk");
                        classes.add(new Klass(classes.size(), "class-" + (classes.size() + 1), label, school, grade, groups));
                    }
                    for (int p = 0; p < gradePupils; p++) {
                        classOfPupil[pupil++] = firstClass + p % classCount;
                    }
                }
            }
        }
        pupilClass = classOfPupil;
        // Staff: spread over schools by size; the first of each school is its principal.
        staffSchool = new int[staffCount];
        for (int s = 0; s < staffCount; s++) {
            staffSchool[s] = s < schools.size() ? s : random.nextInt(schools.size());
        }
        classTeacher = new int[classes.size()];
        List<List<Integer>> staffBySchool = new ArrayList<>();
        for (int i = 0; i < schools.size(); i++) {
            staffBySchool.add(new ArrayList<>());
        }
        for (int s = 0; s < staffCount; s++) {
            staffBySchool.get(staffSchool[s]).add(s);
        }
        for (Klass k : classes) {
            List<Integer> candidates = staffBySchool.get(k.school().index());
            classTeacher[k.index()] = candidates.get(k.index() % candidates.size());
        }
    }

    private String className(Form form, String grade, int c) {
        char letter = (char) ('A' + c % 26);
        String suffix = c >= 26 ? String.valueOf(c / 26 + 1) : "";
        return switch (grade) {
            case "PK" -> (swedish ? "Avdelning " : "Stue ") + (c + 1);
            case "KG" -> (swedish ? "F" : "0.") + letter + suffix;
            case "10", "11", "12" -> (swedish ? "NA" : "STX") + (Integer.parseInt(grade) - 9) + Character.toLowerCase(letter) + suffix;
            default -> Integer.parseInt(grade) + "" + letter + suffix;
        };
    }

    public Result writeTo(Path zip) {
        try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(new BufferedOutputStream(file, 1 << 16))) {
            out.setLevel(1);
            Counter counter = new Counter();
            entry(out, "manifest.csv", List.of("propertyName", "value"), this::manifest);
            entry(out, "orgs.csv", List.of("sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId",
                    "metadata.schoolForms", "metadata.municipalityCode"), this::orgs);
            entry(out, "academicSessions.csv", List.of("sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
                    "parentSourcedId", "schoolYear"), p -> row(p, "year-" + SCHOOL_YEAR, "", "", (swedish ? "Läsår " : "Skoleår ") + SCHOOL_YEAR + "/27",
                    "schoolYear", SCHOOL_YEAR + "-08-15", "2027-06-15", "", "2027"));
            entry(out, "classes.csv", List.of("sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode",
                    "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods",
                    "metadata.schoolForm", "metadata.groupType"), p -> counter.groups = classes(p));
            entry(out, "users.csv", List.of("sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
                    "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds",
                    "grades", "password", "metadata.securityMarking", "metadata.schoolForm"), p -> users(p, counter));
            entry(out, "enrollments.csv", List.of("sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
                    "userSourcedId", "role", "primary", "beginDate", "endDate"), p -> counter.memberships = enrollments(p));
            return new Result(schools.size(), counter.groups, pupilCount + staffCount + guardianCount, pupilCount, staffCount,
                    guardianCount, counter.memberships, counter.guardianLinks);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class Counter {
        int groups;
        int memberships;
        int guardianLinks;
    }

    private interface Rows {
        void write(CSVPrinter printer) throws IOException;
    }

    private static void entry(ZipOutputStream out, String name, List<String> header, Rows rows) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        // A fixed entry time: otherwise ZipOutputStream stamps the current time and the same seed gives other bytes.
        entry.setTimeLocal(ENTRY_TIME);
        out.putNextEntry(entry);
        Writer writer = new OutputStreamWriter(new NonClosing(out), StandardCharsets.UTF_8);
        CSVPrinter printer = new CSVPrinter(new BufferedWriter(writer, 1 << 16), CSVFormat.RFC4180.builder()
                .setRecordSeparator("\n").get());
        printer.printRecord(header);
        rows.write(printer);
        printer.flush();
        out.closeEntry();
    }

    private static void row(CSVPrinter p, Object... values) {
        try {
            p.printRecord(values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void manifest(CSVPrinter p) {
        row(p, "manifest.version", "1.0");
        row(p, "oneroster.version", "1.1");
        for (String f : List.of("academicSessions", "classes", "enrollments", "orgs", "users")) {
            row(p, "file." + f, "bulk");
        }
        for (String f : List.of("categories", "classResources", "courses", "courseResources", "demographics", "lineItems", "resources", "results")) {
            row(p, "file." + f, "absent");
        }
        row(p, "source.systemName", "Tilldela synthetic data generator");
    }

    private String organiserName() {
        return swedish ? streetWords[0] + " kommun" : streetWords[0] + " Kommune";
    }

    private void orgs(CSVPrinter p) {
        String municipalityCode = String.valueOf(swedish ? 1000 + settings.seed() % 8000 : 100 + settings.seed() % 800);
        row(p, "org-0", "", "", organiserName(), "district", "", "", "", municipalityCode);
        for (School s : schools) {
            String forms = s.form().code();
            if (s.form().code().equals("GR")) {
                forms = "GR,FKLASS,FTH";
            }
            row(p, s.id(), "", "", s.name(), "school", s.code(), "org-0", forms, municipalityCode);
        }
    }

    private int classes(CSVPrinter p) {
        int n = 0;
        for (Klass k : classes) {
            String form = k.grade().equals("KG") && swedish ? "FKLASS" : k.school().form().code();
            row(p, k.id(), "", "", k.name(), k.grade(), "", k.name(), "homeroom", "", k.school().id(), "year-" + SCHOOL_YEAR, "", "", "", form, "");
            n++;
            for (int g = 0; g < k.teachingGroups().size(); g++) {
                String subject = k.teachingGroups().get(g);
                row(p, k.id() + "-tg" + g, "", "", subject + " " + k.name(), k.grade(), "", subject.substring(0, 2).toUpperCase() + k.name(),
                        "scheduled", "", k.school().id(), "year-" + SCHOOL_YEAR, subject, "", "", form, "");
                n++;
            }
        }
        return n;
    }

    // Persons: pupils 0..P-1, staff P..P+S-1, guardians after. Variation replaces, renames or moves some.

    private enum Variation { NONE, RENAMED, MOVED, REPLACED }

    private Variation variation(int personIndex) {
        if (settings.varyPercent() == 0) {
            return Variation.NONE;
        }
        SplittableRandom r = rng(settings.varySeed() + 0x7a51L, personIndex);
        if (r.nextDouble() * 100 >= settings.varyPercent()) {
            return Variation.NONE;
        }
        return Variation.values()[1 + r.nextInt(3)];
    }

    private String personId(int personIndex) {
        return (variation(personIndex) == Variation.REPLACED ? "user-n" : "user-") + (personIndex + 1);
    }

    private int classOf(int pupil) {
        int k = pupilClass[pupil];
        if (variation(pupil) == Variation.MOVED) {
            Klass klass = classes.get(k);
            // a parallel class of the same grade at the same school, when there is one
            if (k + 1 < classes.size() && classes.get(k + 1).school() == klass.school() && classes.get(k + 1).grade().equals(klass.grade())) {
                return k + 1;
            }
            if (k > 0 && classes.get(k - 1).school() == klass.school() && classes.get(k - 1).grade().equals(klass.grade())) {
                return k - 1;
            }
        }
        return k;
    }

    private void users(CSVPrinter p, Counter counter) {
        int total = pupilCount + staffCount + guardianCount;
        for (int i = 0; i < total; i++) {
            SplittableRandom r = rng(settings.seed(), i + (variation(i) == Variation.REPLACED ? 7_777_777L : 0));
            String given = givenNames[r.nextInt(givenNames.length)];
            String family = familyNames[r.nextInt(familyNames.length)];
            if (variation(i) == Variation.RENAMED) {
                family = familyNames[(Arrays.asList(familyNames).indexOf(family) + 1) % familyNames.length];
            }
            String marking = r.nextInt(100) == 0 ? (r.nextBoolean() ? "Skyddad folkbokföring" : "Sekretessmarkering") : "Ingen";
            String id = personId(i);
            String username = ascii(given).toLowerCase(Locale.ROOT) + "." + ascii(family).toLowerCase(Locale.ROOT) + (i + 1);
            if (i < pupilCount) {
                Klass k = classes.get(classOf(i));
                int age = ageOf(k.grade(), r);
                String form = k.grade().equals("KG") && swedish ? "FKLASS" : k.school().form().code();
                List<String> agents = guardiansOf(i);
                counter.guardianLinks += agents.size();
                row(p, id, "", "", "true", k.school().id(), "student", username, "", given, family, "", civicNumber(age, r), username + "@elev.example.org",
                        "", "", String.join(",", agents), k.grade(), "", marking, form);
            } else if (i < pupilCount + staffCount) {
                School s = schools.get(staffSchool[i - pupilCount]);
                boolean principal = i - pupilCount < schools.size();
                row(p, id, "", "", "true", s.id(), principal ? "administrator" : "teacher", username, "", given, family, "", civicNumber(25 + r.nextInt(40), r),
                        username + "@personal.example.org", "", "", "", "", "", marking, "");
            } else {
                row(p, id, "", "", "true", "", "guardian", username, "", given, family, "", civicNumber(28 + r.nextInt(30), r),
                        "", "", "", "", "", "", marking, "");
            }
        }
    }

    /** Guardians: consecutive pupils share some, as siblings do; about half of pupils have two. */
    private List<String> guardiansOf(int pupil) {
        if (guardianCount == 0) {
            return List.of();
        }
        int first = (int) ((long) pupil * guardianCount / pupilCount);
        List<String> ids = new ArrayList<>(2);
        ids.add(personId(pupilCount + staffCount + first));
        if (pupil % 2 == 0 && first + 1 < guardianCount) {
            ids.add(personId(pupilCount + staffCount + first + 1));
        }
        return ids;
    }

    private int enrollments(CSVPrinter p) {
        int n = 0;
        for (int i = 0; i < pupilCount; i++) {
            Klass k = classes.get(classOf(i));
            String user = personId(i);
            row(p, "enr-" + user + "-" + k.id(), "", "", k.id(), k.school().id(), user, "student", "true", SCHOOL_YEAR + "-08-15", "");
            n++;
            for (int g = 0; g < k.teachingGroups().size(); g++) {
                row(p, "enr-" + user + "-" + k.id() + "-tg" + g, "", "", k.id() + "-tg" + g, k.school().id(), user, "student", "false", SCHOOL_YEAR + "-08-15", "");
                n++;
            }
        }
        for (Klass k : classes) {
            String teacher = personId(pupilCount + classTeacher[k.index()]);
            row(p, "enr-" + teacher + "-" + k.id(), "", "", k.id(), k.school().id(), teacher, "teacher", "true", SCHOOL_YEAR + "-08-15", "");
            n++;
            for (int g = 0; g < k.teachingGroups().size(); g++) {
                row(p, "enr-" + teacher + "-" + k.id() + "-tg" + g, "", "", k.id() + "-tg" + g, k.school().id(), teacher, "teacher", "true", SCHOOL_YEAR + "-08-15", "");
                n++;
            }
        }
        return n;
    }

    /** Independent streams per person: Random's first draws correlate for neighbouring seeds. */
    private static SplittableRandom rng(long seed, long index) {
        return new SplittableRandom(new SplittableRandom(seed).nextLong() ^ (index * 0x9E3779B97F4A7C15L));
    }

    private static int ageOf(String grade, SplittableRandom r) {
        return switch (grade) {
            case "PK" -> 2 + r.nextInt(4);
            case "KG" -> 6;
            default -> Integer.parseInt(grade) + 6;
        };
    }

    /**
     * A synthetic civic number: Swedish personnummer with a valid check digit but a birth-number range
     * (980–999) Tilldela's generator reserves, or a Danish CPR number; never a real person's by intent.
     */
    private String civicNumber(int age, SplittableRandom r) {
        LocalDate birth = LocalDate.of(2026 - age, 1 + r.nextInt(12), 1 + r.nextInt(28));
        if (!swedish) {
            return String.format("%02d%02d%02d-%04d", birth.getDayOfMonth(), birth.getMonthValue(), birth.getYear() % 100, r.nextInt(10000));
        }
        String nine = String.format("%02d%02d%02d%03d", birth.getYear() % 100, birth.getMonthValue(), birth.getDayOfMonth(), 980 + r.nextInt(20));
        int sum = 0;
        for (int i = 0; i < 9; i++) {
            int d = (nine.charAt(i) - '0') * (i % 2 == 0 ? 2 : 1);
            sum += d > 9 ? d - 9 : d;
        }
        int check = (10 - sum % 10) % 10;
        return birth.getYear() + nine.substring(2, 6) + "-" + nine.substring(6) + check;
    }

    private static String ascii(String s) {
        String n = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
        return n.replace("ø", "o").replace("Ø", "O").replace("æ", "ae").replace("Æ", "Ae").replaceAll("[^A-Za-z]", "");
    }

    /** Lets a CSV writer be closed per entry without closing the zip. */
    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

}
