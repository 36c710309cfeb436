package org.tilldela.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.ledger.Channel;
import org.tilldela.ledger.DisclosureLedger;
import org.tilldela.ledger.LedgerRecord;
import org.tilldela.licensing.LicencePools;

/** The one gate: what may leave about whom, to whom — and that each release is recorded exactly once. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReleasePolicyTest extends IntegrationTest {

    @Autowired ReleasePolicy policy;
    @Autowired DataAccessAgreements agreements;
    @Autowired ReleaseObjections objections;
    @Autowired DisclosureLedger ledger;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;

    AccessFixture fx;

    @BeforeAll
    void municipality() throws Exception {
        fx = new AccessFixture(imports, jdbc, catalog, pools);
        assertThat(fx.persons).hasSizeGreaterThan(5);
        assertThat(fx.protectedPersons).isNotEmpty();
    }

    private static final Set<Attribute> MINIMAL_AS_DECLARED = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.GROUPS, Attribute.ROLES);

    @Test
    void anApprovedThenRevokedRequestChangesWhatIsReleasedAtOnce() {
        UUID pupil = fx.persons.get(0);
        UUID product = fx.product(fx.supplierId, AccessFixture.DECLARED);
        fx.license(product, List.of(pupil));
        assertThat(policy.release(pupil, product, Channel.SSO_ID_TOKEN).attributes()).isEqualTo(MINIMAL_AS_DECLARED);

        var request = new NewDataAccessRequest(product, fx.organiserId, AttributePackage.SMALL, Set.of(), "Inloggning", "Allmänt intresse", 30);
        DataAccessAgreement filed = agreements.file(fx.supplierId, request, "supplier");
        assertThat(policy.release(pupil, product, Channel.SSO_ID_TOKEN).attributes()).as("a request alone changes nothing")
                .isEqualTo(MINIMAL_AS_DECLARED);

        agreements.approve(filed.id(), null, null, "school-admin");
        Release approved = policy.release(pupil, product, Channel.SSO_ID_TOKEN);
        assertThat(approved.attributes()).containsAll(MINIMAL_AS_DECLARED).contains(Attribute.GIVEN_NAME, Attribute.FAMILY_NAME)
                .doesNotContain(Attribute.EMAIL, Attribute.CIVIC_NUMBER);
        assertThat(approved.agreementId()).isEqualTo(filed.id());
        assertThat((String) approved.values().get(Attribute.GIVEN_NAME)).isNotBlank();

        agreements.revoke(filed.id(), "Leverantören bröt mot avtalet", "school-admin");
        Release revoked = policy.release(pupil, product, Channel.SSO_ID_TOKEN);
        assertThat(revoked.attributes()).isEqualTo(MINIMAL_AS_DECLARED);
        assertThat(revoked.agreementId()).isNull();
    }

    @Test
    void aProtectedPersonNeverYieldsANameToAPrivateSupplierUnderAnyAgreement() {
        for (AttributePackage pkg : List.of(AttributePackage.SMALL, AttributePackage.MEDIUM, AttributePackage.LARGE)) {
            UUID product = fx.product(fx.supplierId, AccessFixture.DECLARED);
            fx.license(product, fx.protectedPersons);
            fx.license(product, fx.persons.subList(0, 1));
            DataAccessAgreement filed = agreements.file(fx.supplierId,
                    new NewDataAccessRequest(product, fx.organiserId, pkg, Set.of(), "Inloggning", "Allmänt intresse", 30), "supplier");
            agreements.approve(filed.id(), null, null, "school-admin");
            for (UUID person : fx.protectedPersons) {
                for (Channel channel : Channel.values()) {
                    Release release = policy.release(person, product, channel);
                    assertThat(release.attributes()).as("%s via %s", pkg, channel).isSubsetOf(AttributePackage.MINIMAL.attributes())
                            .doesNotContain(Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.EMAIL, Attribute.CIVIC_NUMBER);
                    assertThat(release.values().values()).as("no value carries a name").noneMatch(v -> v instanceof String s && s.contains(" "));
                }
            }
            // the same agreement does give an unprotected pupil's name: the rule is about protection, not the agreement
            assertThat(policy.release(fx.persons.get(0), product, Channel.SCIM_PUSH).attributes()).contains(Attribute.GIVEN_NAME);
        }
    }

    @Test
    void aPublicAuthorityMayReceiveMoreAboutAProtectedPerson() {
        UUID authority = fx.supplier("Skolverket-liknande myndighet", true);
        agreements.recordPublicAuthority(authority, "Statlig myndighet", "school-admin");
        UUID product = fx.product(authority, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.PROTECTION_FLAG));
        fx.license(product, fx.protectedPersons);
        DataAccessAgreement filed = agreements.file(authority,
                new NewDataAccessRequest(product, fx.organiserId, AttributePackage.PUBLIC_AUTHORITY, Set.of(), "Nationella prov", "Rättslig förpliktelse", 90),
                "authority");
        agreements.approve(filed.id(), null, null, "school-admin");
        Release release = policy.release(fx.protectedPersons.getFirst(), product, Channel.EXPORT);
        assertThat(release.attributes()).contains(Attribute.GIVEN_NAME, Attribute.PROTECTION_FLAG);
        assertThat(release.values().get(Attribute.PROTECTION_FLAG)).isEqualTo(true);
    }

    @Test
    void everyReleaseLeavesExactlyOneLedgerRecordWhoseAttributesMatchWhatWasReleased() {
        UUID product = fx.product(fx.supplierId, AccessFixture.DECLARED);
        List<UUID> licensed = fx.persons.subList(0, 6);
        fx.license(product, licensed);
        DataAccessAgreement filed = agreements.file(fx.supplierId,
                new NewDataAccessRequest(product, fx.organiserId, AttributePackage.MEDIUM, Set.of(), "Klasslistor", "Allmänt intresse", 60), "supplier");
        agreements.approve(filed.id(), EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.GROUPS), "Bara det nödvändiga", "school-admin");
        UUID unlicensed = fx.persons.get(10);
        List<UUID> batch = new java.util.ArrayList<>(licensed);
        batch.add(unlicensed);

        List<Release> releases = policy.releaseAll(batch, product, Channel.ROSTER_PULL);

        for (Release release : releases) {
            List<LedgerRecord> records = ledger.ofPerson(release.personId()).stream().filter(r -> r.productId().equals(product)).toList();
            if (release.personId().equals(unlicensed)) {
                assertThat(release.isEmpty()).isTrue();
                assertThat(release.reason()).contains("licence");
                assertThat(records).as("nothing released, nothing recorded").isEmpty();
            } else {
                assertThat(release.attributes()).isEqualTo(EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.GROUPS));
                assertThat(records).hasSize(1);
                LedgerRecord record = records.getFirst();
                assertThat(record.attributes()).isEqualTo(release.attributes());
                assertThat(record.sequence()).isEqualTo(release.ledgerSequence());
                assertThat(record.channel()).isEqualTo(Channel.ROSTER_PULL);
                assertThat(record.agreementId()).isEqualTo(filed.id());
                assertThat(record.supplierId()).isEqualTo(fx.supplierId);
            }
        }
    }

    /**
     * releaseOnly decides as releaseAll does (a required attribute that may not go, no licence: nothing), but releases
     * and records only the attributes named — what a group sent again says about its other members.
     */
    @Test
    void releaseOnlyReleasesAndRecordsOnlyWhatIsSent() {
        UUID product = fx.product(fx.supplierId, AccessFixture.DECLARED);
        List<UUID> licensed = fx.persons.subList(6, 9);
        fx.license(product, licensed);
        DataAccessAgreement filed = agreements.file(fx.supplierId,
                new NewDataAccessRequest(product, fx.organiserId, AttributePackage.MEDIUM, Set.of(), "Klasslistor", "Allmänt intresse", 60), "supplier");
        agreements.approve(filed.id(), EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.GROUPS), "Bara det nödvändiga", "school-admin");
        UUID unlicensed = fx.persons.get(11);
        List<UUID> batch = new java.util.ArrayList<>(licensed);
        batch.add(unlicensed);
        Set<Attribute> sent = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GROUPS);

        List<Release> releases = policy.releaseOnly(batch, product, Channel.SCIM_PUSH, Set.of(Attribute.GROUPS), sent);

        assertThat(releases).extracting(Release::personId).containsExactlyInAnyOrderElementsOf(batch);
        for (Release release : releases) {
            List<LedgerRecord> records = ledger.ofPerson(release.personId()).stream().filter(r -> r.productId().equals(product)).toList();
            if (release.personId().equals(unlicensed)) {
                assertThat(release.isEmpty()).isTrue();
                assertThat(records).as("nothing released, nothing recorded").isEmpty();
            } else {
                assertThat(release.attributes()).as("the given name may go, but is not what is sent").isEqualTo(sent);
                assertThat(release.values()).doesNotContainKey(Attribute.GIVEN_NAME);
                assertThat(records).singleElement().satisfies(r -> {
                    assertThat(r.attributes()).isEqualTo(sent);
                    assertThat(r.channel()).isEqualTo(Channel.SCIM_PUSH);
                    assertThat(r.agreementId()).isEqualTo(filed.id());
                });
            }
        }
        // GROUPS required but not approved: nothing goes, nothing recorded
        UUID narrow = fx.product(fx.supplierId, AccessFixture.DECLARED);
        fx.license(narrow, licensed.subList(0, 1));
        DataAccessAgreement noGroups = agreements.file(fx.supplierId,
                new NewDataAccessRequest(narrow, fx.organiserId, AttributePackage.MEDIUM, Set.of(), "Inloggning", "Allmänt intresse", 60), "supplier");
        agreements.approve(noGroups.id(), EnumSet.of(Attribute.PSEUDONYMOUS_ID), "Bara pseudonym", "school-admin");
        assertThat(policy.releaseOnly(licensed.subList(0, 1), narrow, Channel.SCIM_PUSH, Set.of(Attribute.GROUPS), sent))
                .allSatisfy(r -> assertThat(r.isEmpty()).isTrue());
        assertThat(ledger.ofPerson(licensed.getFirst()).stream().filter(r -> r.productId().equals(narrow)).toList()).isEmpty();
    }

    @Test
    void anObjectionIsHonouredUntilWithdrawn() {
        UUID pupil = fx.persons.get(2);
        UUID objection = objections.record(pupil, fx.supplierId, "Vårdnadshavaren invänder", "school-admin");
        Release release = policy.release(pupil, fx.productId, Channel.SCIM_PUSH);
        assertThat(release.isEmpty()).isTrue();
        assertThat(release.reason()).contains("objection");
        objections.withdraw(objection, "school-admin");
        assertThat(policy.release(pupil, fx.productId, Channel.SCIM_PUSH).isEmpty()).isFalse();
    }

    @Test
    void withoutAProcessingAgreementNothingGoesAtAll() {
        // no licence comes into being without an agreement (the compliance gate): here the agreement ended after the licence was given
        UUID noAgreement = fx.supplier("Utan PUB-avtal AB", true);
        UUID product = fx.product(noAgreement, AccessFixture.DECLARED);
        fx.license(product, fx.persons.subList(0, 1));
        fx.endProcessingAgreements(noAgreement);
        Release release = policy.release(fx.persons.getFirst(), product, Channel.SSO_ID_TOKEN);
        assertThat(release.isEmpty()).isTrue();
        assertThat(release.reason()).contains("processing agreement");
    }

    @Test
    void withoutAnAgreementOnlyWhatTheDeclarationAllowsOfMinimal() {
        UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.GIVEN_NAME, Attribute.EMAIL));
        fx.license(product, fx.persons.subList(0, 1));
        Release release = policy.release(fx.persons.getFirst(), product, Channel.SSO_USERINFO);
        assertThat(release.isEmpty()).as("the declaration holds nothing from MINIMAL").isTrue();
    }

    @Test
    void pseudonymsArePairwiseAndStable() {
        UUID pupil = fx.persons.get(3);
        UUID other = fx.supplier("Annan leverantör AB", true);
        UUID otherProduct = fx.product(other, AccessFixture.DECLARED);
        fx.license(otherProduct, List.of(pupil));
        Object first = policy.release(pupil, fx.productId, Channel.SSO_ID_TOKEN).values().get(Attribute.PSEUDONYMOUS_ID);
        Object again = policy.release(pupil, fx.productId, Channel.SCIM_PUSH).values().get(Attribute.PSEUDONYMOUS_ID);
        Object elsewhere = policy.release(pupil, otherProduct, Channel.SSO_ID_TOKEN).values().get(Attribute.PSEUDONYMOUS_ID);
        assertThat(first).isEqualTo(again).isNotEqualTo(elsewhere).isNotEqualTo(pupil.toString());
    }

    @Test
    void anAgreementIsNeverWiderThanTheDeclarationNorAnApprovalWiderThanTheRequest() {
        UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME));
        assertThatThrownBy(() -> agreements.file(fx.supplierId, new NewDataAccessRequest(product, fx.organiserId, AttributePackage.MEDIUM,
                EnumSet.of(Attribute.EMAIL), "x", "y", 1), "supplier")).isInstanceOf(DataAccessRefused.class).hasMessageContaining("EMAIL");
        assertThatThrownBy(() -> agreements.file(fx.supplierId, new NewDataAccessRequest(product, fx.organiserId, AttributePackage.SMALL,
                EnumSet.of(Attribute.CIVIC_NUMBER), "x", "y", 1), "supplier")).isInstanceOf(DataAccessRefused.class).hasMessageContaining("package");
        DataAccessAgreement filed = agreements.file(fx.supplierId,
                new NewDataAccessRequest(product, fx.organiserId, AttributePackage.LARGE, Set.of(), "x", "y", 1), "supplier");
        assertThat(filed.requestedAttributes()).isEqualTo(EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME));
        assertThatThrownBy(() -> agreements.approve(filed.id(), EnumSet.of(Attribute.EMAIL), "why", "admin")).isInstanceOf(DataAccessRefused.class);
        assertThatThrownBy(() -> agreements.approve(filed.id(), EnumSet.of(Attribute.PSEUDONYMOUS_ID), null, "admin"))
                .as("narrowing needs a reason").isInstanceOf(DataAccessRefused.class);
        assertThatThrownBy(() -> agreements.decline(filed.id(), " ", "admin")).isInstanceOf(DataAccessRefused.class);
        DataAccessAgreement narrowed = agreements.approve(filed.id(), EnumSet.of(Attribute.PSEUDONYMOUS_ID), "Namn behövs inte", "admin");
        assertThat(narrowed.approvedAttributes()).containsExactly(Attribute.PSEUDONYMOUS_ID);
        assertThat(narrowed.steps()).extracting(DataAccessAgreement.Step::kind)
                .containsExactly(DataAccessAgreement.Step.Kind.FILED, DataAccessAgreement.Step.Kind.NARROWED);
        assertThat(narrowed.steps().get(1).actor()).isEqualTo("admin");
        assertThat(narrowed.steps().get(1).reason()).isEqualTo("Namn behövs inte");
        assertThatThrownBy(() -> agreements.approve(filed.id(), null, null, "admin")).as("decided once").isInstanceOf(DataAccessRefused.class);
        assertThatThrownBy(() -> agreements.file(UUID.randomUUID(), fx.request(AttributePackage.SMALL), "other"))
                .as("a supplier asks only for its own products").isInstanceOf(DataAccessRefused.class);
    }

    @Test
    void aNewApprovalSupersedesTheAgreementInForce() {
        UUID product = fx.product(fx.supplierId, AccessFixture.DECLARED);
        var small = new NewDataAccessRequest(product, fx.organiserId, AttributePackage.SMALL, Set.of(), "x", "y", 1);
        DataAccessAgreement first = agreements.approve(agreements.file(fx.supplierId, small, "s").id(), null, null, "admin");
        DataAccessAgreement second = agreements.approve(agreements.file(fx.supplierId, small, "s").id(), null, null, "admin");
        assertThat(agreements.agreement(first.id()).orElseThrow().state()).isEqualTo(DataAccessAgreement.State.SUPERSEDED);
        assertThat(second.isInForce()).isTrue();
    }

    /**
     * The single-person path (one round trip, each module's read) decides exactly as the batch path does: the same
     * values, agreement, legal basis and reason for pupils under an organiser's agreement, under a school unit's
     * agreement that outranks it, protected persons, persons without a licence, and nobody at all.
     */
    @Test
    void aSinglePersonsReleaseIsWhatTheBatchGivesForThatPerson() {
        java.util.Set<Attribute> declared = EnumSet.copyOf(AccessFixture.DECLARED);
        declared.add(Attribute.GUARDIAN_LINKS);
        declared.add(Attribute.GRADE);
        declared.add(Attribute.ORGANISATION);
        UUID product = fx.product(fx.supplierId, declared);
        List<UUID> licensed = new java.util.ArrayList<>(fx.persons.subList(0, 12));
        licensed.addAll(fx.protectedPersons);
        fx.license(product, licensed);
        DataAccessAgreement atOrganiser = agreements.approve(agreements.file(fx.supplierId,
                new NewDataAccessRequest(product, fx.organiserId, AttributePackage.SMALL, Set.of(), "Inloggning", "Allmänt intresse", 30), "s").id(),
                null, null, "admin");
        UUID unit = jdbc.sql("select school_unit_id from enrolment where person_id = :p limit 1").param("p", fx.persons.get(1)).query(UUID.class).single();
        DataAccessAgreement atUnit = agreements.approve(agreements.file(fx.supplierId,
                new NewDataAccessRequest(product, unit, AttributePackage.LARGE, Set.of(), "Klasslistor", "Allmänt intresse", 60), "s").id(),
                null, null, "admin");

        List<UUID> everyone = new java.util.ArrayList<>(licensed);
        everyone.add(fx.persons.get(15)); // no licence for this product
        everyone.add(UUID.randomUUID()); // nobody
        List<Release> batch = policy.releaseAll(everyone, product, Channel.SSO_ID_TOKEN);
        java.util.Set<UUID> agreementsUsed = new java.util.HashSet<>();
        for (int i = 0; i < everyone.size(); i++) {
            Release one = policy.release(everyone.get(i), product, Channel.SSO_ID_TOKEN);
            Release fromBatch = batch.get(i);
            assertThat(one.personId()).isEqualTo(fromBatch.personId());
            assertThat(one.values()).as("values about %s", i).isEqualTo(fromBatch.values());
            assertThat(one.agreementId()).isEqualTo(fromBatch.agreementId());
            assertThat(one.legalBasis()).isEqualTo(fromBatch.legalBasis());
            assertThat(one.reason()).isEqualTo(fromBatch.reason());
            assertThat(one.ledgerSequence()).as("an identical release repeats the batch's record").isEqualTo(fromBatch.ledgerSequence());
            if (one.agreementId() != null) {
                agreementsUsed.add(one.agreementId());
            }
            // only what a channel sends: from the person's placements alone (their names, groups and guardians not
            // read), and with a name (the whole record read): decided the same, the values narrowed to what is sent
            for (Set<Attribute> sent : List.of(EnumSet.of(Attribute.PSEUDONYMOUS_ID), EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT,
                    Attribute.ORGANISATION, Attribute.GRADE), EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.GUARDIAN_LINKS))) {
                Release only = policy.releaseOnly(everyone.get(i), product, Channel.SSO_ACCESS_TOKEN, sent);
                java.util.Map<Attribute, Object> expected = new java.util.EnumMap<>(Attribute.class);
                fromBatch.values().forEach((a, v) -> {
                    if (sent.contains(a)) {
                        expected.put(a, v);
                    }
                });
                assertThat(only.values()).as("%s of %s", sent, i).isEqualTo(expected);
                assertThat(only.agreementId()).isEqualTo(fromBatch.agreementId());
                assertThat(only.reason()).isEqualTo(fromBatch.reason());
            }
        }
        assertThat(agreementsUsed).as("both the unit's and the organiser's agreement were in play").contains(atOrganiser.id(), atUnit.id());
        assertThat(batch.stream().filter(r -> !r.isEmpty()).count()).isEqualTo(licensed.size());
        assertThat(batch.get(everyone.size() - 2).reason()).contains("licence");
        assertThat(batch.getLast().reason()).contains("no such person");
    }

    /** Nothing is cached on the single-person path: each change counts from the very next release. */
    @Test
    void aSinglePersonsReleaseStopsAtOnceWhenItsGroundsGo() {
        UUID supplier = fx.supplier("Avslutas AB", true);
        UUID product = fx.product(supplier, AccessFixture.DECLARED);
        UUID pool = pools.create(new org.tilldela.licensing.NewPool(product, fx.organiserId, fx.organiserId, 10, java.time.LocalDate.now().minusDays(1),
                java.time.LocalDate.now().plusYears(1), false, null, "test"));
        UUID licenceEnds = fx.persons.get(6), objects = fx.persons.get(7), agreementEnds = fx.persons.get(8);
        pools.assignDirect(pool, List.of(licenceEnds, objects, agreementEnds), "test");
        DataAccessAgreement filed = agreements.approve(agreements.file(supplier,
                new NewDataAccessRequest(product, fx.organiserId, AttributePackage.SMALL, Set.of(), "Inloggning", "Allmänt intresse", 30), "s").id(),
                null, null, "admin");
        for (UUID person : List.of(licenceEnds, objects, agreementEnds)) {
            assertThat(policy.release(person, product, Channel.SSO_ID_TOKEN).agreementId()).isEqualTo(filed.id());
        }

        agreements.revoke(filed.id(), "Avtalet sades upp", "admin");
        Release revoked = policy.release(agreementEnds, product, Channel.SSO_ID_TOKEN);
        assertThat(revoked.agreementId()).isNull();
        assertThat(revoked.attributes()).isEqualTo(MINIMAL_AS_DECLARED);

        pools.withdrawDirect(pool, licenceEnds, "test");
        Release ended = policy.release(licenceEnds, product, Channel.SSO_ID_TOKEN);
        assertThat(ended.isEmpty()).isTrue();
        assertThat(ended.reason()).contains("licence");

        objections.record(objects, supplier, "Vårdnadshavaren invänder", "admin");
        assertThat(policy.release(objects, product, Channel.SSO_ID_TOKEN).reason()).contains("objection");

        assertThat(policy.release(agreementEnds, product, Channel.SSO_ID_TOKEN).isEmpty()).isFalse();
        fx.endProcessingAgreements(supplier);
        Release noProcessing = policy.release(agreementEnds, product, Channel.SSO_ID_TOKEN);
        assertThat(noProcessing.isEmpty()).isTrue();
        assertThat(noProcessing.reason()).contains("processing agreement");
    }

    @Test
    void aProductOrSupplierChangedInAnyOfItsTablesCountsFromTheNextRelease() {
        // the product and its supplier are kept per catalogue version: a change in any table they are read from is a new one
        UUID supplier = fx.supplier("Bakom ryggen AB", true);
        UUID product = fx.product(supplier, AccessFixture.DECLARED);
        UUID person = fx.persons.get(10);
        fx.license(product, List.of(person));
        agreements.approve(agreements.file(supplier,
                new NewDataAccessRequest(product, fx.organiserId, AttributePackage.SMALL, Set.of(), "Inloggning", "Allmänt intresse", 30), "s").id(),
                null, null, "admin");
        java.util.function.Supplier<Release> next = () -> policy.release(person, product, Channel.SSO_ID_TOKEN);
        assertThat(next.get().isEmpty()).isFalse();
        assertThat(next.get().attributes()).contains(Attribute.GIVEN_NAME);

        jdbc.sql("update processing_agreement set valid_until = current_date - 1 where supplier_id = :s").param("s", supplier).update();
        assertThat(next.get().reason()).as("the processing agreement ended in its own table").contains("processing agreement");
        jdbc.sql("update processing_agreement set valid_until = current_date + 30 where supplier_id = :s").param("s", supplier).update();
        assertThat(next.get().isEmpty()).isFalse();

        jdbc.sql("delete from processing_agreement_organiser where agreement_id in (select id from processing_agreement where supplier_id = :s)")
                .param("s", supplier).update();
        assertThat(next.get().reason()).as("the agreement no longer covers the organiser").contains("processing agreement");
        jdbc.sql("insert into processing_agreement_organiser (agreement_id, organiser_id) select id, :o from processing_agreement where supplier_id = :s")
                .param("o", fx.organiserId).param("s", supplier).update();
        assertThat(next.get().isEmpty()).isFalse();

        jdbc.sql("delete from product_data_need where product_id = :p and attribute = 'GIVEN_NAME'").param("p", product).update();
        assertThat(next.get().attributes()).as("the declaration narrowed").doesNotContain(Attribute.GIVEN_NAME).isNotEmpty();
    }
}
