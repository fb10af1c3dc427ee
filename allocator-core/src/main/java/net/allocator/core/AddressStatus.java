package net.allocator.core;

/** Whether an address of a pool is held by an owner. */
public enum AddressStatus {
    FREE,
    USED;

    /** The lowercase form used in the REST API: {@code free} or {@code used}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
