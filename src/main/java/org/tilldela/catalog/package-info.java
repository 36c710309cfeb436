/**
 * Catalogue — suppliers (with the countries where they and their sub-processors process personal data,
 * and their data processing agreements per organiser) and products (kind, school forms, licence model,
 * trial, access method) with a machine-readable declaration of the personal data each needs, in the
 * controlled vocabulary of {@link org.tilldela.catalog.Attribute}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Catalogue")
package org.tilldela.catalog;
