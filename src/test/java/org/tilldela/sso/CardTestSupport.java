package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.MessageSource;

/** What the teacher and card tests share: a teacher of a class in the fixture's municipality, and a teacher's browser. */
abstract class CardTestSupport extends SignInTestSupport {

    @Autowired
    MessageSource messages;

    /**
     * A class of the fixture with pupils (the tests share it, each with pupils of its own: the first seven by id
     * go to particular tests, the last to another), its teacher (by membership and duty), and a class with pupils that teacher does not teach. */
    record Classes(UUID teacher, UUID taught, UUID other) {
    }

    Classes classes() {
        record Row(UUID teacher, UUID klass) {
        }
        Row row = jdbc.sql("""
                        select m.person_id teacher, g.id klass from membership m
                        join student_group g on g.id = m.group_id and g.kind = 'CLASS'
                        join person p on p.id = m.person_id and p.source = :s
                        where m.role = 'TEACHER' and p.protection = 'NONE'
                          and exists (select 1 from duty d where d.person_id = m.person_id and d.organisation_id = g.organisation_id)
                          and (select count(*) from membership pm where pm.group_id = g.id and pm.role = 'PUPIL') >= 8
                        order by g.id limit 1""").param("s", fixture.source).query(Row.class).single();
        UUID other = jdbc.sql("""
                        select g.id from student_group g where g.source = :s and g.kind = 'CLASS' and g.id <> :c
                          and exists (select 1 from membership pm where pm.group_id = g.id and pm.role = 'PUPIL')
                          and not exists (select 1 from membership tm where tm.group_id = g.id and tm.person_id = :t)
                        order by g.id limit 1""").param("s", fixture.source).param("c", row.klass()).param("t", row.teacher()).query(UUID.class).single();
        return new Classes(row.teacher(), row.klass(), other);
    }

    List<UUID> pupilsOf(UUID klass) {
        return jdbc.sql("""
                        select m.person_id from membership m join person p on p.id = m.person_id
                        where m.group_id = :g and m.role = 'PUPIL' and p.protection = 'NONE' order by m.person_id""")
                .param("g", klass).query(UUID.class).list();
    }

    /** The teacher signed in with a local account, in a browser of their own. */
    HttpClient teacherBrowser(UUID teacher) throws Exception {
        String username = "larare-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.setPassword(teacher, username, PASSWORD, "test");
        HttpClient teacherBrowser = newBrowser();
        assertThat(location(postSignIn(teacherBrowser, username, PASSWORD), baseUrl()).getPath()).isEqualTo("/start");
        return teacherBrowser;
    }

    static HttpResponse<String> get(HttpClient client, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(path)).header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
    }

    static String hidden(String page, String name) {
        Matcher m = Pattern.compile("name=\"" + Pattern.quote(name) + "\"[^>]*value=\"([^\"]*)\"").matcher(page);
        assertThat(m.find()).as("a hidden " + name).isTrue();
        return org.springframework.web.util.HtmlUtils.htmlUnescape(m.group(1));
    }

    static HttpResponse<String> post(HttpClient client, String url, Map<String, String> form) throws Exception {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "text/html")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A card just printed: the address its QR code carries, and the pictures on the teacher's sheet. */
    record PrintedCard(String url, List<Picture> pictures) {
        String token() {
            return url.substring(url.lastIndexOf('/') + 1);
        }
    }

    /** The teacher makes a new card for one pupil of the class; read back from the print page as a person would: the QR code scanned. */
    PrintedCard makeCard(HttpClient teacher, UUID klass, UUID pupil) throws Exception {
        String page = get(teacher, baseUrl() + "/start/classes/" + klass).body();
        HttpResponse<String> printed = post(teacher, baseUrl() + "/start/classes/" + klass + "/cards",
                Map.of("_csrf", hidden(page, "_csrf"), "formToken", hidden(page, "formToken"), "pupil", pupil.toString()));
        assertThat(printed.statusCode()).as(printed.body()).isEqualTo(200);
        assertThat(printed.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        List<PrintedCard> cards = cardsOn(printed.body());
        assertThat(cards).hasSize(1);
        return cards.getFirst();
    }

    /** Every card on a print page: each QR code decoded by ZXing's reader, each pupil's pictures read off the teacher's sheet. */
    List<PrintedCard> cardsOn(String page) throws Exception {
        List<String> urls = new ArrayList<>();
        Matcher qr = Pattern.compile("<svg class=\"card-qr\"[^>]*viewBox=\"-4 -4 (\\d+) \\d+\"[\\s\\S]*?<path fill=\"#000\" d=\"([^\"]+)\"").matcher(page);
        while (qr.find()) {
            urls.add(decode(Integer.parseInt(qr.group(1)), qr.group(2)));
        }
        Map<String, Picture> named = new HashMap<>();
        for (Locale locale : List.of(Locale.ENGLISH, Locale.forLanguageTag("sv"), Locale.forLanguageTag("da"))) {
            for (Picture p : Picture.values()) {
                named.put(messages.getMessage("sso.picture." + p.name(), null, locale), p);
            }
        }
        List<List<Picture>> sheets = new ArrayList<>();
        Matcher row = Pattern.compile("<ol class=\"sheet-pictures\">([\\s\\S]*?)</ol>").matcher(page);
        while (row.find()) {
            List<Picture> pictures = new ArrayList<>();
            Matcher name = Pattern.compile("<span>([^<]+)</span>").matcher(row.group(1));
            while (name.find()) {
                pictures.add(named.get(name.group(1)));
            }
            sheets.add(pictures);
        }
        assertThat(sheets).hasSameSizeAs(urls);
        List<PrintedCard> cards = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            assertThat(sheets.get(i)).hasSize(Picture.LENGTH).doesNotContainNull();
            cards.add(new PrintedCard(urls.get(i), sheets.get(i)));
        }
        return cards;
    }

    /** Rasterises the card's SVG path (one square per dark module) and scans it. */
    private static String decode(int side, String path) throws Exception {
        int scale = 4;
        int[] pixels = new int[side * scale * side * scale];
        java.util.Arrays.fill(pixels, 0xFFFFFFFF);
        Matcher module = Pattern.compile("M(\\d+) (\\d+)h1v1h-1z").matcher(path);
        while (module.find()) {
            int x = Integer.parseInt(module.group(1)) + 4;
            int y = Integer.parseInt(module.group(2)) + 4;
            for (int dy = 0; dy < scale; dy++) {
                for (int dx = 0; dx < scale; dx++) {
                    pixels[(y * scale + dy) * side * scale + x * scale + dx] = 0xFF000000;
                }
            }
        }
        BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(side * scale, side * scale, pixels)));
        return new QRCodeReader().decode(bitmap, Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE)).getText();
    }

    /**
     * The pupil picks pictures on the card's page, one press at a time as the page asks; answers the response to
     * the last press. A card that no longer works shows no pictures: then the presses are sent as a guesser would.
     */
    HttpResponse<String> pick(HttpClient pupil, PrintedCard card, List<Picture> pictures) throws Exception {
        HttpResponse<String> page = get(pupil, card.url());
        assertThat(page.statusCode()).isEqualTo(200);
        boolean shown = page.body().contains("name=\"pick\"");
        String csrf = hidden(shown ? page.body() : get(pupil, baseUrl() + "/sign-in").body(), "_csrf");
        List<Picture> picked = new ArrayList<>();
        HttpResponse<String> last = page;
        for (Picture picture : pictures) {
            last = post(pupil, baseUrl() + "/sign-in/card", Map.of("_csrf", csrf, "token", shown ? hidden(page.body(), "token") : card.token(),
                    "picked", shown ? hidden(page.body(), "picked") : Picture.join(picked), "pick", picture.name()));
            picked.add(picture);
            if (last.statusCode() == 200 && shown) {
                assertThat(last.body()).as("the page counts the pictures picked").contains(picked.size() + " of " + Picture.LENGTH);
                page = last;
            }
        }
        return last;
    }

    void forgetAddressFailures() {
        // the shared test server's own address must not stay counted against
        jdbc.sql("delete from sign_in_throttle where kind = 'ADDRESS' and subject in ('127.0.0.1', '0:0:0:0:0:0:0:0/64')").update();
    }
}
