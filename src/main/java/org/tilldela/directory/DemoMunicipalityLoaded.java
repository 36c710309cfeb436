package org.tilldela.directory;

/** The demo municipality has been imported on first start: its organisers exist, so other demo data can refer to them. */
public record DemoMunicipalityLoaded() {
}
