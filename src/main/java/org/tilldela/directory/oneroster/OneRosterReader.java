package org.tilldela.directory.oneroster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.tilldela.directory.Protection;
import org.tilldela.directory.importing.Entity;
import org.tilldela.directory.importing.FingerprintSet;
import org.tilldela.directory.importing.ImportProblem;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRejectedException;
import org.tilldela.directory.importing.Problems;
import org.tilldela.directory.importing.RowWriter;
import org.tilldela.directory.importing.ImportLimits;
import org.tilldela.directory.importing.SnapshotReader;
import org.tilldela.directory.importing.StagedSnapshot.Origin;
import org.tilldela.directory.importing.StagedSnapshot;

/**
 * Reads a OneRoster 1.1 or 1.2 CSV package (a zip with manifest.csv) as a full snapshot.
 *
 * <p>Mapping: orgs of type district become organisers, schools become school units (identifier = school
 * unit code); classes become groups (homeroom → class, scheduled → teaching group); enrollments become
 * memberships; a student's orgs become enrolments and a staff member's orgs duties (1.1: users.csv role
 * and orgSourcedIds; 1.2: roles.csv); a student's agentSourcedIds become guardian links. OneRoster has no
 * protection marking: it is read from the extension column {@code metadata.securityMarking} with SS 12000's
 * values. Further extensions: {@code metadata.schoolForms} (orgs), {@code metadata.municipalityCode}
 * (orgs), {@code metadata.schoolForm} (classes, users), {@code metadata.groupType} (classes). Demographics
 * are not read: Tilldela keeps no more than it needs.
 */
public final class OneRosterReader implements SnapshotReader {

    private static final Set<String> STATUS = Set.of("active", "tobedeleted");
    private static final Set<String> ORG_TYPES = Set.of("district", "school", "department", "local", "state", "national");
    private static final Set<String> CLASS_TYPES = Set.of("homeroom", "scheduled");
    private static final Set<String> GROUP_TYPES = Set.of("CLASS", "TEACHING_GROUP", "MENTOR_GROUP", "GRADE", "OTHER");
    private static final Set<String> SECURITY_MARKINGS = Set.of("Ingen", "Sekretessmarkering", "Skyddad folkbokföring");
    private static final Set<String> USER_ROLES_11 = Set.of("administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher");
    private static final Set<String> USER_ROLES_12 = Set.of("aide", "counselor", "districtAdministrator", "guardian", "parent", "principal",
            "proctor", "relative", "siteAdministrator", "student", "systemAdministrator", "teacher");
    private static final Set<String> ENROLLMENT_ROLES = Set.of("administrator", "proctor", "student", "teacher", "aide");
    private static final Set<String> GUARDIAN_ROLES = Set.of("guardian", "parent", "relative");
    /** A user's roles as the guardian links need them (see {@code Run.roles}): a student, and one guardian-type role. */
    private static final int STUDENT = 1;
    private static final int GUARDIAN = 2;
    private static final int PARENT = 4;
    private static final int RELATIVE = 8;
    private static final int GUARDIAN_TYPE = GUARDIAN | PARENT | RELATIVE;
    private static final Set<String> ROLE_TYPES = Set.of("primary", "secondary");
    private static final Set<String> BOOLEANS = Set.of("true", "false", "TRUE", "FALSE");

    private static final List<String> COMMON = List.of("sourcedId", "status", "dateLastModified");

    /**
     * What a membership is made of: the enrollments.csv columns {@code readEnrollments} reads, and a version. A change
     * to how a membership is read from them (or which records are refused) must change the version, or stored rows of
     * unchanged records would stand as the old reading made them. Columns read but not used (dateLastModified, primary,
     * schoolSourcedId) are left out: a source that touches every record's date each night changes no membership.
     */
    private static final RecordFingerprint.Recipe ENROLLMENT_FINGERPRINT = new RecordFingerprint.Recipe("oneroster enrollments 1",
            List.of("sourcedId", "status", "classSourcedId", "userSourcedId", "role", "beginDate", "endDate"));

    /**
     * What a user's person — and in 1.1 their enrolments and duties — are made of (with the school forms Tilldela knows,
     * and for a student without a school form their schools' ones: see {@code readUsers}). Not agentSourcedIds: guardian
     * links are made, and fingerprinted, from every user's pairs at the end. Versioned as {@link #ENROLLMENT_FINGERPRINT}.
     */
    private static final RecordFingerprint.Recipe USER_FINGERPRINT_11 = new RecordFingerprint.Recipe("oneroster 1.1 users 1",
            List.of("sourcedId", "status", "enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName", "identifier", "email",
                    "grades", "metadata.securityMarking", "metadata.schoolForm"));
    private static final RecordFingerprint.Recipe USER_FINGERPRINT_12 = new RecordFingerprint.Recipe("oneroster 1.2 users 1",
            List.of("sourcedId", "status", "enabledUser", "username", "givenName", "familyName", "identifier", "email", "grades",
                    "metadata.securityMarking", "metadata.schoolForm"));
    /**
     * 1.2: an enrolment as {@code readRoles} makes it — (student, school, grade, school form), the last two from users.csv
     * and orgs.csv — and a duty — (the role's id, user, organisation, duty, start, end). By what the row is made of, not
     * by its roles.csv record: several student roles at one school make one enrolment, whichever of them comes first.
     */
    private static final RecordFingerprint.Recipe ENROLMENT_ROW_FINGERPRINT = new RecordFingerprint.Recipe("oneroster 1.2 enrolment 1",
            List.of("student", "school", "grade", "schoolForm"));
    private static final RecordFingerprint.Recipe DUTY_ROW_FINGERPRINT = new RecordFingerprint.Recipe("oneroster 1.2 duty 1",
            List.of("sourcedId", "user", "organisation", "duty", "start", "end"));
    /** A guardian link: (child, guardian, relation) as {@code replayGuardianLinks} settles them. */
    private static final RecordFingerprint.Recipe GUARDIAN_LINK_FINGERPRINT = new RecordFingerprint.Recipe("oneroster guardian link 1",
            List.of("child", "guardian", "relation"));

    private final Path zip;
    private final String displayName;
    private final ImportLimits limits;

    /** A reader with the default limits, for packages the application made itself (demo, benchmarks, tests). */
    public OneRosterReader(Path zip, String displayName) {
        this(zip, displayName, ImportLimits.DEFAULTS);
    }

    /** A reader that refuses a package going beyond {@code limits} (see {@link ImportLimits}). */
    public OneRosterReader(Path zip, String displayName, ImportLimits limits) {
        this.zip = zip;
        this.displayName = displayName;
        this.limits = limits;
    }

    /** SHA-256 of the zip file (about 40 ms for the 46 MB of a million persons, where the CPU has SHA instructions); empty if it cannot be read — {@link #read} says why. */
    @Override
    public Optional<byte[]> packageDigest() {
        try (InputStream in = Files.newInputStream(zip)) {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
            }
            return Optional.of(sha256.digest());
        } catch (IOException e) {
            return Optional.empty();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    @Override
    public String sourceKind() {
        return "ONEROSTER";
    }

    @Override
    public void read(StagedSnapshot stage, ImportProgress progress) {
        ZipFile zipFile;
        try {
            zipFile = new ZipFile(zip.toFile());
        } catch (ZipException e) {
            throw new ImportRejectedException(new ImportProblem(displayName, 0, null,
                    "not a complete zip archive (truncated or not a zip file): " + e.getMessage()));
        } catch (IOException e) {
            throw new ImportRejectedException(new ImportProblem(displayName, 0, null, "cannot be read: " + e.getMessage()));
        }
        try (zipFile) {
            BoundedZip bounded = new BoundedZip(zipFile, limits, displayName);
            bounded.checkDeclaredSizes();
            new Run(zipFile, bounded, stage, progress).read();
        } catch (IOException e) {
            throw new ImportRejectedException(new ImportProblem(displayName, 0, null, "cannot be read (damaged archive?): " + e.getMessage()));
        }
    }

    /** One reading of one package. */
    private final class Run {
        private final ZipFile zipFile;
        private final BoundedZip bounded;
        private final StagedSnapshot stage;
        private final ImportProgress progress;
        private final Problems problems;
        private final Set<String> knownSchoolForms;
        private String version;
        /** School forms of each org (orgs are few): an enrolment without its own school form takes its school's only one. */
        private final Map<String, String[]> orgSchoolForms = new HashMap<>();
        /** 1.2: a student's grade and school form, for the enrolments roles.csv implies. */
        private final Map<String, String[]> studentPlacement = new HashMap<>();
        /** 1.2: (user@org) of the student roles read, so that several periods at one school make one enrolment. */
        private final Set<String> studentRolesSeen = new HashSet<>();
        /**
         * What the guardian links need of each user's roles, as bits ({@link #STUDENT} and one guardian-type role): who
         * is a student, for a link's direction, and as what a guardian is one, for its relation. One map, so that the
         * replay looks each side of a pair up once (it was a set of students and a map of guardian roles, up to four
         * lookups a pair, a million pairs a night).
         */
        private final Map<String, Integer> roles;
        /** Every user's agents as listed, for the guardian links. */
        private final GuardianPairs agents;

        Run(ZipFile zipFile, BoundedZip bounded, StagedSnapshot stage, ImportProgress progress) {
            this.zipFile = zipFile;
            this.bounded = bounded;
            this.stage = stage;
            this.progress = progress;
            this.problems = stage.problems();
            this.knownSchoolForms = stage.schoolForms();
            // sized for the users.csv at hand (a user's row is 100–200 bytes; a lying size is capped): grown a row at a time,
            // a million users' sets were doubled sixteen times
            ZipEntry usersFile = zipFile.getEntry("users.csv");
            long declared = usersFile == null ? 0 : usersFile.getSize();
            int users = (int) Math.clamp(declared / 150, 16, 1 << 21);
            this.roles = HashMap.newHashMap(users);
            this.agents = new GuardianPairs(users);
        }

        void read() throws IOException {
            readManifest();
            problems.throwIfAny();
            boolean v12 = version.equals("1.2");
            // The records of the big files are recognised by their fingerprints: a nightly package repeats nearly all of
            // them. 1.2's enrolments and duties, which roles.csv makes with what users.csv says, by what they are made of.
            for (Entity fingerprinted : List.of(Entity.PERSON, Entity.ENROLMENT, Entity.DUTY, Entity.MEMBERSHIP, Entity.GUARDIAN_LINK)) {
                stage.fingerprintRecords(fingerprinted);
            }
            readOrgs();
            readClasses();
            String placements = v12 ? "roles.csv" : "users.csv";
            // users.csv and enrollments.csv are the bulk of a package and independent of each other: read on two
            // threads. Only one COPY can run on the connection, so everything but persons goes through deferred
            // writers; all are opened (and the stored rows they compare with loaded) before the second thread starts.
            ExecutorService second = Executors.newSingleThreadExecutor(r -> new Thread(r, "oneroster-enrollments"));
            ExecutorService third = Executors.newSingleThreadExecutor(r -> new Thread(r, "oneroster-guardian-links"));
            ImportProgress shared = v12 ? sharedProgress("users.csv", "roles.csv", "enrollments.csv") : sharedProgress("users.csv", "enrollments.csv");
            String placementsUser = v12 ? "userSourcedId" : "sourcedId";
            // Guardian links are known once every user's role is: they are replayed on a thread of their own, into a file
            // of their own, from when the users are read — beside the rest of enrollments.csv, and then while this thread
            // copies the other deferred writers' files in (PostgreSQL's work, ~2 s of a million-person first import); their
            // file is copied in last. Started only after enrollments.csv, the replay was a second or so of a nightly
            // import's critical path on which the other core had nothing to do.
            try (RowWriter guardianLinks = stage.openDeferred(Entity.GUARDIAN_LINK, new Origin("users.csv", "sourcedId", "agentSourcedIds", "sourcedId"))) {
                Future<?> linksReplayed = null;
                LaterPhase linksPhase = new LaterPhase();
                try {
                    try (RowWriter enrolments = stage.openDeferred(Entity.ENROLMENT, new Origin(placements, "sourcedId",
                                 v12 ? "orgSourcedId" : "orgSourcedIds", placementsUser));
                         RowWriter duties = stage.openDeferred(Entity.DUTY, new Origin(placements, "sourcedId",
                                 v12 ? "orgSourcedId" : "orgSourcedIds", placementsUser));
                         RowWriter memberships = stage.openDeferred(Entity.MEMBERSHIP, new Origin("enrollments.csv", "sourcedId",
                                 "classSourcedId", "userSourcedId"))) {
                        Future<?> enrollmentsRead = second.submit(() -> {
                            readEnrollments(memberships, shared);
                            return null;
                        });
                        boolean finished = false;
                        try {
                            readUsers(v12, enrolments, duties, shared);
                            if (v12) {
                                readRoles(enrolments, duties, shared);
                            }
                            linksReplayed = third.submit(() -> {
                                replayGuardianLinks(guardianLinks, linksPhase);
                                return null;
                            });
                            await(enrollmentsRead, "enrollments.csv");
                            linksPhase.open("guardian links", agents.size());
                            finished = true;
                        } finally {
                            if (!finished) {
                                // something failed: stop the other threads before the writers they use are closed
                                stop(second, third);
                            }
                        }
                    }
                    // everything but the guardian links is read and staged: settled while their replay goes on
                    stage.readingDoneFor(Entity.PERSON, Entity.ENROLMENT, Entity.DUTY, Entity.MEMBERSHIP);
                    await(linksReplayed, "guardian links");
                } finally {
                    // the replay has stopped before its writer is closed, whatever failed
                    stop(second, third);
                }
            }
        }

        /**
         * The progress of work that starts before its phase is shown (the guardian links, while enrollments.csv is still
         * being read): counted until the phase opens, then passed on.
         */
        private final class LaterPhase implements ImportProgress {
            private long early;
            private boolean open;

            synchronized void open(String name, long total) {
                progress.phase(name, total);
                open = true;
                progress.advance(early);
            }

            @Override
            public void phase(String name, long total) {
            }

            @Override
            public synchronized void advance(long n) {
                if (open) {
                    progress.advance(n);
                } else {
                    early += n;
                }
            }
        }

        /** Waits for work on the second thread; what failed there is thrown here. */
        private static void await(Future<?> work, String what) throws IOException {
            try {
                work.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading " + what, e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IOException(e.getCause());
            }
        }

        /** Stops the reading threads and waits for them (each stops at its next record, see CsvTable.forEachRow). */
        private static void stop(ExecutorService... executors) {
            for (ExecutorService executor : executors) {
                executor.shutdownNow();
            }
            try {
                for (ExecutorService executor : executors) {
                    executor.awaitTermination(1, TimeUnit.MINUTES);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Progress of files read side by side, reported as one phase. */
        private ImportProgress sharedProgress(String... files) {
            long total = 0;
            for (String file : files) {
                ZipEntry entry = zipFile.getEntry(file);
                total += entry == null ? 0 : Math.max(0, entry.getSize());
            }
            progress.phase(String.join(" + ", files), total);
            return new ImportProgress() {
                @Override
                public void phase(String name, long ignored) {
                }

                @Override
                public synchronized void advance(long n) {
                    progress.advance(n);
                }

                @Override
                public synchronized void records(long n) {
                    progress.records(n);
                }
            };
        }

        private void readManifest() throws IOException {
            ZipEntry entry = zipFile.getEntry("manifest.csv");
            if (entry == null) {
                problems.add(displayName, 0, null, "manifest.csv is missing; a OneRoster package starts with its manifest");
                return;
            }
            CsvTable manifest = open("manifest.csv", entry, List.of("propertyName", "value"), progress);
            if (manifest == null) {
                return;
            }
            Map<String, String> props = new HashMap<>();
            Map<String, Long> lines = new HashMap<>(); // where each property is, for problems (0 when absent)
            manifest.forEachRow(r -> {
                String property = r.required("propertyName");
                props.put(property, r.optional("value"));
                lines.put(property, r.line());
            });
            version = props.get("oneroster.version");
            if (version == null || !(version.equals("1.1") || version.equals("1.2"))) {
                problems.add("manifest.csv", lines.getOrDefault("oneroster.version", 0L), "oneroster.version",
                        "unsupported OneRoster version '" + version + "' (1.1 and 1.2 are supported)");
                return;
            }
            for (String file : List.of("orgs", "users", "classes", "enrollments")) {
                String mode = props.get("file." + file);
                if (!"bulk".equals(mode)) {
                    problems.add("manifest.csv", lines.getOrDefault("file." + file, 0L), "file." + file,
                            "must be 'bulk' for a full import, is '" + mode + "'"
                            + ("delta".equals(mode) ? " (delta packages are not supported yet: import the bulk snapshot)" : ""));
                }
            }
            if (version.equals("1.2") && !"bulk".equals(props.get("file.roles"))) {
                problems.add("manifest.csv", lines.getOrDefault("file.roles", 0L), "file.roles", "OneRoster 1.2 needs roles.csv in bulk mode");
            }
            for (String file : props.keySet()) {
                if (file.startsWith("file.") && "bulk".equals(props.get(file)) && zipFile.getEntry(file.substring(5) + ".csv") == null) {
                    problems.add(displayName, 0, null, "manifest.csv lists " + file.substring(5) + ".csv, which is not in the package");
                }
            }
        }

        private CsvTable open(String name, ZipEntry entry, List<String> required, ImportProgress reportTo) throws IOException {
            reportTo.phase(name, Math.max(entry.getSize(), 0));
            reportTo.records(0); // the phase counts bytes; its records are told apart
            return CsvTable.open(name, () -> bounded.open(entry), reportTo::advance, reportTo::records, required, problems, limits.maxLineLength());
        }

        private CsvTable open(String name, List<String> required) throws IOException {
            return open(name, required, progress);
        }

        private CsvTable open(String name, List<String> required, ImportProgress reportTo) throws IOException {
            ZipEntry entry = zipFile.getEntry(name);
            if (entry == null) {
                problems.add(displayName, 0, null, name + " is missing");
                return null;
            }
            return open(name, entry, required, reportTo);
        }

        private boolean skip(CsvTable.Row r) {
            return "tobedeleted".equals(r.oneOf("status", STATUS, false));
        }

        private String[] schoolForms(CsvTable.Row r, String column) {
            List<String> codes = r.list(column);
            for (String code : codes) {
                if (!knownSchoolForms.contains(code)) {
                    r.problem(column, "unknown school form '" + code + "' (known: " + String.join(", ", knownSchoolForms.stream().sorted().toList()) + ")");
                }
            }
            return codes.toArray(String[]::new);
        }

        private void readOrgs() throws IOException {
            CsvTable orgs = open("orgs.csv", concat(COMMON, "name", "type", "identifier", "parentSourcedId"));
            if (orgs == null) {
                return;
            }
            try (RowWriter out = stage.open(Entity.ORGANISATION, new Origin("orgs.csv", "sourcedId", "parentSourcedId", null))) {
                orgs.forEachRow(r -> {
                    String id = r.required("sourcedId");
                    if (skip(r)) {
                        return;
                    }
                    String name = r.required("name");
                    String type = r.oneOf("type", ORG_TYPES, true);
                    String parent = r.optional("parentSourcedId");
                    String[] forms = schoolForms(r, "metadata.schoolForms");
                    if (!r.valid()) {
                        return;
                    }
                    String kind = switch (type) {
                        case "district" -> "ORGANISER";
                        case "school" -> "SCHOOL_UNIT";
                        default -> "OTHER";
                    };
                    orgSchoolForms.put(id, forms);
                    out.write(id, r.line(), parent, null, kind, name, parent == null ? null : stage.id(Entity.ORGANISATION, parent),
                            "school".equals(type) ? r.optional("identifier") : null, r.optional("metadata.municipalityCode"), forms);
                });
            }
        }

        private void readClasses() throws IOException {
            CsvTable classes = open("classes.csv", concat(COMMON, "title", "classType", "schoolSourcedId"));
            if (classes == null) {
                return;
            }
            try (RowWriter out = stage.open(Entity.GROUP, new Origin("classes.csv", "sourcedId", "schoolSourcedId", null))) {
                classes.forEachRow(r -> {
                    String id = r.required("sourcedId");
                    if (skip(r)) {
                        return;
                    }
                    String title = r.required("title");
                    String classType = r.oneOf("classType", CLASS_TYPES, true);
                    String school = r.required("schoolSourcedId");
                    String groupType = r.oneOf("metadata.groupType", GROUP_TYPES, false);
                    String[] form = schoolForms(r, "metadata.schoolForm");
                    if (!r.valid()) {
                        return;
                    }
                    String kind = groupType != null ? groupType : ("homeroom".equals(classType) ? "CLASS" : "TEACHING_GROUP");
                    out.write(id, r.line(), school, null, stage.id(Entity.ORGANISATION, school), kind, title,
                            form.length > 0 ? form[0] : null, nullIfEmpty(String.join(",", r.list("grades"))), null, null);
                });
            }
        }

        private void readUsers(boolean v12, RowWriter enrolments, RowWriter duties, ImportProgress reportTo) throws IOException {
            List<String> required = v12 ? concat(COMMON, "enabledUser", "username", "givenName", "familyName", "identifier", "email", "agentSourcedIds", "grades")
                    : concat(COMMON, "enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName", "identifier", "email", "agentSourcedIds", "grades");
            CsvTable users = open("users.csv", required, reportTo);
            if (users == null) {
                return;
            }
            // which school forms are known decides which records are refused: part of every user's fingerprint
            RecordFingerprint fingerprint = new RecordFingerprint(v12 ? USER_FINGERPRINT_12 : USER_FINGERPRINT_11,
                    String.join(",", knownSchoolForms.stream().sorted().toList()), users);
            try (RowWriter out = stage.open(Entity.PERSON, new Origin("users.csv", "sourcedId", null, null))) {
                // parsed here, handled on a thread of its own: both halves cost about the same (see HandedOnRows)
                HandedOnRows.forEachRow(users, "oneroster-users", r -> {
                    UUID recordFingerprint = fingerprint.of(r, v12 ? "" : schoolFormsTakenFromOrgs(r));
                    boolean kept = out.keep(recordFingerprint, r.line());
                    if (!v12) {
                        enrolments.follow(recordFingerprint, r.line(), kept);
                        duties.follow(recordFingerprint, r.line(), kept);
                    }
                    if (kept) {
                        // its rows stand as stored; what the guardian links (and 1.2's roles.csv: grade and school form) need of
                        // it is taken as it is — a million times a night, so 1.1 leaves out what only 1.2 uses
                        List<String> form = v12 ? r.list("metadata.schoolForm") : List.of();
                        remember(v12, r.optional("sourcedId"), v12 ? null : r.optional("role"), r.list("agentSourcedIds"),
                                v12 ? r.list("grades").stream().findFirst().orElse(null) : null, form.isEmpty() ? null : form.getFirst(), r.line());
                        return;
                    }
                    String id = r.required("sourcedId");
                    if (skip(r)) {
                        return;
                    }
                    String given = r.required("givenName");
                    String family = r.required("familyName");
                    r.oneOf("enabledUser", BOOLEANS, false);
                    String marking = r.oneOf("metadata.securityMarking", SECURITY_MARKINGS, false);
                    String[] form = schoolForms(r, "metadata.schoolForm");
                    String role = v12 ? null : r.oneOf("role", USER_ROLES_11, true);
                    String grade = r.list("grades").stream().findFirst().orElse(null);
                    if (!r.valid()) {
                        return;
                    }
                    out.write(id, r.line(), null, null, given, family, r.optional("identifier"), r.optional("email"),
                            r.optional("username"), Protection.fromSs12000(marking));
                    String schoolForm = form.length > 0 ? form[0] : null;
                    remember(v12, id, role, r.list("agentSourcedIds"), grade, schoolForm, r.line());
                    if (v12) {
                        return;
                    }
                    for (String org : r.list("orgSourcedIds")) {
                        if ("student".equals(role)) {
                            writeEnrolment(enrolments, id, org, grade, schoolForm, r.line());
                        } else if (!GUARDIAN_ROLES.contains(role)) {
                            writeDuty(duties, id + "@" + org, id, org, role, null, null, r.line());
                        }
                    }
                });
            }
        }

        /**
         * What a user's other rows are made from besides the record: a 1.1 student without a school form of their own
         * takes, for each school, that school's only one ({@link #writeEnrolment}); empty for everyone else.
         */
        private String schoolFormsTakenFromOrgs(CsvTable.Row r) {
            // from the raw fields, so that nothing is reported twice; taking a school's forms where the reading would not
            // only makes the fingerprint change more often
            String role = r.raw("role");
            String ownForm = r.raw("metadata.schoolForm");
            String orgs = r.raw("orgSourcedIds");
            if (role == null || !role.strip().equals("student") || (ownForm != null && !ownForm.isBlank()) || orgs == null) {
                return "";
            }
            StringBuilder taken = new StringBuilder();
            for (String org : orgs.split(",")) {
                String[] forms = orgSchoolForms.get(org.strip());
                taken.append(forms != null && forms.length == 1 ? forms[0] : "").append(';');
            }
            return taken.toString();
        }

        /** What later files and the guardian links need of a user read (or recognised): agents, role, 1.2 placement. */
        private void remember(boolean v12, String id, String role, List<String> agentIds, String grade, String schoolForm, long line) {
            // Direction is settled at replay, when every guardian's role is known.
            for (String agent : agentIds) {
                agents.add(id, agent, line);
            }
            if (v12) {
                if (grade != null || schoolForm != null) {
                    studentPlacement.put(id, new String[] {grade, schoolForm});
                }
            } else if (GUARDIAN_ROLES.contains(role)) {
                guardianRole(id, role);
            } else if ("student".equals(role)) {
                student(id);
            }
        }

        /** OneRoster 1.2: who is what where. */
        private void readRoles(RowWriter enrolments, RowWriter duties, ImportProgress reportTo) throws IOException {
            CsvTable roles = open("roles.csv", concat(COMMON, "userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId"), reportTo);
            if (roles == null) {
                return;
            }
            RecordFingerprint enrolment = new RecordFingerprint(ENROLMENT_ROW_FINGERPRINT, "", null);
            RecordFingerprint duty = new RecordFingerprint(DUTY_ROW_FINGERPRINT, "", null);
            roles.forEachRow(r -> {
                String id = r.required("sourcedId");
                if (skip(r)) {
                    return;
                }
                String user = r.required("userSourcedId");
                String role = r.oneOf("role", USER_ROLES_12, true);
                r.oneOf("roleType", ROLE_TYPES, true);
                String org = r.required("orgSourcedId");
                var begin = r.date("beginDate");
                var end = r.date("endDate");
                if (!r.valid()) {
                    return;
                }
                if ("student".equals(role)) {
                    student(user);
                    if (!studentRolesSeen.add(user + "@" + org)) {
                        return; // another student role at the same school (another period): one enrolment
                    }
                    String[] placement = studentPlacement.getOrDefault(user, new String[2]);
                    String schoolForm = schoolFormAt(org, placement[1]);
                    if (!enrolments.keep(enrolment.of(user, org, placement[0], schoolForm), r.line())) {
                        writeEnrolment(enrolments, user, org, placement[0], schoolForm, r.line());
                    }
                } else if (GUARDIAN_ROLES.contains(role)) {
                    guardianRole(user, role);
                } else if (!duties.keep(duty.of(id, user, org, dutyRole(role), Objects.toString(begin, null), Objects.toString(end, null)), r.line())) {
                    writeDuty(duties, id, user, org, role, begin, end, r.line());
                }
            });
        }

        private void readEnrollments(RowWriter out, ImportProgress reportTo) throws IOException {
            CsvTable enrollments = open("enrollments.csv", concat(COMMON, "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary",
                    "beginDate", "endDate"), reportTo);
            if (enrollments == null) {
                return;
            }
            RecordFingerprint fingerprint = new RecordFingerprint(ENROLLMENT_FINGERPRINT, "", enrollments);
            enrollments.forEachRow(r -> {
                if (out.keep(fingerprint.of(r, ""), r.line())) {
                    return; // the same record as when its membership was stored: it stands
                }
                String id = r.required("sourcedId");
                if (skip(r)) {
                    return;
                }
                String group = r.required("classSourcedId");
                String user = r.required("userSourcedId");
                String role = r.oneOf("role", ENROLLMENT_ROLES, true);
                var begin = r.date("beginDate");
                var end = r.date("endDate");
                if (!r.valid()) {
                    return;
                }
                out.write(id, r.line(), group, user, stage.id(Entity.GROUP, group), stage.id(Entity.PERSON, user),
                        "student".equals(role) ? "PUPIL" : role.toUpperCase(), begin, end);
            });
        }

        /** A student's school form at a school: their own, else the school's only one (null if it has several or none). */
        private String schoolFormAt(String org, String own) {
            if (own != null) {
                return own;
            }
            String[] forms = orgSchoolForms.get(org);
            return forms != null && forms.length == 1 ? forms[0] : null;
        }

        private void writeEnrolment(RowWriter out, String user, String org, String grade, String schoolForm, long line) {
            schoolForm = schoolFormAt(org, schoolForm);
            out.write(user + "@" + org, line, org, user, stage.id(Entity.PERSON, user), stage.id(Entity.ORGANISATION, org), schoolForm, grade);
        }

        private void writeDuty(RowWriter out, String sourceId, String user, String org, String role, LocalDate begin,
                               LocalDate end, long line) {
            out.write(sourceId, line, org, user, stage.id(Entity.PERSON, user), stage.id(Entity.ORGANISATION, org), dutyRole(role), begin, end);
        }

        private void student(String user) {
            roles.merge(user, STUDENT, (had, bit) -> had | bit);
        }

        /** A user's guardian-type role (the last one read stands, as a map's put did); whether they are a student stays. */
        private void guardianRole(String user, String role) {
            int bit = switch (role) {
                case "parent" -> PARENT;
                case "relative" -> RELATIVE;
                default -> GUARDIAN;
            };
            roles.merge(user, bit, (had, given) -> (had & STUDENT) | given);
        }

        private void replayGuardianLinks(RowWriter out, ImportProgress linksProgress) {
            // a link is made from its pair and relation alone: they are its fingerprint, which also tells a link seen from
            // both sides (the relation follows from the guardian, so both sightings have the same one)
            FingerprintSet seen = new FingerprintSet(agents.size());
            RecordFingerprint fingerprint = new RecordFingerprint(GUARDIAN_LINK_FINGERPRINT, "", null);
            long[] made = new long[1];
            agents.forEach((user, agent, line) -> {
                // A student's row lists their guardians, a guardian's row their children; packages fill either
                // side or both. The roles settle which is which; with neither known, the row is the child's.
                int userRoles = roles.getOrDefault(user, 0);
                int agentRoles = roles.getOrDefault(agent, 0);
                boolean userIsChild = (userRoles & STUDENT) != 0 || ((agentRoles & STUDENT) == 0 && (userRoles & GUARDIAN_TYPE) == 0);
                String child = userIsChild ? user : agent;
                String guardian = userIsChild ? agent : user;
                if (child.equals(guardian)) {
                    return;
                }
                int guardianRoles = userIsChild ? agentRoles : userRoles;
                String relation = (guardianRoles & PARENT) != 0 ? "PARENT" : (guardianRoles & RELATIVE) != 0 ? "RELATIVE" : "GUARDIAN";
                UUID link = fingerprint.of(child, guardian, relation);
                if (!seen.add(link)) {
                    return; // the same link seen from the other side
                }
                if (++made[0] % CsvTable.ROWS_PER_REPORT == 0) {
                    linksProgress.advance(CsvTable.ROWS_PER_REPORT);
                }
                if (out.keep(link, line)) {
                    return;
                }
                out.write(child + ">" + guardian, line, guardian, child,
                        stage.id(Entity.PERSON, guardian), stage.id(Entity.PERSON, child), relation);
            });
            linksProgress.advance(made[0] % CsvTable.ROWS_PER_REPORT);
        }
    }

    /**
     * (user, agent, line) as read from users.csv, kept until everyone's role is known: which side of a link
     * a row is, and the relation, depend on it. In memory — a few tens of MB at a million persons.
     */
    private static final class GuardianPairs {
        interface Visitor {
            void visit(String user, String agent, long line);
        }

        private final List<String> users;
        private final List<String> agents;
        private long[] lines;

        GuardianPairs(int expected) {
            users = new ArrayList<>(expected);
            agents = new ArrayList<>(expected);
            lines = new long[Math.max(1024, expected)];
        }

        synchronized void add(String user, String agent, long line) {
            if (users.size() == lines.length) {
                lines = Arrays.copyOf(lines, lines.length * 2);
            }
            lines[users.size()] = line;
            users.add(user);
            agents.add(agent);
        }

        int size() {
            return users.size();
        }

        void forEach(Visitor visitor) {
            for (int i = 0; i < users.size(); i++) {
                visitor.visit(users.get(i), agents.get(i), lines[i]);
            }
        }
    }

    private static String dutyRole(String oneRosterRole) {
        return switch (oneRosterRole) {
            case "teacher" -> "TEACHER";
            case "principal" -> "PRINCIPAL";
            case "aide" -> "AIDE";
            case "counselor" -> "COUNSELLOR";
            case "proctor" -> "PROCTOR";
            default -> "ADMINISTRATOR";
        };
    }

    private static String nullIfEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(new LinkedHashSet<>(List.of(more)));
        return all;
    }
}
