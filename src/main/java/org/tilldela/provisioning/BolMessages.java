package org.tilldela.provisioning;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/**
 * The BOL messages Tilldela sends and reads (BOL 1.2, Sambruk's "digitala produkter" OpenAPI: every call a POST with a
 * JSON body, errors as RFC 7807 problem details). Optional fields left null are not sent; fields of an answer Tilldela
 * does not know are ignored (a publisher may send more than the version it implements).
 */
final class BolMessages {

    private BolMessages() {
    }

    /** {@code /v1/orders/create}. {@code responseUrl}: where the publisher posts its later answers (an OrderResponse with the changed lines). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record OrderRequest(String clientId, String serviceProviderId, String clientOrderNumber, String clientOrderReference, String responseUrl,
                        Buyer buyer, List<OrderLine> orderLines) {
    }

    /** The buying organisation; {@code school}: the school unit the order is for, when it is one. No person's name or e-mail goes. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Buyer(String type, String organizationNumber, String name, School school) {
    }

    /** A school by its id: {@code idSource} skolverket (the school unit code), client (Tilldela's id), serviceProvider or other. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record School(String idSource, String id, String name) {
    }

    /** {@code clientOrderLineId}: the order line's id in Tilldela; matches the publisher's answers to the line. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record OrderLine(String clientOrderLineId, String articleNumber, int quantity, BigDecimal unitPrice, String currency) {
    }

    /** An answer to an order or an activation: whose it is, and its lines as an order's. */
    interface Answered {
        /** The number it answers: the clientOrderNumber, or the clientActivationId. */
        String number();

        /** The field the number came in, to say which did not fit. */
        String numberField();

        String serviceProviderId();

        List<OrderResponseLine> perLine();
    }

    /** The publisher's answer, synchronous or posted to the responseUrl later (then with only the lines that changed). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record OrderResponse(String clientId, String serviceProviderId, String clientOrderNumber, List<OrderResponseLine> orderLines) implements Answered {

        @Override
        public String number() {
            return clientOrderNumber;
        }

        @Override
        public String numberField() {
            return "clientOrderNumber";
        }

        @Override
        public List<OrderResponseLine> perLine() {
            return orderLines == null ? List.of() : orderLines;
        }
    }

    /** {@code status}: beingProcessed, backordered, delivered (final) or failed. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record OrderResponseLine(String clientOrderLineId, String articleNumber, BigDecimal quantity, LocalDate deliveryDate, LocalDate validFromDate,
                             LocalDate validToDate, List<String> licenseKeys, String status, String errorMessage) {
    }

    /**
     * {@code /v1/hybrids/activate}: the digital licences of hybrid (print + digital) articles made usable. {@code
     * clientOrderReference}: the order the printed part was bought on.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ActivationRequest(String clientId, String serviceProviderId, String clientActivationId, String clientOrderReference, String responseUrl,
                             Buyer buyer, List<ActivationLine> activationLines) {
    }

    /** {@code orderRowReference}: the line of the order the printed part was bought on (here the same order line). */
    record ActivationLine(String clientOrderLineId, String orderRowReference, String articleNumber, int quantity) {
    }

    /** The answer to an activation: a hybrid article holding several digital licences may answer with several lines for one line. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ActivationResponse(String clientId, String serviceProviderId, String clientActivationId, List<ActivationResponseLine> activationLines)
            implements Answered {

        @Override
        public String number() {
            return clientActivationId;
        }

        @Override
        public String numberField() {
            return "clientActivationId";
        }

        /** The answer per order line, as an order's answer would give it: keys together, delivered when every part is, failed when one is. */
        @Override
        public List<OrderResponseLine> perLine() {
            java.util.Map<String, List<ActivationResponseLine>> byLine = new java.util.LinkedHashMap<>();
            (activationLines == null ? List.<ActivationResponseLine>of() : activationLines)
                    .forEach(l -> byLine.computeIfAbsent(l.clientOrderLineId(), k -> new java.util.ArrayList<>()).add(l));
            List<OrderResponseLine> out = new java.util.ArrayList<>();
            byLine.forEach((line, parts) -> {
                List<String> keys = parts.stream().flatMap(p -> p.licenseKeys() == null ? java.util.stream.Stream.<String>empty() : p.licenseKeys().stream())
                        .toList();
                String status = parts.stream().anyMatch(p -> "failed".equals(p.status())) ? "failed"
                        : parts.stream().allMatch(p -> "delivered".equals(p.status())) ? "delivered"
                        : parts.stream().allMatch(p -> java.util.Set.of("delivered", "beingProcessed").contains(p.status())) ? "beingProcessed"
                        : parts.stream().map(ActivationResponseLine::status).filter(s -> !"delivered".equals(s)).findFirst().orElse(null);
                String why = parts.stream().map(ActivationResponseLine::errorMessage).filter(java.util.Objects::nonNull).findFirst().orElse(null);
                LocalDate from = parts.stream().map(ActivationResponseLine::validFromDate).filter(java.util.Objects::nonNull).min(LocalDate::compareTo)
                        .orElse(null);
                LocalDate to = parts.stream().map(ActivationResponseLine::validToDate).filter(java.util.Objects::nonNull).max(LocalDate::compareTo)
                        .orElse(null);
                out.add(new OrderResponseLine(line, parts.getFirst().articleNumber(), parts.getFirst().quantity(), null, from, to, keys, status, why));
            });
            return out;
        }
    }

    /** {@code status}: beingProcessed, delivered or failed (no backorder for an activation). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ActivationResponseLine(String clientOrderLineId, String orderRowReference, String articleNumber, BigDecimal quantity,
                                  LocalDate validFromDate, LocalDate validToDate, List<String> licenseKeys, String status, String errorMessage) {
    }

    /** {@code /v1/assignments/create}: licences given to users at one school. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record AssignmentRequest(String clientId, String serviceProviderId, School school, List<Assignment> assignments) {
    }

    /** {@code user}: whom the licence is for, by the id the release policy lets go (a pairwise pseudonym unless the agreement says otherwise). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Assignment(String clientAssignmentId, boolean freeTrial, String articleNumber, String licenseKey, String clientOrderLineId, User user) {
    }

    /** {@code /v1/assignments/delete}: licences taken back. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DeletionRequest(String clientId, String serviceProviderId, School school, List<Deletion> assignments) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Deletion(String clientAssignmentId, String articleNumber, String licenseKey, String clientOrderLineId, User user) {
    }

    /** A user by an id of a named source: client (an id Tilldela gives, here the pairwise pseudonym), eppn, egil, ss12000, email, … */
    record User(String idSource, String id) {
    }

    /** The answer to an assignment or its deletion: per clientAssignmentId, assigned, unassigned, beingProcessed or failed. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record AssignmentResponse(String clientId, String serviceProviderId, List<AssignmentResult> assignments) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record AssignmentResult(String clientAssignmentId, LocalDate validFromDate, LocalDate validToDate, String articleUrl, String status,
                            String errorMessage) {
    }

    /** {@code /v1/school-units/users/licenses} ("method 1"): one school's users with their licences, and the licences not assigned. */
    record SchoolUsersRequest(String clientId, String serviceProviderId, School school) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record SchoolUsersResponse(String clientId, String serviceProviderId, List<SchoolUser> users, List<Unassigned> unassignedLicenses) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record SchoolUser(String idSource, String id, List<UserLicence> assignedLicenses) {
    }

    /** {@code used}: whether the user has opened it (null: the publisher does not know). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record UserLicence(String clientOrderLineId, String articleNumber, LocalDate validFromDate, LocalDate validToDate, Boolean used) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Unassigned(String clientOrderLineId, String articleNumber, BigDecimal quantity) {
    }

    /** {@code /v1/school-units/licenses} ("method 2"): totals per school and article, of orders placed from {@code fromDate}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SchoolLicencesRequest(String clientId, String serviceProviderId, LocalDate fromDate, LocalDate toDate, List<School> schools) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record SchoolLicencesResponse(String clientId, String serviceProviderId, List<SchoolLicences> schools) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record SchoolLicences(String idSource, String id, List<ArticleLicences> articles) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ArticleLicences(String articleNumber, BigDecimal totalLicenses, BigDecimal assignedLicenses, BigDecimal unassignedLicenses,
                           BigDecimal usedLicenses) {
    }

    /** {@code /v1/users/licenses}: one user's licences at the publisher, per school (only those this client ordered). */
    record UserLicencesRequest(String clientId, String serviceProviderId, User user) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record UserLicencesResponse(String clientId, String serviceProviderId, List<UserSchool> schools) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record UserSchool(String idSource, String id, List<HeldLicence> assignedLicenses) {
    }

    /** A licence the user holds, as the publisher says (its key is not kept or shown). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record HeldLicence(String articleNumber, String articleName, String label, LocalDate validFromDate, LocalDate validToDate) {
    }

    /** An RFC 7807 problem as BOL answers a refusal (400, 409). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Problem(String type, String title, Integer status, String detail, java.util.Map<String, Object> errors) {

        String say() {
            StringBuilder b = new StringBuilder(title == null ? "" : title);
            if (detail != null && !detail.isBlank()) {
                b.append(b.isEmpty() ? "" : ": ").append(detail);
            }
            if (errors != null && !errors.isEmpty()) {
                b.append(b.isEmpty() ? "" : " ").append(errors);
            }
            return b.toString();
        }
    }
}
