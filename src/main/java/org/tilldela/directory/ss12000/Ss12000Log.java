package org.tilldela.directory.ss12000;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;
import org.tilldela.directory.importing.ImportProblem;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tells an SS 12000 server what was wrong with what it sent ({@code POST /log}, one of the spec's {@code LogEntry}
 * per problem: message, messageType, resourceType, resourceUrl, severityLevel, timeOfOccurance), so the school's
 * system can fix it at the source. The message is the problem as Tilldela's own pages show it: endpoint, item
 * number, field and reason — never a value that could be personal data. A server without {@code /log}, or one
 * that refuses an entry, is not asked again for this import; the import's outcome is the same either way.
 */
@Component
public class Ss12000Log {

    private static final Logger log = LoggerFactory.getLogger(Ss12000Log.class);

    /** The spec's messageType ("SS12000 client unique ID"): who is reporting. */
    static final String MESSAGE_TYPE = "Tilldela import";

    /** SS 12000 EndPointsEnum for the endpoints Tilldela reads (/placements has none: resourceType is then left out). */
    private static final Map<String, String> RESOURCE_TYPES = Map.of("/organisations", "Organisation", "/persons", "Person",
            "/groups", "Group", "/duties", "Duty", "/activities", "Activity");

    private final Ss12000Readers readers;
    private final JsonMapper json;

    Ss12000Log(Ss12000Readers readers, JsonMapper json) {
        this.readers = readers;
        this.json = json;
    }

    /**
     * @param token the bearer token to send, or null for none
     * @return how many entries the server took
     */
    /** @param tls the source's TLS context (its client certificate, its CA certificates), or null for the JDK's */
    public int report(String baseUrl, String token, javax.net.ssl.SSLContext tls, List<ImportProblem> problems) {
        if (problems.isEmpty()) {
            return 0;
        }
        String base = Ss12000Readers.normalise(baseUrl);
        RestClient client = readers.client(base, token, tls);
        Instant now = Instant.now();
        int sent = 0;
        for (ImportProblem problem : problems) {
            try {
                client.post().uri("/log").contentType(MediaType.APPLICATION_JSON).body(json.writeValueAsString(entry(base, problem, now)))
                        .retrieve().toBodilessEntity();
                sent++;
            } catch (RestClientResponseException e) {
                log.warn("SS 12000 /log took {} of {} problem(s): then HTTP {}", sent, problems.size(), e.getStatusCode().value());
                return sent;
            } catch (RestClientException e) {
                log.warn("SS 12000 /log took {} of {} problem(s): then {}", sent, problems.size(), e.getMostSpecificCause().getClass().getSimpleName());
                return sent;
            }
        }
        return sent;
    }

    static Map<String, Object> entry(String base, ImportProblem problem, Instant at) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("message", problem.toString().replace(", line ", ", item ").replace(", column ", ", field "));
        entry.put("messageType", MESSAGE_TYPE);
        String type = RESOURCE_TYPES.get(problem.file());
        if (type != null) {
            entry.put("resourceType", type);
        }
        if (problem.file() != null && problem.file().startsWith("/")) {
            entry.put("resourceUrl", base + problem.file());
        }
        entry.put("severityLevel", "Error");
        entry.put("timeOfOccurance", at.toString()); // sic: the spec's spelling
        return entry;
    }
}
