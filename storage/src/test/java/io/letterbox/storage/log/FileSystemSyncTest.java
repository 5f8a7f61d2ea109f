package io.letterbox.storage.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileSystemSyncTest {

    @TempDir
    Path tmp;

    /** What this JVM should offer: syncfs on Linux from JDK 22 on, nothing before. */
    private static boolean expected() {
        return Runtime.version().feature() >= 22 && "Linux".equals(System.getProperty("os.name"));
    }

    @Test
    void syncsTheFileSystemOfADirectoryWhereTheJdkOffersIt() throws IOException {
        // Given
        Files.write(tmp.resolve("written"), new byte[4096]);

        // When
        Optional<FileSystemSync> sync = FileSystemSync.open(tmp);

        // Then
        assertThat(sync.isPresent()).isEqualTo(expected());
        if (sync.isPresent()) {
            try (FileSystemSync s = sync.get()) {
                s.sync();
                s.sync();
            }
        }
    }

    @Test
    void aMissingDirectoryIsAnIoErrorInTheSystemsWords() throws IOException {
        Path missing = tmp.resolve("missing");
        if (expected()) {
            assertThatThrownBy(() -> FileSystemSync.open(missing)).isInstanceOf(IOException.class)
                    .hasMessage("open of " + missing + ": No such file or directory");
        } else {
            assertThat(FileSystemSync.open(missing)).isEmpty();
        }
    }
}
