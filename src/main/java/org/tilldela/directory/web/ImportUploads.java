package org.tilldela.directory.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.tilldela.directory.importing.ImportLimits;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.SnapshotReader;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.directory.ss12000.Ss12000Readers;

/**
 * Imports started from the web UI and the API: uploaded files, kept under the data directory until their
 * run is done (or approved), and fetches from SS 12000 servers.
 */
@Component
class ImportUploads {

    private final Path dir;
    private final ImportRuns runs;

    private final Ss12000Readers ss12000;
    private final ImportLimits limits;

    ImportUploads(@Value("${tilldela.data-dir:./data}") String dataDir, ImportRuns runs, Ss12000Readers ss12000, ImportLimits limits) {
        this.dir = Path.of(dataDir).resolve("imports");
        this.runs = runs;
        this.ss12000 = ss12000;
        this.limits = limits;
    }

    UUID submitOneRoster(InputStream content, String fileName, ImportOptions options) throws IOException {
        String name = displayName(fileName);
        // the package is personal data: its owner's only from the start, and nothing half-written left behind
        Path stored = org.tilldela.platform.SecretFiles.newOwnerOnlyFile(dir, UUID.randomUUID().toString(), ".zip");
        try (java.io.OutputStream out = Files.newOutputStream(stored)) {
            content.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(stored);
            throw e;
        }
        return runs.submit("ONEROSTER", options, stored, name, path -> new OneRosterReader(path, name, limits));
    }

    /** The uploaded file's own name, for people to recognise; never used as a path. */
    private static String displayName(String fileName) {
        if (fileName == null || fileName.isBlank()) {
            return "upload.zip";
        }
        String name = fileName.substring(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1).strip();
        name = name.replaceAll("\\p{Cntrl}", "");
        return name.isEmpty() ? "upload.zip" : name.substring(0, Math.min(name.length(), 200));
    }

    UUID submitSs12000(String baseUrl, String token, String source, boolean delta, boolean allowMassRemoval, String user) {
        ImportOptions options = new ImportOptions(source, allowMassRemoval, user);
        // Builds (and so checks) the reader before queueing: a malformed URL is refused at once.
        SnapshotReader reader = ss12000.reader(source, baseUrl, token, delta);
        return runs.submit("SS12000", options, baseUrl.strip() + (delta ? " (delta)" : ""), () -> reader);
    }

    UUID approve(UUID run, String user) {
        // Only uploads keep an input to approve; ImportRuns refuses a held fetch from a server (nothing kept).
        String name = runs.find(run).orElseThrow(() -> new IllegalArgumentException("no import run " + run)).inputName();
        return runs.approveMassRemoval(run, user, path -> new OneRosterReader(path, name, limits));
    }
}
