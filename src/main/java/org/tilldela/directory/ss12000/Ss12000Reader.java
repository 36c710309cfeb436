package org.tilldela.directory.ss12000;

import static org.tilldela.directory.ss12000.Ss12000Model.idOf;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tilldela.directory.Protection;
import org.tilldela.directory.importing.Entity;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.Problems;
import org.tilldela.directory.importing.RowWriter;
import org.tilldela.directory.importing.SnapshotReader;
import org.tilldela.directory.importing.Spool;
import org.tilldela.directory.importing.StagedSnapshot.Origin;
import org.tilldela.directory.importing.StagedSnapshot;
import org.tilldela.directory.ss12000.Ss12000Model.Activity;
import org.tilldela.directory.ss12000.Ss12000Model.Duty;
import org.tilldela.directory.ss12000.Ss12000Model.DutyAssignment;
import org.tilldela.directory.ss12000.Ss12000Model.Email;
import org.tilldela.directory.ss12000.Ss12000Model.Enrolment;
import org.tilldela.directory.ss12000.Ss12000Model.Group;
import org.tilldela.directory.ss12000.Ss12000Model.GroupMembership;
import org.tilldela.directory.ss12000.Ss12000Model.Organisation;
import org.tilldela.directory.ss12000.Ss12000Model.Person;
import org.tilldela.directory.ss12000.Ss12000Model.Placement;
import org.tilldela.directory.ss12000.Ss12000Model.Ref;
import org.tilldela.directory.ss12000.Ss12000Model.Responsible;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads an SS 12000 server (the SIS standard's API, or Skolverket's subset of it) into the stage.
 *
 * <p>Mapping: organisations with a school unit code (or of type Skolenhet) become school units, of type
 * Huvudman organisers, the rest "other"; persons become persons, their enrolments enrolments and their
 * responsibles (full standard) guardian links; groups become groups and their groupMemberships
 * memberships; duties become duties. SS 12000 gives a membership no role of its own, so a membership keeps the
 * role the source gives the person: a teacher of the group in an activity ({@code /activities}: its groups and
 * its teachers' duties) is there in that duty's role, another member who holds a duty in that duty's role (the
 * one at the group's school unit first), everyone else as a pupil. An activity's teacher who is not in the
 * group's groupMemberships becomes a member in the duty's role. Placements ({@code /placements}, full standard:
 * a preschool or after-school child's school unit) become enrolments. Both endpoints are read where the server
 * offers them (a 404 means it does not), and read whole even in a delta: they are few, and an activity or
 * placement that changed would otherwise leave behind the teacher or unit it no longer has.
 *
 * <p>Full mode fetches everything. Delta mode starts the stage as a copy of what is stored, applies
 * {@code /deletedEntities} since the last sync, then replaces every record modified since then (a
 * re-fetched person brings all their enrolments and guardian links, a re-fetched group all its
 * memberships). Either way the source's {@code synced_until} becomes the time the fetch started, in the
 * import's own transaction, so a refused import leaves it as it was.
 */
final class Ss12000Reader implements SnapshotReader {

    private static final Logger log = LoggerFactory.getLogger(Ss12000Reader.class);

    private static final Set<String> GROUP_TYPES = Set.of("Undervisning", "Klass", "Mentor", "Provgrupp", "Schema", "Avdelning",
            "Personalgrupp", "Övrigt");
    private static final Set<String> SCHOOL_EMAIL_TYPES = Set.of("Skola elev", "Skola personal");
    /** Types in /deletedEntities that Tilldela stores (activities and the like are not). */
    private static final Map<String, Entity> DELETABLE = Map.of("persons", Entity.PERSON, "groups", Entity.GROUP,
            "organisations", Entity.ORGANISATION, "duties", Entity.DUTY);
    private static final int DELETE_BATCH = 1000;
    /** The source id of a membership that comes from an activity's teacher rather than a group's groupMemberships. */
    private static final String ACTIVITY_SUFFIX = ":activity";
    /** The source id suffix of a membership that comes from a placement's studentGroup, not from the group's members. */
    private static final String PLACEMENT_SUFFIX = ":placement";
    /** The source id of an enrolment that comes from /placements rather than a person's enrolments. */
    private static final String PLACEMENT_PREFIX = "placement:";

    /** A duty: whose, where, in what role (Tilldela's). */
    private record StaffDuty(String id, String person, String organisation, String role, boolean current) {
    }

    /** A child placed in a group (a preschool's department, "avdelning") by a placement (its number in /placements). */
    private record Placed(String group, String child, LocalDate startDate, LocalDate endDate, long number) {
    }

    /** A teacher of a group, from an activity (its number in /activities). */
    private record Teaching(String group, String person, String dutyId, String role, long number) {
    }

    private final Ss12000Client client;
    private final JsonMapper json;
    private final String source;
    private final String baseUrl;
    private final boolean delta;

    Ss12000Reader(Ss12000Client client, JsonMapper json, String source, String baseUrl, boolean delta) {
        this.client = client;
        this.json = json;
        this.source = source;
        this.baseUrl = baseUrl;
        this.delta = delta;
    }

    @Override
    public String sourceKind() {
        return "SS12000";
    }

    @Override
    public void read(StagedSnapshot stage, ImportProgress progress) {
        if (source != null && !source.equals(stage.source())) {
            throw new IllegalStateException("this reader was made for source " + source + ", not " + stage.source());
        }
        // Whole seconds, rounded down: the next delta asks from a moment no later than this fetch began.
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant since = delta ? lastSync(stage) : null;
        Run run = new Run(stage, progress, since);
        if (since != null) {
            stage.prefillFromLive();
            // The copied rows are nearly all a delta's rows: statistics on them keep the replacing deletes set-based.
            for (Entity e : Entity.values()) {
                stage.sql("analyze " + e.stageTable()).update();
            }
            run.applyDeletions();
        }
        run.readAll();
        stage.problems().throwIfAny();
        stage.sql("update directory_source set base_url = :url, synced_until = :until where name = :source")
                .param("url", baseUrl).param("until", OffsetDateTime.ofInstant(started, ZoneOffset.UTC)).param("source", stage.source())
                .update();
        log.info("SS 12000 {} read of source {}: {}", since != null ? "delta" : "full", stage.source(), run.counts);
    }

    /** When the last sync of this source from this server started; null when a full read is needed. */
    private Instant lastSync(StagedSnapshot stage) {
        record Sync(OffsetDateTime until, String url) {
        }
        Sync sync = stage.sql("select synced_until, base_url from directory_source where name = :source").param("source", stage.source())
                .query((rs, n) -> new Sync(rs.getObject("synced_until", OffsetDateTime.class), rs.getString("base_url")))
                .optional().orElse(null);
        if (sync == null || sync.until() == null) {
            log.info("Source {} has not been synced from SS 12000 before: reading everything", stage.source());
            return null;
        }
        if (sync.url() != null && !sync.url().equals(baseUrl)) {
            log.info("Source {} was synced from another base URL: reading everything", stage.source());
            return null;
        }
        return sync.until().toInstant();
    }

    /** One reading of the server. */
    private final class Run {
        private final StagedSnapshot stage;
        private final ImportProgress progress;
        private final Problems problems;
        private final Set<String> knownSchoolForms;
        private final Instant since;
        private final Map<String, String> filters;
        private final Map<String, Long> counts = new LinkedHashMap<>();
        /** Every duty of the source by its id: its person and role (what an activity's teachers refer to). */
        private final Map<String, StaffDuty> duties = new HashMap<>();
        /** The duties of each person who has any (by person id): a group member's role. */
        private final Map<String, List<StaffDuty>> dutiesOfPerson = new HashMap<>();
        /** Who teaches which group, from /activities: "group:person" → the teacher's role. */
        private final Map<String, Teaching> teaching = new LinkedHashMap<>();
        /** Who a placement puts in which group, from /placements: "group:child". */
        private final Map<String, Placed> placed = new LinkedHashMap<>();
        private final LocalDate today = LocalDate.now();

        Run(StagedSnapshot stage, ImportProgress progress, Instant since) {
            this.stage = stage;
            this.progress = progress;
            this.problems = stage.problems();
            this.knownSchoolForms = stage.schoolForms();
            this.since = since;
            this.filters = since == null ? Map.of() : Map.of("meta.modified.after", since.toString());
        }

        void readAll() {
            readOrganisations();
            readPersons();
            readPlacements();
            readDuties(); // before groups and activities: a duty gives a member their role
            readActivities();
            readGroups();
        }

        // ---- organisations ----

        private void readOrganisations() {
            String endpoint = "/organisations";
            try (RowWriter out = stage.open(Entity.ORGANISATION, new Origin(endpoint, "id", "parentOrganisation.id", null))) {
                fetch(endpoint, (node, n) -> {
                    Item item = new Item(endpoint, n);
                    Organisation org = item.convert(node, Organisation.class);
                    if (org == null) {
                        return;
                    }
                    String id = item.required(org.id(), "id");
                    String name = item.required(org.displayName(), "displayName");
                    String[] forms = item.schoolForms(org.schoolTypes() == null ? List.of() : org.schoolTypes(), "schoolTypes");
                    if (!item.ok) {
                        return;
                    }
                    String code = blankToNull(org.schoolUnitCode());
                    String kind = code != null || "Skolenhet".equals(org.organisationType()) ? "SCHOOL_UNIT"
                            : "Huvudman".equals(org.organisationType()) ? "ORGANISER" : "OTHER";
                    String parent = blankToNull(idOf(org.parentOrganisation()));
                    out.write(id, n, parent, null, kind, name, parent == null ? null : stage.id(Entity.ORGANISATION, parent), code,
                            blankToNull(org.municipalityCode()), forms);
                });
            }
            replaceRefetched(Entity.ORGANISATION);
        }

        // ---- persons, their enrolments and guardians ----

        private void readPersons() {
            String endpoint = "/persons";
            try (Spool enrolments = new Spool("ss12000-enrolments"); Spool responsibles = new Spool("ss12000-responsibles")) {
                try (RowWriter out = stage.open(Entity.PERSON, new Origin(endpoint, "id", null, null))) {
                    fetch(endpoint, (node, n) -> readPerson(out, enrolments, responsibles, new Item(endpoint, n), node));
                }
                replaceRefetched(Entity.PERSON);
                dropPrefilledOf(Entity.ENROLMENT, "person_id", Entity.PERSON);
                dropPrefilledOf(Entity.GUARDIAN_LINK, "child_id", Entity.PERSON);

                progress.phase("enrolments", enrolments.rows());
                try (RowWriter out = stage.open(Entity.ENROLMENT, new Origin(endpoint, "id", "enrolments.enroledAt.id", null))) {
                    enrolments.replay(r -> {
                        String person = r.get(0);
                        String unit = r.get(1);
                        String form = blankToNull(r.get(2));
                        out.write(person + "@" + unit + (form == null ? "" : "@" + form), Long.parseLong(r.get(4)), unit, null,
                                stage.id(Entity.PERSON, person), stage.id(Entity.ORGANISATION, unit), form, blankToNull(r.get(3)));
                        progress.advance(1);
                    });
                }
                progress.phase("guardian links", responsibles.rows());
                try (RowWriter out = stage.open(Entity.GUARDIAN_LINK, new Origin(endpoint, "id", "responsibles.person.id", "id"))) {
                    responsibles.replay(r -> {
                        String child = r.get(0);
                        String guardian = r.get(1);
                        out.write(child + ">" + guardian, Long.parseLong(r.get(3)), guardian, child, stage.id(Entity.PERSON, guardian),
                                stage.id(Entity.PERSON, child), r.get(2));
                        progress.advance(1);
                    });
                }
            }
        }

        private void readPerson(RowWriter out, Spool enrolmentSpool, Spool responsibleSpool, Item item, JsonNode node) {
            Person p = item.convert(node, Person.class);
            if (p == null) {
                return;
            }
            String id = item.required(p.id(), "id");
            String given = item.required(p.givenName(), "givenName");
            String family = item.required(p.familyName(), "familyName");
            Protection protection = null;
            try {
                protection = Protection.fromSs12000(p.securityMarking());
            } catch (IllegalArgumentException e) {
                item.problem("securityMarking", e.getMessage());
            }
            // A person may be enrolled in several school forms at one unit (GR and FTH): one enrolment per form.
            List<String[]> enrolments = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (Enrolment e : nonNull(p.enrolments())) {
                if (e == null || Boolean.TRUE.equals(e.cancelled())) {
                    continue;
                }
                String unit = item.required(blankToNull(idOf(e.enroledAt())), "enrolments.enroledAt.id");
                String form = blankToNull(e.schoolType());
                if (form != null && !knownSchoolForms.contains(form)) {
                    item.problem("enrolments.schoolType", unknownSchoolForm(form));
                }
                if (unit != null && seen.add(unit + "@" + form)) {
                    enrolments.add(new String[] {unit, form, e.schoolYear() == null ? null : String.format("%02d", e.schoolYear())});
                }
            }
            List<String[]> guardians = new ArrayList<>();
            Set<String> seenGuardians = new HashSet<>();
            for (Responsible r : nonNull(p.responsibles())) {
                if (r == null) {
                    continue;
                }
                String guardian = item.required(blankToNull(idOf(r.person())), "responsibles.person.id");
                if (guardian != null && seenGuardians.add(guardian)) {
                    guardians.add(new String[] {guardian, "Vårdnadshavare".equals(r.relationType()) ? "GUARDIAN" : "OTHER_RESPONSIBLE"});
                }
            }
            if (!item.ok) {
                return;
            }
            out.write(id, item.number, null, null, given, family, p.civicNo() == null ? null : blankToNull(p.civicNo().value()),
                    email(p.emails()), blankToNull(first(p.eduPersonPrincipalNames())), protection);
            for (String[] e : enrolments) {
                enrolmentSpool.add(id, e[0], e[1], e[2], item.number);
            }
            for (String[] g : guardians) {
                responsibleSpool.add(id, g[0], g[1], item.number);
            }
        }

        // ---- groups and memberships ----

        private void readGroups() {
            String endpoint = "/groups";
            try (Spool memberships = new Spool("ss12000-memberships")) {
                try (RowWriter out = stage.open(Entity.GROUP, new Origin(endpoint, "id", "organisation.id", null))) {
                    fetch(endpoint, (node, n) -> readGroup(out, memberships, new Item(endpoint, n), node));
                }
                replaceRefetched(Entity.GROUP);
                dropPrefilledOf(Entity.MEMBERSHIP, "group_id", Entity.GROUP);
                Set<String> listedBefore = listedBefore(teaching.keySet(), ACTIVITY_SUFFIX);
                Set<String> placedListedBefore = listedBefore(placed.keySet(), PLACEMENT_SUFFIX);

                progress.phase("memberships", memberships.rows());
                try (RowWriter out = stage.open(Entity.MEMBERSHIP, new Origin(endpoint, "id", "id", "groupMemberships.person.id"))) {
                    memberships.replay(r -> {
                        String group = r.get(0);
                        String person = r.get(1);
                        Teaching teacher = teaching.remove(group + ":" + person);
                        placed.remove(group + ":" + person);
                        String role = teacher != null ? teacher.role() : memberRole(person, r.get(5));
                        out.write(group + ":" + person, Long.parseLong(r.get(4)), group, person, stage.id(Entity.GROUP, group),
                                stage.id(Entity.PERSON, person), role, blankToNull(r.get(2)), blankToNull(r.get(3)));
                        progress.advance(1);
                    });
                }
                // teachers not in their group's groupMemberships: members through the activity, in their duty's role
                try (RowWriter out = stage.open(Entity.MEMBERSHIP, new Origin("/activities", "id", "groups.id", "teachers.duty.id"))) {
                    for (Map.Entry<String, Teaching> t : teaching.entrySet()) {
                        if (listedBefore.contains(t.getKey())) {
                            continue; // a delta: listed in the group's groupMemberships, which did not change
                        }
                        Teaching teacher = t.getValue();
                        out.write(t.getKey() + ACTIVITY_SUFFIX, teacher.number(), teacher.group(), teacher.dutyId(),
                                stage.id(Entity.GROUP, teacher.group()), stage.id(Entity.PERSON, teacher.person()), teacher.role(), null, null);
                    }
                }
                // children a placement puts in a group (their department) that the group's groupMemberships do not list
                try (RowWriter out = stage.open(Entity.MEMBERSHIP, new Origin("/placements", "id", "studentGroup.id", "child.id"))) {
                    for (Map.Entry<String, Placed> c : placed.entrySet()) {
                        if (placedListedBefore.contains(c.getKey())) {
                            continue; // a delta: listed in the groupMemberships of a group that did not change
                        }
                        Placed child = c.getValue();
                        out.write(c.getKey() + PLACEMENT_SUFFIX, child.number(), child.group(), child.child(), stage.id(Entity.GROUP, child.group()),
                                stage.id(Entity.PERSON, child.child()), "PUPIL", blankToNull(text(child.startDate())), blankToNull(text(child.endDate())));
                    }
                }
            }
        }

        /**
         * A group member's role: that of their duty held today at the group's organisation, else pupil — never a duty
         * elsewhere or one that ended (a pupil who once worked as an aide, or at another organiser, is a pupil here: the
         * role decides what the class's suppliers are told about them).
         */
        private String memberRole(String person, String groupOrganisation) {
            for (StaffDuty d : dutiesOfPerson.getOrDefault(person, List.of())) {
                if (d.current() && d.organisation().equals(groupOrganisation)) {
                    return d.role();
                }
            }
            return "PUPIL";
        }

        /**
         * A delta: of the memberships the activities (teachers) or placements (children) give, those listed in the
         * groupMemberships of a group that was not fetched again (their rows stay as they are); and the rows that came
         * from activities or placements before go, to be written anew.
         */
        private Set<String> listedBefore(Set<String> given, String suffix) {
            if (since == null) {
                return Set.of();
            }
            stage.sql("delete from stage_membership where line_no is null and source_id like :suffix")
                    .param("suffix", "%" + suffix).update();
            if (given.isEmpty()) {
                return Set.of();
            }
            String[] keys = given.toArray(String[]::new);
            String[] ids = given.stream().map(k -> stage.id(Entity.MEMBERSHIP, k).toString()).toArray(String[]::new);
            return new HashSet<>(stage.sql("""
                            select k.key from unnest(cast(:keys as text[]), cast(:ids as uuid[])) k (key, id)
                            where exists (select 1 from stage_membership m where m.id = k.id and m.line_no is null)
                            """)
                    .param("keys", keys).param("ids", ids).query(String.class).list());
        }

        private void readGroup(RowWriter out, Spool membershipSpool, Item item, JsonNode node) {
            Group g = item.convert(node, Group.class);
            if (g == null) {
                return;
            }
            String id = item.required(g.id(), "id");
            String name = item.required(g.displayName(), "displayName");
            String organisation = item.required(blankToNull(idOf(g.organisation())), "organisation.id");
            String kind = "OTHER";
            if (g.groupType() != null) {
                if (!GROUP_TYPES.contains(g.groupType())) {
                    item.problem("groupType", "unknown group type '" + g.groupType() + "' (known: "
                            + String.join(", ", GROUP_TYPES.stream().sorted().toList()) + ")");
                }
                kind = switch (g.groupType()) {
                    case "Klass" -> "CLASS";
                    case "Undervisning" -> "TEACHING_GROUP";
                    case "Mentor" -> "MENTOR_GROUP";
                    default -> "OTHER";
                };
            }
            String form = blankToNull(g.schoolType());
            if (form != null && !knownSchoolForms.contains(form)) {
                item.problem("schoolType", unknownSchoolForm(form));
            }
            List<GroupMembership> members = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (GroupMembership m : nonNull(g.groupMemberships())) {
                String person = m == null ? null : item.required(blankToNull(idOf(m.person())), "groupMemberships.person.id");
                if (person != null && seen.add(person)) {
                    members.add(m);
                }
            }
            if (!item.ok) {
                return;
            }
            out.write(id, item.number, organisation, null, stage.id(Entity.ORGANISATION, organisation), kind, name, form, null,
                    g.startDate(), g.endDate());
            for (GroupMembership m : members) {
                membershipSpool.add(id, m.person().id(), text(m.startDate()), text(m.endDate()), item.number, organisation);
            }
        }

        // ---- duties ----

        private void readDuties() {
            String endpoint = "/duties";
            try (RowWriter out = stage.open(Entity.DUTY, new Origin(endpoint, "id", "dutyAt.id", "person.id"))) {
                fetch(endpoint, (node, n) -> {
                    Item item = new Item(endpoint, n);
                    Duty d = item.convert(node, Duty.class);
                    if (d == null) {
                        return;
                    }
                    String id = item.required(d.id(), "id");
                    String person = item.required(blankToNull(idOf(d.person())), "person.id");
                    String organisation = item.required(blankToNull(idOf(d.dutyAt())), "dutyAt.id");
                    if (!item.ok) {
                        return;
                    }
                    String role = dutyRole(d.dutyRole());
                    out.write(id, n, organisation, person, stage.id(Entity.PERSON, person), stage.id(Entity.ORGANISATION, organisation),
                            role, d.startDate(), d.endDate());
                    remember(new StaffDuty(id, person, organisation, role,
                            (d.startDate() == null || !d.startDate().isAfter(today)) && (d.endDate() == null || !d.endDate().isBefore(today))));
                });
            }
            replaceRefetched(Entity.DUTY);
            if (since != null) {
                // a delta: the duties not fetched again are in the stage as they were stored
                stage.sql("""
                                select d.source_id, p.source_id person, o.source_id organisation, d.role,
                                       (d.start_date is null or d.start_date <= :today) and (d.end_date is null or d.end_date >= :today) as is_current
                                from stage_duty d
                                join stage_person p on p.id = d.person_id join stage_organisation o on o.id = d.organisation_id
                                where d.line_no is null
                                """)
                        .param("today", today)
                        .query((rs, n) -> new StaffDuty(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5)))
                        .list().forEach(this::remember);
            }
        }

        private void remember(StaffDuty d) {
            duties.put(d.id(), d);
            dutiesOfPerson.computeIfAbsent(d.person(), p -> new ArrayList<>(1)).add(d);
        }

        // ---- activities: who teaches which group ----

        private void readActivities() {
            String endpoint = "/activities";
            progress.phase(endpoint, 0);
            long n = client.listIfOffered(endpoint, Map.of(), (node, number) -> {
                Item item = new Item(endpoint, number);
                Activity a = item.convert(node, Activity.class);
                progress.advance(1);
                if (a == null) {
                    return;
                }
                item.required(a.id(), "id");
                if (a.endDate() != null && a.endDate().isBefore(today)) {
                    return; // over: nobody teaches it any more
                }
                List<String> groups = new ArrayList<>();
                for (Ref g : nonNull(a.groups())) {
                    String group = item.required(g == null ? null : blankToNull(g.id()), "groups.id");
                    if (group != null) {
                        groups.add(group);
                    }
                }
                List<StaffDuty> teachers = new ArrayList<>();
                for (DutyAssignment t : nonNull(a.teachers())) {
                    String dutyId = item.required(t == null ? null : blankToNull(idOf(t.duty())), "teachers.duty.id");
                    if (dutyId == null || t.endDate() != null && t.endDate().isBefore(today)) {
                        continue;
                    }
                    StaffDuty duty = duties.get(dutyId);
                    if (duty == null) {
                        item.problem("teachers.duty.id", "refers to duty '" + dutyId + "', which the server did not list in /duties");
                    } else if (duty.current()) {
                        teachers.add(duty); // a duty that ended (or has not begun) makes nobody a teacher of the group today
                    }
                }
                if (!item.ok) {
                    return;
                }
                for (String group : groups) {
                    for (StaffDuty t : teachers) {
                        teaching.putIfAbsent(group + ":" + t.person(), new Teaching(group, t.person(), t.id(), t.role(), number));
                    }
                }
                if (problems.full()) {
                    problems.throwIfAny();
                }
            });
            counts.put(endpoint, n);
        }

        // ---- placements: a preschool child's school unit ----

        private void readPlacements() {
            String endpoint = "/placements";
            if (since != null) {
                // read whole below: the stored ones go, so a placement that ended or moved does not stay
                stage.sql("delete from stage_enrolment where line_no is null and source_id like :prefix").param("prefix", PLACEMENT_PREFIX + "%").update();
            }
            progress.phase(endpoint, 0);
            try (RowWriter out = stage.open(Entity.ENROLMENT, new Origin(endpoint, "id", "placedAt.id", "child.id"))) {
                long n = client.listIfOffered(endpoint, Map.of(), (node, number) -> {
                    Item item = new Item(endpoint, number);
                    Placement p = item.convert(node, Placement.class);
                    progress.advance(1);
                    if (p == null) {
                        return;
                    }
                    String id = item.required(p.id(), "id");
                    String child = item.required(blankToNull(idOf(p.child())), "child.id");
                    String unit = item.required(blankToNull(idOf(p.placedAt())), "placedAt.id");
                    String form = blankToNull(p.schoolType());
                    if (form != null && !knownSchoolForms.contains(form)) {
                        item.problem("schoolType", unknownSchoolForm(form));
                    }
                    // a placement that has ended, or has not begun yet: the child is not at the unit today (a delta reads them all
                    // again, so one begins with the first import on or after its start date)
                    if (!item.ok || p.endDate() != null && p.endDate().isBefore(today) || p.startDate() != null && p.startDate().isAfter(today)) {
                        return;
                    }
                    out.write(PLACEMENT_PREFIX + id, number, unit, child, stage.id(Entity.PERSON, child), stage.id(Entity.ORGANISATION, unit),
                            form, null);
                    String group = blankToNull(idOf(p.studentGroup()));
                    if (group != null) {
                        placed.putIfAbsent(group + ":" + child, new Placed(group, child, p.startDate(), p.endDate(), number));
                    }
                    if (problems.full()) {
                        problems.throwIfAny();
                    }
                });
                counts.put(endpoint, n);
            }
        }

        // ---- delta ----

        /** Removes what the server deleted since the last sync, and the rows that hang on it. */
        void applyDeletions() {
            stage.sql("create temp table ss12000_deleted (entity text not null, id uuid not null) on commit drop").update();
            progress.phase("/deletedEntities", 0);
            List<String> batch = new ArrayList<>();
            Entity[] batchEntity = {null};
            long n = client.deleted(since, (type, sourceId) -> {
                Entity entity = DELETABLE.get(type);
                if (entity == null) {
                    return;
                }
                if (batchEntity[0] != entity || batch.size() >= DELETE_BATCH) {
                    flushDeleted(batchEntity[0], batch);
                    batchEntity[0] = entity;
                }
                batch.add(stage.id(entity, sourceId).toString());
                progress.advance(1);
            });
            flushDeleted(batchEntity[0], batch);
            counts.put("deleted", n);

            String orgs = "(select id from ss12000_deleted where entity = 'ORGANISATION')";
            String groups = "(select id from ss12000_deleted where entity = 'GROUP')";
            String persons = "(select id from ss12000_deleted where entity = 'PERSON')";
            String duties = "(select id from ss12000_deleted where entity = 'DUTY')";
            // An organisation takes its groups (and their memberships), enrolments and duties with it.
            stage.sql("delete from stage_membership where group_id in (select id from stage_student_group where organisation_id in "
                    + orgs + ")").update();
            stage.sql("delete from stage_student_group where organisation_id in " + orgs).update();
            stage.sql("delete from stage_enrolment where school_unit_id in " + orgs).update();
            stage.sql("delete from stage_duty where organisation_id in " + orgs).update();
            stage.sql("delete from stage_organisation where id in " + orgs).update();
            stage.sql("delete from stage_membership where group_id in " + groups).update();
            stage.sql("delete from stage_student_group where id in " + groups).update();
            stage.sql("delete from stage_enrolment where person_id in " + persons).update();
            stage.sql("delete from stage_guardian_link where guardian_id in " + persons + " or child_id in " + persons).update();
            stage.sql("delete from stage_membership where person_id in " + persons).update();
            stage.sql("delete from stage_duty where person_id in " + persons).update();
            stage.sql("delete from stage_person where id in " + persons).update();
            stage.sql("delete from stage_duty where id in " + duties).update();
        }

        private void flushDeleted(Entity entity, List<String> ids) {
            if (entity == null || ids.isEmpty()) {
                return;
            }
            stage.sql("insert into ss12000_deleted (entity, id) select :entity, unnest(cast(:ids as uuid[]))")
                    .param("entity", entity.name()).param("ids", ids.toArray(String[]::new)).update();
            ids.clear();
        }

        /**
         * Delta: rows copied from the live tables have no line number, fetched rows have one. Where a record
         * was fetched again, its copied row goes.
         */
        private void replaceRefetched(Entity e) {
            if (since == null) {
                return;
            }
            stage.sql("delete from " + e.stageTable() + " o where o.line_no is null and exists (select 1 from " + e.stageTable()
                    + " n where n.id = o.id and n.line_no is not null)").update();
        }

        /** Delta: the copied rows of {@code child} that belong to a record fetched again (which brings them anew). */
        private void dropPrefilledOf(Entity child, String column, Entity parent) {
            if (since == null) {
                return;
            }
            stage.sql("delete from " + child.stageTable() + " c where c.line_no is null and c." + column + " in (select id from "
                    + parent.stageTable() + " where line_no is not null)").update();
        }

        // ---- helpers ----

        private void fetch(String endpoint, Ss12000Client.ItemHandler handler) {
            progress.phase(endpoint, 0);
            long n = client.list(endpoint, filters, (node, number) -> {
                handler.item(node, number);
                progress.advance(1);
                if (problems.full()) {
                    problems.throwIfAny(); // enough to go on; no need to fetch the rest
                }
            });
            counts.put(endpoint, n);
        }

        private String unknownSchoolForm(String code) {
            return "unknown school form '" + code + "' (known: " + String.join(", ", knownSchoolForms.stream().sorted().toList()) + ")";
        }

        /** One item of an endpoint, for reporting its problems by number and field. */
        private final class Item {
            final String endpoint;
            final long number;
            boolean ok = true;

            Item(String endpoint, long number) {
                this.endpoint = endpoint;
                this.number = number;
            }

            void problem(String field, String reason) {
                ok = false;
                problems.add(endpoint, number, field, reason);
            }

            String required(String value, String field) {
                if (value == null || value.isBlank()) {
                    problem(field, "is missing");
                    return null;
                }
                return value;
            }

            <T> T convert(JsonNode node, Class<T> type) {
                if (!node.isObject()) {
                    problem(null, "is not a JSON object");
                    return null;
                }
                try {
                    return json.treeToValue(node, type);
                } catch (JacksonException e) {
                    // The message may quote the value: only the field is named.
                    problem(path(e), "has a value of the wrong type");
                    return null;
                }
            }

            String[] schoolForms(List<String> codes, String field) {
                List<String> out = new ArrayList<>();
                for (String code : codes) {
                    if (code == null || code.isBlank()) {
                        continue;
                    }
                    if (!knownSchoolForms.contains(code)) {
                        problem(field, unknownSchoolForm(code));
                    }
                    out.add(code);
                }
                return out.toArray(String[]::new);
            }
        }
    }

    private static String path(JacksonException e) {
        List<String> names = new ArrayList<>();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                names.add(ref.getPropertyName());
            }
        }
        return names.isEmpty() ? null : String.join(".", names);
    }

    private static String dutyRole(String role) {
        if (role == null) {
            return "OTHER_STAFF";
        }
        return switch (role) {
            case "Lärare" -> "TEACHER";
            case "Rektor" -> "PRINCIPAL";
            case "Förskollärare" -> "PRESCHOOL_TEACHER";
            case "Skoladministratör" -> "ADMINISTRATOR";
            default -> "OTHER_STAFF";
        };
    }

    /** A school address if the person has one, else the first address. */
    private static String email(List<Email> emails) {
        String first = null;
        for (Email e : nonNull(emails)) {
            if (e == null || e.value() == null || e.value().isBlank()) {
                continue;
            }
            if (SCHOOL_EMAIL_TYPES.contains(e.type())) {
                return e.value();
            }
            if (first == null) {
                first = e.value();
            }
        }
        return first;
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static String first(List<String> list) {
        return list == null || list.isEmpty() ? null : list.get(0);
    }

    private static String text(LocalDate date) {
        return date == null ? "" : date.toString();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
