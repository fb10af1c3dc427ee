package net.allocator.core;

/**
 * The root of every error the allocator reports. Each subclass names one situation a caller can
 * act on; all are unchecked.
 */
public abstract class AllocatorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected AllocatorException(String message) {
        super(message);
    }

    protected AllocatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
