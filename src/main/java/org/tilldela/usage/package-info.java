/**
 * Usage — what suppliers report back about the use of their products, per pairwise pseudonym, product and
 * day (through their API door), kept per person only as long as configured and aggregated after that; and
 * utilisation: seats bought, assigned and used per product and scope, as a page with a chart, a table and CSV.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Usage")
package org.tilldela.usage;
