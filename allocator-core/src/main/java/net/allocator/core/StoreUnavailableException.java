package net.allocator.core;

/** The store could not be reached, or did not answer within its timeout, or answered with an error. The operation may be retried; allocation is idempotent per owner, so a retry never leaks an address. */
public class StoreUnavailableException extends AllocatorException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
