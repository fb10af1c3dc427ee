package net.allocator.core.store;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.allocator.core.StoreUnavailableException;

/**
 * Another client of a store that lives in this process, as an allocator in another process would
 * have its own: it sees the same keys and commits through the same store, and closing it ends the
 * feeds opened through it and refuses its later calls, while the store stays open for its other
 * clients. A store offers these from a {@code client()} method; whoever opened the store closes it.
 *
 * <p>Thread-safe when the store is.
 */
public final class StoreClient extends ForwardingKeyValueStore {
    private final KeyValueStore store;
    private final Set<AutoCloseable> openFeeds = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** A client of {@code store}, open until {@link #close}. */
    public StoreClient(KeyValueStore store) {
        this.store = requireNonNull(store, "store");
    }

    @Override
    protected KeyValueStore delegate() {
        if (closed) {
            throw new StoreUnavailableException("this client of " + store.describe() + " is closed");
        }
        return store;
    }

    @Override
    public Optional<AutoCloseable> watch(String prefix, long afterRevision, ChangeListener listener) {
        Optional<AutoCloseable> opened = delegate().watch(prefix, afterRevision, listener);
        if (opened.isEmpty()) {
            return opened;
        }
        AutoCloseable feed = opened.get();
        AutoCloseable handle = new AutoCloseable() {
            @Override
            public void close() throws Exception {
                openFeeds.remove(this);
                feed.close();
            }
        };
        openFeeds.add(handle);
        if (closed) {
            closeFeeds(); // the client closed while this feed began
        }
        return Optional.of(handle);
    }

    @Override
    public String describe() {
        return store.describe();
    }

    /** Ends the feeds opened through this client and refuses its later calls; the store stays open. */
    @Override
    public void close() {
        closed = true;
        closeFeeds();
    }

    private void closeFeeds() {
        for (AutoCloseable feed : openFeeds) {
            try {
                feed.close();
            } catch (Exception e) {
                throw new IllegalStateException("a feed's close failed", e);
            }
        }
    }
}
