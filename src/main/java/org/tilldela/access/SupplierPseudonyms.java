package org.tilldela.access;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * A supplier's pairwise pseudonyms of persons, for matching what the supplier sends back (usage reports)
 * to the persons it was given: computed as the release policy computes them (from the person's basis,
 * {@link Pseudonyms}), never sent anywhere from here.
 */
@Service
public class SupplierPseudonyms {

    private final Pseudonyms pseudonyms;
    private final JdbcClient jdbc;

    SupplierPseudonyms(Pseudonyms pseudonyms, JdbcClient jdbc) {
        this.pseudonyms = pseudonyms;
        this.jdbc = jdbc;
    }

    /** Person id → this supplier's pseudonym of them. One round trip for the bases of all of them. */
    public Map<UUID, UUID> of(UUID supplierId, Collection<UUID> personIds) {
        Map<UUID, UUID> bases = new HashMap<>();
        jdbc.sql("select person_id, basis_id from pseudonym_basis where person_id = any (:persons)")
                .param("persons", personIds.toArray(UUID[]::new))
                .query(rs -> {
                    bases.put(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class));
                });
        Map<UUID, UUID> out = new HashMap<>(personIds.size() * 2);
        for (UUID person : personIds) {
            out.put(person, pseudonyms.fromBasis(bases.getOrDefault(person, person), supplierId));
        }
        return out;
    }
}
