package org.tilldela.ledger;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;

/**
 * The ledger over the synthetic municipality of {@link ScopedMunicipality}, for the tests of its scoped lists. Two
 * recipients: "both" received data about school A's pupil a1 and school B's pupil b1; "onlyB" about b1 and the protected
 * pupil bProt only. Every holding is past its deletion date (the relations ended eight years ago) and none was requested.
 * Three data protection officers: over the whole installation, over school A, over the organiser of schools A and B.
 */
final class LedgerScopeFixture {

    static final String PASSWORD = "ledger-scope-password";

    final ScopedMunicipality m;
    final String whole, schoolOfficer, organiserOfficer;
    final UUID both, onlyB, productBoth, productOnlyB;
    final String bothName, onlyBName, productBothName, productOnlyBName;

    private final Catalog catalog;

    LedgerScopeFixture(JdbcClient jdbc, AdminAccounts accounts, AdminGrants grants, Catalog catalog, Retention retention, DisclosureLedger ledger,
                       TransactionTemplate tx) {
        this.catalog = catalog;
        m = new ScopedMunicipality(jdbc);
        String u = m.source;
        String root = "led-root-" + u;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        whole = officer(accounts, grants, "led-whole-" + u, root, GrantScope.wholeInstallationScope());
        schoolOfficer = officer(accounts, grants, "led-a-" + u, root, GrantScope.units(Set.of(m.schoolA), Set.of()));
        organiserOfficer = officer(accounts, grants, "led-org-" + u, root, GrantScope.units(Set.of(m.organiser), Set.of()));

        String tag = u.substring(u.indexOf('-') + 1);
        bothName = "Tvåskoleförlaget " + tag;
        onlyBName = "Bskoleförlaget " + tag;
        productBothName = "Läsresan " + tag;
        productOnlyBName = "Räknestigen " + tag;
        both = supplier(bothName);
        onlyB = supplier(onlyBName);
        productBoth = product(both, productBothName);
        productOnlyB = product(onlyB, productOnlyBName);
        tx.executeWithoutResult(s -> ledger.append(List.of(
                LedgerTestSupport.disclosure(m.a1, both, productBoth, Channel.SCIM_PUSH, LedgerTestSupport.SMALL),
                LedgerTestSupport.disclosure(m.b1, both, productBoth, Channel.SCIM_PUSH, LedgerTestSupport.SMALL),
                LedgerTestSupport.disclosure(m.b1, onlyB, productOnlyB, Channel.SCIM_PUSH, LedgerTestSupport.SMALL),
                LedgerTestSupport.disclosure(m.bProt, onlyB, productOnlyB, Channel.SCIM_PUSH, LedgerTestSupport.SMALL))));
        LocalDate endedOn = LocalDate.now().minusYears(8);
        tx.executeWithoutResult(s -> {
            retention.relationsEnded(List.of(m.a1, m.b1), productBoth, endedOn);
            retention.relationsEnded(List.of(m.b1, m.bProt), productOnlyB, endedOn);
        });
    }

    private static String officer(AdminAccounts accounts, AdminGrants grants, String name, String root, GrantScope scope) {
        accounts.create(root, name, "Test " + name, PASSWORD);
        grants.grant(root, name, AdminRight.DATA_PROTECTION_OFFICER, scope);
        return name;
    }

    private UUID supplier(String name) {
        UUID id = UUID.randomUUID();
        LocalDate today = LocalDate.now();
        catalog.save(new Supplier(id, name, "55" + Long.toString(Math.abs(id.getLeastSignificantBits()) % 100_000_000L), "SE", Set.of("SE"), List.of(),
                List.of(new Supplier.ProcessingAgreement(UUID.randomUUID(), "pub-avtal.pdf", today.minusYears(1), today.plusYears(2),
                        Set.of(m.organiser))), new Supplier.Contact("Kontakt", "kontakt@example.se", null)));
        return id;
    }

    private UUID product(UUID supplier, String title) {
        UUID id = UUID.randomUUID();
        catalog.save(new Product(id, "ART-" + id.toString().substring(0, 13), supplier, title, "", Product.Kind.DIGITAL, List.of("GR"), List.of("4"),
                List.of("Svenska"), Product.LicenceModel.PER_USER, 12, new BigDecimal("99.00"), "SEK", null, Product.AccessMethod.OPENID_CONNECT,
                Set.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME).stream()
                        .map(a -> new Product.DataNeed(a, "inloggning", 30, Set.of("SE"))).toList()));
        return id;
    }
}
