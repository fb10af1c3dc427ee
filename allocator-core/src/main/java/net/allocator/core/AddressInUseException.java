package net.allocator.core;

/** The address is held by another owner, or the owner already holds another address of the network. */
public class AddressInUseException extends ConflictException {
    private static final long serialVersionUID = 1L;

    public AddressInUseException(String message) {
        super(message);
    }

    public AddressInUseException(String message, Throwable cause) {
        super(message, cause);
    }
}
