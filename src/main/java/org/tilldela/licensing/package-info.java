/**
 * Licensing — licence pools (one per order line: product, organiser or school scope, seats, period),
 * assignments (direct to persons and groups, or by rule; profiles are named bundles of products for a
 * kind of person), kept right as the directory changes: joiners get, movers switch, leavers lose after a
 * grace period. Seats are never over-allocated.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Licensing")
package org.tilldela.licensing;
