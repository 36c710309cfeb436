/**
 * The data protection officer's desk — one overview page of counts that each link to their list, gathered from
 * the modules that know them through their public queries: processing agreements and where suppliers process
 * (catalogue), countries with an adequacy decision, held orders (purchase), pending data-access requests
 * (access), overdue deletions (ledger) and looks at protected persons (governance's audit trail). It owns no
 * data of its own; like the people module it sits above those modules so none of them depends on another.
 */
@org.springframework.modulith.ApplicationModule(displayName = "DPO desk")
package org.tilldela.desk;
