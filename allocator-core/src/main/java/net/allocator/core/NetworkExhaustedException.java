package net.allocator.core;

/** Every address of the network's pool is used: an authoritative read found no free address. */
public class NetworkExhaustedException extends ConflictException {
    private static final long serialVersionUID = 1L;

    public NetworkExhaustedException(String message) {
        super(message);
    }

    public NetworkExhaustedException(String message, Throwable cause) {
        super(message, cause);
    }
}
