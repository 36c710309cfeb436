package org.tilldela.catalog.generator;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import net.datafaker.Faker;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;

/**
 * Synthetic catalogue: Swedish and Danish suppliers of learning materials and their products, with
 * data-needs declarations as real ones look (sign-in needs a pseudonym, names and groups; provisioning
 * adds e-mail and roles; printed books need nothing). Deterministic for a seed: the same seed gives the
 * same suppliers and products, ids included.
 */
public final class CatalogGenerator {

    private static final String[] SV_SUBJECTS = {"Matematik", "Svenska", "Engelska", "Biologi", "Kemi", "Fysik", "Historia", "Geografi",
            "Samhällskunskap", "Religionskunskap", "Teknik", "Bild", "Musik", "Idrott och hälsa", "Hem- och konsumentkunskap", "Moderna språk",
            "Slöjd", "Svenska som andraspråk"};
    private static final String[] DA_SUBJECTS = {"Matematik", "Dansk", "Engelsk", "Biologi", "Fysik/kemi", "Historie", "Geografi",
            "Samfundsfag", "Kristendomskundskab", "Natur/teknologi", "Billedkunst", "Musik", "Idræt", "Madkundskab", "Tysk",
            "Håndværk og design", "Dansk som andetsprog"};
    private static final String[] SV_SERIES = {"Mera", "Favorit", "Prima", "Alfa", "Spira", "Puls", "Nya", "Koll på", "Upptäck", "Utkik",
            "Eureka", "Direkt", "Lyckas med", "Singma", "Pixel", "Formel", "Gilla", "Vi läser", "Språkskrin", "Boken om"};
    private static final String[] DA_SERIES = {"Kontext", "Format", "Faktor", "Sigma", "Kig ind", "Fandango", "Læsefidus", "Tal og tanker",
            "Vis mig", "Ny", "Aktiv", "Find vej i", "Kolorit", "Matematrix", "Fokus", "Tjek", "Læs og forstå", "Ordkraft", "Bogen om", "Zapp"};
    private static final String[] SV_FORMS = {"Grundbok", "Övningsbok", "Lärarhandledning", "Arbetsbok", "Läsebok", "Facit", "Uppgifter",
            "Berättelser", "Digitalt läromedel", "Övningar", "Lärarwebb", "Elevwebb"};
    private static final String[] DA_FORMS = {"Grundbog", "Øvebog", "Lærervejledning", "Arbejdsbog", "Læsebog", "Facitliste", "Opgaver",
            "Fortællinger", "Digitalt læremiddel", "Øvelser", "Lærerportal", "Elevportal"};
    private static final String[] SV_TOPICS = {"bråk", "algebra", "geometri", "ekvationer", "statistik", "procent", "sannolikhet",
            "läsförståelse", "grammatik", "skrivande", "källkritik", "ekologi", "energi", "klimatet", "medeltiden", "industrialiseringen",
            "demokratin", "världsreligionerna", "programmering", "digitala verktyg", "människokroppen", "vikingatiden", "ordkunskap", "poesi"};
    private static final String[] DA_TOPICS = {"brøker", "algebra", "geometri", "ligninger", "statistik", "procent", "sandsynlighed",
            "læseforståelse", "grammatik", "skrivning", "kildekritik", "økologi", "energi", "klimaet", "middelalderen", "industrialiseringen",
            "demokratiet", "verdensreligionerne", "programmering", "digitale værktøjer", "menneskekroppen", "vikingetiden", "ordforråd", "digte"};
    private static final String[] SV_GRADES = {"01", "02", "03", "04", "05", "06", "07", "08", "09"};
    private static final String[] GY_GRADES = {"10", "11", "12"};

    private final long seed;

    public CatalogGenerator(long seed) {
        this.seed = seed;
    }

    /** What a supplier is like, for the demo: the processing agreement situation is what matters. */
    public enum Agreement { VALID_ALL_ORGANISERS, EXPIRED, NONE }

    /** One supplier: Swedish or Danish, whether it sends data to a sub-processor in the US, its agreement. */
    public record SupplierSpec(String country, boolean usSubProcessor, Agreement agreement) {
    }

    /** The demo's suppliers: one Swedish and one Danish with agreements, one with none, one processing in the US, one expired. */
    public static List<SupplierSpec> demoSuppliers() {
        return List.of(new SupplierSpec("SE", false, Agreement.VALID_ALL_ORGANISERS), new SupplierSpec("DK", false, Agreement.VALID_ALL_ORGANISERS),
                new SupplierSpec("SE", false, Agreement.NONE), new SupplierSpec("SE", true, Agreement.VALID_ALL_ORGANISERS),
                new SupplierSpec("DK", false, Agreement.EXPIRED));
    }

    /** Benchmark suppliers: n of them, alternately Swedish and Danish, every seventh using a US sub-processor. */
    public static List<SupplierSpec> manySuppliers(int n) {
        List<SupplierSpec> specs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            specs.add(new SupplierSpec(i % 2 == 0 ? "SE" : "DK", i % 7 == 3, i % 5 == 2 ? Agreement.NONE : Agreement.VALID_ALL_ORGANISERS));
        }
        return specs;
    }

    public List<Supplier> suppliers(List<SupplierSpec> specs, Set<UUID> organisers, LocalDate today) {
        List<Supplier> suppliers = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < specs.size(); i++) {
            SupplierSpec spec = specs.get(i);
            boolean sv = spec.country().equals("SE");
            Random random = new Random(seed * 31 + i);
            Faker faker = new Faker(sv ? Locale.of("sv", "SE") : Locale.of("da", "DK"), random);
            String name;
            do {
                String base = faker.name().lastName();
                name = sv ? base + (random.nextBoolean() ? " Läromedel AB" : " Förlag AB") : base + (random.nextBoolean() ? " Forlag A/S" : " Læremidler ApS");
            } while (!names.add(name));
            String orgNumber = sv ? String.format("55%04d-%04d", 1000 + i, random.nextInt(10_000)) : String.format("%08d", 30_000_000 + i * 7919);
            List<Supplier.SubProcessor> subs = new ArrayList<>();
            subs.add(new Supplier.SubProcessor(sv ? "Nordisk Drift AB" : "Nordisk Drift ApS", spec.country(), sv ? "Drift och lagring" : "Drift og lagring"));
            if (spec.usSubProcessor()) {
                subs.add(new Supplier.SubProcessor("Cloudhost Inc.", "US", sv ? "Analys av användning" : "Analyse af brug"));
            }
            List<Supplier.ProcessingAgreement> agreements = switch (spec.agreement()) {
                case VALID_ALL_ORGANISERS -> List.of(new Supplier.ProcessingAgreement(uuid("agreement", i), sv ? "PUB-avtal.pdf" : "Databehandleraftale.pdf",
                        today.minusMonths(6 + i), today.plusYears(2), organisers));
                case EXPIRED -> List.of(new Supplier.ProcessingAgreement(uuid("agreement", i), sv ? "PUB-avtal.pdf" : "Databehandleraftale.pdf",
                        today.minusYears(3), today.minusMonths(2), organisers));
                case NONE -> List.of();
            };
            String contact = faker.name().firstName() + " " + faker.name().lastName();
            String domain = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
            suppliers.add(new Supplier(uuid("supplier", i), name, orgNumber, spec.country(), Set.of(spec.country()), subs, agreements,
                    new Supplier.Contact(contact, "kontakt@" + domain + (sv ? ".se" : ".dk"), faker.phoneNumber().phoneNumber())));
        }
        return suppliers;
    }

    /** Product number {@code index} (0-based) of the catalogue, from one of the suppliers; the same index gives the same product. */
    public Product product(int index, List<Supplier> suppliers) {
        Random random = new Random(seed * 1_000_003L + index);
        Supplier supplier = suppliers.get(index % suppliers.size());
        boolean sv = supplier.country().equals("SE");
        Faker faker = new Faker(sv ? Locale.of("sv", "SE") : Locale.of("da", "DK"), random);
        String[] subjects = sv ? SV_SUBJECTS : DA_SUBJECTS;
        String subject = subjects[random.nextInt(subjects.length)];
        String series = (sv ? SV_SERIES : DA_SERIES)[random.nextInt(SV_SERIES.length)];
        String topic = (sv ? SV_TOPICS : DA_TOPICS)[random.nextInt(SV_TOPICS.length)];
        // about half is digital, the rest mostly print
        int k = random.nextInt(100);
        Product.Kind kind = k < 50 ? Product.Kind.DIGITAL : k < 75 ? Product.Kind.PRINTED_PAPERBACK : k < 90 ? Product.Kind.PRINTED_BOUND : Product.Kind.BUNDLE;
        boolean upperSecondary = random.nextInt(5) == 0;
        String form = upperSecondary ? (sv ? "GY" : "DK-GYM") : (sv ? "GR" : "DK-FS");
        List<String> grades = new ArrayList<>();
        if (upperSecondary) {
            grades.add(GY_GRADES[random.nextInt(GY_GRADES.length)]);
        } else {
            int from = random.nextInt(SV_GRADES.length);
            int span = 1 + random.nextInt(3);
            for (int g = from; g < Math.min(SV_GRADES.length, from + span); g++) {
                grades.add(SV_GRADES[g]);
            }
        }
        String[] forms = sv ? SV_FORMS : DA_FORMS;
        String edition = kind == Product.Kind.DIGITAL ? forms[8 + random.nextInt(4)] : forms[random.nextInt(8)];
        String level = upperSecondary ? (sv ? String.valueOf(Integer.parseInt(grades.getFirst()) - 9) : String.valueOf((char) ('A' + random.nextInt(3))))
                : String.valueOf(Integer.parseInt(grades.getFirst()));
        String title = series + " " + subject + " " + level + " – " + edition;
        String author = faker.name().firstName() + " " + faker.name().lastName();
        String description = sv
                ? "Ett läromedel i " + subject.toLowerCase(Locale.ROOT) + " för " + (upperSecondary ? "gymnasiet" : "årskurs " + String.join(", ", grades.stream().map(Integer::parseInt).map(String::valueOf).toList()))
                  + " med fokus på " + topic + ". Skrivet av " + author + ". Innehåller " + (4 + random.nextInt(12)) + " kapitel med uppgifter och övningar."
                : "Et læremiddel i " + subject.toLowerCase(Locale.ROOT) + " til " + (upperSecondary ? "gymnasiet" : grades.stream().map(Integer::parseInt).map(String::valueOf).reduce((a, b) -> a + ", " + b).orElse("") + ". klasse")
                  + " med fokus på " + topic + ". Skrevet af " + author + ". Indeholder " + (4 + random.nextInt(12)) + " kapitler med opgaver og øvelser.";
        String articleNumber = kind == Product.Kind.DIGITAL
                ? (sv ? "SE-D" : "DK-D") + String.format("%07d", index)
                : (sv ? "97891" : "97887") + String.format("%08d", index);

        Product.AccessMethod access;
        List<Attribute> needs;
        if (kind == Product.Kind.PRINTED_BOUND || kind == Product.Kind.PRINTED_PAPERBACK) {
            access = Product.AccessMethod.NONE;
            needs = List.of();
        } else {
            int a = random.nextInt(100);
            if (kind == Product.Kind.BUNDLE || a < 65) {
                access = Product.AccessMethod.OPENID_CONNECT;
                needs = List.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.GROUPS);
            } else if (a < 85) {
                access = Product.AccessMethod.SCIM;
                needs = List.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.EMAIL, Attribute.GROUPS,
                        Attribute.ROLES, Attribute.SCHOOL_UNIT);
            } else {
                access = Product.AccessMethod.ROSTER_PULL;
                needs = List.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.GROUPS, Attribute.GRADE, Attribute.ROLES);
            }
            if (index % 97 == 5) {
                // national tests identify pupils by civic number: the one declaration a data protection officer must approve
                needs = new ArrayList<>(needs);
                needs.add(Attribute.CIVIC_NUMBER);
            }
        }
        Set<String> countries = supplier.allProcessingCountries();
        int retention = 30 + 30 * random.nextInt(3);
        List<Product.DataNeed> declaration = needs.stream().map(attr -> new Product.DataNeed(attr, purpose(attr, sv), attr == Attribute.CIVIC_NUMBER ? 0 : retention,
                countries)).toList();
        Product.LicenceModel model = kind == Product.Kind.DIGITAL && random.nextInt(6) == 0 ? Product.LicenceModel.PER_SCHOOL_UNIT : Product.LicenceModel.PER_USER;
        int price = model == Product.LicenceModel.PER_SCHOOL_UNIT ? 5000 + 500 * random.nextInt(40)
                : kind == Product.Kind.DIGITAL ? 49 + 10 * random.nextInt(35) : 150 + 10 * random.nextInt(45);
        Integer trial = kind == Product.Kind.DIGITAL && random.nextInt(10) < 3 ? 30 : null;
        return new Product(uuid("product", index), articleNumber, supplier.id(), title, description, kind, List.of(form), grades,
                List.of(subject), model, kind == Product.Kind.DIGITAL || kind == Product.Kind.BUNDLE ? 12 : 60,
                BigDecimal.valueOf(price).setScale(2), sv ? "SEK" : "DKK", trial, access, declaration);
    }

    private static String purpose(Attribute attribute, boolean sv) {
        return switch (attribute) {
            case PSEUDONYMOUS_ID -> sv ? "Inloggning och att spara elevens arbete" : "Log-in og at gemme elevens arbejde";
            case GIVEN_NAME, FAMILY_NAME -> sv ? "Visa namnet för läraren" : "Vise navnet for læreren";
            case GROUPS -> sv ? "Dela ut uppgifter till klassen" : "Uddele opgaver til klassen";
            case EMAIL -> sv ? "Skicka inloggningsuppgifter" : "Sende log-in-oplysninger";
            case ROLES -> sv ? "Skilja lärare från elever" : "Skelne lærere fra elever";
            case SCHOOL_UNIT -> sv ? "Knyta licensen till skolan" : "Knytte licensen til skolen";
            case GRADE -> sv ? "Anpassa innehållet till årskursen" : "Tilpasse indholdet til klassetrinnet";
            case CIVIC_NUMBER -> sv ? "Identifiering vid nationella prov" : "Identifikation ved nationale test";
            default -> sv ? "Drift av tjänsten" : "Drift af tjenesten";
        };
    }

    /** Ids derived from the seed, so a regenerated catalogue has the same ids. */
    private UUID uuid(String kind, int index) {
        return UUID.nameUUIDFromBytes((seed + "/" + kind + "/" + index).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
