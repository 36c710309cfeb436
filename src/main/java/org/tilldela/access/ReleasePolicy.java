package org.tilldela.access;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.PersonRecords;
import org.tilldela.directory.PersonRecords.PersonRecord;
import org.tilldela.ledger.Channel;
import org.tilldela.ledger.Disclosure;
import org.tilldela.ledger.DisclosureLedger;
import org.tilldela.licensing.Licences;
import org.tilldela.platform.OneRoundTrip;

/**
 * THE release policy: the one place that decides which attributes about a person may reach a product's
 * supplier. Every outbound channel (sign-in tokens, SCIM pushes, roster pages, exports) calls
 * {@link #release}, which records what it released in the disclosure ledger in the same transaction.
 *
 * <p>The rules, in order: the person exists and holds a licence for the product; no objection is
 * recorded against this supplier; the supplier has a processing agreement (PUB-avtal / databehandleraftale)
 * covering the person's organiser; then the data-access agreement in force for the product at the
 * person's school unit (or else organiser) decides, never beyond the product's declaration — without
 * one, MINIMAL as far as the declaration allows; a person with a protected identity never yields more
 * than MINIMAL to a supplier that is not a public authority, whatever the agreement. Nothing about the person,
 * their licence, an objection or an agreement is kept between calls: a revocation takes effect with the next
 * call. Only a product and its supplier are kept, until the catalogue's next change (see {@link #release}).
 */
@Service
public class ReleasePolicy {

    private final PersonRecords persons;
    private final Catalog catalog;
    private final DataAccessAgreements agreements;
    private final ReleaseObjections objections;
    private final Licences licences;
    private final Pseudonyms pseudonyms;
    private final DisclosureLedger ledger;
    private final OneRoundTrip roundTrip;
    private final Clock clock;

    /** The agreements in force at the person's organisations: the directory says which those are, in the same statement. */
    private static final OneRoundTrip.Read<List<DataAccessAgreement>> AGREEMENTS_AT_PERSON = DataAccessAgreements.inForceAt(PersonRecords.ORGANISATION_SCOPES);

    /**
     * Everything one person's release needs but the product and its supplier, read in one round trip with the
     * catalogue's version first; each module's statement is its own.
     */
    private static final List<OneRoundTrip.Read<?>> ONE_PERSON = onePerson(PersonRecords.ONE);
    /** The same for a release of what the person's placements alone give (their pseudonym, organisations, grades). */
    private static final List<OneRoundTrip.Read<?>> ONE_PERSON_PLACED = onePerson(PersonRecords.PLACED);

    private static List<OneRoundTrip.Read<?>> onePerson(OneRoundTrip.Read<Optional<PersonRecord>> person) {
        return List.of(Catalog.VERSION, Licences.HOLDS_ONE, person, ReleaseObjections.OBJECTS, DataAccessAgreements.SUPPLIER_IS_PUBLIC_AUTHORITY,
                AGREEMENTS_AT_PERSON, Pseudonyms.BASIS);
    }

    /**
     * What a release can send from the person's placements and protection alone ({@link PersonRecords#PLACED}); any
     * other attribute needs their whole record.
     */
    private static final Set<Attribute> FROM_PLACEMENTS = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ORGANISATION, Attribute.SCHOOL_UNIT,
            Attribute.GRADE);
    private static final List<OneRoundTrip.Read<?>> PRODUCT_AND_SUPPLIER = List.of(Catalog.PRODUCT, Catalog.SUPPLIER_OF_PRODUCT);

    /** A product and its supplier (whole: countries, sub-processors, processing agreements) as read in one catalogue version. */
    private record KeptProduct(long version, Product product, Supplier supplier) {
    }

    /** Products kept at most; beyond that all are read again (a catalogue has far fewer sign-in products). */
    private static final int KEPT_PRODUCTS = 10_000;
    private final Map<UUID, KeptProduct> keptProducts = new java.util.concurrent.ConcurrentHashMap<>();

    ReleasePolicy(PersonRecords persons, Catalog catalog, DataAccessAgreements agreements, ReleaseObjections objections, Licences licences,
                  Pseudonyms pseudonyms, DisclosureLedger ledger, OneRoundTrip roundTrip, Optional<Clock> clock) {
        this.persons = persons;
        this.catalog = catalog;
        this.agreements = agreements;
        this.objections = objections;
        this.licences = licences;
        this.pseudonyms = pseudonyms;
        this.ledger = ledger;
        this.roundTrip = roundTrip;
        this.clock = clock.orElse(Clock.systemDefaultZone());
    }

    /**
     * Releases what may go about one person to the product's supplier, and records it. Decided exactly as
     * {@link #releaseAll} decides (the same rules on the same rows), but read in one round trip and appended in
     * another: a sign-in client's token refresh does this on every request. Nothing about the person is kept between
     * calls; the product and its supplier are, until the catalogue changes ({@link #productAndSupplier}).
     */
    @Transactional
    public Release release(UUID personId, UUID productId, Channel channel) {
        return releaseOne(personId, productId, channel, null);
    }

    /**
     * Releases and records only {@code sent} of what may go about one person now, decided exactly as
     * {@link #release(UUID, UUID, Channel)} decides: for a channel that carries less than everything allowed — a
     * refreshed access token carries the person's pseudonym and nothing else — so that the ledger says what went.
     * When everything sent comes from the person's placements (pseudonym, organisations, school units, grades), their
     * names, groups and guardians are not even read. Empty when nothing may go, or none of {@code sent} may.
     */
    @Transactional
    public Release releaseOnly(UUID personId, UUID productId, Channel channel, Set<Attribute> sent) {
        return releaseOne(personId, productId, channel, Set.copyOf(sent));
    }

    /** @param sent what to release of what may go (null: all of it) */
    private Release releaseOne(UUID personId, UUID productId, Channel channel, Set<Attribute> sent) {
        LocalDate today = LocalDate.now(clock);
        Map<String, Object> params = Map.of("person", personId, "product", productId, "day", today);
        boolean placedOnly = sent != null && FROM_PLACEMENTS.containsAll(sent);
        OneRoundTrip.Fetched read = roundTrip.read(params, placedOnly ? ONE_PERSON_PLACED : ONE_PERSON);
        KeptProduct kept = productAndSupplier(productId, read.get(Catalog.VERSION), params);
        Product product = kept.product();
        Supplier supplier = kept.supplier();
        Optional<PersonRecord> person = read.get(placedOnly ? PersonRecords.PLACED : PersonRecords.ONE);
        Map<Set<UUID>, List<DataAccessAgreement>> inForce = new HashMap<>();
        person.ifPresent(p -> inForce.put(p.organisationScopes(), read.get(AGREEMENTS_AT_PERSON)));
        Batch batch = new Batch(person.map(p -> Map.of(personId, p)).orElse(Map.of()), read.get(ReleaseObjections.OBJECTS) ? Set.of(personId) : Set.of(),
                read.get(Licences.HOLDS_ONE) ? Set.of(personId) : Set.of(), product, supplier, read.get(DataAccessAgreements.SUPPLIER_IS_PUBLIC_AUTHORITY),
                today, inForce);
        read.get(Pseudonyms.BASIS).ifPresentOrElse(b -> batch.bases.put(personId, b), () -> batch.bases.put(personId, personId));
        return release(batch, List.of(personId), channel, Set.of(), sent).getFirst();
    }

    /**
     * The product and its supplier whole, kept per catalogue version: of what a release reads they are the largest
     * part (the supplier with its countries, sub-processors and processing agreements, the product with its
     * declaration; about 200 of 740 µs of PostgreSQL's time per token refresh, and their JSON), and they change only
     * when the catalogue does. Every such change is a new version (the catalogue's triggers, also on the supplier's
     * own tables), read in the round trip before this one, so what is kept was read no earlier than the version it is
     * kept for: a release never uses a product or supplier older than the catalogue it saw. A transaction that has
     * written gets no version (its changes are not everyone's), and reads them afresh.
     */
    private KeptProduct productAndSupplier(UUID productId, Optional<Long> version, Map<String, Object> params) {
        KeptProduct kept = keptProducts.get(productId);
        if (kept != null && version.isPresent() && kept.version() == version.get()) {
            return kept;
        }
        OneRoundTrip.Fetched read = roundTrip.read(params, PRODUCT_AND_SUPPLIER);
        Product product = read.get(Catalog.PRODUCT).orElseThrow(() -> new DataAccessRefused("No product with id " + productId + "."));
        kept = new KeptProduct(version.orElse(-1L), product, read.get(Catalog.SUPPLIER_OF_PRODUCT).orElseThrow());
        if (version.isPresent()) {
            if (keptProducts.size() >= KEPT_PRODUCTS) {
                keptProducts.clear();
            }
            keptProducts.put(productId, kept);
        }
        return kept;
    }

    /** One batch (a SCIM push, a roster page): one decision per person, one ledger append for all. */
    @Transactional
    public List<Release> releaseAll(Collection<UUID> personIds, UUID productId, Channel channel) {
        return releaseAll(personIds, productId, channel, Set.of());
    }

    /**
     * One batch in which a person is sent only if all of {@code required} may go about them (a roster page of a
     * class's pupils sends nobody whose groups may not go): for such a person the release is empty and nothing is
     * recorded — decided once, in the same pass that releases the others.
     */
    @Transactional
    public List<Release> releaseAll(Collection<UUID> personIds, UUID productId, Channel channel, Set<Attribute> required) {
        Product product = catalog.product(productId).orElseThrow(() -> new DataAccessRefused("No product with id " + productId + "."));
        Supplier supplier = catalog.supplier(product.supplierId()).orElseThrow();
        LocalDate today = LocalDate.now(clock);
        return release(batch(personIds, product, supplier, licences.holding(personIds, productId, today), today), personIds, channel, required);
    }

    /**
     * One batch, decided as {@link #releaseAll(Collection, UUID, Channel, Set)} decides, in which only {@code sent} of
     * what may go about a person is released and recorded: for a channel that names persons in what it sends about
     * something else (a group sent again names its other members by their pseudonyms), so the ledger says what went —
     * not everything the person's own release would have.
     */
    @Transactional
    public List<Release> releaseOnly(Collection<UUID> personIds, UUID productId, Channel channel, Set<Attribute> required, Set<Attribute> sent) {
        Product product = catalog.product(productId).orElseThrow(() -> new DataAccessRefused("No product with id " + productId + "."));
        Supplier supplier = catalog.supplier(product.supplierId()).orElseThrow();
        LocalDate today = LocalDate.now(clock);
        return release(batch(personIds, product, supplier, licences.holding(personIds, productId, today), today), personIds, channel, required, sent);
    }

    private List<Release> release(Batch batch, Collection<UUID> personIds, Channel channel, Set<Attribute> required) {
        return release(batch, personIds, channel, required, null);
    }

    /** @param sent the attributes to release of those that may go (null: all of them) */
    private List<Release> release(Batch batch, Collection<UUID> personIds, Channel channel, Set<Attribute> required, Set<Attribute> sent) {
        Supplier supplier = batch.supplier;
        UUID productId = batch.product.id();
        Instant now = clock.instant();
        List<Release> releases = new ArrayList<>();
        List<Disclosure> disclosures = new ArrayList<>();
        List<Integer> recorded = new ArrayList<>();
        for (UUID personId : personIds) {
            Decision decision = batch.decide(personId);
            Map<Attribute, Object> values = decision.isEmpty() || !decision.attributes().containsAll(required) ? Map.of()
                    : values(decision, sent, supplier, batch.bases);
            if (!values.isEmpty()) {
                recorded.add(releases.size());
                disclosures.add(new Disclosure(personId, supplier.id(), productId, channel, EnumSet.copyOf(values.keySet()), decision.agreementId(),
                        decision.legalBasis(), decision.purpose(), now, decision.retentionDays(), null));
            }
            releases.add(new Release(personId, productId, supplier.id(), channel, values, decision.agreementId(), decision.legalBasis(),
                    decision.reason(), null));
        }
        long[] sequences = ledger.append(disclosures);
        for (int i = 0; i < sequences.length; i++) {
            Release r = releases.get(recorded.get(i));
            releases.set(recorded.get(i), new Release(r.personId(), r.productId(), r.supplierId(), r.channel(), r.values(), r.agreementId(),
                    r.legalBasis(), r.reason(), sequences[i]));
        }
        return releases;
    }

    /**
     * What one batch needs, read once: the persons' records, who objects, who holds a licence, and the
     * agreements in force per set of organisations (persons of one school share them).
     */
    private Batch batch(Collection<UUID> personIds, Product product, Supplier supplier, Set<UUID> licensed, LocalDate today) {
        return new Batch(persons.of(personIds), objections.objecting(personIds, supplier.id()), licensed, product, supplier,
                agreements.isPublicAuthority(supplier.id()), today, new HashMap<>());
    }

    private final class Batch {
        private final Map<UUID, PersonRecord> records;
        private final Set<UUID> objecting;
        private final Set<UUID> licensed;
        private final Product product;
        private final Supplier supplier;
        private final boolean publicAuthority;
        private final LocalDate today;
        private final Map<Set<UUID>, List<DataAccessAgreement>> agreementsByScopes;
        /** Pseudonym bases already read, by person (the single-person path reads its person's with the rest). */
        private final Map<UUID, UUID> bases = new HashMap<>();

        Batch(Map<UUID, PersonRecord> records, Set<UUID> objecting, Set<UUID> licensed, Product product, Supplier supplier, boolean publicAuthority,
              LocalDate today, Map<Set<UUID>, List<DataAccessAgreement>> agreementsByScopes) {
            this.records = records;
            this.objecting = objecting;
            this.licensed = licensed;
            this.product = product;
            this.supplier = supplier;
            this.publicAuthority = publicAuthority;
            this.today = today;
            this.agreementsByScopes = agreementsByScopes;
        }

        Decision decide(UUID personId) {
            PersonRecord person = records.get(personId);
            if (person == null) {
                return Decision.nothing("no such person in the directory");
            }
            List<DataAccessAgreement> inForce = agreementsByScopes.computeIfAbsent(person.organisationScopes(),
                    scopes -> agreements.inForce(product.id(), scopes, today));
            return ReleasePolicy.this.decide(person, product, supplier, publicAuthority, licensed.contains(personId), objecting.contains(personId),
                    inForce, today);
        }
    }

    /** Which attributes would go about this person to this product now (names only: nothing leaves, nothing is recorded). */
    public Permission permitted(UUID personId, UUID productId) {
        Product product = catalog.product(productId).orElseThrow(() -> new DataAccessRefused("No product with id " + productId + "."));
        Supplier supplier = catalog.supplier(product.supplierId()).orElseThrow();
        LocalDate today = LocalDate.now(clock);
        Decision d = batch(List.of(personId), product, supplier, licences.holding(List.of(personId), productId, today), today).decide(personId);
        return new Permission(d.attributes(), d.agreementId(), d.reason(), d.purpose(), d.legalBasis(), d.retentionDays());
    }

    /**
     * Which attributes would go about each of these persons to this product now, decided as one batch
     * (names only: nothing leaves, nothing is recorded). A channel that must choose whom to send before it
     * sends (a roster page narrowed by a filter) asks this first, then releases only those it sends.
     */
    public Map<UUID, Set<Attribute>> permittedAll(Collection<UUID> personIds, UUID productId) {
        Product product = catalog.product(productId).orElseThrow(() -> new DataAccessRefused("No product with id " + productId + "."));
        Supplier supplier = catalog.supplier(product.supplierId()).orElseThrow();
        LocalDate today = LocalDate.now(clock);
        Batch batch = batch(personIds, product, supplier, licences.holding(personIds, productId, today), today);
        Map<UUID, Set<Attribute>> permitted = new HashMap<>();
        for (UUID personId : personIds) {
            permitted.put(personId, batch.decide(personId).attributes());
        }
        return permitted;
    }

    /**
     * The attributes that may go, the agreement they go under, and why nothing goes when nothing does; and
     * the terms they would go under (purpose, legal basis, days kept after the licence ends), for telling
     * the person.
     */
    public record Permission(Set<Attribute> attributes, UUID agreementId, String reason, String purpose, String legalBasis, int retentionDays) {
    }

    /**
     * A privacy preview for an order not yet placed: for these recipients, as if each held the licence,
     * how many persons each attribute would reach, and how many protected persons get a pseudonym only.
     */
    public Preview preview(UUID productId, Collection<UUID> personIds) {
        Product product = catalog.product(productId).orElseThrow(() -> new DataAccessRefused("No product with id " + productId + "."));
        Supplier supplier = catalog.supplier(product.supplierId()).orElseThrow();
        Set<UUID> everyone = new LinkedHashSet<>(personIds);
        Batch batch = batch(everyone, product, supplier, everyone, LocalDate.now(clock));
        Map<Attribute, Integer> reach = new EnumMap<>(Attribute.class);
        Map<Attribute, Terms> agreed = new EnumMap<>(Attribute.class);
        Set<Attribute> declaredOnly = EnumSet.noneOf(Attribute.class);
        int persons = 0, protectedPersons = 0, nothing = 0, underAgreement = 0, byDeclaration = 0;
        for (UUID personId : everyone) {
            PersonRecord person = batch.records.get(personId);
            if (person == null) {
                continue;
            }
            persons++;
            if (person.isProtected()) {
                protectedPersons++;
            }
            Decision d = batch.decide(personId);
            if (d.isEmpty()) {
                nothing++;
                continue;
            }
            d.attributes().forEach(a -> reach.merge(a, 1, Integer::sum));
            if (d.agreementId() != null) {
                underAgreement++;
                // the agreement's terms, not the declaration's: it is what the supplier signed up to keep
                d.attributes().forEach(a -> agreed.merge(a, new Terms(d.retentionDays(), d.purpose()),
                        (x, y) -> x.retentionDays() >= y.retentionDays() ? x : y));
            } else {
                byDeclaration++;
                declaredOnly.addAll(d.attributes());
            }
        }
        return new Preview(productId, supplier.id(), persons, protectedPersons, nothing, reach, supplier.allProcessingCountries(), agreed, declaredOnly,
                underAgreement, byDeclaration);
    }

    /** How long an attribute is kept after the licence ends, and why it goes, under a data-access agreement. */
    public record Terms(int retentionDays, String purpose) {
    }

    /**
     * @param reach            attribute → how many of the recipients it would reach under today's agreements
     * @param protectedPersons recipients with a protected identity: they yield at most MINIMAL (a pseudonym, no name)
     * @param nothingReleased  recipients about whom nothing would go (objection, no processing agreement, …)
     * @param agreed           attribute → the terms of the agreement in force it would go under (the longest kept, when
     *                         recipients fall under different agreements)
     * @param declaredOnly     attributes that would go about someone without an agreement in force, on the product's declaration alone
     * @param underAgreement   recipients about whom data would go under an agreement in force
     * @param byDeclaration    recipients about whom data would go without one (MINIMAL as declared)
     */
    public record Preview(UUID productId, UUID supplierId, int persons, int protectedPersons, int nothingReleased, Map<Attribute, Integer> reach,
                          Set<String> processingCountries, Map<Attribute, Terms> agreed, Set<Attribute> declaredOnly, int underAgreement,
                          int byDeclaration) {
    }

    record Decision(Set<Attribute> attributes, UUID agreementId, String legalBasis, String purpose, int retentionDays, String reason,
                    PersonRecord person) {
        static Decision nothing(String reason) {
            return new Decision(Set.of(), null, null, null, 0, reason, null);
        }

        boolean isEmpty() {
            return attributes.isEmpty();
        }
    }

    private Decision decide(PersonRecord person, Product product, Supplier supplier, boolean publicAuthority, boolean licenceHeld, boolean objects,
                            List<DataAccessAgreement> inForce, LocalDate today) {
        if (!licenceHeld) {
            return Decision.nothing("the person holds no licence for the product");
        }
        if (objects) {
            return Decision.nothing("an objection is recorded for the person");
        }
        Set<UUID> organisers = new LinkedHashSet<>();
        person.placements().forEach(p -> {
            if (p.organiserId() != null) {
                organisers.add(p.organiserId());
            }
        });
        if (organisers.isEmpty() || organisers.stream().noneMatch(o -> supplier.hasProcessingAgreementFor(o, today))) {
            return Decision.nothing("the supplier has no processing agreement covering the person's organiser");
        }
        Set<Attribute> declared = product.declaredAttributes();
        Set<Attribute> allowed = EnumSet.noneOf(Attribute.class);
        DataAccessAgreement agreement = applicableAgreement(person, inForce);
        String legalBasis;
        String purpose;
        int retentionDays;
        if (agreement != null) {
            agreement.attributesInForce().stream().filter(declared::contains).forEach(allowed::add);
            legalBasis = agreement.legalBasis();
            purpose = agreement.purpose();
            retentionDays = agreement.retentionDays();
        } else {
            AttributePackage.MINIMAL.attributes().stream().filter(declared::contains).forEach(allowed::add);
            legalBasis = "no agreement: MINIMAL as declared by the product";
            purpose = product.dataNeeds().stream().filter(n -> allowed.contains(n.attribute())).map(Product.DataNeed::purpose).distinct()
                    .reduce((a, b) -> a + "; " + b).orElse(null);
            retentionDays = product.dataNeeds().stream().filter(n -> allowed.contains(n.attribute())).mapToInt(Product.DataNeed::retentionDays).max().orElse(0);
        }
        if (!publicAuthority) {
            allowed.remove(Attribute.PROTECTION_FLAG);
            if (person.isProtected()) {
                allowed.retainAll(AttributePackage.MINIMAL.attributes());
            }
        }
        if (allowed.isEmpty()) {
            return Decision.nothing("nothing the product declares is allowed");
        }
        return new Decision(allowed, agreement == null ? null : agreement.id(), legalBasis, purpose, retentionDays, null, person);
    }

    /**
     * The agreement at the person's school unit outranks one at the organiser. A person placed at two units
     * with different agreements gets only what both allow.
     */
    private DataAccessAgreement applicableAgreement(PersonRecord person, List<DataAccessAgreement> inForce) {
        if (inForce.isEmpty()) {
            return null;
        }
        Set<UUID> units = new LinkedHashSet<>();
        person.placements().forEach(p -> units.add(p.schoolUnitId()));
        List<DataAccessAgreement> atUnit = inForce.stream().filter(a -> units.contains(a.scopeId())).toList();
        List<DataAccessAgreement> chosen = atUnit.isEmpty() ? inForce : atUnit;
        if (chosen.size() == 1) {
            return chosen.getFirst();
        }
        DataAccessAgreement first = chosen.getFirst();
        Set<Attribute> common = EnumSet.copyOf(first.attributesInForce().isEmpty() ? EnumSet.noneOf(Attribute.class) : EnumSet.copyOf(first.attributesInForce()));
        chosen.forEach(a -> common.retainAll(a.attributesInForce()));
        return new DataAccessAgreement(first.id(), first.supplierId(), first.productId(), first.scopeId(), first.attributePackage(),
                first.requestedAttributes(), common, first.purpose(), first.legalBasis(), chosen.stream().mapToInt(DataAccessAgreement::retentionDays).min().orElse(0),
                first.state(), first.filedBy(), first.filedAt(), first.steps(), first.reapprovalDue());
    }

    private Map<Attribute, Object> values(Decision decision, Set<Attribute> sent, Supplier supplier, Map<UUID, UUID> bases) {
        PersonRecord p = decision.person();
        UUID basis = bases.get(p.id());
        Map<Attribute, Object> values = new LinkedHashMap<>();
        for (Attribute attribute : decision.attributes()) {
            if (sent != null && !sent.contains(attribute)) {
                continue;
            }
            Object value = switch (attribute) {
                case PSEUDONYMOUS_ID -> (basis != null ? pseudonyms.fromBasis(basis, supplier.id()) : pseudonyms.of(p.id(), supplier.id())).toString();
                case ORGANISATION -> distinct(p.placements().stream().filter(x -> x.organiserId() != null)
                        .map(x -> Map.of("id", x.organiserId().toString(), "name", x.organiserName())).toList());
                case SCHOOL_UNIT -> distinct(p.placements().stream().map(x -> unit(x)).toList());
                case GROUPS -> p.groups().stream().map(g -> Map.of("id", g.groupId().toString(), "name", g.groupName(), "kind", g.kind())).toList();
                case ROLES -> List.copyOf(p.roles());
                case GRADE -> distinct(p.placements().stream().map(PersonRecords.Placement::grade).filter(g -> g != null && !g.isBlank()).toList());
                case GIVEN_NAME -> p.givenName();
                case FAMILY_NAME -> p.familyName();
                case EMAIL -> p.email();
                // guardians as this supplier's pseudonyms of them: a link, never their names
                case GUARDIAN_LINKS -> p.guardianIds().stream().map(g -> pseudonyms.of(g, supplier.id()).toString()).toList();
                case PHONE -> null; // not held by the directory
                case CIVIC_NUMBER -> p.civicNumber();
                case PROTECTION_FLAG -> p.isProtected();
            };
            if (value != null && !(value instanceof String s && s.isBlank()) && !(value instanceof Collection<?> c && c.isEmpty())) {
                values.put(attribute, value);
            }
        }
        return values;
    }

    private static Map<String, String> unit(PersonRecords.Placement x) {
        Map<String, String> unit = new LinkedHashMap<>();
        unit.put("id", x.schoolUnitId().toString());
        unit.put("name", x.schoolUnitName());
        if (x.schoolUnitCode() != null) {
            unit.put("code", x.schoolUnitCode());
        }
        return unit;
    }

    private static <T> List<T> distinct(List<T> list) {
        return list.stream().distinct().toList();
    }
}
