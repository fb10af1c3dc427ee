package net.allocator.sqlite;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.BatchLimits;
import net.allocator.core.store.ChangeListener;
import net.allocator.core.store.Commit;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;
import net.allocator.core.store.StoreClient;
import net.allocator.core.store.StoreOutcomeUnknownException;

/**
 * A {@link KeyValueStore} in one SQLite database file: a durable store for a single machine,
 * with no server to run. Open it with {@link #open(SqliteConfig)} (or the {@code sqlite}
 * {@link SqliteStoreProvider}).
 *
 * <p><b>What an acknowledgement promises.</b> The database runs in WAL mode with {@code
 * synchronous=FULL}: when {@link #commit}, {@link #commitVersioned} or {@link #commitBatch}
 * returns, the transaction's WAL frames have been written and fsync'd, so the change survives the
 * process being killed and the machine losing power (as far as the disk honours fsync). A call
 * that throws {@link StoreUnavailableException} wrote nothing; one that throws {@link
 * StoreOutcomeUnknownException} failed at the commit itself (an I/O error while the WAL was being
 * written or synced), after which SQLite cannot say whether a crash recovery would find the
 * transaction, so the caller reads back.
 *
 * <p><b>Writes.</b> SQLite allows one writer per file. This store writes through one connection,
 * one transaction at a time, each begun with {@code BEGIN IMMEDIATE}, which takes the file's write
 * lock at once and waits up to the busy timeout while another process holds it. {@link
 * #commitBatch} applies several commits in one transaction, each under a savepoint of its own (a
 * refused commit rolls back to its savepoint and leaves the others; a lone commit, whose
 * conditions are checked before it writes, needs none), and fsyncs once: group commit
 * for {@link net.allocator.core.store.GroupCommitter}. Each applied commit raises the store's
 * revision by one, and its keys take that revision as their version.
 *
 * <p><b>Reads</b> run on a small pool of other connections, each in a read transaction that sees
 * every commit acknowledged before it began, in this process or another: linearizable.
 *
 * <p><b>Several processes, one file.</b> SQLite's locks decide between writers; commits' conditions
 * are checked inside the write transaction, so no two processes create one key. The change feed
 * carries this instance's own commits. The store notices other processes' commits (a revision it
 * did not write, seen when it next writes, and {@code PRAGMA data_version} polled every {@value
 * #FOREIGN_CHECK_MILLIS} ms) and then ends every feed with {@link ChangeListener#onReset}, so that
 * followers reload from a read.
 *
 * <p>Thread-safe.
 */
public final class SqliteKeyValueStore implements KeyValueStore {
    /** Reader connections: reads of a few rows take microseconds, so a few serve many callers. */
    private static final int READERS = 4;
    /** How often an idle store looks for other processes' commits (one cheap pragma). */
    private static final long FOREIGN_CHECK_MILLIS = 100;

    private final Path file;
    private final Duration busyTimeout;
    private final BatchLimits batchLimits;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Guarded by {@link #writeLock}; null after a failed write, until the next write reconnects. */
    private SqliteWriter writer;
    /** The revision the latest writer knew, for its successor. Guarded by {@link #writeLock}. */
    private long knownRevision = -1;
    private final BlockingQueue<SqliteReader> readers = new ArrayBlockingQueue<>(READERS);
    private final List<SqliteReader> allReaders = new ArrayList<>();
    private final SqliteChangeFeed feed;
    private final ScheduledExecutorService foreignCheck;
    private volatile boolean closed;

    private SqliteKeyValueStore(SqliteConfig config) {
        this.file = config.path();
        this.busyTimeout = config.busyTimeout();
        this.batchLimits = new BatchLimits(config.batchCommits(), config.batchOperations(), true);
        Connection connection = SqliteFile.openWriter(file, busyTimeout);
        try {
            this.writer = new SqliteWriter(connection, -1);
            for (int i = 0; i < READERS; i++) {
                SqliteReader reader = new SqliteReader(SqliteFile.connect(file, busyTimeout));
                allReaders.add(reader);
                readers.add(reader);
            }
            this.feed = new SqliteChangeFeed(writer.knownRevision(), file.getFileName().toString());
        } catch (SQLException e) {
            allReaders.forEach(SqliteReader::close);
            SqliteFile.closeQuietly(connection);
            throw SqliteFile.unusable(file, e);
        }
        this.foreignCheck = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "sqlite-watch " + file.getFileName());
            thread.setDaemon(true);
            return thread;
        });
        foreignCheck.scheduleWithFixedDelay(this::noticeOthersIfIdle, FOREIGN_CHECK_MILLIS, FOREIGN_CHECK_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the database file named by {@code config}, creating it and its directory when missing.
     *
     * @throws net.allocator.core.InvalidInputException for a malformed setting
     * @throws UnusableDatabaseException when the file or its directory cannot be created or
     *     written, the file is not a SQLite database or not this store's, or it was written by a
     *     newer schema; nothing was written to it
     */
    public static SqliteKeyValueStore open(SqliteConfig config) {
        return new SqliteKeyValueStore(requireNonNull(config, "config"));
    }

    /**
     * Opens the database file {@code file} with the other settings' defaults.
     *
     * @throws UnusableDatabaseException as {@link #open(SqliteConfig)} does
     */
    public static SqliteKeyValueStore open(Path file) {
        String path = file.toString();
        return open(SqliteConfig.of(name -> name.equals(SqliteConfig.PATH) ? Optional.of(path) : Optional.empty()));
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    /**
     * Another client of this store for an allocator in this process: it shares this instance's
     * connections and change feed, so its feeds carry every commit made through any client, and
     * closing it ends only its own feeds. (Separate instances on one file are as separate
     * processes are: each feed carries its own instance's commits and resets on the others'.)
     */
    public KeyValueStore client() {
        return new StoreClient(this);
    }

    @Override
    public Optional<KeyValue> get(String key) {
        requireNonNull(key, "key");
        return read("reading " + key, reader -> reader.get(key));
    }

    @Override
    public ScanPage scan(String prefix, String startAfter, int limit) {
        requireNonNull(prefix, "prefix");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        return read("scanning " + prefix, reader -> reader.scan(prefix, startAfter, limit));
    }

    @Override
    public boolean commit(List<Condition> conditions, List<Operation> operations) {
        return commitVersioned(conditions, operations) != NOT_APPLIED;
    }

    /** @return the commit's revision, which is the version of every key it wrote, or {@link #NOT_APPLIED} */
    @Override
    public long commitVersioned(List<Condition> conditions, List<Operation> operations) {
        return commitBatch(List.of(new Commit(conditions, operations)))[0];
    }

    /** {@link SqliteConfig#batchCommits()} and {@link SqliteConfig#batchOperations()}; keys may repeat. */
    @Override
    public BatchLimits batchLimits() {
        return batchLimits;
    }

    @Override
    public long[] commitBatch(List<Commit> commits) {
        requireNonNull(commits, "commits");
        if (commits.size() > batchLimits.maxCommits()) {
            throw new IllegalArgumentException(commits.size() + " commits exceed the batch limit of " + batchLimits.maxCommits());
        }
        writeLock.lock();
        try {
            checkOpen();
            SqliteWriter.Applied applied;
            try {
                applied = writer().apply(commits, file);
            } catch (RuntimeException e) {
                // A failed write can leave the connection's statements unusable (sqlite-jdbc closes
                // them after some I/O errors): the next write starts on a fresh connection.
                discardWriter();
                throw e;
            }
            if (applied.othersCommittedBefore()) {
                feed.othersCommitted(applied.revisionBefore());
            }
            feed.committed(applied.changes());
            return applied.outcomes();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public Optional<AutoCloseable> watch(String prefix, long afterRevision, ChangeListener listener) {
        requireNonNull(listener, "listener");
        checkOpen();
        noticeOthers();
        return feed.watch(prefix, afterRevision, listener);
    }

    @Override
    public void ping() {
        read("reading", reader -> {
            reader.ping();
            return null;
        });
    }

    @Override
    public String describe() {
        return "sqlite " + file;
    }

    /**
     * Writes a consistent copy of the database, as of the moment the copy's read began, to a new
     * file {@code target}, while the store goes on serving ({@code VACUUM INTO} on a reader
     * connection: writers are not blocked). Every commit acknowledged before this call is in the
     * copy. The copy is fsync'd before this returns, and is a database this store can open.
     *
     * @throws IllegalArgumentException when {@code target} exists (a backup never overwrites)
     * @throws StoreUnavailableException when the copy cannot be written
     */
    public void backupTo(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.exists(absolute)) {
            throw new IllegalArgumentException("refusing to overwrite " + absolute + " with a backup");
        }
        SqliteReader reader = takeReader();
        try {
            Files.createDirectories(absolute.getParent());
            reader.vacuumInto(absolute);
            // VACUUM INTO does not sync what it wrote
            try (FileChannel copy = FileChannel.open(absolute, StandardOpenOption.WRITE)) {
                copy.force(true);
            }
            try (FileChannel directory = FileChannel.open(absolute.getParent(), StandardOpenOption.READ)) {
                directory.force(true);
            }
        } catch (SQLException e) {
            throw SqliteErrors.unavailable(file, "backing up to " + absolute, e);
        } catch (IOException e) {
            throw new StoreUnavailableException("sqlite " + file + ": backing up to " + absolute + " failed: " + e, e);
        } finally {
            readers.add(reader);
        }
    }

    /** Ends the feeds, then closes the connections; later calls throw {@link StoreUnavailableException}. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        foreignCheck.shutdownNow();
        feed.close();
        writeLock.lock();
        try {
            discardWriter();
        } finally {
            writeLock.unlock();
        }
        synchronized (allReaders) {
            allReaders.forEach(SqliteReader::close);
        }
    }

    private SqliteWriter writer() {
        if (writer == null) {
            Connection connection = null;
            try {
                connection = SqliteFile.connect(file, busyTimeout);
                writer = new SqliteWriter(connection, knownRevision);
            } catch (SQLException e) {
                SqliteFile.closeQuietly(connection);
                throw SqliteErrors.unavailable(file, "reconnecting the writer", e);
            }
        }
        return writer;
    }

    private void discardWriter() {
        if (writer != null) {
            knownRevision = writer.knownRevision();
            writer.close();
            writer = null;
        }
    }

    private void noticeOthersIfIdle() {
        if (writeLock.tryLock()) { // a busy store notices others when it next writes
            try {
                noticeOthersLocked();
            } finally {
                writeLock.unlock();
            }
        }
    }

    private void noticeOthers() {
        writeLock.lock();
        try {
            noticeOthersLocked();
        } finally {
            writeLock.unlock();
        }
    }

    private void noticeOthersLocked() {
        if (closed || writer == null) {
            return;
        }
        try {
            long othersRevision = writer.othersCommittedRevision();
            if (othersRevision >= 0) {
                feed.othersCommitted(othersRevision);
            }
        } catch (SQLException e) {
            // the next write or read reports the failure to its caller
        }
    }

    /** One read on a reader connection of the pool. */
    @FunctionalInterface
    private interface Read<T> {
        T on(SqliteReader reader) throws SQLException;
    }

    private <T> T read(String what, Read<T> read) {
        SqliteReader reader = takeReader();
        try {
            return read.on(reader);
        } catch (SQLException e) {
            reader = replaced(reader);
            throw SqliteErrors.unavailable(file, what, e);
        } finally {
            readers.add(reader);
        }
    }

    /**
     * A fresh reader in place of one whose read failed (sqlite-jdbc may have closed its statements),
     * or the same one when no fresh connection opens now: the next failure tries again.
     */
    private SqliteReader replaced(SqliteReader failed) {
        try {
            SqliteReader fresh = new SqliteReader(SqliteFile.connect(file, busyTimeout));
            synchronized (allReaders) {
                allReaders.remove(failed);
                allReaders.add(fresh);
            }
            failed.close();
            return fresh;
        } catch (SQLException e) {
            return failed;
        }
    }

    private SqliteReader takeReader() {
        checkOpen();
        try {
            SqliteReader reader = readers.poll(busyTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (reader == null) {
                throw new StoreUnavailableException("sqlite " + file + ": no reader connection free within " + busyTimeout);
            }
            return reader;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("sqlite " + file + ": interrupted waiting for a reader connection", e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreUnavailableException("sqlite " + file + ": the store is closed");
        }
    }
}
