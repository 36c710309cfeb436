package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.BrowserSupport;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.ledger.Retention;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;

/**
 * Issue 10's "done when", walked in a real browser against an independent SCIM server (UnboundID's, {@link
 * ScimTestServer}): an administrator sets up a connector (a refused first try saves nothing and keeps no secret on
 * screen), assigns a licence to a pupil, and the user appears at the supplier within seconds; the next import
 * without the pupil is held by the deletion brake, shown in the queue, released, and deactivates the user; after the
 * retention deadline the deletion is sent, the supplier answers 500, the page shows the error and the dead letter,
 * a replay deletes the user and its receipt is recorded; the per-person report shows the release and the confirmed
 * deletion. Every page axe-clean; Swedish, Danish and a narrow screen too; screenshots under target/screenshots.
 */
class ConnectorBrowserTest extends IntegrationTest {

    private static final String PASSWORD = "connector-browser-password";
    /** The elements that reach beyond the screen's right edge (empty: none). */
    private static final String WIDER_THAN_SCREEN = """
            () => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .map(e => e.tagName + '.' + e.className).join(' ')""";

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired AdminAccounts accounts;
    @Autowired AuditTrail audit;
    @Autowired DeletionRequests deletions;
    @Autowired Retention retention;

    @Test
    void aLicenceReachesTheSupplierTheLeaverIsDeactivatedAndTheDeletionConfirmedAllSeenOnTheConnectorPage() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        UUID product = UUID.randomUUID();
        String title = "Läsförståelse " + fx.source;
        catalog.save(new Product(product, "ART-" + product.toString().substring(0, 13), fx.supplierId, title, "", Product.Kind.DIGITAL, List.of("GR"),
                List.of("7"), List.of("Svenska"), Product.LicenceModel.PER_USER, 12, new BigDecimal("79.00"), "SEK", null,
                Product.AccessMethod.OPENID_CONNECT, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.ROLES).stream()
                .map(a -> new Product.DataNeed(a, "konto och klasslistor", 30, java.util.Set.of("SE"))).toList()));
        UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.organiserId, 10, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1),
                false, null, "test"));
        UUID pupil = fx.persons.get(3);
        // a classmate with a licence too, who leaves with the pupil: a single deactivation never trips the brake
        // (tilldela.provisioning.deletion-brake-minimum), two of two accounts do
        UUID classmate = fx.persons.get(4);
        String pupilName = jdbc.sql("select given_name || ' ' || family_name from person where id = :p").param("p", pupil).query(String.class).single();
        String supplierName = catalog.supplier(fx.supplierId).orElseThrow().name();
        String admin = "conn-" + fx.source;
        accounts.create(admin, "Kopplingar", PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN, AdminRight.LICENCE_ADMIN, AdminRight.DIRECTORY_ADMIN,
                AdminRight.DATA_PROTECTION_OFFICER), "test");

        Browser browser = BrowserSupport.browser();
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true);
             BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-GB"))) {
            Page page = context.newPage();
            page.navigate(baseUrl() + "/login");
            page.getByLabel("Username").fill(admin);
            page.getByLabel("Password").fill(PASSWORD);
            page.getByLabel("Password").press("Enter");
            page.waitForURL(url -> !url.contains("/login"));

            // ---- set up the connector; the first try is refused, and nothing of it is kept
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Connectors")).click();
            page.waitForURL(url -> url.endsWith("/provisioning/connectors"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Connectors");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Set up a connector")).click();
            // the form's page loaded, scripts and all: typing before htmx has bound the picker would send nothing
            page.waitForURL(url -> url.endsWith("/provisioning/connectors/new"));
            // the supplier found by its name as typed, and chosen
            page.waitForResponse(r -> r.url().contains("/pick/suppliers"), () -> page.getByLabel("Find the supplier (name)").fill(supplierName));
            page.getByLabel(supplierName).first().check();
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Continue")).click();
            page.waitForURL(url -> url.contains("supplier=" + fx.supplierId));
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            page.getByLabel("Name of the connector").fill("Läsappen SCIM");
            page.getByLabel("Address of the supplier's service (SCIM or BOL)").fill("http://scim.example.org/scim/v2"); // plain http away from this machine
            page.getByLabel("Bearer token issued by the supplier").check();
            page.getByLabel("Bearer token", new Page.GetByLabelOptions().setExact(true)).fill(supplier.token);
            page.getByLabel(title).check();
            BrowserSupport.screenshot(page, "connectors-01-form");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save")).click();
            page.waitForLoadState();
            assertThat(page.locator("[role=alert]").textContent()).contains("The connector was not saved").contains("Give the service's address: https");
            assertThat(page.locator("#baseUrl").getAttribute("aria-invalid")).isEqualTo("true");
            assertThat(page.locator("#baseUrl").inputValue()).isEqualTo("http://scim.example.org/scim/v2");
            assertThat(page.locator("#bearerToken").inputValue()).as("the secret is never sent back to the browser").isEmpty();
            assertThat(page.content()).doesNotContain(supplier.token);
            assertThat(page.getByLabel(title).isChecked()).isTrue();
            assertThat(connectorsOf(fx.supplierId)).as("nothing half-saved").isZero();
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "connectors-02-form-refused");

            page.getByLabel("Address of the supplier's service (SCIM or BOL)").fill(supplier.baseUrl());
            page.getByLabel("Bearer token", new Page.GetByLabelOptions().setExact(true)).fill(supplier.token);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save")).click();
            page.waitForURL(url -> url.matches(".*/provisioning/connectors/[0-9a-f-]{36}$"));
            UUID connector = UUID.fromString(page.url().substring(page.url().lastIndexOf('/') + 1));
            assertThat(page.locator("[role=status]").first().textContent()).contains("The connector is set up");
            assertThat(page.locator("h1").textContent()).contains(supplierName).contains("Läsappen SCIM");
            assertThat(page.locator(".facts").first().textContent()).contains(title).contains("Sending").doesNotContain(product.toString());
            assertThat(page.content()).doesNotContain(supplier.token);
            assertThat(audit.about("provisioning_connector", connector.toString())).anySatisfy(e -> {
                assertThat(e.actor()).isEqualTo(admin);
                assertThat(e.action()).isEqualTo("PROVISIONING_CONNECTOR_CREATED");
            });

            // ---- a licence assigned in the UI: the pupil's user exists at the supplier within seconds
            page.navigate(baseUrl() + "/licences/pools/" + pool);
            // picked by name, as a school office would (htmx lists the pool's organiser's persons as one types)
            Map<String, Object> name = jdbc.sql("select given_name, family_name from person where id = :p").param("p", pupil).query().singleRow();
            page.locator("#findHolder").fill(name.get("given_name").toString().split("\\s+")[0] + " " + name.get("family_name").toString().split("\\s+")[0]);
            page.locator("#holder-choices input[value='PERSON:" + pupil + "']").check();
            Instant assigned = Instant.now();
            page.locator("form[action$='/direct'] button[type=submit]").click();
            page.waitForURL(url -> url.endsWith("/licences/pools/" + pool));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> supplier.users.store.size() == 1);
            Duration toSupplier = Duration.between(assigned, Instant.now());
            assertThat(toSupplier).as("from the click to the user at the supplier").isLessThan(Duration.ofSeconds(10));
            String externalId = supplier.users.store.values().iterator().next().getObjectNode().path("externalId").asText();
            assertThat(externalId).isNotBlank().isNotEqualTo(pupil.toString());
            pools.assignDirect(pool, List.of(classmate), "test");
            await().atMost(Duration.ofSeconds(10)).until(() -> supplier.users.store.size() == 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> queued(connector) == 0 && lastSuccess(connector) != null);

            page.navigate(baseUrl() + "/provisioning/connectors/" + connector);
            assertThat(page.locator(".last-success").textContent()).doesNotContain("never").matches("\\d{4}-\\d{2}-\\d{2} .*");
            assertThat(page.locator(".queue-empty").textContent()).isEqualTo("Nothing waits to be sent.");
            assertThat(page.locator(".dead-none").isVisible()).isTrue();
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "connectors-03-after-licence");

            page.navigate(baseUrl() + "/provisioning/connectors");
            var row = page.locator("table.connectors tr", new Page.LocatorOptions().setHas(page.locator("a[href='/provisioning/connectors/" + connector + "']")));
            assertThat(row.textContent()).contains(supplierName).contains("Läsappen SCIM").contains(title).contains("Sending").contains("none")
                    .doesNotContain("never");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "connectors-04-list");

            // ---- the connector paused (with the keyboard); the pupil leaves in the next import
            page.navigate(baseUrl() + "/provisioning/connectors/" + connector);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Pause")).focus();
            page.keyboard().press("Enter");
            page.waitForLoadState();
            assertThat(page.locator("[role=status]").first().textContent()).contains("paused");

            Path next = withoutPersons(sourceIdOf(pupil), sourceIdOf(classmate));
            page.navigate(baseUrl() + "/imports");
            page.locator("#file").setInputFiles(next);
            page.locator("#source").fill(fx.source);
            page.locator("form[action='/imports/oneroster'] button[type=submit]").click();
            page.waitForURL(url -> url.matches(".*/imports/[0-9a-f-]{36}$"));
            page.waitForSelector(".status-SUCCEEDED", new Page.WaitForSelectorOptions().setTimeout(120_000));
            Files.delete(next);
            assertThat(jdbc.sql("select count(*) from person where id = :p").param("p", pupil).query(Long.class).single()).isZero();

            // two deactivations of two accounts: more than 10 %, so the deletion brake holds them, and the page says so
            await().atMost(Duration.ofSeconds(20)).until(() -> held(connector) == 2);
            page.navigate(baseUrl() + "/provisioning/connectors/" + connector);
            assertThat(page.locator(".brake").textContent()).contains("Held by the deletion brake").contains("2 deactivations and deletions are held");
            assertThat(page.locator("table.queue").textContent()).contains("Deactivate the account").contains("left (import)")
                    .contains("Held by the deletion brake").contains("No longer in the directory");
            assertThat(page.locator(".q-held").textContent()).isEqualTo("2");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "connectors-05-held-by-brake");

            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Send them").setExact(true)).click();
            page.waitForLoadState();
            assertThat(page.locator("[role=status]").first().textContent()).contains("being sent");
            // still paused: it waits in the queue, no longer held
            assertThat(page.locator(".q-pending").textContent()).isEqualTo("2");
            assertThat(page.locator(".q-held").textContent()).isEqualTo("0");
            assertThat(supplier.users.withExternalId(externalId).getFirst().getObjectNode().path("active").asBoolean()).isTrue();
            BrowserSupport.screenshot(page, "connectors-06-waiting-while-paused");

            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Resume")).click();
            page.waitForLoadState();
            await().atMost(Duration.ofSeconds(10)).until(() -> !supplier.users.withExternalId(externalId).getFirst().getObjectNode().path("active").asBoolean());
            await().atMost(Duration.ofSeconds(10)).until(() -> queued(connector) == 0);
            // the page follows the queue by itself while anything waits: no reload
            page.waitForFunction("() => ['.q-pending', '.q-inflight', '.q-retrying', '.q-held'].every(q => document.querySelector(q).textContent === '0')",
                    null, new Page.WaitForFunctionOptions().setTimeout(10_000));
            assertThat(page.locator("#queue-counts").getAttribute("hx-trigger")).as("and stops once it is empty").isNull();
            page.reload();
            assertThat(page.locator(".queue-empty").isVisible()).isTrue();
            BrowserSupport.screenshot(page, "connectors-07-drained");

            // ---- the brake raised to 100 % in the form; the stored token is kept (left empty), and keeps working below
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Change the connector")).click();
            assertThat(page.locator("#bearerToken").inputValue()).isEmpty();
            assertThat(page.content()).doesNotContain(supplier.token);
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "connectors-08-edit");
            page.getByLabel("Deletion brake, in percent of the accounts").fill("100");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save")).click();
            page.waitForURL(url -> url.endsWith("/provisioning/connectors/" + connector));
            assertThat(page.locator("[role=status]").first().textContent()).contains("The connector is changed");

            // ---- the retention deadline passes (as if 40 days had gone); the supplier answers 500 to the DELETE
            supplier.users.failDeletes = true;
            retention.relationEnded(pupil, product, LocalDate.now().minusDays(40));
            assertThat(deletions.request(LocalDate.now(), connector)).isEqualTo(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> dead(connector) == 1);
            page.reload();
            assertThat(page.locator(".last-error").textContent()).contains("HTTP 500").contains("deletions are failing today");
            assertThat(page.locator("table.dead").textContent()).contains("Delete the account").contains("retention deadline passed")
                    .contains("HTTP 500").contains("deletions are failing today").contains("after 3 attempts");
            assertThat(page.locator(".q-dead").textContent()).isEqualTo("1");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "connectors-09-dead-letter");
            page.setViewportSize(375, 740); // a phone: the dead letter's row becomes a card with labelled cells
            BrowserSupport.screenshot(page, "connectors-09b-dead-letter-narrow");
            assertThat(page.evaluate(WIDER_THAN_SCREEN)).isEqualTo("");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            page.setViewportSize(1280, 720);
            page.navigate(baseUrl() + "/provisioning/connectors");
            assertThat(row.textContent()).contains("HTTP 500");
            BrowserSupport.screenshot(page, "connectors-10-list-with-error");

            // mended at the supplier; replayed from the page: deleted, and the receipt recorded
            supplier.users.failDeletes = false;
            page.navigate(baseUrl() + "/provisioning/connectors/" + connector);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(Pattern.compile("^Send again: No longer in the directory"))).click();
            page.waitForLoadState();
            assertThat(page.locator("[role=status]").first().textContent()).contains("queued again");
            await().atMost(Duration.ofSeconds(20)).until(() -> "CONFIRMED".equals(deletionState(pupil, product)));
            assertThat(supplier.users.withExternalId(externalId)).isEmpty();
            assertThat(retention.deletionReceipt(pupil, fx.supplierId, product).orElseThrow().answerStatus()).isEqualTo(204);
            page.reload();
            assertThat(page.locator(".dead-none").isVisible()).isTrue();
            assertThat(page.locator(".last-error").textContent()).contains("there has been a success since");
            BrowserSupport.screenshot(page, "connectors-11-replayed");
            assertThat(audit.about("provisioning_connector", connector.toString())).extracting(e -> e.action())
                    .contains("PROVISIONING_CONNECTOR_PAUSED", "PROVISIONING_CONNECTOR_RESUMED", "PROVISIONING_DELETION_BRAKE_HELD",
                            "PROVISIONING_DELETION_BRAKE_RELEASED", "PROVISIONING_CONNECTOR_CHANGED", "PROVISIONING_DEAD_LETTER_REPLAYED");

            // ---- the per-person report: the release over SCIM and the confirmed deletion
            page.navigate(baseUrl() + "/ledger/persons/" + pupil);
            String recipients = page.locator("table.recipients").textContent();
            assertThat(recipients).contains(supplierName).contains(title).contains("Deleted, confirmed on " + LocalDate.now());
            assertThat(page.locator("main").textContent()).contains("SCIM push");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "connectors-12-person-report");

            // ---- Swedish, Danish, and a phone-sized screen
            page.navigate(baseUrl() + "/provisioning/connectors/" + connector + "?lang=sv");
            assertThat(page.locator("#queue-heading").textContent()).isEqualTo("Kö");
            assertThat(page.locator("#dead-heading").textContent()).isEqualTo("Misslyckade åtgärder");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "connectors-13-swedish");
            page.navigate(baseUrl() + "/provisioning/connectors/new?supplier=" + fx.supplierId + "&lang=da");
            assertThat(page.locator("h1").textContent()).isEqualTo("Opret en forbindelse");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "connectors-14-danish-form");
            page.navigate(baseUrl() + "/provisioning/connectors?lang=en");
            page.setViewportSize(375, 740);
            BrowserSupport.screenshot(page, "connectors-15-narrow");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            assertThat(page.evaluate(WIDER_THAN_SCREEN)).as("nothing reaches beyond the screen: the table's rows are stacked").isEqualTo("");
            page.navigate(baseUrl() + "/provisioning/connectors/" + connector);
            BrowserSupport.screenshot(page, "connectors-16-narrow-connector");
            assertThat(page.evaluate(WIDER_THAN_SCREEN)).isEqualTo("");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
        }
    }

    /** The package as imported before, regenerated (deterministic for its seed), without these persons and every mention of them. */
    private static Path withoutPersons(String... sourcedIds) throws Exception {
        Path full = Files.createTempFile("connector-next-day-", ".zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(1500, 7, "sv", 0, 0)).writeTo(full);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(full)); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                byte[] content = in.readAllBytes();
                zip.putNextEntry(new ZipEntry(entry.getName()));
                if (entry.getName().endsWith(".csv")) {
                    for (String sourcedId : sourcedIds) {
                        content = without(content, sourcedId);
                    }
                }
                zip.write(content);
                zip.closeEntry();
            }
        }
        Files.delete(full);
        Path next = Files.createTempFile("connector-next-day-", ".zip");
        Files.write(next, out.toByteArray());
        return next;
    }

    /** The CSV without the rows that are about the person, and with the person taken out of every list of ids. */
    private static byte[] without(byte[] csv, String sourcedId) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Reader reader = new InputStreamReader(new java.io.ByteArrayInputStream(csv), StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader);
             Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
             CSVPrinter printer = new CSVPrinter(writer, CSVFormat.RFC4180.builder().setHeader(parser.getHeaderNames().toArray(String[]::new)).get())) {
            for (CSVRecord r : parser) {
                // the person's own row, and their enrolments
                if (sourcedId.equals(column(r, "sourcedId")) || sourcedId.equals(column(r, "userSourcedId"))) {
                    continue;
                }
                List<String> values = new ArrayList<>(r.toList());
                for (int i = 0; i < values.size(); i++) {
                    if (values.get(i).equals(sourcedId)) {
                        values.set(i, "");
                    } else if (values.get(i).contains(",")) {
                        values.set(i, Arrays.stream(values.get(i).split(",")).filter(v -> !v.strip().equals(sourcedId)).collect(Collectors.joining(",")));
                    }
                }
                printer.printRecord(values);
            }
        }
        return out.toByteArray();
    }

    private static String column(CSVRecord r, String name) {
        return r.isMapped(name) ? r.get(name) : null;
    }

    private String sourceIdOf(UUID person) {
        return jdbc.sql("select source_id from person where id = :p").param("p", person).query(String.class).single();
    }

    private long connectorsOf(UUID supplier) {
        return jdbc.sql("select count(*) from provisioning_connector where supplier_id = :s").param("s", supplier).query(Long.class).single();
    }

    private long queued(UUID connector) {
        return count("select count(*) from provisioning_operation where connector_id = :c and state in ('PENDING', 'IN_FLIGHT')", connector);
    }

    private long dead(UUID connector) {
        return count("select count(*) from provisioning_operation where connector_id = :c and state = 'DEAD'", connector);
    }

    private long held(UUID connector) {
        return count("""
                select count(*) from provisioning_operation o join provisioning_connector c on c.id = o.connector_id
                where o.connector_id = :c and c.brake_held_at is not null and o.kind in ('DEACTIVATE', 'DELETE') and o.state = 'PENDING'
                  and o.id > c.brake_released_through""", connector);
    }

    private long count(String sql, UUID connector) {
        return jdbc.sql(sql).param("c", connector).query(Long.class).single();
    }

    private Instant lastSuccess(UUID connector) {
        return jdbc.sql("select last_success_at from provisioning_connector where id = :c").param("c", connector)
                .query((rs, n) -> rs.getTimestamp(1) == null ? null : rs.getTimestamp(1).toInstant()).single();
    }

    private String deletionState(UUID person, UUID product) {
        return jdbc.sql("select coalesce(deletion_state, '') from holding where person_id = :p and product_id = :q").param("p", person)
                .param("q", product).query(String.class).optional().orElse("");
    }
}
