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

    /**
     * The network {@code name} is not registered (any more): the one wording of this answer, for
     * core and for adapters that find it out themselves.
     */
    public static NetworkNotFoundException notRegistered(String name) {
        return new NetworkNotFoundException("network '" + name + "' is not registered");
    }

    /** The network {@code name} is being removed: nothing more is allocated or released in it. */
    static NetworkNotFoundException beingRemoved(String name) {
        return new NetworkNotFoundException("network '" + name + "' is being removed");
    }
}
