/**
 * Purchase — a buyer's cart and orders for the organisation they buy for (their scope), recipients
 * picked by browsing the directory or by rule, a privacy preview of what each order would release to
 * whom, and the compliance gate: no processing agreement or processing in a country without an adequacy
 * decision blocks an order; data needs beyond the organiser's policy hold it for the data protection
 * officer. A placed order becomes licence pools in the licensing module.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Purchase")
package org.tilldela.purchase;
