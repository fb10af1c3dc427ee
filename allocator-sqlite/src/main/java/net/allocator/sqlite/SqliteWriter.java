package net.allocator.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import net.allocator.core.store.Commit;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyOrder;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.sqlite.SqliteChangeFeed.Change;

/**
 * The store's one writing connection and its prepared statements. Used under the store's write
 * lock only.
 */
final class SqliteWriter {
    /**
     * What a write transaction did.
     *
     * @param outcomes each commit's revision, or {@link KeyValueStore#NOT_APPLIED}
     * @param changes every key written or deleted, in order, for the change feed
     * @param othersCommittedBefore whether another connection had committed since this one last
     *     knew the revision
     * @param revisionBefore the revision the transaction started from
     */
    record Applied(long[] outcomes, List<Change> changes, boolean othersCommittedBefore, long revisionBefore) {}

    private final Connection connection;
    private final PreparedStatement begin;
    private final PreparedStatement commit;
    private final PreparedStatement rollback;
    private final PreparedStatement savepoint;
    private final PreparedStatement rollbackToSavepoint;
    private final PreparedStatement releaseSavepoint;
    private final PreparedStatement readRevision;
    private final PreparedStatement writeRevision;
    private final PreparedStatement dataVersion;
    private final PreparedStatement version;
    private final PreparedStatement upsert;
    private final PreparedStatement delete;
    private final PreparedStatement deleteRange;
    private final PreparedStatement deleteFrom;
    /** The revision as of this connection's latest commit or look: another value in the file means others wrote. */
    private long revision;
    /** {@code PRAGMA data_version} at the latest look: it changes when another connection commits. */
    private long lastDataVersion;

    /**
     * @param knownRevision the revision the store knew before this connection, or -1 for the file's
     */
    SqliteWriter(Connection connection, long knownRevision) throws SQLException {
        this.connection = connection;
        this.begin = connection.prepareStatement("BEGIN IMMEDIATE");
        this.commit = connection.prepareStatement("COMMIT");
        this.rollback = connection.prepareStatement("ROLLBACK");
        this.savepoint = connection.prepareStatement("SAVEPOINT member");
        this.rollbackToSavepoint = connection.prepareStatement("ROLLBACK TO member");
        this.releaseSavepoint = connection.prepareStatement("RELEASE member");
        this.readRevision = connection.prepareStatement("SELECT value FROM revision");
        this.writeRevision = connection.prepareStatement("UPDATE revision SET value = ?");
        this.dataVersion = connection.prepareStatement("PRAGMA data_version");
        this.version = connection.prepareStatement("SELECT version FROM kv WHERE key = ?");
        this.upsert = connection.prepareStatement("INSERT INTO kv (key, value, version) VALUES (?, ?, ?)"
                + " ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version");
        this.delete = connection.prepareStatement("DELETE FROM kv WHERE key = ?");
        this.deleteRange = connection.prepareStatement("DELETE FROM kv WHERE key >= ? AND key < ? RETURNING key");
        this.deleteFrom = connection.prepareStatement("DELETE FROM kv WHERE key >= ? RETURNING key");
        this.lastDataVersion = longQuery(dataVersion);
        this.revision = knownRevision >= 0 ? knownRevision : longQuery(readRevision);
    }

    long knownRevision() {
        return revision;
    }

    /**
     * Applies {@code commits} in one transaction, each under its own savepoint, and commits it
     * with one fsync.
     */
    Applied apply(List<Commit> commits, Path file) {
        try {
            begin.execute();
        } catch (SQLException e) {
            throw SqliteErrors.unavailable(file, "starting a write", e);
        }
        long before;
        long current;
        long[] outcomes = new long[commits.size()];
        List<Change> changes = new ArrayList<>();
        try {
            before = longQuery(readRevision);
            current = before;
            // A lone commit needs no savepoint: its conditions are checked before it writes, and a
            // failed write rolls the whole transaction back. That spares a lone allocation two of its
            // eleven statements (SAVEPOINT + RELEASE measured at 2.2-2.4 us of CPU together).
            boolean savepoints = outcomes.length > 1;
            for (int i = 0; i < outcomes.length; i++) {
                Commit member = commits.get(i);
                // The savepoint makes each member undoable on its own: a refused one leaves nothing,
                // and the members before and after it keep their writes.
                if (savepoints) {
                    savepoint.execute();
                }
                if (!holds(member.conditions())) {
                    if (savepoints) {
                        rollbackToSavepoint.execute();
                        releaseSavepoint.execute();
                    }
                    outcomes[i] = KeyValueStore.NOT_APPLIED;
                    continue;
                }
                long at = ++current;
                for (Operation operation : member.operations()) {
                    write(operation, at, changes);
                }
                if (savepoints) {
                    releaseSavepoint.execute();
                }
                outcomes[i] = at;
            }
            if (current != before) {
                writeRevision.setLong(1, current);
                writeRevision.executeUpdate();
            }
        } catch (SQLException e) {
            rollbackQuietly();
            throw SqliteErrors.unavailable(file, "writing", e);
        } catch (RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
        try {
            commit.execute();
        } catch (SQLException e) {
            rollbackQuietly();
            throw SqliteErrors.commitFailed(file, e);
        }
        boolean othersCommitted = before != revision;
        revision = current;
        return new Applied(outcomes, changes, othersCommitted, before);
    }

    /**
     * The revision others have committed up to, when another connection has committed since this
     * one last looked; else -1. Cheap when nothing happened: one pragma that reads no page.
     */
    long othersCommittedRevision() throws SQLException {
        long now = longQuery(dataVersion);
        if (now == lastDataVersion) {
            return -1;
        }
        lastDataVersion = now;
        long inFile = longQuery(readRevision);
        if (inFile == revision) {
            return -1;
        }
        revision = inFile;
        return inFile;
    }

    private boolean holds(List<Condition> conditions) throws SQLException {
        for (Condition condition : conditions) {
            version.setString(1, condition.key());
            long current;
            try (ResultSet row = version.executeQuery()) {
                current = row.next() ? row.getLong(1) : 0;
            }
            boolean holds = condition instanceof Condition.AtVersion at ? current == at.version() : current == 0;
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    private void write(Operation operation, long at, List<Change> changes) throws SQLException {
        if (operation instanceof Operation.Put put) {
            upsert.setString(1, put.key());
            upsert.setString(2, put.value());
            upsert.setLong(3, at);
            upsert.executeUpdate();
            changes.add(new Change(put.key(), put.value(), at));
        } else if (operation instanceof Operation.Delete del) {
            delete.setString(1, del.key());
            if (delete.executeUpdate() > 0) {
                changes.add(new Change(del.key(), null, at));
            }
        } else if (operation instanceof Operation.DeletePrefix prefix) {
            String upper = KeyOrder.firstAfterPrefix(prefix.prefix());
            PreparedStatement range = upper == null ? deleteFrom : deleteRange;
            range.setString(1, prefix.prefix());
            if (upper != null) {
                range.setString(2, upper);
            }
            try (ResultSet deleted = range.executeQuery()) {
                while (deleted.next()) {
                    changes.add(new Change(deleted.getString(1), null, at));
                }
            }
        }
    }

    private void rollbackQuietly() {
        try {
            rollback.execute();
        } catch (SQLException ignored) {
            // SQLite already rolled the transaction back (it does after some I/O errors)
        }
    }

    private static long longQuery(PreparedStatement query) throws SQLException {
        try (ResultSet row = query.executeQuery()) {
            return row.next() ? row.getLong(1) : 0;
        }
    }

    void close() {
        SqliteFile.closeQuietly(connection);
    }
}
