package net.allocator.core;

/** A network of that name is already registered; registering never overwrites. */
public class NetworkAlreadyExistsException extends ConflictException {
    private static final long serialVersionUID = 1L;

    public NetworkAlreadyExistsException(String message) {
        super(message);
    }

    public NetworkAlreadyExistsException(String message, Throwable cause) {
        super(message, cause);
    }
}
