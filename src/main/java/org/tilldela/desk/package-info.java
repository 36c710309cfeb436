/**
 * The data protection officer's desk — one overview page of counts that each link to their list, gathered from
 * the modules that know them through their public queries: processing agreements and where suppliers process
 * (catalogue), countries with an adequacy decision, held orders (purchase), pending data-access requests
 * (access), overdue deletions (ledger) and looks at protected persons (governance's audit trail); and the record of
 * processing activities (GDPR Art. 30) generated from agreements, suppliers, products and the adequacy list. Its only
 * data are the record's generated versions, kept as generated; like the people module it sits above those modules so
 * none of them depends on another.
 */
@org.springframework.modulith.ApplicationModule(displayName = "DPO desk")
package org.tilldela.desk;
