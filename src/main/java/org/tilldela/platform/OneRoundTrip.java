package org.tilldela.platform;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Reads that several modules publish, sent to PostgreSQL together in one round trip: the statements stay each
 * module's own (its SQL next to its mapping, named parameters shared by convention), only the sending is
 * composed. PostgreSQL's JDBC driver sends the statements of one prepared statement separated by semicolons as
 * one batch of protocol messages with a single sync, and answers with one result set per statement, in order.
 *
 * <p>Made for the hot path of a token request, where each round trip is a context switch on both sides and
 * the release policy needs ten small reads about one person. It reads inside the caller's transaction, so the
 * reads see one snapshot of the database as separate statements would.
 */
@Component
public class OneRoundTrip {

    /**
     * A read a module offers for composition: one or more statements (separated by semicolons, none inside
     * one) with named parameters, and how to map their result sets, which it takes in order from {@link Results}.
     */
    public record Read<T>(String sql, Mapping<T> mapping) {
        public Read {
            if (sql.strip().endsWith(";")) {
                throw new IllegalArgumentException("a read's last statement ends without a semicolon: the reads are joined with one");
            }
        }

        /** A read of one statement mapped by one extractor. */
        public static <T> Read<T> of(String sql, ResultSetExtractor<T> extractor) {
            return new Read<>(sql, results -> results.next(extractor));
        }
    }

    @FunctionalInterface
    public interface Mapping<T> {
        T map(Results results) throws SQLException;
    }

    /** The result sets of one read's statements, taken in order. */
    public interface Results {
        <R> R next(ResultSetExtractor<R> extractor) throws SQLException;
    }

    /** What the reads gave, by read. */
    public static final class Fetched {
        private final Map<Read<?>, Object> values = new IdentityHashMap<>();

        @SuppressWarnings("unchecked")
        public <T> T get(Read<T> read) {
            if (!values.containsKey(read)) {
                throw new IllegalArgumentException("not one of the reads sent");
            }
            return (T) values.get(read);
        }
    }

    private final NamedParameterJdbcTemplate jdbc;

    OneRoundTrip(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Sends the reads in one round trip with these parameters (shared by name by all of them). */
    public Fetched read(Map<String, ?> parameters, List<Read<?>> reads) {
        StringBuilder sql = new StringBuilder();
        for (Read<?> read : reads) {
            sql.append(sql.isEmpty() ? "" : ";\n").append(read.sql());
        }
        return jdbc.execute(sql.toString(), parameters, (PreparedStatement ps) -> {
            ps.execute();
            Fetched fetched = new Fetched();
            boolean[] first = {true};
            Results results = new Results() {
                @Override
                public <R> R next(ResultSetExtractor<R> extractor) throws SQLException {
                    if (!first[0]) {
                        ps.getMoreResults();
                    }
                    first[0] = false;
                    try (ResultSet rs = ps.getResultSet()) {
                        if (rs == null) {
                            throw new IllegalStateException("a read took more result sets than its statements gave");
                        }
                        return extractor.extractData(rs);
                    }
                }
            };
            for (Read<?> read : reads) {
                fetched.values.put(read, read.mapping().map(results));
            }
            return fetched;
        });
    }
}
