package net.allocator.inmemory;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import net.allocator.core.store.ChangeListener;

/**
 * The change feeds of one {@link InMemoryKeyValueStore}. A commit only queues its changes, under
 * the store's lock; a delivery task then hands them to the listeners in commit order, on a thread
 * of {@link #DELIVERY} and outside the lock, so a listener that throws cannot leave a commit
 * half-applied, and one that is slow or calls the store cannot hold up or deadlock a committer.
 * At most one task per store runs at a time, which keeps the order.
 *
 * <p>Every field without its own synchronisation is guarded by the store's lock.
 */
final class InMemoryChangeFeeds {
    /**
     * How many changes may wait for delivery before the feeds are reset instead (the listeners
     * fell that far behind): bounds the queue's memory at about 24 MB.
     */
    static final int MAX_QUEUED = 1 << 20;

    /**
     * Shared by every in-memory store of the process: a store with nothing to deliver holds no
     * thread, so an unclosed store can still be collected, and an idle thread ends after a minute.
     */
    private static final ExecutorService DELIVERY = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), new DaemonThreads());

    /**
     * How long, and how often, a task that has delivered everything waits for more before it
     * ends. Starting a task costs the committer a thread hand-off (several µs); a committer of
     * a million changes a second that started one per commit ran at 40 k allocate+release pairs
     * a second instead of 276 k (same session, loaded machine). Lingering 1 ms lets a busy store's
     * commits only queue.
     */
    private static final long IDLE_PAUSE_NANOS = 100_000;
    private static final int IDLE_ROUNDS = 10;

    private final Object lock;
    private Changes queued = new Changes();
    /** The queue the running task has taken, swapped back empty for the next round. */
    private Changes taken = new Changes();
    /** Replaced, never changed in place, so a task walks the array it took without the lock. */
    private Watcher[] watchers = {};
    /** Watchers to end with a reset because the queue overflowed, for the next task. */
    private Watcher[] overflowed = {};
    private boolean newWatchers;
    private boolean deliveryClaimed;
    private volatile boolean closed;

    InMemoryChangeFeeds(Object lock) {
        this.lock = lock;
    }

    /** Whether any feed follows the store, so a commit must queue its changes. Under the lock. */
    boolean active() {
        return watchers.length != 0;
    }

    /** Queues one change of a commit, for delivery once the commit is applied. Under the lock. */
    void queue(String key, String value, long revision) {
        if (queued.size == MAX_QUEUED) {
            overflowed = concat(overflowed, watchers);
            watchers = new Watcher[0];
            queued.clear();
            return;
        }
        queued.add(key, value, revision);
    }

    /**
     * Under the lock, at the end of a commit or watch: whether the caller must start a delivery
     * task ({@link #startDelivery()}, after releasing the lock), as there is something to deliver
     * and no task is running.
     */
    boolean claimDelivery() {
        if (deliveryClaimed || (queued.size == 0 && !newWatchers && overflowed.length == 0)) {
            return false;
        }
        deliveryClaimed = true;
        return true;
    }

    /** Starts the delivery task that {@link #claimDelivery()} claimed. */
    void startDelivery() {
        DELIVERY.execute(this::deliver);
    }

    /**
     * A new feed from the store's current revision {@code now}, which first delivers {@code
     * backlog} (the replayed changes after the revision asked for), or only {@code reset} when
     * those are no longer known. Under the lock.
     */
    Watcher add(String prefix, ChangeListener listener, long now, Changes backlog, Throwable reset) {
        Watcher watcher = new Watcher(prefix, listener, now, backlog, reset);
        if (reset == null) {
            watchers = concat(watchers, new Watcher[] {watcher});
        } else {
            overflowed = concat(overflowed, new Watcher[] {watcher});
        }
        newWatchers = true;
        return watcher;
    }

    /** Ends every feed without telling its listener. Under the lock. */
    void close() {
        closed = true;
        watchers = new Watcher[0];
        overflowed = new Watcher[0];
        queued.clear();
    }

    private static Watcher[] concat(Watcher[] first, Watcher[] second) {
        Watcher[] all = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    private void remove(Watcher watcher) {
        synchronized (lock) {
            watchers = Arrays.stream(watchers).filter(w -> w != watcher).toArray(Watcher[]::new);
        }
    }

    /** The delivery task: rounds of taking the queue under the lock and delivering it outside. */
    private void deliver() {
        int idleRounds = 0;
        while (true) {
            Changes batch;
            Watcher[] targets;
            Watcher[] toReset;
            synchronized (lock) {
                boolean nothing = queued.size == 0 && !newWatchers && overflowed.length == 0;
                if (closed || (nothing && idleRounds == IDLE_ROUNDS)) {
                    deliveryClaimed = false;
                    return;
                }
                if (nothing) {
                    idleRounds++;
                    batch = null;
                    targets = null;
                    toReset = null;
                } else {
                    idleRounds = 0;
                    batch = takeQueue();
                    targets = watchers;
                    toReset = overflowed;
                    overflowed = new Watcher[0];
                    newWatchers = false;
                }
            }
            if (batch == null) {
                LockSupport.parkNanos(IDLE_PAUSE_NANOS);
                continue;
            }

            for (Watcher watcher : toReset) {
                watcher.startFromBacklog();
            }
            for (Watcher watcher : targets) {
                watcher.startFromBacklog();
            }
            for (int i = 0; i < batch.size && !closed; i++) {
                String key = batch.keys[i];
                for (Watcher watcher : targets) {
                    if (batch.revisions[i] > watcher.startRevision && key.startsWith(watcher.prefix)) {
                        watcher.deliver(key, batch.values[i], batch.revisions[i]);
                    }
                }
            }
            for (Watcher watcher : toReset) {
                watcher.end(new IllegalStateException("more than " + MAX_QUEUED + " changes waited for delivery: the feed fell behind"));
            }
            batch.clear(); // the task's own copy now: the next round swaps it in again
        }
    }

    /** Swaps the queue for the task's emptied one and returns it. Under the lock. */
    private Changes takeQueue() {
        Changes batch = queued;
        queued = taken;
        taken = batch;
        return batch;
    }

    /** Changes in order, as parallel arrays rather than an object per change. */
    static final class Changes {
        private String[] keys = new String[64];
        private String[] values = new String[64]; // null for a deletion
        private long[] revisions = new long[64];
        private int size;

        void add(String key, String value, long revision) {
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                values = Arrays.copyOf(values, size * 2);
                revisions = Arrays.copyOf(revisions, size * 2);
            }
            keys[size] = key;
            values[size] = value;
            revisions[size] = revision;
            size++;
        }

        void clear() {
            if (keys.length > 65_536) {
                // a burst grew the arrays: start small again rather than keep its memory
                keys = new String[64];
                values = new String[64];
                revisions = new long[64];
            } else {
                Arrays.fill(keys, 0, size, null);
                Arrays.fill(values, 0, size, null);
            }
            size = 0;
        }
    }

    /** One feed; closing it stops its deliveries without a reset. */
    final class Watcher implements AutoCloseable {
        final String prefix;
        private final ChangeListener listener;
        /** The store's revision when the feed began: later changes come from the queue. */
        final long startRevision;
        /** Set under the lock before the first task that sees this watcher; then that task's. */
        private Changes backlog;
        private Throwable startReset;
        private final AtomicBoolean over = new AtomicBoolean();

        private Watcher(String prefix, ChangeListener listener, long startRevision, Changes backlog, Throwable startReset) {
            this.prefix = prefix;
            this.listener = listener;
            this.startRevision = startRevision;
            this.backlog = backlog;
            this.startReset = startReset;
        }

        private void startFromBacklog() {
            Changes replay = backlog;
            Throwable reset = startReset;
            backlog = null;
            startReset = null;
            if (replay != null) {
                for (int i = 0; i < replay.size; i++) {
                    deliver(replay.keys[i], replay.values[i], replay.revisions[i]);
                }
            }
            if (reset != null) {
                end(reset);
            }
        }

        private void deliver(String key, String value, long revision) {
            if (over.get() || closed) {
                return;
            }
            try {
                if (value == null) {
                    listener.onDelete(key, revision);
                } else {
                    listener.onPut(key, value, revision);
                }
            } catch (RuntimeException e) {
                // The listener missed this change; if the feed went on, it would believe it is up to date.
                end(new IllegalStateException("the listener failed on a change of " + key + ": " + e, e));
            }
        }

        private void end(Throwable cause) {
            if (closed || !over.compareAndSet(false, true)) {
                return;
            }
            remove(this);
            try {
                listener.onReset(cause);
            } catch (RuntimeException ignored) {
                // the feed is over either way; nothing is left to tell the listener
            }
        }

        @Override
        public void close() {
            if (over.compareAndSet(false, true)) {
                remove(this);
            }
        }
    }

    private static final class DaemonThreads implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "in-memory-feed-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
