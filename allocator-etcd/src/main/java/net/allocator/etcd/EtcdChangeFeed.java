package net.allocator.etcd;

import static net.allocator.etcd.EtcdKeys.text;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.ChangeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link net.allocator.core.store.KeyValueStore#watch}: passes a jetcd watch's events to a
 * {@link ChangeListener} until the first sign of trouble, then calls {@link
 * ChangeListener#onReset} once and stops.
 *
 * <p>jetcd would resume a broken watch by itself from the last revision it saw, but it still
 * reports every break to its listener, and a compacted history or a cancelled watch ends it
 * for good. Rather than guess which breaks lost events, every break ends the feed: the
 * listener re-reads and starts a new one, which is always correct.
 */
final class EtcdChangeFeed implements Watch.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EtcdChangeFeed.class);

    private final String description;
    private final ChangeListener listener;
    /** etcd sends values with every event (it has no keys-only watch); decode them only if wanted. */
    private final boolean decodeValues;
    private final BooleanSupplier storeClosed;
    private final AtomicBoolean over = new AtomicBoolean();
    private volatile Watch.Watcher watcher;

    EtcdChangeFeed(String description, ChangeListener listener, BooleanSupplier storeClosed) {
        this.description = description;
        this.listener = listener;
        this.decodeValues = listener.wantsValues();
        this.storeClosed = storeClosed;
    }

    /** Remembers the jetcd watcher to close, which may report an error before this is called. */
    void started(Watch.Watcher watcher) {
        this.watcher = watcher;
        if (over.get()) {
            watcher.close();
        }
    }

    @Override
    public void onNext(WatchResponse response) {
        if (over.get()) {
            return;
        }
        for (WatchEvent event : response.getEvents()) {
            KeyValue kv = event.getKeyValue();
            try {
                switch (event.getEventType()) {
                    case PUT -> listener.onPut(text(kv.getKey()), decodeValues ? text(kv.getValue()) : "", kv.getModRevision());
                    case DELETE -> listener.onDelete(text(kv.getKey()), kv.getModRevision());
                    default -> {
                        end(new StoreUnavailableException(description + " received an event of unknown type " + event.getEventType()));
                        return;
                    }
                }
            } catch (RuntimeException e) {
                // The listener missed this event; if the feed went on, it would believe it is up to date.
                log.warn("{}: the listener failed on an event, ending the feed", description, e);
                end(new StoreUnavailableException(description + ": the listener failed on an event: " + e, e));
                return;
            }
        }
    }

    @Override
    public void onError(Throwable error) {
        String reason = error instanceof CompactedException compacted
                ? "the history it starts from was compacted (compacted up to revision " + compacted.getCompactedRevision() + ")"
                : EtcdErrors.describe(error);
        end(new StoreUnavailableException(description + " broke: " + reason, error));
    }

    @Override
    public void onCompleted() {
        // jetcd also completes a watch that this feed or the store closed; only an unasked-for end is a reset.
        end(new StoreUnavailableException(description + " was ended by etcd or its connection"));
    }

    /** Stops the feed without telling the listener. */
    @Override
    public void close() {
        if (over.compareAndSet(false, true)) {
            closeWatcher();
        }
    }

    private void end(StoreUnavailableException cause) {
        if (!over.compareAndSet(false, true)) {
            return;
        }
        closeWatcher();
        if (storeClosed.getAsBoolean()) {
            return; // the store's owner closed it, and no longer wants changes
        }
        try {
            listener.onReset(cause);
        } catch (RuntimeException e) {
            log.warn("{}: the listener failed on reset", description, e);
        }
    }

    private void closeWatcher() {
        Watch.Watcher current = watcher;
        if (current != null) {
            current.close();
        }
    }
}
