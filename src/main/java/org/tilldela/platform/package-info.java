/**
 * Platform: what every capability stands on and no user asks for by name — the embedded database,
 * the command line, web and security wiring, health. Business rules never live here.
 */
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package org.tilldela.platform;
