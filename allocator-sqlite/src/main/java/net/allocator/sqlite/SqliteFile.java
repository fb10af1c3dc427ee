package net.allocator.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Opens connections to the store's database file and keeps its schema: creates it in an empty
 * file, and refuses, without writing anything, a file that is not this store's or is newer.
 *
 * <p>Layout: table {@code kv(key TEXT PRIMARY KEY, value TEXT, version INTEGER)}, one row per key,
 * compared as bytes (SQLite's BINARY collation is the SPI's byte order); table {@code
 * revision(value)}, one row, the store's revision, raised by one for every applied commit and
 * written as the version of every key that commit writes. The header's {@code application_id}
 * marks the file as this store's, and its {@code user_version} is the schema version.
 */
final class SqliteFile {
    /** The schema this code writes and reads. A file with a higher one was written by newer code. */
    static final int SCHEMA_VERSION = 1;
    /** "allc", in the database header: tells this store's files from other SQLite databases. */
    static final int APPLICATION_ID = 0x616c6c63;

    private SqliteFile() {}

    /**
     * A connection with {@code synchronous=FULL}, so that in WAL mode (which {@link #openWriter}
     * sets, in the file) a commit returns only once its WAL frames are fsync'd.
     */
    static Connection connect(Path file, Duration busyTimeout) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout((int) busyTimeout.toMillis());
        return config.createConnection("jdbc:sqlite:" + file);
    }

    /**
     * Opens the writer's connection to {@code file}, creating the file, its directory and the
     * schema when missing.
     *
     * @throws UnusableDatabaseException saying what is wrong with which path
     */
    static Connection openWriter(Path file, Duration busyTimeout) {
        if (Files.isDirectory(file)) {
            throw new UnusableDatabaseException(file, "is a directory, not a database file", null);
        }
        Path directory = file.getParent();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UnusableDatabaseException(directory, "cannot create the database's directory (" + e + ")", e);
        }
        Connection connection = null;
        try {
            connection = connect(file, busyTimeout);
            prepareSchema(connection, file);
            // Only now, in a file known to be this store's: switching to WAL rewrites the header.
            try (Statement statement = connection.createStatement();
                    ResultSet mode = statement.executeQuery("PRAGMA journal_mode = WAL")) {
                if (!mode.next() || !mode.getString(1).equalsIgnoreCase("wal")) {
                    throw new UnusableDatabaseException(file, "cannot be switched to WAL mode", null);
                }
            }
            return connection;
        } catch (SQLException e) {
            closeQuietly(connection);
            throw unusable(file, e);
        } catch (RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    private static void prepareSchema(Connection connection, Path file) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE"); // another process may be creating the schema right now
            try {
                int applicationId = intPragma(statement, "application_id");
                int schemaVersion = intPragma(statement, "user_version");
                boolean empty = intQuery(statement, "SELECT count(*) FROM sqlite_schema") == 0;
                if (applicationId == 0 && schemaVersion == 0 && empty) {
                    statement.execute("CREATE TABLE kv (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL,"
                            + " version INTEGER NOT NULL) WITHOUT ROWID");
                    statement.execute("CREATE TABLE revision (id INTEGER PRIMARY KEY CHECK (id = 0), value INTEGER NOT NULL)");
                    statement.execute("INSERT INTO revision VALUES (0, 0)");
                    statement.execute("PRAGMA application_id = " + APPLICATION_ID);
                    statement.execute("PRAGMA user_version = " + SCHEMA_VERSION);
                } else if (applicationId != APPLICATION_ID) {
                    throw new UnusableDatabaseException(file, "is a SQLite database of another application (application_id "
                            + applicationId + "); refusing to use it", null);
                } else if (schemaVersion > SCHEMA_VERSION) {
                    throw new UnusableDatabaseException(file, "was written by a newer version of the allocator (schema version "
                            + schemaVersion + "; this one knows up to " + SCHEMA_VERSION + "); refusing to use it", null);
                } else if (schemaVersion < 1) {
                    throw new UnusableDatabaseException(file, "has this store's mark but no schema version; refusing to use it", null);
                }
                statement.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                try {
                    statement.execute("ROLLBACK");
                } catch (SQLException ignored) {
                    // the failure above already ended the transaction
                }
                throw e;
            }
        }
    }

    /** An open-time failure, said as what is wrong with the file. */
    static UnusableDatabaseException unusable(Path file, SQLException e) {
        String problem = switch (primaryCode(e)) {
            case 26 -> "is not a SQLite database"; // SQLITE_NOTADB
            case 11 -> "is a corrupt SQLite database"; // SQLITE_CORRUPT
            case 14 -> "cannot be opened or created; is its directory writable?"; // SQLITE_CANTOPEN
            case 8 -> "is read-only, or its directory is"; // SQLITE_READONLY
            case 3, 10 -> "cannot be written"; // SQLITE_PERM, SQLITE_IOERR
            case 5 -> "is locked by another process for longer than the busy timeout"; // SQLITE_BUSY
            default -> "cannot be used";
        };
        return new UnusableDatabaseException(file, problem + " (" + e.getMessage() + ")", e);
    }

    /** SQLite's primary result code of a failure, or -1 when it is not SQLite's. */
    static int primaryCode(SQLException e) {
        if (e instanceof SQLiteException sqlite && sqlite.getResultCode() != SQLiteErrorCode.UNKNOWN_ERROR) {
            return sqlite.getResultCode().code & 0xff;
        }
        return e.getErrorCode() > 0 ? e.getErrorCode() & 0xff : -1;
    }

    private static int intPragma(Statement statement, String pragma) throws SQLException {
        return intQuery(statement, "PRAGMA " + pragma);
    }

    private static int intQuery(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getInt(1) : 0;
        }
    }

    static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // nothing more can be done for a connection that fails to close
            }
        }
    }
}
