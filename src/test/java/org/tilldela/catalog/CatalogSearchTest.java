package org.tilldela.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.tilldela.IntegrationTest;

/**
 * Full-text search in Swedish and Danish at once, with facet counts and pages. Each test narrows to this
 * test's own supplier (a facet) so products of other tests in the shared database do not count.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogSearchTest extends IntegrationTest {

    @Autowired
    Catalog catalog;
    @Autowired
    CatalogSearch search;

    private Supplier swedish;
    private Supplier danish;
    private Product matematik;
    private Product opgaver;
    private Product printed;

    @BeforeAll
    void catalogue() {
        swedish = CatalogFixtures.supplier("Sökförlaget " + CatalogFixtures.unique() + " AB", "SE");
        danish = CatalogFixtures.supplier("Søgeforlaget " + CatalogFixtures.unique() + " A/S", "DK");
        catalog.save(swedish);
        catalog.save(danish);
        matematik = CatalogFixtures.digital(swedish, "Matematik för årskurs 7", "Bråk, procent och ekvationer.", List.of("Matematik"),
                Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.GROUPS);
        Product svenska = CatalogFixtures.digital(swedish, "Svenska 7 – Läsebok", "Noveller och dikter.", List.of("Svenska"),
                Attribute.PSEUDONYMOUS_ID, Attribute.EMAIL);
        opgaver = CatalogFixtures.digital(danish, "Opgaver i dansk 5", "Læseforståelse og grammatik.", List.of("Dansk"), Attribute.PSEUDONYMOUS_ID);
        printed = CatalogFixtures.printed(danish, "Fortællinger fra middelalderen", "DK-FS");
        List.of(matematik, svenska, opgaver, printed).forEach(catalog::save);
    }

    private CatalogPage find(String text, Supplier... suppliers) {
        Set<UUID> ids = new HashSet<>();
        for (Supplier s : suppliers) {
            ids.add(s.id());
        }
        return search.search(CatalogQuery.of(text).withSuppliers(ids));
    }

    private static List<UUID> ids(CatalogPage page) {
        return page.hits().stream().map(CatalogPage.Hit::id).toList();
    }

    @Test
    void swedishInflectionsFindTheBaseForm() {
        assertThat(ids(find("matematiken ", swedish))).containsExactly(matematik.id());
        assertThat(ids(find("ekvationerna ", swedish))).containsExactly(matematik.id());
        assertThat(ids(find("läseboken ", swedish))).hasSize(1);
    }

    @Test
    void danishInflectionsFindTheBaseForm() {
        assertThat(ids(find("opgaverne ", danish))).containsExactly(opgaver.id());
        assertThat(ids(find("fortællingerne ", danish))).containsExactly(printed.id());
        // both languages at once: a Danish word against the Swedish and Danish suppliers together
        assertThat(ids(find("middelalder ", swedish, danish))).containsExactly(printed.id());
    }

    @Test
    void theLastWordIsAPrefixForTypeAhead() {
        assertThat(ids(find("matem", swedish))).containsExactly(matematik.id());
        assertThat(ids(find("opga", danish))).containsExactly(opgaver.id());
        // a trailing space ends the word: no prefix matching
        assertThat(find("matem ", swedish).total()).isZero();
    }

    @Test
    void everyWordMustMatchAndTheSupplierNameIsSearched() {
        assertThat(ids(find("matematik procent", swedish))).containsExactly(matematik.id());
        assertThat(find("matematik middelalder", swedish, danish).total()).isZero();
        assertThat(find(swedish.name().split(" ")[1], swedish).total()).isEqualTo(2);
    }

    @Test
    void anExactArticleNumberIsFound() {
        CatalogPage page = search.search(CatalogQuery.of(printed.articleNumber()));
        assertThat(page.hits().getFirst().id()).isEqualTo(printed.id());
    }

    @Test
    void renamingTheSupplierRenamesItInTheIndex() {
        Supplier other = CatalogFixtures.supplier("Gammalnamn" + CatalogFixtures.unique(), "SE");
        catalog.save(other);
        catalog.save(CatalogFixtures.digital(other, "Biologi 8", "", List.of("Biologi")));
        String newName = "Nyttnamn" + CatalogFixtures.unique();
        catalog.save(new Supplier(other.id(), newName, other.organisationNumber(), "SE", Set.of("SE"), List.of(), List.of(), other.contact()));
        assertThat(find(newName, other).total()).isEqualTo(1);
        assertThat(find(newName, other).hits().getFirst().supplierName()).isEqualTo(newName);
    }

    @Test
    void facetsCountWhatMatchesAndNarrow() {
        CatalogPage all = find("", swedish, danish);
        assertThat(all.total()).isEqualTo(4);
        CatalogPage.Facets f = all.facets();
        assertThat(f.kinds()).extracting(CatalogPage.Count::value, CatalogPage.Count::count)
                .containsExactly(tuple("DIGITAL", 3L), tuple("PRINTED_PAPERBACK", 1L));
        assertThat(f.schoolForms()).extracting(CatalogPage.Count::value, CatalogPage.Count::count)
                .containsExactly(tuple("GR", 3L), tuple("DK-FS", 1L));
        assertThat(f.dataNeeds()).filteredOn(c -> c.value().equals("PSEUDONYMOUS_ID")).singleElement()
                .extracting(CatalogPage.Count::count).isEqualTo(3L);
        assertThat(f.dataNeeds()).filteredOn(c -> c.value().equals("GIVEN_NAME")).singleElement()
                .extracting(CatalogPage.Count::count).isEqualTo(1L);
        assertThat(f.suppliers()).extracting(CatalogPage.Count::label).containsExactlyInAnyOrder(swedish.name(), danish.name());
        assertThat(f.subjects()).extracting(CatalogPage.Count::value).contains("Matematik", "Dansk");

        CatalogPage digitalWithNames = search.search(CatalogQuery.of("").withSuppliers(Set.of(swedish.id(), danish.id()))
                .withKinds(Set.of(Product.Kind.DIGITAL)).withDataNeeds(Set.of(Attribute.GIVEN_NAME, Attribute.EMAIL)));
        assertThat(digitalWithNames.total()).isEqualTo(2);
        assertThat(digitalWithNames.facets().kinds()).singleElement().satisfies(c -> {
            assertThat(c.value()).isEqualTo("DIGITAL");
            assertThat(c.selected()).isTrue();
        });
        CatalogPage danishForms = search.search(CatalogQuery.of("").withSuppliers(Set.of(swedish.id(), danish.id())).withSchoolForms(Set.of("DK-FS")));
        assertThat(ids(danishForms)).containsExactly(printed.id());
    }

    @Test
    void aDeclarationChangeMovesTheProductBetweenDataNeedFacets() {
        Supplier own = CatalogFixtures.supplier("Kemiförlaget " + CatalogFixtures.unique(), "SE");
        catalog.save(own);
        Product p = CatalogFixtures.digital(own, "Kemi 9", "", List.of("Kemi"), Attribute.PSEUDONYMOUS_ID);
        catalog.save(p);
        CatalogQuery civic = CatalogQuery.of("").withSuppliers(Set.of(own.id())).withDataNeeds(Set.of(Attribute.CIVIC_NUMBER));
        assertThat(search.search(civic).total()).isZero();
        catalog.save(CatalogFixtures.withNeeds(p, Attribute.CIVIC_NUMBER));
        assertThat(ids(search.search(civic))).containsExactly(p.id());
    }

    @Test
    void pagesSplitTheMatchesWithATotal() {
        Supplier many = CatalogFixtures.supplier("Sidförlaget " + CatalogFixtures.unique(), "SE");
        catalog.save(many);
        for (int i = 0; i < 25; i++) {
            catalog.save(CatalogFixtures.digital(many, String.format("Geografi %02d", i), "Kartor.", List.of("Geografi")));
        }
        Set<UUID> seen = new HashSet<>();
        for (int page = 1; page <= 3; page++) {
            CatalogPage p = search.search(new CatalogQuery("geografi", null, null, null, Set.of(many.id()), null, page, 10));
            assertThat(p.total()).isEqualTo(25);
            assertThat(p.pages()).isEqualTo(3);
            assertThat(p.hits()).hasSize(page < 3 ? 10 : 5);
            p.hits().forEach(h -> assertThat(seen.add(h.id())).as("no product on two pages").isTrue());
        }
        assertThat(seen).hasSize(25);
        CatalogPage browse = search.search(new CatalogQuery("", null, null, null, Set.of(many.id()), null, 1, 10));
        assertThat(browse.hits()).extracting(CatalogPage.Hit::title).startsWith("Geografi 00", "Geografi 01");
        assertThat(browse.hasNext()).isTrue();
        assertThat(browse.hasPrevious()).isFalse();
    }

    @Test
    void punctuationAndStopWordsDoNotBreakTheSearch() {
        assertThat(find("!!! ??", swedish).total()).isZero();
        assertThat(find("och ", swedish).total()).isEqualTo(2);
        assertThat(find("matematik & | ! ( ) : * '", swedish).total()).isEqualTo(1);
    }
}
