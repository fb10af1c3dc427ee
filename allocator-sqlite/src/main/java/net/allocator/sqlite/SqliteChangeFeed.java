package net.allocator.sqlite;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import net.allocator.core.store.ChangeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change feeds of one store instance: this process's own commits, delivered after they are
 * committed, in order, on one thread of the feed's, outside any lock of the store's.
 *
 * <p>A commit made through another connection to the file (another process, or another store
 * instance) is not in the feed: when the store notices one, {@link #othersCommitted} ends every
 * feed with {@link ChangeListener#onReset}, and a watch from before it starts reset, so followers
 * reload from a read. That is honest and simple; a shared change log in the file would let feeds
 * follow other processes too, at one more write per change.
 */
final class SqliteChangeFeed {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteChangeFeed.class);
    /** How many recent changes a new watch can replay: a follower's read-then-watch gap is short. */
    private static final int HISTORY = 65_536;

    /** One written or deleted key; {@code value} is null for a deletion. */
    record Change(String key, String value, long revision) {}

    private final Object lock = new Object();
    private final ArrayDeque<Change> history = new ArrayDeque<>();
    /** Every change after this revision is in the history (or, after the latest one, still to come). */
    private long completeAfter;
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final ExecutorService delivery;
    private boolean closed;

    SqliteChangeFeed(long revision, String name) {
        this.completeAfter = revision;
        this.delivery = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "sqlite-feed " + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Follows {@code prefix} after {@code afterRevision}: replays what the history holds, then goes on. */
    Optional<AutoCloseable> watch(String prefix, long afterRevision, ChangeListener listener) {
        Watcher watcher = new Watcher(prefix, listener);
        synchronized (lock) {
            if (closed) {
                return Optional.of(watcher::close);
            }
            if (afterRevision < completeAfter) {
                long from = completeAfter;
                submit(() -> watcher.reset(new IllegalStateException("changes after revision " + afterRevision
                        + " are not known here (another process wrote, or they are forgotten); known after " + from)));
                return Optional.of(watcher::close);
            }
            List<Change> replay = new ArrayList<>();
            for (Change change : history) {
                if (change.revision() > afterRevision) {
                    replay.add(change);
                }
            }
            watcher.seenUpTo = history.isEmpty() ? afterRevision : Math.max(afterRevision, history.peekLast().revision());
            watchers.add(watcher);
            submit(() -> watcher.deliver(replay, Long.MIN_VALUE));
        }
        return Optional.of(() -> {
            watcher.close();
            watchers.remove(watcher);
        });
    }

    /** A commit of this store's is durable: keeps its changes for replays and delivers them. */
    void committed(List<Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            for (Change change : changes) {
                if (history.size() == HISTORY) {
                    completeAfter = history.pollFirst().revision();
                }
                history.addLast(change);
            }
            submit(() -> {
                for (Watcher watcher : watchers) {
                    watcher.deliver(changes, watcher.seenUpTo);
                }
            });
        }
    }

    /**
     * Another connection committed, up to {@code revision}: what it changed is not known here, so
     * every feed ends with a reset and the history starts again from there.
     */
    void othersCommitted(long revision) {
        synchronized (lock) {
            history.clear();
            completeAfter = revision;
            List<Watcher> ended = List.copyOf(watchers);
            watchers.clear();
            IllegalStateException cause = new IllegalStateException(
                    "another process (or store instance) wrote to the database, up to revision " + revision);
            submit(() -> ended.forEach(watcher -> watcher.reset(cause)));
        }
    }

    /** Ends every feed without a reset; delivers nothing more. */
    void close() {
        synchronized (lock) {
            closed = true;
            watchers.forEach(Watcher::close);
            watchers.clear();
        }
        delivery.shutdownNow();
    }

    private void submit(Runnable task) {
        try {
            delivery.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("change feed closed; dropping a delivery", e);
        }
    }

    /** One feed. Its fields other than {@code closed} are used on the delivery thread only, after set up. */
    private final class Watcher {
        final String prefix;
        final ChangeListener listener;
        /** Changes up to this revision were replayed (or came before the watch) and are skipped. */
        volatile long seenUpTo;
        volatile boolean closed;

        Watcher(String prefix, ChangeListener listener) {
            this.prefix = prefix;
            this.listener = listener;
        }

        void deliver(List<Change> changes, long skipUpTo) {
            for (Change change : changes) {
                if (closed) {
                    return;
                }
                if (change.revision() <= skipUpTo || !change.key().startsWith(prefix)) {
                    continue;
                }
                try {
                    if (change.value() == null) {
                        listener.onDelete(change.key(), change.revision());
                    } else {
                        listener.onPut(change.key(), change.value(), change.revision());
                    }
                } catch (RuntimeException e) {
                    watchers.remove(this);
                    reset(e);
                    return;
                }
            }
        }

        /** Ends the feed with one reset, unless it is already closed. */
        void reset(Throwable cause) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                listener.onReset(cause);
            } catch (RuntimeException e) {
                LOG.warn("a change listener failed on reset", e);
            }
        }

        void close() {
            closed = true;
        }
    }
}
