package net.allocator.inmemory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.ChangeListener;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;
import net.allocator.core.store.StoreClient;

/**
 * A {@link KeyValueStore} in this process's memory: the store for tests and demos
 * (the REST service runs it with {@code --store inmemory}). Every operation takes one lock, so
 * each is linearizable; several allocators in one process may share one instance, or each take a
 * {@link #client()} of it. Nothing survives the process.
 *
 * <p>A commit only queues its changes for the change feeds; {@link InMemoryChangeFeeds} delivers
 * them after the commit, off the committer's thread and outside the lock.
 */
public final class InMemoryKeyValueStore implements KeyValueStore {
    /** How many recent changes a new watch can replay (a power of two). */
    private static final int HISTORY = 65_536;

    /**
     * How many written keys may wait before the sorted map is brought up to date without a scan:
     * bounds the extra memory while a scan-free workload (allocate, release) runs.
     */
    private static final int MAX_UNSORTED = 16_384;

    private final Object lock = new Object();
    /** The slots a commit's conditions found, for its writes: used under the lock only. */
    private final Slot[] conditionSlots = new Slot[4];
    /**
     * Every key, for point reads and conditions in O(1) whatever the store's size, and, until the
     * next sort, the keys deleted since the last one (as slots without a value).
     */
    private final HashMap<String, Slot> index = new HashMap<>();
    /**
     * The keys in order, for scans, as of the last sort. Only scans need the order, so a write
     * leaves it to the next scan ({@link #unsorted}): in a network of millions of keys, a tree
     * insert or removal on every write would cost more than the rest of an allocation, and an
     * address allocated and released in between never reaches the tree.
     */
    private final TreeMap<String, Slot> sorted = new TreeMap<>();
    /** The slots whose key was created or deleted since the last sort, each once. */
    private ArrayList<Slot> unsorted = new ArrayList<>();
    private int size;
    private final History history = new History();
    private final InMemoryChangeFeeds feeds = new InMemoryChangeFeeds(lock);
    private long revision;
    private volatile boolean closed;


    /**
     * One key, its value and version, and its place in the index and the tree: a key rewritten,
     * or deleted and created again, keeps its slot, so most writes touch no map at all.
     */
    private static final class Slot {
        final String key;
        /** The current value, or null while the key is deleted. */
        String value;
        long version;
        boolean inTree;
        boolean unsorted;
        /** Removed from the index: a later write of the key takes a new slot. */
        boolean dropped;

        Slot(String key) {
            this.key = key;
        }

        KeyValue current() {
            return value == null ? null : new KeyValue(key, value, version);
        }
    }

    @Override
    public Optional<KeyValue> get(String key) {
        synchronized (lock) {
            checkOpen();
            return Optional.ofNullable(current(key));
        }
    }

    @Override
    public ScanPage scan(String prefix, String startAfter, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        synchronized (lock) {
            checkOpen();
            sortWritten();
            NavigableMap<String, Slot> range = startAfter == null || startAfter.compareTo(prefix) < 0
                    ? sorted.tailMap(prefix, true)
                    : sorted.tailMap(startAfter, false);
            List<KeyValue> page = new ArrayList<>(Math.min(limit, 1024));
            boolean more = false;
            for (Slot slot : range.values()) {
                if (!slot.key.startsWith(prefix)) {
                    break;
                }
                if (page.size() == limit) {
                    more = true;
                    break;
                }
                page.add(slot.current());
            }
            return new ScanPage(page, more, revision);
        }
    }

    /** Counts the keys in the map, making no entry for them. */
    @Override
    public long count(String prefix) {
        synchronized (lock) {
            checkOpen();
            sortWritten();
            long counted = 0;
            for (Slot slot : sorted.tailMap(prefix, true).values()) {
                if (!slot.key.startsWith(prefix)) {
                    break;
                }
                if (slot.value != null) {
                    counted++;
                }
            }
            return counted;
        }
    }

    @Override
    public boolean commit(List<Condition> conditions, List<Operation> operations) {
        return commitVersioned(conditions, operations) != NOT_APPLIED;
    }

    /** @return the commit's revision, which is the version of every key it wrote, or {@link #NOT_APPLIED} */
    @Override
    public long commitVersioned(List<Condition> conditions, List<Operation> operations) {
        long applied;
        boolean deliver;
        synchronized (lock) {
            applied = apply(conditions, operations);
            deliver = feeds.claimDelivery();
        }
        if (deliver) {
            feeds.startDelivery(); // outside the lock: the task takes it at once
        }
        return applied;
    }

    /** The commit itself, under the lock: every operation or none, and its changes queued for the feeds. */
    private long apply(List<Condition> conditions, List<Operation> operations) {
        checkOpen();
        // indexed loops: iterators are allocated on every commit otherwise
        Slot[] checked = conditions.size() <= conditionSlots.length ? conditionSlots : new Slot[conditions.size()];
        for (int i = 0; i < conditions.size(); i++) {
            Condition condition = conditions.get(i);
            Slot current = index.get(condition.key());
            checked[i] = current;
            boolean exists = current != null && current.value != null;
            boolean holds = condition instanceof Condition.AtVersion at
                    ? exists && current.version == at.version()
                    : !exists;
            if (!holds) {
                return NOT_APPLIED;
            }
        }
        long at = ++revision;
        for (int i = 0; i < operations.size(); i++) {
            Operation operation = operations.get(i);
            if (operation instanceof Operation.Put put) {
                Slot slot = slotOf(put.key(), conditions, checked);
                if (slot == null) {
                    slot = new Slot(put.key());
                    index.put(put.key(), slot);
                }
                boolean created = slot.value == null;
                slot.value = put.value();
                slot.version = at;
                if (created) {
                    size++;
                    written(slot); // after the value is set: this may sort, and keeps only slots with values
                }
                record(put.key(), put.value(), at);
            } else if (operation instanceof Operation.Delete delete) {
                Slot slot = slotOf(delete.key(), conditions, checked);
                if (slot != null && slot.value != null) {
                    slot.value = null;
                    size--;
                    written(slot);
                    record(delete.key(), null, at);
                }
            } else if (operation instanceof Operation.DeletePrefix deletePrefix) {
                sortWritten();
                NavigableMap<String, Slot> doomed = sorted.subMap(deletePrefix.prefix(), true,
                        deletePrefix.prefix() + Character.MAX_VALUE, true);
                for (Slot slot : List.copyOf(doomed.values())) {
                    sorted.remove(slot.key);
                    index.remove(slot.key);
                    slot.dropped = true;
                    size--;
                    record(slot.key, null, at);
                }
            }
        }
        return at;
    }

    /**
     * The slot of a key a condition of this commit has just looked up (the same key object, as
     * a caller that checks a key and then writes it passes), unless an earlier write of this
     * commit dropped it from the index; else the index's. An allocation and a release each check
     * and write the same keys, and looking them up again cost a tenth of an allocate+release.
     */
    private Slot slotOf(String key, List<Condition> conditions, Slot[] checked) {
        for (int i = 0; i < conditions.size(); i++) {
            if (conditions.get(i).key() == key && checked[i] != null && !checked[i].dropped) {
                return checked[i];
            }
        }
        return index.get(key);
    }

    private KeyValue current(String key) {
        Slot slot = index.get(key);
        return slot == null ? null : slot.current();
    }

    private void written(Slot slot) {
        if (!slot.unsorted) {
            slot.unsorted = true;
            unsorted.add(slot);
            if (unsorted.size() > MAX_UNSORTED) {
                sortWritten();
            }
        }
    }

    /** Brings the sorted map up to date with the keys created and deleted since it last was. */
    private void sortWritten() {
        for (Slot slot : unsorted) {
            slot.unsorted = false;
            if (slot.value == null) {
                if (slot.inTree) {
                    sorted.remove(slot.key);
                    slot.inTree = false;
                }
                index.remove(slot.key);
                slot.dropped = true;
            } else if (!slot.inTree) {
                sorted.put(slot.key, slot);
                slot.inTree = true;
            }
        }
        // clear() walks the whole array, which a large batch has grown: start small again instead
        unsorted = unsorted.size() > 1024 ? new ArrayList<>() : unsorted;
        unsorted.clear();
    }

    /** A change: kept for replays, and queued for the feeds, which deliver it after the commit. */
    private void record(String key, String value, long at) {
        history.add(key, value, at);
        if (feeds.active()) {
            feeds.queue(key, value, at);
        }
    }

    /**
     * The latest {@link #HISTORY} changes, oldest first, in three parallel rings rather than an
     * object per change: four changes are recorded per allocate+release.
     */
    private static final class History {
        private static final int MASK = HISTORY - 1;
        private final String[] keys = new String[HISTORY];
        private final String[] values = new String[HISTORY]; // null for a deletion
        private final long[] revisions = new long[HISTORY];
        private int oldest;
        private int size;
        /**
         * The revision of the latest change dropped, or -1. A commit records one change per key,
         * and the ring drops them one at a time, so the oldest revision kept may be missing some
         * of its changes: only a watch after this revision can be replayed whole.
         */
        private long forgotten = -1;

        void add(String key, String value, long revision) {
            int at = (oldest + size) & MASK;
            if (size == HISTORY) {
                forgotten = revisions[at];
                oldest = (oldest + 1) & MASK; // overwrites the oldest
            } else {
                size++;
            }
            keys[at] = key;
            values[at] = value;
            revisions[at] = revision;
        }

        /** Whether every change after {@code afterRevision} is still kept. */
        boolean keepsAllAfter(long afterRevision) {
            return afterRevision >= forgotten;
        }

        /** The changes under {@code prefix} after {@code afterRevision}, oldest first. */
        InMemoryChangeFeeds.Changes after(long afterRevision, String prefix) {
            InMemoryChangeFeeds.Changes changes = new InMemoryChangeFeeds.Changes();
            for (int i = 0; i < size; i++) {
                int at = (oldest + i) & MASK;
                if (revisions[at] > afterRevision && keys[at].startsWith(prefix)) {
                    changes.add(keys[at], values[at], revisions[at]);
                }
            }
            return changes;
        }
    }

    /**
     * Replays the last {@value #HISTORY} changes at most; a feed from further back starts with a
     * reset. Changes arrive on a thread of {@link InMemoryChangeFeeds}, in commit order.
     */
    @Override
    public Optional<AutoCloseable> watch(String prefix, long afterRevision, ChangeListener listener) {
        AutoCloseable feed;
        boolean deliver;
        synchronized (lock) {
            checkOpen();
            feed = history.keepsAllAfter(afterRevision)
                    ? feeds.add(prefix, listener, revision, history.after(afterRevision, prefix), null)
                    : feeds.add(prefix, listener, revision, null,
                            new IllegalStateException("changes after revision " + afterRevision + " are forgotten"));
            deliver = feeds.claimDelivery();
        }
        if (deliver) {
            feeds.startDelivery();
        }
        return Optional.of(feed);
    }

    @Override
    public void ping() {
        checkOpen();
    }

    @Override
    public String describe() {
        return "in-memory";
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            feeds.close();
        }
    }

    /** How many keys the store holds. */
    public int size() {
        synchronized (lock) {
            return size;
        }
    }

    /** A copy of every key and value, for tests that compare the store before and after. */
    public Map<String, String> dump() {
        synchronized (lock) {
            Map<String, String> out = new TreeMap<>();
            index.forEach((key, slot) -> {
                if (slot.value != null) {
                    out.put(key, slot.value);
                }
            });
            return out;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreUnavailableException("the in-memory store is closed");
        }
    }

    /**
     * Another client of this store, as an allocator in another process would have its own: it
     * sees the same keys, and closing it ends the feeds opened through it and refuses its later
     * calls, while the store stays open for its other clients.
     */
    public KeyValueStore client() {
        return new StoreClient(this);
    }
}
