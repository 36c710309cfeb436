/**
 * People — one page per person for administrators, gathered from the modules that each know part of it: who the
 * person is and where they belong (directory), their licences and how each came (licensing), what the release
 * policy would release about them to each supplier now (access, asked without releasing anything) and what has
 * been released (the disclosure ledger). It owns no data of its own; it sits above those modules so that none
 * of them has to depend on another for a page.
 */
@org.springframework.modulith.ApplicationModule(displayName = "People")
package org.tilldela.people;
