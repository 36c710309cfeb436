package org.tilldela.platform;

import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Secrets of this installation, one per purpose (table {@code instance_secret}): 32 random bytes made
 * once, by whichever node (or migration) needs one first, and then the same on every node. Callers get
 * a copy of the bytes; the values are never logged.
 */
@Component
public class InstanceSecrets {

    private final JdbcClient jdbc;
    private final TransactionTemplate ownTransaction;
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    InstanceSecrets(JdbcClient jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        // A secret must be committed before anything made with it is stored or leaves, whatever becomes of
        // the caller's transaction; and a rolled-back caller must not leave this node with a secret nobody else has.
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** The secret for {@code purpose}, made now if this installation has none yet. */
    public byte[] secret(String purpose) {
        return cache.computeIfAbsent(purpose, p -> {
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            // on conflict: another node (or a migration) made it first, and theirs is the one
            return ownTransaction.execute(status -> {
                jdbc.sql("insert into instance_secret (purpose, secret) values (:p, :s) on conflict (purpose) do nothing")
                        .param("p", p).param("s", fresh).update();
                return jdbc.sql("select secret from instance_secret where purpose = :p").param("p", p).query(byte[].class).single();
            });
        }).clone();
    }
}
