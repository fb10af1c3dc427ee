package net.allocator.consul;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.allocator.core.store.ChangeListener;
import net.allocator.core.store.KeyValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link ConsulKeyValueStore#watch} feed: a daemon thread that repeats a blocking read of
 * the prefix ({@code ?recurse&index=<last>&wait=<wait>}) and reports what differs from the
 * previous read. Consul's KV has no change log, so comparing whole snapshots is the only way to
 * see deletions; since each read is compared with the last one seen, a broken connection loses
 * nothing and needs only a retry.
 *
 * <p>The HTTP client is the feed's own, so that closing the feed can abort a blocking read at
 * once by closing it.
 */
final class ConsulWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsulWatch.class);

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /**
     * How long a watch waits between reads, per key the prefix held at the last read, when that
     * is longer than the configured interval. Each read transfers, parses and compares every key
     * (Consul has no change log), so a fixed interval makes a watch's cost grow with its network:
     * with this, Consul serves and the feed parses about a key per 20 µs at most, a few percent of
     * a core, whatever the size. A network of 50,000 used addresses is then read once a second.
     * Later news of other instances' changes costs only retries: the commit decides.
     */
    static final long PAUSE_NANOS_PER_KEY = 20_000;
    /** The longest wait between reads, however large the prefix. */
    static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    private final ConsulKeyValueStore store;
    private final ConsulHttp http;
    private final String prefix;
    private final long afterRevision;
    private final ConsulKeyValueStore.Snapshot start;
    private final ChangeListener listener;
    /** Whether the listener follows only which keys exist: then each read fetches key names only. */
    private final boolean keysOnly;
    private final long intervalNanos;
    private final String waitParam;
    private final Thread thread;
    private volatile boolean closed;
    private volatile int reads;

    ConsulWatch(ConsulKeyValueStore store, ConsulHttp http, String prefix, long afterRevision, ConsulKeyValueStore.Snapshot start,
            ChangeListener listener, Duration interval, Duration wait) {
        this.store = store;
        this.http = http;
        this.prefix = prefix;
        this.afterRevision = afterRevision;
        this.start = start;
        this.listener = listener;
        this.keysOnly = !listener.wantsValues();
        this.intervalNanos = interval.toNanos();
        this.waitParam = "wait=" + wait.toSeconds() + "s";
        this.thread = new Thread(this::run, "consul-watch " + prefix);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** How many blocking reads the feed has made, for tests of its rate limit. */
    int reads() {
        return reads;
    }

    /** Whether the feed's thread still runs, for tests of close. */
    boolean running() {
        return thread.isAlive();
    }

    /**
     * Stops the feed: no callback starts after this returns (one already running may finish).
     * Returns promptly, also when called from the listener.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Closing the client aborts a blocking read; the interrupt ends a sleep between reads.
        http.close();
        thread.interrupt();
        if (Thread.currentThread() != thread && thread.isAlive()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        store.forget(this);
    }

    private void run() {
        try {
            follow();
        } catch (RuntimeException e) {
            if (!closed) {
                log.error("watch of {} at {} stopped by an unexpected error", prefix, http.baseUrl(), e);
                deliverReset(e);
            }
        } finally {
            http.close();
            store.forget(this);
        }
    }

    private void follow() {
        Map<String, KeyValue> last = byKey(keysOnly ? namesOf(start.entries()) : start.entries());
        long lastIndex = start.index();
        if (start.index() > afterRevision) {
            // The prefix changed between afterRevision and the watch's first read. Changed keys
            // show by their ModifyIndex, but Consul cannot tell which keys were deleted meanwhile.
            List<KeyValue> changed = new ArrayList<>();
            for (KeyValue entry : start.entries()) {
                if (entry.version() > afterRevision) {
                    changed.add(entry);
                }
            }
            changed.sort(Comparator.comparingLong(KeyValue::version));
            for (KeyValue entry : changed) {
                if (closed) {
                    return;
                }
                deliver(() -> listener.onPut(entry.key(), entry.value(), entry.version()));
            }
            deliverReset(new IllegalStateException("keys under " + prefix + " changed after revision " + afterRevision
                    + " before the watch began (Consul index " + start.index() + "); Consul keeps no history to tell which were deleted"));
            return;
        }
        long nextRead = System.nanoTime() + pause(intervalNanos, last.size());
        Duration backoff = FIRST_BACKOFF;
        boolean failing = false;
        while (!closed) {
            if (!sleepUntil(nextRead)) {
                return;
            }
            nextRead = System.nanoTime() + pause(intervalNanos, last.size());
            reads++;
            ConsulKeyValueStore.Snapshot next;
            try {
                // Consul treats index 0 as "answer at once"; 1 still blocks on an empty store.
                List<String> blocking = List.of("index=" + Math.max(1, lastIndex), waitParam);
                next = keysOnly ? ConsulKeyValueStore.readKeys(http, prefix, blocking) : ConsulKeyValueStore.read(http, prefix, blocking);
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                if (!failing) {
                    log.warn("watch of {} cannot read from Consul, retrying: {}", prefix, e.getMessage());
                } else {
                    log.debug("watch of {} still cannot read from Consul: {}", prefix, e.getMessage());
                }
                failing = true;
                nextRead = System.nanoTime() + backoff.toNanos();
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                continue;
            }
            if (failing) {
                log.info("watch of {} reads from Consul again", prefix);
                failing = false;
                backoff = FIRST_BACKOFF;
            }
            if (next.index() < lastIndex) {
                if (byKey(next.entries()).equals(last)) {
                    // Consul reaped the tombstones of keys deleted long ago: the index drops, the
                    // keys are as they were. Block on the lower index from now on.
                    log.debug("watch of {}: index went back from {} to {} with the keys unchanged", prefix, lastIndex, next.index());
                    lastIndex = next.index();
                    continue;
                }
                deliverReset(new IllegalStateException("Consul's index under " + prefix + " went back from " + lastIndex + " to " + next.index()
                        + " and the keys changed: Consul restarted without its data or restored a snapshot"));
                return;
            }
            if (next.index() == lastIndex) {
                continue; // the wait ended without a change
            }
            Map<String, KeyValue> current = byKey(next.entries());
            List<KeyValue> puts = new ArrayList<>();
            for (KeyValue entry : next.entries()) {
                KeyValue before = last.get(entry.key());
                if (before == null || before.version() != entry.version()) {
                    puts.add(entry);
                }
            }
            puts.sort(Comparator.comparingLong(KeyValue::version));
            List<String> deletes = new ArrayList<>();
            for (String key : last.keySet()) {
                if (!current.containsKey(key)) {
                    deletes.add(key);
                }
            }
            deletes.sort(ConsulKeyValueStore.KEY_ORDER);
            long readAt = next.index();
            for (KeyValue entry : puts) {
                if (closed) {
                    return;
                }
                // key names carry no ModifyIndex: the key appeared at most at this read's index
                long revision = keysOnly ? readAt : entry.version();
                deliver(() -> listener.onPut(entry.key(), entry.value(), revision));
            }
            long deletedAt = readAt;
            for (String key : deletes) {
                if (closed) {
                    return;
                }
                // Consul does not say when a key was deleted: its index is somewhere up to this read's.
                deliver(() -> listener.onDelete(key, deletedAt));
            }
            last = current;
            lastIndex = next.index();
        }
    }

    /** The time between two reads when the last one held {@code keys} keys. */
    static long pause(long intervalNanos, int keys) {
        long byKeys = Math.min(keys * PAUSE_NANOS_PER_KEY, MAX_PAUSE.toNanos());
        return Math.max(intervalNanos, byKeys);
    }

    /**
     * Calls the listener. One that throws has missed this change, and if the feed went on, it
     * would believe it is up to date: the feed ends with a reset instead.
     */
    private void deliver(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            log.warn("listener of the watch of {} failed on a change, ending the feed", prefix, e);
            deliverReset(new IllegalStateException("the listener of the watch of " + prefix + " failed on a change: " + e, e));
        }
    }

    /** Ends the feed with the listener's one reset, unless it is over already. */
    private void deliverReset(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            listener.onReset(cause);
        } catch (RuntimeException e) {
            log.warn("listener of the watch of {} failed on reset", prefix, e);
        }
    }

    /** Sleeps until {@code deadline} (a nanoTime); false when the feed was closed meanwhile. */
    private boolean sleepUntil(long deadline) {
        long remaining;
        while (!closed && (remaining = deadline - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(remaining);
            } catch (InterruptedException e) {
                // close() interrupts; the loop condition decides.
            }
        }
        return !closed;
    }

    /** The entries as a key-names read gives them. */
    private static List<KeyValue> namesOf(List<KeyValue> entries) {
        List<KeyValue> names = new ArrayList<>(entries.size());
        for (KeyValue entry : entries) {
            names.add(ConsulKeyValueStore.nameOnly(entry.key()));
        }
        return names;
    }

    private static Map<String, KeyValue> byKey(List<KeyValue> entries) {
        Map<String, KeyValue> map = new HashMap<>(entries.size() * 2);
        for (KeyValue entry : entries) {
            map.put(entry.key(), entry);
        }
        return map;
    }
}
