package net.allocator.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.allocator.core.store.KeyOrder;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.ScanPage;

/**
 * One reader connection and its prepared statements; used by one thread at a time. In WAL mode a
 * read transaction sees every commit made before it began, by any connection or process.
 */
final class SqliteReader {
    private static final String COLUMNS = "SELECT key, value, version FROM kv WHERE ";

    private final Connection connection;
    private final PreparedStatement get;
    private final PreparedStatement begin;
    private final PreparedStatement end;
    private final PreparedStatement revision;
    /** Indexed by {@link #scanVariant}: lower bound inclusive or exclusive, upper bound or none. */
    private final PreparedStatement[] scans = new PreparedStatement[4];

    SqliteReader(Connection connection) throws SQLException {
        this.connection = connection;
        this.get = connection.prepareStatement("SELECT value, version FROM kv WHERE key = ?");
        this.begin = connection.prepareStatement("BEGIN");
        this.end = connection.prepareStatement("COMMIT");
        this.revision = connection.prepareStatement("SELECT value FROM revision");
        scans[0] = connection.prepareStatement(COLUMNS + "key >= ? AND key < ? ORDER BY key LIMIT ?");
        scans[1] = connection.prepareStatement(COLUMNS + "key >= ? ORDER BY key LIMIT ?");
        scans[2] = connection.prepareStatement(COLUMNS + "key > ? AND key < ? ORDER BY key LIMIT ?");
        scans[3] = connection.prepareStatement(COLUMNS + "key > ? ORDER BY key LIMIT ?");
    }

    Optional<KeyValue> get(String key) throws SQLException {
        get.setString(1, key);
        try (ResultSet row = get.executeQuery()) {
            return row.next() ? Optional.of(new KeyValue(key, row.getString(1), row.getLong(2))) : Optional.empty();
        }
    }

    /** One page, and the revision it was read at, in one read transaction. */
    ScanPage scan(String prefix, String startAfter, int limit) throws SQLException {
        boolean fromPrefix = startAfter == null || KeyOrder.compare(startAfter, prefix) < 0;
        String upper = KeyOrder.firstAfterPrefix(prefix);
        PreparedStatement scan = scans[(fromPrefix ? 0 : 2) + (upper != null ? 0 : 1)];
        int parameter = 1;
        scan.setString(parameter++, fromPrefix ? prefix : startAfter);
        if (upper != null) {
            scan.setString(parameter++, upper);
        }
        // one more than asked for tells whether more follow
        scan.setLong(parameter, limit == Integer.MAX_VALUE ? limit : limit + 1L);
        begin.execute();
        boolean done = false;
        try {
            long at;
            try (ResultSet row = revision.executeQuery()) {
                row.next();
                at = row.getLong(1);
            }
            List<KeyValue> entries = new ArrayList<>();
            boolean more = false;
            try (ResultSet rows = scan.executeQuery()) {
                while (rows.next()) {
                    if (entries.size() == limit) {
                        more = true;
                        break;
                    }
                    entries.add(new KeyValue(rows.getString(1), rows.getString(2), rows.getLong(3)));
                }
            }
            end.execute();
            done = true;
            return new ScanPage(entries, more, at);
        } finally {
            if (!done) {
                rollbackQuietly();
            }
        }
    }

    void ping() throws SQLException {
        try (ResultSet row = revision.executeQuery()) {
            row.next();
        }
    }

    /** Writes a consistent copy of the database to {@code target}, which must not exist. */
    void vacuumInto(Path target) throws SQLException {
        try (PreparedStatement vacuum = connection.prepareStatement("VACUUM INTO ?")) {
            vacuum.setString(1, target.toString());
            vacuum.execute();
        }
    }

    private void rollbackQuietly() {
        try (var statement = connection.createStatement()) {
            statement.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // no transaction was left open
        }
    }

    void close() {
        SqliteFile.closeQuietly(connection);
    }
}
