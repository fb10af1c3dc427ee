package net.allocator.core;

/** The address is not part of the network's pool. */
public class AddressNotFoundException extends AllocatorException {
    private static final long serialVersionUID = 1L;

    public AddressNotFoundException(String message) {
        super(message);
    }

    public AddressNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
