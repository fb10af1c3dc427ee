package net.allocator.core.store;

/**
 * Receives the changes of a {@link KeyValueStore#watch}, in the order the store made them, on a
 * thread of the store's: never the committer's thread, and never while the store holds a lock
 * another client's commit needs. Calls must return quickly and not call the store (the thread may
 * be the client's network thread). A call that throws ends the feed with exactly one
 * {@link #onReset}; after the feed's handle or its store is closed, no call starts, not even
 * {@code onReset}.
 */
public interface ChangeListener {

    /** {@code key} was created or changed to {@code value} at store revision {@code revision}. */
    void onPut(String key, String value, long revision);

    /** {@code key} was deleted at store revision {@code revision}. */
    void onDelete(String key, long revision);

    /**
     * The feed lost track (compacted history, broken connection, this listener threw): changes
     * may have been missed, and the listener must re-read what it depends on. The feed itself is
     * over, and this is its last call; the listener may start a new one.
     */
    void onReset(Throwable cause);

    /**
     * Whether this listener needs values, or only which keys exist. A listener answering {@code
     * false} may get an empty value in {@link #onPut}, no {@code onPut} for a key written again
     * while it existed, and nothing at all for a key deleted and written again between two of the
     * store's reads (the key exists before and after); a store may then follow far more cheaply
     * (Consul reads the key names under the prefix instead of every record).
     */
    default boolean wantsValues() {
        return true;
    }
}
