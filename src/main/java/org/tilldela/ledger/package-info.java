/**
 * Ledger — the disclosure ledger: an append-only, hash-chained record of every release of personal data
 * (person, recipient supplier and product, channel, the attribute names released, agreement, legal basis,
 * purpose, time, retention), the holdings it implies (who holds what about whom, until when) and the
 * deletions that fall due when a licence ends or a person leaves. Read by data protection officers, per
 * person (the basis of a GDPR Art. 15 answer), per supplier, and as a live feed.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Ledger")
package org.tilldela.ledger;
