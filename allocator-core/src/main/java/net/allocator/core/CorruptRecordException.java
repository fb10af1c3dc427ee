package net.allocator.core;

/**
 * The store holds a record under the allocator's keys that the allocator cannot read: written by
 * something else, or damaged. Retrying cannot help (unlike {@link StoreUnavailableException});
 * the record must be repaired or removed by an operator.
 */
public class CorruptRecordException extends AllocatorException {
    private static final long serialVersionUID = 1L;

    public CorruptRecordException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The record at {@code key} could not be read, for {@code cause}. */
    static CorruptRecordException at(String key, Throwable cause) {
        return new CorruptRecordException("the store holds an unreadable record at " + key + ": " + cause.getMessage(), cause);
    }
}
