package net.allocator.core;

/** The network still has used addresses and removal was not forced. */
public class NetworkInUseException extends ConflictException {
    private static final long serialVersionUID = 1L;

    public NetworkInUseException(String message) {
        super(message);
    }

    public NetworkInUseException(String message, Throwable cause) {
        super(message, cause);
    }
}
