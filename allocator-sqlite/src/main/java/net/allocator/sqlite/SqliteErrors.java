package net.allocator.sqlite;

import java.nio.file.Path;
import java.sql.SQLException;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.StoreOutcomeUnknownException;

/** Turns SQLite's failures at run time into the store's exceptions, saying what failed where. */
final class SqliteErrors {
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_FULL = 13;

    private SqliteErrors() {}

    /** A call that wrote nothing failed. */
    static StoreUnavailableException unavailable(Path file, String what, SQLException e) {
        return new StoreUnavailableException(message(file, what, e), e);
    }

    /**
     * The commit statement itself failed. Only a full disk is known to leave nothing behind: after
     * an I/O error while the WAL was written or synced, a crash recovery may still find the
     * transaction whole, so its outcome is unknown.
     */
    static StoreUnavailableException commitFailed(Path file, SQLException e) {
        if (SqliteFile.primaryCode(e) == SQLITE_FULL) {
            return unavailable(file, "committing", e);
        }
        return new StoreOutcomeUnknownException(message(file, "committing", e), e);
    }

    private static String message(Path file, String what, SQLException e) {
        String problem = switch (SqliteFile.primaryCode(e)) {
            case SQLITE_BUSY -> "another process held the database's write lock for longer than the busy timeout";
            case SQLITE_FULL -> "the disk (or the database) is full";
            case 8 -> "the database is read-only"; // SQLITE_READONLY
            case 10 -> "an I/O error"; // SQLITE_IOERR
            default -> "an error";
        };
        return "sqlite " + file + ": " + what + " failed: " + problem + " (" + e.getMessage() + ")";
    }
}
