package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.IntegrationTest;

/**
 * A new embedded cluster compares text with PostgreSQL's own C.UTF-8 (the builtin provider), not the operating system's
 * locale: the same on every machine, and fast (memcmp). Names still sort and fold as the application expects.
 */
class EmbeddedDatabaseCollationTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TransactionTemplate transactions;

    @Test
    void theDatabaseUsesTheBuiltinCUtf8() {
        assertThat(jdbc.sql("select cast(datlocprovider as text) || ' ' || datlocale from pg_database where datname = current_database()")
                .query(String.class).single()).isEqualTo("b C.UTF-8");
    }

    @Test
    void namesSortByCodePointAndFoldTheirCase() {
        // by code point: upper case before lower, Ä (U+00C4) before Å (U+00C5) before Ö (U+00D6), all after z
        assertThat(jdbc.sql("select string_agg(n, ' ' order by n) from unnest(array['Öberg', 'åberg', 'Åberg', 'Äng', 'zeta', 'Zeta', 'Østergaard']) n")
                .query(String.class).single()).isEqualTo("Zeta zeta Äng Åberg Öberg Østergaard åberg");
        assertThat(jdbc.sql("select lower('ÅSA ÖSTMAN ÆBLE ØRSTED')").query(String.class).single()).isEqualTo("åsa östman æble ørsted");
        assertThat(jdbc.sql("select search_fold('Bergkvist, Östen')").query(String.class).single()).isEqualTo("bergkvist osten");
    }

    @Test
    void namesFoldAlikeWhateverTheCallersSearchPath() {
        // search_fold is PL/pgSQL (V2026.12.12.83), which looks names up when it runs: with every name qualified, a session
        // without the schemas on its search_path (as pg_restore's, which rebuilds the name indexes) folds as any other
        String schema = jdbc.sql("select n.nspname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where p.proname = 'search_fold'")
                .query(String.class).single();
        String folded = transactions.execute(status -> {
            jdbc.sql("set local search_path = ''").update();
            return jdbc.sql("select " + schema + ".search_fold('Aase  Ågren-Søndergaard, Ñúñez\tBjörk')").query(String.class).single();
        });
        assertThat(folded).isEqualTo("ase agren sondergard nunez bjork");
    }
}
