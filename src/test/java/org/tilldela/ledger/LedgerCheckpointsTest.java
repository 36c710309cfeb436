package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.tilldela.platform.SecretFiles;

/**
 * Signed checkpoints against an attacker who can write to the database: the chain rewritten from one record to
 * the head with every hash recomputed verifies by itself, but not against a checkpoint signed before — stored,
 * or published outside after the stored ones were removed too; a checkpoint forged in the table does not verify.
 */
class LedgerCheckpointsTest extends LedgerTestSupport {

    @Autowired
    LedgerCheckpoints checkpoints;
    @Autowired
    ChainVerifier verifier;

    @Test
    void aChainRewrittenWithRecomputedHashesVerifiesAloneButNotAgainstASignedCheckpoint() throws Exception {
        long first = append(batch(6, UUID.randomUUID(), UUID.randomUUID()))[0];
        LedgerCheckpoints.Checkpoint signed = checkpoints.make().orElseThrow();
        long head = signed.sequence();
        assertThat(head).isGreaterThanOrEqualTo(first + 5);
        assertThat(checkpoints.make().orElseThrow().signed()).as("the same head: the same checkpoint").isEqualTo(signed.signed());
        assertThat(checkpoints.check(signed.signed()).finding()).isEqualTo(LedgerCheckpoints.Finding.HOLDS);
        ChainVerification before = ledger.verify();
        assertThat(before.intact()).as(String.valueOf(before)).isTrue();
        assertThat(before.checkpointsHeld()).isPositive();

        // the attacker changes one record and recomputes every hash after it, and the head
        long target = first + 2;
        List<LedgerRecord> originals = new ArrayList<>();
        for (long s = target; s <= head; s++) {
            originals.add(ledger.feed(new DisclosureLedger.FeedFilter(null, null, null, null, null, null, s + 1), 1).getFirst());
        }
        byte[] prev = originals.getFirst().prevHash();
        byte[] headBefore = ledger.head().lastHash();
        try (Connection c = superuser(); var st = c.createStatement()) {
            st.execute("set session_replication_role = replica");
            try {
                for (LedgerRecord r : originals) {
                    String purpose = r.sequence() == target ? "Marketing" : r.purpose();
                    byte[] hash = new ChainHash().hash(prev, r.sequence(), r.personId(), r.supplierId(), r.productId(), r.channel().name(),
                            DisclosureLedger.sortedNames(r.attributes()), r.agreementId(), r.legalBasis(), purpose, r.disclosedAt(), r.retentionDays(),
                            r.retainUntil());
                    changePurpose(c, r.sequence(), purpose, prev, hash);
                    prev = hash;
                }
                update(c, "update ledger_head set last_hash = ? where id = 1", prev);

                assertThat(verifier.verify().intact()).as("the chain alone cannot tell").isTrue();
                ChainVerification v = ledger.verify();
                assertThat(v.intact()).isFalse();
                assertThat(v.firstBrokenSequence()).isEqualTo(head);
                assertThat(v.reason()).startsWith("checkpoint:").contains("rewritten");
                assertThat(checkpoints.verifySinceLatest().intact()).as("nor does verifying since the latest checkpoint").isFalse();

                // ... and removes the stored checkpoints too: the published copy still tells
                st.execute("create temp table kept as select * from ledger_checkpoint");
                st.execute("delete from ledger_checkpoint");
                try {
                    assertThat(ledger.verify().intact()).as("nothing left inside the database to tell").isTrue();
                    assertThat(checkpoints.check(signed.signed()).finding()).isEqualTo(LedgerCheckpoints.Finding.CHAIN_DIFFERS);
                } finally {
                    st.execute("insert into ledger_checkpoint select * from kept");
                }
            } finally {
                for (LedgerRecord r : originals) {
                    changePurpose(c, r.sequence(), r.purpose(), r.prevHash(), r.hash());
                }
                update(c, "update ledger_head set last_hash = ? where id = 1", headBefore);
            }
        }
        assertThat(ledger.verify().intact()).isTrue();
        assertThat(checkpoints.check(signed.signed()).finding()).isEqualTo(LedgerCheckpoints.Finding.HOLDS);
    }

    @Test
    void aCheckpointForgedInTheTableBreaksVerificationAndOneFromAnotherKeyIsPassedOver() throws Exception {
        append(batch(3, UUID.randomUUID(), UUID.randomUUID()));
        LedgerCheckpoints.Checkpoint real = checkpoints.make().orElseThrow();
        // the attacker signs nothing: they can only change the claims of a real checkpoint (its signature then fails) ...
        JWSObject jws = JWSObject.parse(real.signed());
        String forgedClaims = jws.getPayload().toString().replace("\"seq\":" + real.sequence(), "\"seq\":" + (real.sequence() - 1));
        String forged = jws.getHeader().toBase64URL() + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(forgedClaims.getBytes(StandardCharsets.UTF_8)) + "." + jws.getSignature();
        assertThat(forgedClaims).isNotEqualTo(jws.getPayload().toString());
        assertThat(checkpoints.check(forged).finding()).isEqualTo(LedgerCheckpoints.Finding.SIGNATURE_INVALID);
        assertThat(checkpoints.check("not a checkpoint").finding()).isEqualTo(LedgerCheckpoints.Finding.MALFORMED);

        long forgedAt = real.sequence() + 1_000_000;
        try {
            tamper("insert into ledger_checkpoint (sequence, hash, made_at, key_id, signed) values (?, ?, now(), ?, ?)", forgedAt, real.hash(),
                    real.keyId(), forged);
            ChainVerification v = ledger.verify();
            assertThat(v.intact()).isFalse();
            assertThat(v.reason()).contains("signature does not verify");
        } finally {
            tamper("delete from ledger_checkpoint where sequence = ?", forgedAt);
        }

        // ... or sign with a key of their own, which is not this installation's
        com.nimbusds.jose.jwk.ECKey theirs = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).keyIDFromThumbprint(true).generate();
        com.nimbusds.jwt.SignedJWT own = new com.nimbusds.jwt.SignedJWT(new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.ES256)
                .keyID(theirs.getKeyID()).build(), new com.nimbusds.jwt.JWTClaimsSet.Builder().claim("seq", real.sequence()).claim("head", real.hashHex()).build());
        own.sign(new com.nimbusds.jose.crypto.ECDSASigner(theirs));
        assertThat(checkpoints.check(own.serialize()).finding()).isEqualTo(LedgerCheckpoints.Finding.OTHER_KEY);
        assertThat(ledger.verify().intact()).isTrue();
    }

    @Test
    void verifyingSinceTheLatestCheckpointReadsOnlyTheRecordsAfterIt() {
        append(batch(4, UUID.randomUUID(), UUID.randomUUID()));
        checkpoints.make().orElseThrow();
        append(batch(5, UUID.randomUUID(), UUID.randomUUID()));
        ChainVerification since = checkpoints.verifySinceLatest();
        assertThat(since.intact()).as(String.valueOf(since)).isTrue();
        assertThat(since.recordsChecked()).isEqualTo(5);
        assertThat(ledger.verify().recordsChecked()).isEqualTo(ledger.head().lastSequence());
    }

    @Test
    void theSigningKeyIsAFileOnlyTilldelasAccountMayReadAndNeverInTheDatabase() throws Exception {
        checkpoints.publicKey();
        Path file = dataDir().resolve(SecretFiles.FOLDER).resolve(LedgerCheckpoints.KEY_FILE);
        assertThat(file).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String privateParameter = com.nimbusds.jose.jwk.ECKey.parse(Files.readString(file)).getD().toString();
        assertThat(checkpoints.publicKey()).doesNotContain(privateParameter);
        assertThat(jdbc.sql("select count(*) from ledger_checkpoint where signed like :d").param("d", "%" + privateParameter + "%")
                .query(Long.class).single()).isZero();
    }

    private static void update(Connection c, String sql, Object... params) throws java.sql.SQLException {
        try (var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }
}
