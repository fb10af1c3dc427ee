package net.allocator.sqlite;

import java.nio.file.Path;
import net.allocator.core.InvalidInputException;

/**
 * The database file named by the settings cannot serve as the store: its directory or file cannot
 * be created or written, it is not a SQLite database or not this store's, or it was written by a
 * newer schema. Nothing was written to it. The message says what and where, in one line; a
 * launcher reports it as a bad setting.
 */
public final class UnusableDatabaseException extends InvalidInputException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;

    UnusableDatabaseException(Path path, String problem, Throwable cause) {
        super(path + ": " + problem, cause);
        this.path = path;
    }

    /** The file (or directory) the problem is with. */
    public Path path() {
        return path;
    }
}
