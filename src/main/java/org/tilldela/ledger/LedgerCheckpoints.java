package org.tilldela.ledger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.platform.SecretFiles;

/**
 * Signed checkpoints of the disclosure ledger (table {@code ledger_checkpoint}): the head's sequence and hash,
 * signed as a JWS (ES256) with a key that is <em>not</em> in the database — a JWK file, by default
 * {@code <data-dir>/secrets/ledger-checkpoint.jwk} (made on first use, readable by Tilldela's account only), or
 * the file {@code tilldela.ledger.checkpoint-key-file} names (the same file on every node; keep it where the
 * database's administrators cannot write).
 *
 * <p>Why: the hash chain proves the records are unchanged only to someone who trusts its end. Whoever holds a
 * database password can change a record and recompute every hash after it, and the chain alone still verifies.
 * They cannot sign, so a changed record at or before a checkpoint's sequence shows up against the checkpoint —
 * and, should they remove the checkpoint rows too, against a copy published outside Tilldela (the operator
 * writes one with {@code ledger checkpoint --out FILE}, or downloads it from the verify page).
 *
 * <p>A checkpoint is made every hour the ledger grew ({@code tilldela.ledger.checkpoint-cron}), and on demand.
 * Verifying checks the whole chain and every stored checkpoint against it; verifying <em>since</em> the latest
 * checkpoint that holds reads only the records after it.
 */
@Component
public class LedgerCheckpoints {

    private static final Logger log = LoggerFactory.getLogger(LedgerCheckpoints.class);

    /** The file under the data directory's secrets folder when no key file is configured. */
    static final String KEY_FILE = "ledger-checkpoint.jwk";
    static final JOSEObjectType TYPE = new JOSEObjectType("ledger-checkpoint+jwt");

    /** A checkpoint as stored and as published: {@code signed} is the compact JWS. */
    public record Checkpoint(long sequence, byte[] hash, Instant madeAt, String keyId, String signed) {
        public String hashHex() {
            return HexFormat.of().formatHex(hash);
        }
    }

    /** What checking a checkpoint against the chain found. */
    public enum Finding {
        /** Signed with this installation's key, and the chain's record at its sequence has its hash. */
        HOLDS("the chain holds the checkpoint's record"),
        MALFORMED("not a ledger checkpoint (a JWS with seq and head)"),
        OTHER_KEY("signed with another key than this installation's checkpoint key"),
        SIGNATURE_INVALID("the checkpoint's signature does not verify: it was not made with the checkpoint key"),
        CHAIN_SHORTER("the chain ends before the checkpoint's record: its tail was cut off"),
        CHAIN_DIFFERS("the chain's record at the checkpoint's sequence is not the one signed: the chain was rewritten"),
        /** The record was in a month the ledger's retention removed: nothing left to compare with. */
        REMOVED("the checkpoint's record was in a month the ledger's retention removed");

        private final String reason;

        Finding(String reason) {
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    public record Check(Finding finding, Long sequence, Instant madeAt) {
    }

    private final JdbcClient jdbc;
    private final ChainVerifier verifier;
    private final Path dataDir;
    private final String keyFile;
    private final Clock clock;
    private volatile ECKey key;

    LedgerCheckpoints(JdbcClient jdbc, ChainVerifier verifier, @Value("${tilldela.data-dir:./data}") String dataDir,
                      @Value("${tilldela.ledger.checkpoint-key-file:}") String keyFile, Optional<Clock> clock) {
        this.jdbc = jdbc;
        this.verifier = verifier;
        this.dataDir = Path.of(dataDir);
        this.keyFile = keyFile;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** The signing key: read from the configured file, or made once under the data directory. */
    private ECKey key() {
        ECKey k = key;
        if (k == null) {
            synchronized (this) {
                if (key == null) {
                    key = loadKey();
                }
                k = key;
            }
        }
        return k;
    }

    private ECKey loadKey() {
        String json;
        if (keyFile == null || keyFile.isBlank()) {
            json = new String(SecretFiles.readOrCreate(dataDir, KEY_FILE, () -> {
                try {
                    return new ECKeyGenerator(Curve.P_256).keyIDFromThumbprint(true).generate().toJSONString().getBytes(StandardCharsets.UTF_8);
                } catch (JOSEException e) {
                    throw new IllegalStateException("Could not make the ledger's checkpoint key: " + e.getMessage(), e);
                }
            }), StandardCharsets.UTF_8);
        } else {
            try {
                json = Files.readString(Path.of(keyFile));
            } catch (IOException e) {
                throw new UncheckedIOException("Could not read the ledger's checkpoint key (tilldela.ledger.checkpoint-key-file=" + keyFile + "): "
                        + e.getMessage(), e);
            }
        }
        try {
            ECKey parsed = ECKey.parse(json);
            if (!parsed.isPrivate() || !Curve.P_256.equals(parsed.getCurve())) {
                throw new IllegalStateException("The ledger's checkpoint key must be a private EC key on P-256 (a JWK).");
            }
            return parsed.getKeyID() != null ? parsed : new ECKey.Builder(parsed).keyIDFromThumbprint().build();
        } catch (ParseException | JOSEException e) {
            throw new IllegalStateException("The ledger's checkpoint key is not a JWK: " + e.getMessage(), e);
        }
    }

    /** The public half of the checkpoint key as a JWK (JSON): what a checkpoint is verified with outside Tilldela. */
    public String publicKey() {
        return key().toPublicJWK().toJSONString();
    }

    /**
     * Signs the head as it stands committed now; the same checkpoint again when the ledger has not grown since.
     * Empty while the ledger has no record.
     */
    @Transactional
    public Optional<Checkpoint> make() {
        DisclosureLedger.Head head = jdbc.sql("select last_sequence, last_hash from ledger_head where id = 1")
                .query((rs, n) -> new DisclosureLedger.Head(rs.getLong(1), rs.getBytes(2))).single();
        if (head.lastSequence() == 0) {
            return Optional.empty();
        }
        return Optional.of(sign(head.lastSequence(), head.lastHash()));
    }

    /**
     * Signs the record at {@code sequence} — a month's last record, once the chain up to it verified
     * ({@link LedgerMaintenance}): the checkpoint a removed month leaves behind.
     */
    @Transactional
    Checkpoint makeAt(long sequence) {
        byte[] hash = jdbc.sql("select hash from disclosure_record where sequence = :s").param("s", sequence).query(byte[].class).single();
        return sign(sequence, hash);
    }

    private Checkpoint sign(long sequence, byte[] hash) {
        Optional<Checkpoint> existing = stored(sequence);
        if (existing.isPresent()) {
            return existing.get();
        }
        Instant now = clock.instant();
        ECKey signing = key();
        SignedJWT jws = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(signing.getKeyID()).type(TYPE).build(),
                new JWTClaimsSet.Builder().claim("seq", sequence).claim("head", HexFormat.of().formatHex(hash)).issueTime(Date.from(now)).build());
        try {
            jws.sign(new ECDSASigner(signing));
        } catch (JOSEException e) {
            throw new IllegalStateException("Could not sign the ledger checkpoint: " + e.getMessage(), e);
        }
        // another node may sign the same record at the same moment: the first stays
        jdbc.sql("""
                        insert into ledger_checkpoint (sequence, hash, made_at, key_id, signed) values (:s, :h, :at, :k, :j)
                        on conflict (sequence) do nothing""")
                .param("s", sequence).param("h", hash).param("at", java.sql.Timestamp.from(now))
                .param("k", signing.getKeyID()).param("j", jws.serialize()).update();
        return stored(sequence).orElseThrow();
    }

    /** Where the ledger's retention last cut the chain: the last record of the newest month it removed. */
    record Cut(long sequence, byte[] hash, java.time.LocalDate month) {
    }

    Optional<Cut> latestCut() {
        return jdbc.sql("select sequence, hash, month from ledger_cut order by sequence desc limit 1")
                .query((rs, n) -> new Cut(rs.getLong(1), rs.getBytes(2), rs.getObject(3, java.time.LocalDate.class))).optional();
    }

    /** The latest stored checkpoint, if any. */
    public Optional<Checkpoint> latest() {
        return jdbc.sql("select sequence, hash, made_at, key_id, signed from ledger_checkpoint order by sequence desc limit 1")
                .query(LedgerCheckpoints::row).optional();
    }

    private Optional<Checkpoint> stored(long sequence) {
        return jdbc.sql("select sequence, hash, made_at, key_id, signed from ledger_checkpoint where sequence = :s").param("s", sequence)
                .query(LedgerCheckpoints::row).optional();
    }

    private static Checkpoint row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Checkpoint(rs.getLong(1), rs.getBytes(2), rs.getTimestamp(3).toInstant(), rs.getString(4), rs.getString(5));
    }

    /**
     * Checks a checkpoint — one stored here, or a copy published elsewhere — against the chain: the signature with
     * this installation's key, then the chain's record at its sequence. The signed claims are what counts, never
     * the table's other columns (a database writer could change those).
     */
    public Check check(String signed) {
        return check(signed, latestCut());
    }

    private Check check(String signed, Optional<Cut> cut) {
        SignedJWT jws;
        long sequence;
        byte[] hash;
        Instant madeAt;
        try {
            jws = SignedJWT.parse(signed.strip());
            JWTClaimsSet claims = jws.getJWTClaimsSet();
            if (!JWSAlgorithm.ES256.equals(jws.getHeader().getAlgorithm()) || claims.getLongClaim("seq") == null || claims.getStringClaim("head") == null) {
                return new Check(Finding.MALFORMED, null, null);
            }
            sequence = claims.getLongClaim("seq");
            hash = HexFormat.of().parseHex(claims.getStringClaim("head"));
            madeAt = claims.getIssueTime() == null ? null : claims.getIssueTime().toInstant();
        } catch (ParseException | IllegalArgumentException e) {
            return new Check(Finding.MALFORMED, null, null);
        }
        ECKey ours = key();
        if (!ours.getKeyID().equals(jws.getHeader().getKeyID())) {
            return new Check(Finding.OTHER_KEY, sequence, madeAt);
        }
        try {
            if (!jws.verify(new ECDSAVerifier(ours.toECPublicKey()))) {
                return new Check(Finding.SIGNATURE_INVALID, sequence, madeAt);
            }
        } catch (JOSEException e) {
            return new Check(Finding.SIGNATURE_INVALID, sequence, madeAt);
        }
        if (cut.isPresent() && sequence <= cut.get().sequence()) {
            // the record is gone; at the cut itself the cut's hash is what the chain after it links to
            Finding f = sequence == cut.get().sequence() ? (Arrays.equals(cut.get().hash(), hash) ? Finding.HOLDS : Finding.CHAIN_DIFFERS) : Finding.REMOVED;
            return new Check(f, sequence, madeAt);
        }
        byte[] recorded = jdbc.sql("select hash from disclosure_record where sequence = :s").param("s", sequence).query(byte[].class).optional().orElse(null);
        if (recorded == null) {
            return new Check(Finding.CHAIN_SHORTER, sequence, madeAt);
        }
        return new Check(Arrays.equals(recorded, hash) ? Finding.HOLDS : Finding.CHAIN_DIFFERS, sequence, madeAt);
    }

    /**
     * Whether the records a cut stands for are really gone: none at or before its sequence in its month or before, nor
     * later than a day into the next month (where a record stamped just before the month's end can hold a higher
     * sequence than one just after, as the time is taken before the chain's lock). A cut written into the database at
     * a checkpoint still among the records would otherwise have the verification skip every record up to it. Each
     * look is an index probe into the partitions the dates leave (at most one row).
     */
    private boolean monthGone(Cut cut) {
        return !jdbc.sql("""
                        select exists (select 1 from disclosure_record where sequence <= :s and disclosed_at < cast(:m as date) + interval '1 month')
                            or exists (select 1 from disclosure_record where sequence <= :s
                                       and disclosed_at >= cast(:m as date) + interval '1 month' + interval '1 day')""")
                .param("s", cut.sequence()).param("m", cut.month()).query(Boolean.class).single();
    }

    /**
     * The whole chain, then every stored checkpoint against it. A checkpoint signed with another key (one rotated
     * out) is passed over; one that does not hold breaks the ledger at its sequence.
     */
    @Transactional(readOnly = true)
    public ChainVerification verifyAll() {
        Optional<Cut> cut = latestCut();
        ChainVerification chain;
        if (cut.isPresent()) {
            // months were removed: the chain starts after the cut, which only a signed checkpoint can vouch for
            Cut at = cut.get();
            String signed = stored(at.sequence()).map(Checkpoint::signed).orElse(null);
            if (signed == null || check(signed, cut).finding() != Finding.HOLDS || !monthGone(at)) {
                return new ChainVerification(0, false, at.sequence(), "cut: no signed checkpoint vouches for where the ledger's retention removed "
                        + at.month() + " (a cut made or changed in the database)", java.time.Duration.ZERO, 0);
            }
            chain = verifier.verifyAfter(at.sequence(), at.hash());
        } else {
            chain = verifier.verify();
        }
        if (!chain.intact()) {
            return chain;
        }
        long held = 0;
        // those after the cut only: the ones before it vouch for records that are gone
        for (String signed : jdbc.sql("select signed from ledger_checkpoint where sequence > :cut order by sequence")
                .param("cut", cut.map(Cut::sequence).orElse(0L)).query(String.class).list()) {
            Check c = check(signed, cut);
            switch (c.finding()) {
                case HOLDS -> held++;
                case REMOVED -> {
                    // its month is gone with its records
                }
                case OTHER_KEY -> log.warn("A ledger checkpoint (record {}) was signed with another key than the configured one; not checked", c.sequence());
                default -> {
                    return new ChainVerification(chain.recordsChecked(), false, c.sequence(), "checkpoint: " + c.finding().reason(), chain.took(), held);
                }
            }
        }
        return new ChainVerification(chain.recordsChecked(), true, null, null, chain.took(), held);
    }

    /**
     * Only the records after the latest stored checkpoint that holds (its record's hash is the signed one), linked
     * to it: what an hourly or nightly check needs, at the cost of the records since. The whole chain when no
     * checkpoint holds.
     */
    @Transactional(readOnly = true)
    public ChainVerification verifySinceLatest() {
        return verifySinceLatest(Long.MAX_VALUE);
    }

    /**
     * {@link #verifySinceLatest()} from the latest checkpoint at or before record {@code through}: the chain from there
     * to the head, so record {@code through} is covered (a month's end about to be signed, {@link LedgerMaintenance}).
     */
    ChainVerification verifySinceLatest(long through) {
        Optional<Cut> cut = latestCut();
        // the newest hundred, newest first: the latest normally holds (then all one hundred are OTHER_KEY: a full verify)
        List<String> newestFirst = jdbc.sql("""
                        select signed from ledger_checkpoint where sequence >= :cut and sequence <= :through order by sequence desc limit 100""")
                .param("cut", cut.map(Cut::sequence).orElse(0L)).param("through", through).query(String.class).list();
        for (String signed : newestFirst) {
            Check c = check(signed, cut);
            if (c.finding() == Finding.HOLDS) {
                byte[] hash = HexFormat.of().parseHex(signedHead(signed));
                ChainVerification since = verifier.verifyAfter(c.sequence(), hash);
                return new ChainVerification(since.recordsChecked(), since.intact(), since.firstBrokenSequence(), since.reason(), since.took(), 1);
            }
            if (c.finding() != Finding.OTHER_KEY && c.finding() != Finding.REMOVED) {
                return new ChainVerification(0, false, c.sequence(), "checkpoint: " + c.finding().reason(), java.time.Duration.ZERO, 0);
            }
        }
        return verifyAll();
    }

    /** The hash a checkpoint signed (call after {@link #check} found it holds). */
    private static String signedHead(String signed) {
        try {
            return SignedJWT.parse(signed.strip()).getJWTClaimsSet().getStringClaim("head");
        } catch (ParseException e) {
            throw new IllegalStateException("a checkpoint found to hold no longer parses", e);
        }
    }

    /** The hourly checkpoint; off with {@code tilldela.ledger.checkpoints.enabled=false}. */
    @Configuration
    @EnableScheduling
    @ConditionalOnProperty(name = "tilldela.ledger.checkpoints.enabled", havingValue = "true", matchIfMissing = true)
    static class Hourly {

        private final LedgerCheckpoints checkpoints;

        Hourly(LedgerCheckpoints checkpoints) {
            this.checkpoints = checkpoints;
        }

        @Scheduled(cron = "${tilldela.ledger.checkpoint-cron:0 5 * * * *}")
        void run() {
            checkpoints.make().ifPresent(c -> log.info("Ledger checkpoint signed at record {}", c.sequence()));
        }
    }
}
