package net.allocator.core;

/** No network of that name is registered. */
public class NetworkNotFoundException extends AllocatorException {
    private static final long serialVersionUID = 1L;

    public NetworkNotFoundException(String message) {
        super(message);
    }

    public NetworkNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
