package net.allocator.core.store;

import net.allocator.core.StoreUnavailableException;

/**
 * A commit was sent but its answer was lost (timeout, broken connection): it may or may not
 * have been applied. The allocator resolves it by reading back, never by guessing.
 */
public class StoreOutcomeUnknownException extends StoreUnavailableException {
    private static final long serialVersionUID = 1L;

    public StoreOutcomeUnknownException(String message) {
        super(message);
    }

    public StoreOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
