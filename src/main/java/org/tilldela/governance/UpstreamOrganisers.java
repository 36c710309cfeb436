package org.tilldela.governance;

import java.util.Set;
import java.util.UUID;

/**
 * Which organisers have an identity provider of their own, as the module keeping them (sso) answers: their
 * administrators sign in through it, not with a local password ({@link AdminSignIn}). An interface here so that
 * governance, which the sso module builds on, asks without depending on it.
 */
public interface UpstreamOrganisers {

    /** Those of {@code organisers} with an enabled upstream identity provider. */
    Set<UUID> withProvider(Set<UUID> organisers);
}
