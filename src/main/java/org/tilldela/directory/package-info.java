/**
 * Directory — the school core data hub (skolans grunddata / SkoleGrunddata): organisations, persons,
 * groups, memberships, duties and guardian links, imported from the systems schools already have
 * (OneRoster 1.1/1.2 CSV, SS 12000) and never enriched. Full imports are diffed set-based against what
 * is stored; every change lands in the change journal, read by other modules as {@link
 * org.tilldela.directory.DirectoryEvent}s.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Directory")
package org.tilldela.directory;
