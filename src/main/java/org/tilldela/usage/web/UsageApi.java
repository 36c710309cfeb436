package org.tilldela.usage.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.access.SupplierClients;
import org.tilldela.usage.UsageReports;

/**
 * Suppliers report usage of their products through their own API door (the supplier API's credentials):
 * per pairwise pseudonym, product and day. Every row is checked and each one not taken is answered with the reason; a report of more than
 * {@value UsageReports#MAX_ROWS} rows is refused whole.
 */
@RestController
@RequestMapping("/api/v1/supplier/usage")
@PreAuthorize("hasAuthority('SUPPLIER')")
@Tag(name = "Supplier API", description = "Signed in as a supplier's API client (HTTP Basic with client id and secret)")
class UsageApi {

    private final UsageReports reports;
    private final SupplierClients clients;

    UsageApi(UsageReports reports, SupplierClients clients) {
        this.reports = reports;
        this.clients = clients;
    }

    /**
     * A report: rows of pseudonym (this supplier's pairwise pseudonym of the person), productId, day
     * (YYYY-MM-DD), and optionally lastActiveAt (an ISO instant), sessions and activities.
     */
    record ReportJson(List<UsageReports.ReportedRow> rows) {
    }

    @Operation(summary = "Report usage per pseudonym, product and day; a resend of the same pseudonym, product and day replaces the earlier one",
            description = "At most 10,000 rows. The answer counts the rows accepted and refused, and lists by their place in the report "
                    + "(row, from 0) only the rows not simply accepted: REPLACED_IN_REPORT (a later row of the same report names the same "
                    + "pseudonym, product and day; counted as accepted) or REFUSED with a reason: missingField, malformed, unknownProduct (not "
                    + "one of this supplier's), unknownPseudonym (not a person this supplier was given), inTheFuture, beforeRetention, "
                    + "negativeCount. A row not listed was accepted.")
    @PostMapping
    UsageReports.Outcome report(@RequestBody ReportJson body, Authentication auth) {
        UUID supplier = clients.supplierOf(auth.getName()).orElseThrow(() -> new ResponseStatusException(HttpStatus.UNAUTHORIZED));
        if (body == null || body.rows() == null) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "rows are required");
        }
        if (body.rows().size() > UsageReports.MAX_ROWS) {
            throw new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE, "at most " + UsageReports.MAX_ROWS + " rows in one report");
        }
        return reports.report(supplier, auth.getName(), body.rows());
    }
}
