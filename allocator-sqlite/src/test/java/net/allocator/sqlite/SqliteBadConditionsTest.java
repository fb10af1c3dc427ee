package net.allocator.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import net.allocator.core.InvalidInputException;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.Condition;
import net.allocator.core.store.Operation;
import net.allocator.core.store.Settings;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad files are refused at open, naming what and where, untouched; a write failure later fails that call only. */
class SqliteBadConditionsTest {
    @TempDir
    Path directory;

    private static SqliteKeyValueStore open(Path file) {
        return (SqliteKeyValueStore) new SqliteStoreProvider().open(Settings.of(Map.of(SqliteConfig.PATH, file.toString())));
    }

    @Nested
    @DisplayName("at open")
    class AtOpen {
        @Test
        @DisplayName("a directory where the file should be is refused")
        void directoryInstead() throws Exception {
            Path file = Files.createDirectory(directory.resolve("allocator.db"));
            assertThatThrownBy(() -> open(file)).isInstanceOf(UnusableDatabaseException.class)
                    .hasMessage(file + ": is a directory, not a database file");
            assertThat(file).isEmptyDirectory();
        }

        @Test
        @DisplayName("a directory that cannot be created is refused, naming it")
        void directoryCannotBeCreated() throws Exception {
            Path blocker = Files.writeString(directory.resolve("data"), "a file where the directory should be");
            Path file = blocker.resolve("allocator.db");
            assertThatThrownBy(() -> open(file)).isInstanceOf(UnusableDatabaseException.class)
                    .hasMessageStartingWith(blocker + ": cannot create the database's directory");
        }

        @Test
        @DisplayName("a file in a read-only directory is refused, and nothing is created")
        void readOnlyDirectory() throws Exception {
            Path readOnly = Files.createDirectory(directory.resolve("read-only"));
            Path file = readOnly.resolve("allocator.db");
            try (Unwritable unwritable = Unwritable.make(readOnly)) {
                assertThatThrownBy(() -> open(file)).isInstanceOf(UnusableDatabaseException.class)
                        .hasMessageStartingWith(file + ": cannot be opened or created");
            }
            assertThat(readOnly).isEmptyDirectory();
        }

        @Test
        @DisplayName("a text file is refused as not a SQLite database, and left as it was")
        void textFile() throws Exception {
            Path file = Files.writeString(directory.resolve("notes.db"), "these are my notes, not a database\n".repeat(100));
            byte[] before = Files.readAllBytes(file);
            assertThatThrownBy(() -> open(file)).isInstanceOf(UnusableDatabaseException.class)
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith(file + ": is not a SQLite database");
            assertThat(Files.readAllBytes(file)).isEqualTo(before);
        }

        @Test
        @DisplayName("a database written by a newer schema is refused, and left as it was")
        void newerSchema() throws Exception {
            Path file = directory.resolve("newer.db");
            open(file).close();
            try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                    Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA user_version = " + (SqliteFile.SCHEMA_VERSION + 1));
            }
            byte[] before = Files.readAllBytes(file);
            assertThatThrownBy(() -> open(file)).isInstanceOf(UnusableDatabaseException.class)
                    .hasMessageStartingWith(file + ": was written by a newer version of the allocator (schema version "
                            + (SqliteFile.SCHEMA_VERSION + 1));
            assertThat(Files.readAllBytes(file)).isEqualTo(before);
        }

        @Test
        @DisplayName("another application's SQLite database is refused, and left as it was")
        void foreignDatabase() throws Exception {
            Path file = directory.resolve("other.db");
            try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                    Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)");
            }
            byte[] before = Files.readAllBytes(file);
            assertThatThrownBy(() -> open(file)).isInstanceOf(UnusableDatabaseException.class)
                    .hasMessageContaining("is a SQLite database of another application");
            assertThat(Files.readAllBytes(file)).isEqualTo(before);
        }
    }

    @Nested
    @DisplayName("at run time")
    class AtRunTime {
        @Test
        @DisplayName("a write the disk refuses fails that call as unavailable, changes nothing, and the store recovers")
        void writeFailureRecovers() throws Exception {
            Path file = directory.resolve("store.db");
            try (SqliteKeyValueStore store = open(file)) {
                store.commit(List.of(), List.of(Operation.put("k/before", "1")));
                Path wal = Path.of(file + "-wal");
                try (Unwritable unwritable = Unwritable.make(wal)) {
                    assertThatThrownBy(() -> store.commit(List.of(Condition.absent("k/during")),
                            List.of(Operation.put("k/during", "2")))).isInstanceOf(StoreUnavailableException.class)
                            .hasMessageContaining(file.toString());
                    assertThat(store.get("k/during")).isEmpty();
                    assertThat(store.get("k/before").orElseThrow().value()).isEqualTo("1");
                }
                assertThat(store.commit(List.of(Condition.absent("k/during")), List.of(Operation.put("k/during", "3")))).isTrue();
                assertThat(store.get("k/during").orElseThrow().value()).isEqualTo("3");
            }
            try (SqliteKeyValueStore reopened = open(file)) {
                assertThat(reopened.scan("k/", null, 10).entries()).extracting(kv -> kv.key() + "=" + kv.value())
                        .containsExactly("k/before=1", "k/during=3");
            }
        }

        @Test
        @DisplayName("a write while another process holds the write lock past the busy timeout fails as unavailable, and then succeeds")
        void busyRecovers() throws Exception {
            Path file = directory.resolve("busy.db");
            try (SqliteKeyValueStore store = (SqliteKeyValueStore) new SqliteStoreProvider().open(Settings.of(Map.of(
                    SqliteConfig.PATH, file.toString(), SqliteConfig.BUSY_TIMEOUT, "200ms")))) {
                try (Connection holder = DriverManager.getConnection("jdbc:sqlite:" + file);
                        Statement statement = holder.createStatement()) {
                    statement.execute("BEGIN IMMEDIATE");
                    assertThatThrownBy(() -> store.commit(List.of(), List.of(Operation.put("b/x", "1"))))
                            .isInstanceOf(StoreUnavailableException.class)
                            .hasMessageContaining("held the database's write lock for longer than the busy timeout");
                    statement.execute("ROLLBACK");
                }
                assertThat(store.commit(List.of(), List.of(Operation.put("b/x", "2")))).isTrue();
                assertThat(store.get("b/x").orElseThrow().value()).isEqualTo("2");
            }
            assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).startsWith("SQLite format 3");
        }
    }
}
