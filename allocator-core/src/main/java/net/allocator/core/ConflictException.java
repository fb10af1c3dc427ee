package net.allocator.core;

/** The request contradicts the current state of the store; nothing was written. */
public abstract class ConflictException extends AllocatorException {
    private static final long serialVersionUID = 1L;

    protected ConflictException(String message) {
        super(message);
    }

    protected ConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
