package net.allocator.core;

import java.net.InetAddress;
import java.util.Optional;

/**
 * Which addresses of a network to list: a status filter and a page.
 *
 * @param status only addresses of this status, or all when empty
 * @param after only addresses numerically above this one, or from the first when empty
 * @param limit at most this many, 1 to {@link #MAX_LIMIT}
 */
public record AddressQuery(Optional<AddressStatus> status, Optional<InetAddress> after, int limit) {
    /** The largest page. */
    public static final int MAX_LIMIT = 100_000;

    public AddressQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidInputException("limit must be between 1 and " + MAX_LIMIT + ": " + limit);
        }
    }

    /** All addresses, in pages of {@code limit}. */
    public static AddressQuery all(int limit) {
        return new AddressQuery(Optional.empty(), Optional.empty(), limit);
    }

    /** Only addresses of {@code status}, in pages of {@code limit}. */
    public static AddressQuery only(AddressStatus status, int limit) {
        return new AddressQuery(Optional.of(status), Optional.empty(), limit);
    }

    /** The same query, for the page after {@code address}. */
    public AddressQuery after(InetAddress address) {
        return new AddressQuery(status, Optional.of(address), limit);
    }
}
