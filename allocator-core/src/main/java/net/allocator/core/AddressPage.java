package net.allocator.core;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * A page of addresses in numeric order.
 *
 * @param addresses the addresses of this page
 * @param next when more may follow: the last address of this page, to pass as the next query's
 *     {@code after}
 */
public record AddressPage(List<AddressState> addresses, Optional<InetAddress> next) {
    public AddressPage {
        addresses = List.copyOf(addresses);
    }
}
