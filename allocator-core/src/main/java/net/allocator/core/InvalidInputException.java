package net.allocator.core;

/** An argument is malformed or breaks a rule (bad name, address outside the network, …); nothing was written. */
public class InvalidInputException extends AllocatorException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
