package org.tilldela.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;

/**
 * A common word's ranking kept per catalogue version ({@link RankedMatches}) gives exactly the pages that ranking
 * every match gives: the same products in the same order with the same ranks, with and without facets, on every
 * page, after a change to the catalogue, and for one word stemmed two ways (Swedish and Danish), a prefix and two words.
 * The search here keeps rankings from 10 matches on, so that a few hundred products are enough.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeptRankingTest extends IntegrationTest {

    @Autowired
    Catalog catalog;
    @Autowired
    JdbcClient jdbc;

    private CatalogSearch search;
    private Supplier supplier;
    /** A made-up word no other test's product has: letters only, so both stemmers keep it one word. */
    private String word;

    @BeforeAll
    void catalogue() {
        search = new CatalogSearch(jdbc, 10);
        Random random = new Random();
        StringBuilder w = new StringBuilder("zorb");
        for (int i = 0; i < 8; i++) {
            w.append((char) ('a' + random.nextInt(26)));
        }
        word = w.toString();
        supplier = CatalogFixtures.supplier("Rangförlaget " + CatalogFixtures.unique() + " A/S", "DK");
        catalog.save(supplier);
        // ranks with many ties, as in a real catalogue: the word once in most descriptions, more often or in the
        // title (weight A) in a few; the Danish definite plural ("-erne") in some, which the two stemmers stem apart
        for (int i = 0; i < 330; i++) {
            String title = (i % 37 == 0 ? word + " " : "") + "Bog " + (char) ('A' + random.nextInt(26)) + " " + i;
            String description = switch (i % 5) {
                case 0 -> "Opgaver om " + word + ", " + word + " og " + word + "erne.";
                case 1 -> "Læsning og " + word + "erne i klassen.";
                default -> "Øvelser med " + word + " for klassen.";
            };
            catalog.save(i % 3 == 0 ? printed(title, description) : CatalogFixtures.digital(supplier, title, description, List.of("Dansk"),
                    i % 4 == 0 ? new Attribute[] {Attribute.PSEUDONYMOUS_ID, Attribute.EMAIL} : new Attribute[] {Attribute.PSEUDONYMOUS_ID}));
        }
    }

    private Product printed(String title, String description) {
        return new Product(UUID.randomUUID(), "978" + CatalogFixtures.unique(), supplier.id(), title, description, Product.Kind.PRINTED_PAPERBACK,
                List.of("DK-FS"), List.of("08"), List.of("Dansk"), Product.LicenceModel.PER_USER, 60, new BigDecimal("349.00"), "DKK", null,
                Product.AccessMethod.NONE, List.of());
    }

    private List<CatalogQuery> queries() {
        List<CatalogQuery> queries = new ArrayList<>();
        for (String text : List.of(word + " ", word + "erne ", word.substring(0, 7), word + " bog ")) {
            for (int page = 1; page <= 12; page++) {
                CatalogQuery q = CatalogQuery.of(text).withPage(page);
                queries.add(q);
                queries.add(q.withKinds(Set.of(Product.Kind.DIGITAL)));
                queries.add(q.withDataNeeds(Set.of(Attribute.EMAIL)));
                queries.add(q.withSuppliers(Set.of(supplier.id())));
            }
            queries.add(new CatalogQuery(text, null, null, null, Set.of(supplier.id()), null, 2, 100));
        }
        return queries;
    }

    private void sameAsRankingEveryMatch() {
        for (CatalogQuery q : queries()) {
            CatalogPage kept = search.search(q, true);
            CatalogPage every = search.search(q, false);
            assertThat(kept.hits()).as("%s, page %d, %s", q.text(), q.page(), q).isEqualTo(every.hits());
            assertThat(kept.total()).isEqualTo(every.total());
            if (q.offset() < every.total()) {
                assertThat(kept.hits()).as("%s, page %d", q.text(), q.page()).isNotEmpty();
            }
        }
    }

    @Test
    void aKeptRankingGivesTheSamePagesAsRankingEveryMatch() {
        long before = search.answeredFromKeptRankings();
        sameAsRankingEveryMatch();
        long answered = search.answeredFromKeptRankings() - before;
        // every page within the first 200 matches without a narrow facet: each text's pages 1-10 with no facet and
        // with the supplier facet; the deep pages (11, 12 and 2 of 100) always rank every match
        assertThat(answered).as("pages answered from a kept ranking").isGreaterThanOrEqualTo(4 * 2 * 10);
        assertThat(answered).isLessThan(queries().size());

        // the best-ranked products themselves: those with the word in the title (weight A) come first
        List<CatalogPage.Hit> first = search.search(CatalogQuery.of(word + " "), true).hits();
        assertThat(first.subList(0, 9)).allSatisfy(h -> assertThat(h.title()).startsWith(word + " "));
        assertThat(first.get(9).title()).doesNotStartWith(word);
    }

    @Test
    void aChangeToTheCatalogueIsInTheNextPage() {
        search.search(CatalogQuery.of(word + " "), true);
        Product better = CatalogFixtures.digital(supplier, word + " " + word + " – Zzz", word + " " + word + " " + word, List.of(word));
        catalog.save(better);
        long before = search.answeredFromKeptRankings();
        CatalogPage page = search.search(CatalogQuery.of(word + " "), true);
        assertThat(search.answeredFromKeptRankings()).as("ranked again for the new version, then kept").isEqualTo(before + 1);
        assertThat(page.hits().getFirst().id()).isEqualTo(better.id());
        sameAsRankingEveryMatch();

        catalog.save(new Product(better.id(), better.articleNumber(), supplier.id(), "Bog uden ordet", "Intet her.", Product.Kind.DIGITAL,
                List.of("GR"), List.of("07"), List.of("Dansk"), Product.LicenceModel.PER_USER, 12, new BigDecimal("199.00"), "SEK", null,
                Product.AccessMethod.OPENID_CONNECT, List.of()));
        assertThat(search.search(CatalogQuery.of(word + " "), true).hits()).extracting(CatalogPage.Hit::id).doesNotContain(better.id());
    }

    @Test
    void anExactArticleNumberStillComesFirst() {
        // a product whose article number is the word searched for, and whose text ranks low
        Product numbered = new Product(UUID.randomUUID(), word + "erne", supplier.id(), "Ånden", "Ingenting.", Product.Kind.DIGITAL,
                List.of("GR"), List.of("07"), List.of("Dansk"), Product.LicenceModel.PER_USER, 12, new BigDecimal("199.00"), "SEK", null,
                Product.AccessMethod.OPENID_CONNECT, List.of());
        catalog.save(numbered);
        CatalogPage page = search.search(CatalogQuery.of(word + "erne"), true);
        assertThat(page.hits().getFirst().id()).isEqualTo(numbered.id());
        assertThat(page.hits()).isEqualTo(search.search(CatalogQuery.of(word + "erne"), false).hits());
    }

    @Test
    void afterAChangeTheRecentSearchesAreCountedAndRankedAgainBeforeTheirVisitorsCome() {
        CatalogSearch own = new CatalogSearch(jdbc, 10);
        own.askAgainAfterAChange();
        own.askAgainAfterAChange();
        CatalogQuery common = CatalogQuery.of(word + " ").withKinds(Set.of(Product.Kind.DIGITAL));
        own.search(common);
        own.search(CatalogQuery.of(word.substring(0, 6)).withPage(3));
        catalog.save(CatalogFixtures.digital(supplier, "Bog om " + word, word, List.of("Dansk")));
        assertThat(own.askAgainAfterAChange()).as("the catalogue has just changed: wait for it to stand still").isZero();
        long made = own.rankingsMade();
        assertThat(own.askAgainAfterAChange()).as("it stood still one check: the two recent searches are asked again").isEqualTo(2);
        assertThat(own.rankingsMade()).isEqualTo(made + 2);
        assertThat(own.askAgainAfterAChange()).as("once per version").isZero();

        long answered = own.answeredFromKeptRankings();
        CatalogPage page = own.search(common.withPage(2));
        assertThat(own.rankingsMade()).as("the visitor's search was ranked already").isEqualTo(made + 2);
        assertThat(own.answeredFromKeptRankings()).isEqualTo(answered + 1);
        assertThat(page.hits()).isEqualTo(own.search(common.withPage(2), false).hits());
    }

    @Test
    void aSearchTheDatabaseRefusedIsNotAskedAgain() {
        CatalogSearch own = new CatalogSearch(jdbc, 10);
        own.askAgainAfterAChange();
        own.askAgainAfterAChange();
        own.search(CatalogQuery.of(word + " "));
        // PostgreSQL takes no NUL in text: the search fails, and would fail each time it was asked again
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> own.search(CatalogQuery.of(word + "\u0000x")))
                .isInstanceOf(org.springframework.dao.DataAccessException.class);
        catalog.save(CatalogFixtures.digital(supplier, "Bog med " + word, word, List.of("Dansk")));
        assertThat(own.askAgainAfterAChange()).isZero();
        assertThat(own.askAgainAfterAChange()).as("only the search that worked").isEqualTo(1);
    }
}
