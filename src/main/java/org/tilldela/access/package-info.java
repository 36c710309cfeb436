/**
 * Access — data-access agreements per product and organiser or school unit (Danish: Tilslutning), with
 * graded attribute packages, filed by suppliers and decided by school administrators; and THE release
 * policy ({@link org.tilldela.access.ReleasePolicy}), the one place that decides which attributes about
 * which person may reach which supplier, recording each release in the disclosure ledger.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Access")
package org.tilldela.access;
