/** The licensing web UI (under /licences) and its REST API. */
package org.tilldela.licensing.web;
