package net.allocator.inmemory;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import net.allocator.core.store.ChangeListener;

/**
 * The change feeds of one {@link InMemoryKeyValueStore}. A commit only queues its changes, under
 * the store's lock; a delivery task then hands them to the listeners in commit order, on a thread
 * of {@link #DELIVERY} and outside the lock, so a listener that throws cannot leave a commit
 * half-applied, and one that is slow or calls the store cannot hold up or deadlock a committer.
 * At most one task per store runs at a time, which keeps the order.
 *
 * <p>Committers queue under the store's lock; the task reads the queue and the feeds without it.
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
     * ends: starting a task costs the committer a thread hand-off of several µs, so while commits
     * keep coming they only queue.
     */
    private static final long IDLE_PAUSE_NANOS = 100_000;
    private static final int IDLE_ROUNDS = 10;

    private static final Watcher[] NONE = {};

    /** The store's; taken by the delivery task only to end (rarely), never per change. */
    private final Object lock;
    private final ChangeQueue queue = new ChangeQueue();
    /** Written under the lock, replaced and never changed in place; read by the task without it. */
    private volatile Watcher[] watchers = NONE;
    /** Feeds to end with a reset (their start was forgotten, or the queue overflowed), for the task. */
    private final AtomicReference<Watcher[]> toReset = new AtomicReference<>(NONE);
    /** Whether a delivery task runs. Under the lock. */
    private boolean deliveryClaimed;
    private volatile boolean closed;

    InMemoryChangeFeeds(Object lock) {
        this.lock = lock;
    }

    /** Whether any feed follows the store, so a commit must queue its changes. Under the lock. */
    boolean active() {
        return watchers.length != 0;
    }

    /**
     * Queues one change of a commit; the task sees it once {@link #claimDelivery()} publishes the
     * commit. Under the lock. When the listeners have fallen {@link #MAX_QUEUED} changes behind,
     * the feeds end with a reset instead.
     */
    void queue(String key, String value, long revision) {
        if (!queue.add(key, value, revision)) {
            toReset.accumulateAndGet(watchers, InMemoryChangeFeeds::concat);
            watchers = NONE;
        }
    }

    /**
     * Under the lock, at the end of a commit or watch: publishes the commit's changes to the task,
     * and tells whether the caller must start one ({@link #startDelivery()}, after releasing the
     * lock), as there is something to deliver and no task runs.
     */
    boolean claimDelivery() {
        queue.publish();
        if (deliveryClaimed || !pending(watchers)) {
            return false;
        }
        deliveryClaimed = true;
        return true;
    }

    private boolean pending(Watcher[] current) {
        if (!queue.isEmpty() || toReset.get().length != 0) {
            return true;
        }
        for (Watcher watcher : current) {
            if (!watcher.started) {
                return true;
            }
        }
        return false;
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
            toReset.accumulateAndGet(new Watcher[] {watcher}, InMemoryChangeFeeds::concat);
        }
        return watcher;
    }

    /** Ends every feed without telling its listener. Under the lock. */
    void close() {
        closed = true;
        watchers = NONE;
        toReset.set(NONE);
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

    /**
     * The delivery task: rounds of delivering what the committers published, without the store's
     * lock (a lock both sides took would cost every commit a contended monitor), until nothing came
     * for a while.
     */
    private void deliver() {
        int idleRounds = 0;
        while (!closed) {
            // The count first: a feed published before a change it must see is then in the array.
            long available = queue.available();
            Watcher[] targets = watchers;
            Watcher[] ending = toReset.getAndSet(NONE);
            boolean unstarted = false;
            for (Watcher watcher : targets) {
                unstarted |= !watcher.started;
            }
            if (available == 0 && ending.length == 0 && !unstarted) {
                if (idleRounds < IDLE_ROUNDS) {
                    idleRounds++;
                    LockSupport.parkNanos(IDLE_PAUSE_NANOS);
                    continue;
                }
                synchronized (lock) {
                    if (!pending(watchers)) {
                        deliveryClaimed = false;
                        return;
                    }
                }
                continue;
            }
            idleRounds = 0;
            for (Watcher watcher : ending) {
                watcher.startFromBacklog();
            }
            for (Watcher watcher : targets) {
                watcher.startFromBacklog();
            }
            for (long i = 0; i < available && !closed; i++) {
                queue.next();
                String key = queue.key();
                for (Watcher watcher : targets) {
                    if (queue.revision() > watcher.startRevision && key.startsWith(watcher.prefix)) {
                        watcher.deliver(key, queue.value(), queue.revision());
                    }
                }
            }
            queue.consumed();
            for (Watcher watcher : ending) {
                watcher.end(new IllegalStateException("more than " + MAX_QUEUED + " changes waited for delivery: the feed fell behind"));
            }
        }
        synchronized (lock) {
            deliveryClaimed = false;
        }
    }

    /**
     * The changes committed and not yet delivered, in commit order: written by one committer at a
     * time (under the store's lock) and read by the delivery task, without a lock between them.
     * Chunks of parallel arrays rather than an object per change; a chunk the task has passed is
     * garbage.
     */
    private static final class ChangeQueue {
        private static final int CHUNK = 4096;

        private static final class Chunk {
            final String[] keys = new String[CHUNK];
            final String[] values = new String[CHUNK]; // null for a deletion
            final long[] revisions = new long[CHUNK];
            Chunk next; // written before the count that covers it is published
        }

        // the committers' side, under the store's lock
        private Chunk tail = new Chunk();
        private int tailIndex;
        private long added;
        // between them
        private final AtomicLong published = new AtomicLong();
        private final AtomicLong delivered = new AtomicLong();
        // the task's side
        private Chunk head = tail;
        private int headIndex = -1;
        private long taken;

        /** Appends a change; false, appending nothing, when {@link #MAX_QUEUED} wait already. */
        boolean add(String key, String value, long revision) {
            if (tailIndex == CHUNK) {
                // only here, once a chunk, does a committer read what the task last wrote
                if (added - delivered.get() >= MAX_QUEUED) {
                    return false;
                }
                Chunk next = new Chunk();
                tail.next = next;
                tail = next;
                tailIndex = 0;
            }
            tail.keys[tailIndex] = key;
            tail.values[tailIndex] = value;
            tail.revisions[tailIndex] = revision;
            tailIndex++;
            added++;
            return true;
        }

        /** Makes what was added visible to the task: a whole commit at once. */
        void publish() {
            if (published.get() != added) {
                published.lazySet(added); // a release store: ordered after the entries, no fence
            }
        }

        /** Whether nothing published is left to deliver; for the committers' side, under the lock. */
        boolean isEmpty() {
            return published.get() == delivered.get();
        }

        /** How many published changes the task has not taken yet. */
        long available() {
            return published.get() - taken;
        }

        /** Moves the task to the next change. */
        void next() {
            if (++headIndex == CHUNK) {
                head = head.next;
                headIndex = 0;
            }
            taken++;
        }

        String key() {
            return head.keys[headIndex];
        }

        String value() {
            return head.values[headIndex];
        }

        long revision() {
            return head.revisions[headIndex];
        }

        /** Tells the committers how far the task has delivered. */
        void consumed() {
            delivered.lazySet(taken);
        }
    }

    /** A feed's backlog: changes in order, as parallel arrays rather than an object per change. */
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
        /** Whether the task has delivered the backlog. The task's. */
        private boolean started;

        private Watcher(String prefix, ChangeListener listener, long startRevision, Changes backlog, Throwable startReset) {
            this.prefix = prefix;
            this.listener = listener;
            this.startRevision = startRevision;
            this.backlog = backlog;
            this.startReset = startReset;
        }

        private void startFromBacklog() {
            if (started) {
                return;
            }
            started = true;
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
