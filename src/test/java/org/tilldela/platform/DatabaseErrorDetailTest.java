package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;

/**
 * A database error's message names the constraint, never the row: PostgreSQL's detail ("Key (…)=(…) already exists",
 * "Failing row contains (…)") would put whatever the row held — an e-mail address, a name — into every log line and
 * stack trace that quotes the exception.
 */
class DatabaseErrorDetailTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void aUniqueViolationDoesNotQuoteTheRow() {
        String number = "LOGG-" + UUID.randomUUID().toString().substring(0, 8);
        String insert = "insert into supplier (id, name, organisation_number, country) values (gen_random_uuid(), 'Förlaget', :n, 'SE')";
        jdbc.sql(insert).param("n", number).update();
        assertThatThrownBy(() -> jdbc.sql(insert).param("n", number).update()).isInstanceOfSatisfying(DataIntegrityViolationException.class, e -> {
            assertThat(e.getMessage()).contains("supplier_organisation_number_key").doesNotContain(number);
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(number);
            }
        });
        jdbc.sql("delete from supplier where organisation_number = :n").param("n", number).update();
    }
}
