package org.tilldela.sso;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Reads a registered client's row into a {@link RegisteredClient}, parsing its JSON settings once per
 * distinct row content instead of on every token request (client authentication reads the client each time).
 *
 * <p>The row itself is still read on every request, so a changed, disabled or removed client takes effect
 * at once on every node: the cache is keyed by the whole row as read, never by the client id alone, and a
 * row that differs in any column is parsed afresh. Nothing is ever served from memory that the database
 * did not just return.
 */
final class RegisteredClientRows implements RowMapper<RegisteredClient> {

    /** Enough for every client of a large installation; past it the cache starts over (old rows are unreachable anyway). */
    private static final int LIMIT = 10_000;

    private final RowMapper<RegisteredClient> parser = new JdbcRegisteredClientRepository.JsonMapperRegisteredClientRowMapper();
    private final Map<String, RegisteredClient> parsed = new ConcurrentHashMap<>();

    @Override
    public RegisteredClient mapRow(ResultSet rs, int rowNum) throws SQLException {
        StringBuilder key = new StringBuilder(512);
        int columns = rs.getMetaData().getColumnCount();
        for (int i = 1; i <= columns; i++) {
            String value = rs.getString(i);
            // length-prefixed, so that no two different rows make the same key
            key.append(value == null ? -1 : value.length()).append(':').append(value == null ? "" : value).append('|');
        }
        String row = key.toString();
        RegisteredClient client = parsed.get(row);
        if (client == null) {
            client = parser.mapRow(rs, rowNum);
            if (parsed.size() >= LIMIT) {
                parsed.clear();
            }
            parsed.put(row, client);
        }
        return client;
    }
}
