package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.web.client.RestClient;
import org.tilldela.TilldelaApplication;

/**
 * The server's first start on an empty data directory: an embedded PostgreSQL is created there, the
 * schema migrated, the administrator created with a password printed once, the demo municipality
 * loaded, health UP. Closing it stops the database; a second start on the same directory finds all of it
 * and creates nothing new.
 */
@ExtendWith(OutputCaptureExtension.class)
class FirstStartTest {

    private static final Pattern PASSWORD = Pattern.compile("password: (\\S{20})\\s");

    @Test
    void firstStartCreatesAdminAndDemoAndASecondStartFindsThem(@TempDir Path dataDir, CapturedOutput output) throws Exception {
        String password;
        try (ConfigurableApplicationContext app = start(dataDir)) {
            int port = port(app);
            Matcher m = PASSWORD.matcher(output.getOut());
            assertThat(m.find()).as("a generated password is printed once").isTrue();
            password = m.group(1);
            assertThat(output.getOut()).contains("sign in at http://localhost:" + port + "/").contains("user: admin");

            RestClient client = RestClient.create("http://localhost:" + port);
            assertThat(client.get().uri("/actuator/health").retrieve().body(String.class)).contains("\"status\":\"UP\"");
            String stats = client.get().uri("/api/v1/directory/stats").headers(h -> h.setBasicAuth("admin", password)).retrieve().body(String.class);
            assertThat(stats).contains("\"persons\":600");
            Integer refused = client.get().uri("/api/v1/directory/stats").headers(h -> h.setBasicAuth("admin", "wrong-password-here"))
                    .exchange((req, res) -> res.getStatusCode().value());
            assertThat(refused).isEqualTo(HttpStatus.UNAUTHORIZED.value());

            // the demos of the later modules build on the municipality: a catalogue, and data-access agreements
            String products = client.get().uri("/api/v1/catalog/products?q=").headers(h -> h.setBasicAuth("admin", password)).retrieve().body(String.class);
            assertThat(products).contains("\"total\":200");
            String agreements = client.get().uri("/api/v1/access/requests?state=APPROVED").headers(h -> h.setBasicAuth("admin", password))
                    .retrieve().body(String.class);
            assertThat(agreements).contains("\"state\":\"APPROVED\"");
            String disclosures = client.get().uri("/api/v1/ledger/feed").headers(h -> h.setBasicAuth("admin", password)).retrieve().body(String.class);
            assertThat(disclosures).as("the demo class's first sign-ins are in the ledger").contains("SSO_ID_TOKEN");

            // and some of that class can sign in at once with the local accounts printed for them
            Matcher pupil = Pattern.compile("(demo\\.\\S+)\\s+password: (\\S{10})").matcher(output.getOut());
            assertThat(pupil.find()).as("demo pupils' sign-in names and passwords are printed").isTrue();
            assertThat(output.getOut()).contains("sign in at http://localhost:" + port + "/sign-in");
            java.net.http.HttpClient browser = java.net.http.HttpClient.newBuilder().cookieHandler(new java.net.CookieManager())
                    .followRedirects(java.net.http.HttpClient.Redirect.NORMAL).build();
            String signInPage = browser.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + "/sign-in")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(signInPage);
            assertThat(csrf.find()).isTrue();
            String startPage = browser.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + "/sign-in"))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "username=" + pupil.group(1) + "&password=" + pupil.group(2) + "&_csrf="
                                    + java.net.URLEncoder.encode(csrf.group(1), java.nio.charset.StandardCharsets.UTF_8))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(startPage).as("the pupil's start page shows the product the class was licensed for").contains("class=\"tile\"");

            // and so can the class's teacher, who finds the class under My classes
            Matcher teacher = Pattern.compile("(demo\\.\\S+\\.teacher)\\s+password: (\\S{10})").matcher(output.getOut());
            assertThat(teacher.find()).as("the demo class's teacher's sign-in name and password are printed").isTrue();
            java.net.http.HttpClient teacherBrowser = java.net.http.HttpClient.newBuilder().cookieHandler(new java.net.CookieManager())
                    .followRedirects(java.net.http.HttpClient.Redirect.NORMAL).build();
            Matcher teacherCsrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(teacherBrowser.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://localhost:" + port + "/sign-in")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body());
            assertThat(teacherCsrf.find()).isTrue();
            teacherBrowser.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + "/sign-in"))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "username=" + teacher.group(1) + "&password=" + teacher.group(2) + "&_csrf="
                                    + java.net.URLEncoder.encode(teacherCsrf.group(1), java.nio.charset.StandardCharsets.UTF_8))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            Matcher demoClass = Pattern.compile("Demo pupils and staff of class (.+?): sign in").matcher(output.getOut());
            assertThat(demoClass.find()).isTrue();
            assertThat(teacherBrowser.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + "/start/classes")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body()).contains(">" + demoClass.group(1) + "</a>");
        }
        // Closing the context stopped the server (it was its last user); the cluster stays on disk.
        assertThat(dataDir.resolve("postgres/PG_VERSION")).exists();
        assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();

        try (ConfigurableApplicationContext app = start(dataDir)) {
            RestClient client = RestClient.create("http://localhost:" + port(app));
            String stats = client.get().uri("/api/v1/directory/stats").headers(h -> h.setBasicAuth("admin", password)).retrieve().body(String.class);
            assertThat(stats).as("the demo is not loaded twice").contains("\"persons\":600");
            assertThat(PASSWORD.matcher(output.getOut()).results().count()).as("no second admin password").isEqualTo(1);
        }
    }

    private static ConfigurableApplicationContext start(Path dataDir) {
        return new SpringApplicationBuilder(TilldelaApplication.class).run("--server.port=0", "--tilldela.data-dir=" + dataDir,
                "--tilldela.demo.persons=600", "--spring.main.banner-mode=off");
    }

    private static int port(ConfigurableApplicationContext app) {
        return Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
    }
}
