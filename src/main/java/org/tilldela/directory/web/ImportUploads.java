package org.tilldela.directory.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.oneroster.OneRosterReader;

/** Uploaded import files: kept under the data directory until their run is done (or approved). */
@Component
class ImportUploads {

    private final Path dir;
    private final ImportRuns runs;

    ImportUploads(@Value("${tilldela.data-dir:./data}") String dataDir, ImportRuns runs) {
        this.dir = Path.of(dataDir).resolve("imports");
        this.runs = runs;
    }

    UUID submitOneRoster(InputStream content, String fileName, String source, boolean allowMassRemoval, String user) throws IOException {
        ImportOptions options = new ImportOptions(source, allowMassRemoval, user);
        Files.createDirectories(dir);
        Path stored = dir.resolve(UUID.randomUUID() + ".zip");
        Files.copy(content, stored, StandardCopyOption.REPLACE_EXISTING);
        String name = fileName == null || fileName.isBlank() ? "upload.zip" : Path.of(fileName).getFileName().toString();
        return runs.submit("ONEROSTER", options, stored, name, path -> new OneRosterReader(path, name));
    }

    UUID approve(UUID run, String user) {
        var held = runs.find(run).orElseThrow(() -> new IllegalArgumentException("no import run " + run));
        String name = held.inputName();
        return runs.approveMassRemoval(run, user, path -> new OneRosterReader(path, name));
    }
}
