package org.tilldela.directory.ss12000;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClient;
import org.tilldela.directory.importing.ImportProblem;
import org.tilldela.directory.importing.ImportRejectedException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads SS 12000 list endpoints: follows {@code pageToken} until the server says there is no more, and
 * streams each page's items one at a time (memory stays flat whatever the page size). A server that cannot
 * be reached or answers other than 2xx, or with JSON that cannot be read, refuses the import with a problem
 * naming the endpoint; response bodies are never quoted, since they may hold personal data.
 */
final class Ss12000Client {

    private static final Logger log = LoggerFactory.getLogger(Ss12000Client.class);

    /** Items asked for per page; a server may send fewer. */
    static final int PAGE_SIZE = 500;

    /** Receives each item of a list, numbered from 1 across the endpoint's pages. */
    @FunctionalInterface
    interface ItemHandler {
        void item(JsonNode item, long number);
    }

    /** Receives each deleted entity: its list name as the server spells it (persons, groups, …) and its id. */
    @FunctionalInterface
    interface DeletedHandler {
        void deleted(String type, String id);
    }

    private final RestClient http;
    private final JsonMapper json;
    /** Reads one item of a list, the parser then standing on its last token (the list goes on after it). */
    private final ObjectReader item;

    Ss12000Client(RestClient http, JsonMapper json) {
        this.http = http;
        this.json = json;
        this.item = json.readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /**
     * Every item of a list endpoint. {@code filters} go on the first request only: SS 12000 servers refuse
     * filters combined with a pageToken, which carries them on. Returns the number of items.
     */
    long list(String endpoint, Map<String, String> filters, ItemHandler handler) {
        return list(endpoint, filters, handler, false);
    }

    /**
     * Like {@link #list(String, Map, ItemHandler)} for an endpoint a server need not offer (SS 12000 leaves
     * {@code /activities} and {@code /placements} to the server): -1 when its first page answers 404.
     */
    long listIfOffered(String endpoint, Map<String, String> filters, ItemHandler handler) {
        try {
            return list(endpoint, filters, handler, true);
        } catch (NotOffered e) {
            return -1;
        }
    }

    /** The server does not offer the endpoint (404 on its first page). */
    private static final class NotOffered extends RuntimeException {
        NotOffered() {
            super(null, null, false, false);
        }
    }

    private long list(String endpoint, Map<String, String> filters, ItemHandler handler, boolean optional) {
        long[] count = {0};
        paged(endpoint, filters, optional, (parser, name) -> {
            // "data" in SS 12000; Skolverket's subset answers /organisations with "organisations".
            if (!name.equals("data") && !name.equals("organisations")) {
                return false;
            }
            if (parser.currentToken() == JsonToken.START_ARRAY) {
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    handler.item(item.readValue(parser), ++count[0]);
                }
            } else if (parser.currentToken() != JsonToken.VALUE_NULL) {
                throw rejected(endpoint, "answered with '" + name + "' that is not a list");
            }
            return true;
        });
        return count[0];
    }

    /** Every entity deleted after {@code after}, from {@code /deletedEntities}. Returns the number of ids. */
    long deleted(Instant after, DeletedHandler handler) {
        String endpoint = "/deletedEntities";
        long[] count = {0};
        paged(endpoint, Map.of("after", after.toString()), false, (parser, name) -> {
            if (!name.equals("data")) {
                return false;
            }
            if (parser.currentToken() == JsonToken.VALUE_NULL) {
                return true;
            }
            if (parser.currentToken() != JsonToken.START_OBJECT) {
                throw rejected(endpoint, "answered with 'data' that is not an object of id lists");
            }
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String type = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.VALUE_NULL) {
                    continue;
                }
                if (value != JsonToken.START_ARRAY) {
                    throw rejected(endpoint, "answered with 'data." + type + "' that is not a list of ids");
                }
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    String id = parser.currentToken() == JsonToken.VALUE_STRING ? parser.getString()
                            : item.<JsonNode>readValue(parser).path("id").asString(null); // some servers send references
                    if (id == null || id.isBlank()) {
                        throw rejected(endpoint, "answered with an entry in 'data." + type + "' that is not an id");
                    }
                    handler.deleted(type, id);
                    count[0]++;
                }
            }
            return true;
        });
        return count[0];
    }

    /** Reads the list field of a page, the parser standing on the field's value; false when the field is not the list. */
    @FunctionalInterface
    private interface ListReader {
        boolean read(JsonParser parser, String fieldName);
    }

    /**
     * At most this many pages of one endpoint in one import (50 million items at 500 a page, far beyond any source): a
     * server that keeps answering with new page tokens would otherwise hold the import, and its source's lock, for ever.
     */
    static final int MAX_PAGES = 100_000;

    private void paged(String endpoint, Map<String, String> filters, boolean optional, ListReader lists) {
        String token = null;
        java.util.Set<String> seen = new java.util.HashSet<>();
        int pages = 0;
        do {
            if (++pages > MAX_PAGES) {
                throw rejected(endpoint, "answered more than " + MAX_PAGES + " pages; stopped to avoid an endless loop");
            }
            Map<String, String> params = new LinkedHashMap<>();
            params.put("limit", Integer.toString(PAGE_SIZE));
            if (token == null) {
                params.putAll(filters);
            } else {
                params.put("pageToken", token);
            }
            String next = page(endpoint, params, optional && token == null, lists);
            if (next != null && !seen.add(next)) {
                throw rejected(endpoint, "answered with a pageToken it had given before; stopped to avoid an endless loop");
            }
            token = next;
        } while (token != null);
    }

    /** Fetches one page, hands its list to {@code lists}, and returns the next page's token (null on the last page). */
    private String page(String endpoint, Map<String, String> params, boolean optional, ListReader lists) {
        try {
            return http.get()
                    .uri(builder -> {
                        // Values go in as URI variables, so that they are encoded strictly ('+' in a token or a time stays '+').
                        Map<String, String> variables = new LinkedHashMap<>();
                        builder.path(endpoint);
                        params.forEach((name, value) -> {
                            String variable = "v" + variables.size();
                            builder.queryParam(name, "{" + variable + "}");
                            variables.put(variable, value);
                        });
                        return builder.build(variables);
                    })
                    .exchange((request, response) -> {
                        HttpStatusCode status = response.getStatusCode();
                        if (optional && status.value() == 404) {
                            log.info("The SS 12000 server does not offer {}", endpoint);
                            throw new NotOffered();
                        }
                        if (!status.is2xxSuccessful()) {
                            log.warn("SS 12000 fetch of {} failed: the server answered HTTP {}{}", endpoint, status.value(), hint(status.value()));
                            throw unreachable(endpoint);
                        }
                        try (JsonParser parser = json.createParser(response.getBody())) {
                            return readPage(endpoint, parser, lists);
                        } catch (JacksonException e) {
                            throw rejected(endpoint, "the server answered with JSON that cannot be read" + where(e.getLocation()));
                        }
                    });
        } catch (RestClientException e) {
            // Refused, timed out, unknown name, TLS, not HTTP at all: the operator's log says which (the kind
            // of failure, no message: a message can quote what the other end sent).
            log.warn("SS 12000 fetch of {} failed: {}", endpoint, e.getMostSpecificCause().getClass().getSimpleName());
            log.debug("SS 12000 fetch of {} failure", endpoint, e);
            throw unreachable(endpoint);
        }
    }

    /**
     * One reason for every way a fetch can fail before there is an answer to read — refused, timed out,
     * unknown name, TLS, not HTTP, any non-2xx status: different reasons would let whoever starts imports
     * map which ports of a host are open.
     */
    static ImportRejectedException unreachable(String endpoint) {
        return rejected(endpoint, UNREACHABLE);
    }

    static final String UNREACHABLE = "the SS 12000 server could not be reached or did not answer successfully "
            + "(the server log says why); check the base URL and the token";

    private static String readPage(String endpoint, JsonParser parser, ListReader lists) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw rejected(endpoint, "the server answered with something other than a JSON object");
        }
        boolean sawList = false;
        String next = null;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("pageToken")) {
                next = value == JsonToken.VALUE_STRING && !parser.getString().isBlank() ? parser.getString() : null;
            } else if (lists.read(parser, name)) {
                sawList = true;
            } else {
                parser.skipChildren();
            }
        }
        if (!sawList) {
            throw rejected(endpoint, "the server answered without a 'data' list");
        }
        return next;
    }

    private static String hint(int status) {
        return switch (status) {
            case 401 -> " (not authenticated: is the bearer token right and still valid?)";
            case 403 -> " (access denied: does the token give access to this endpoint?)";
            case 404 -> " (not found: is the base URL right?)";
            default -> "";
        };
    }

    private static String where(TokenStreamLocation location) {
        if (location == null || location.getLineNr() <= 0) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    static ImportRejectedException rejected(String endpoint, String reason) {
        return new ImportRejectedException(new ImportProblem(endpoint, 0, null, reason));
    }
}
