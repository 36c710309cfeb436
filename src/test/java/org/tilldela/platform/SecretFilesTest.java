package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files of personal data (an import package, a backup) are their owner's only from the moment they exist. */
class SecretFilesTest {

    @TempDir
    Path tmp;

    @Test
    void aNewOwnerOnlyFileAndTheFolderMadeForItAreReadableByTheirOwnerOnly() throws Exception {
        Path folder = tmp.resolve("data").resolve("imports");
        Path file = SecretFiles.newOwnerOnlyFile(folder, "package", ".zip");
        assertThat(file.getParent()).isEqualTo(folder);
        assertThat(file.getFileName().toString()).startsWith("package").endsWith(".zip");
        assertThat(Files.size(file)).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
        // written through an output stream it keeps them (a copy replacing it would not)
        try (var out = Files.newOutputStream(file)) {
            out.write(new byte[] {1, 2, 3});
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(SecretFiles.newOwnerOnlyFile(folder, "package", ".zip")).isNotEqualTo(file);
    }
}
