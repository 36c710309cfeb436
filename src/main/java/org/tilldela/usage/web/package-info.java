/** The usage module's web side: the supplier API's usage reports and the utilisation page (under /utilisation). */
package org.tilldela.usage.web;
