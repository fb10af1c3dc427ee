package net.allocator.core;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.ScanPage;

/**
 * {@link AddressAllocator#show} and {@link AddressAllocator#list}: addresses read from the store,
 * never from a cached view, merging the pool's free addresses with the used ones a page at a
 * time. Thread-safe.
 */
final class AddressListing {
    private final KeyValueStore store;
    private final KeyLayout keys;
    private final NetworkCache networks;

    AddressListing(KeyValueStore store, KeyLayout keys, NetworkCache networks) {
        this.store = store;
        this.keys = keys;
        this.networks = networks;
    }

    /** See {@link AddressAllocator#show}. */
    AddressState show(String network, InetAddress address) {
        PoolMembership.numberOf(networks.require(network), address);
        return store.get(keys.addressKey(network, address))
                .map(kv -> StoredRecords.decodeAddress(kv.value(), kv.key()))
                .orElseGet(() -> AddressState.free(address));
    }

    /** See {@link AddressAllocator#list(String, AddressQuery)}. */
    AddressPage list(String network, AddressQuery query) {
        requireNonNull(query, "query");
        Network known = networks.require(network);
        if (query.after().isPresent() && IpAddresses.isIpv6(query.after().get()) != known.ipv6()) {
            throw new InvalidInputException("after " + IpAddresses.format(query.after().get())
                    + " is not of the network's family (" + (known.ipv6() ? "IPv6" : "IPv4") + ")");
        }
        boolean wantFree = query.status().map(s -> s == AddressStatus.FREE).orElse(true);
        boolean wantUsed = query.status().map(s -> s == AddressStatus.USED).orElse(true);
        String afterKey = query.after().map(a -> keys.addressKey(network, a)).orElse(null);
        UsedCursor usedAddresses = new UsedCursor(keys.addressesPrefix(network), afterKey);
        List<AddressState> out = new ArrayList<>();

        if (!wantFree) {
            while (out.size() < query.limit() && usedAddresses.hasNext()) {
                out.add(usedAddresses.next());
            }
            boolean more = usedAddresses.hasNext();
            return new AddressPage(out, more ? Optional.of(out.get(out.size() - 1).address()) : Optional.empty());
        }
        BigInteger cursor = query.after().map(a -> IpAddresses.toNumber(a).add(BigInteger.ONE)).orElse(BigInteger.ZERO);
        while (out.size() < query.limit()) {
            Optional<BigInteger> next = known.pool().firstAtOrAfter(cursor);
            if (next.isEmpty()) {
                break;
            }
            BigInteger number = next.get();
            AddressState usedHere = usedAddresses.takeIfAt(number);
            if (usedHere == null) {
                out.add(AddressState.free(IpAddresses.fromNumber(number, known.ipv6())));
            } else if (wantUsed) {
                out.add(usedHere);
            }
            cursor = number.add(BigInteger.ONE);
        }
        boolean more = out.size() == query.limit() && known.pool().firstAtOrAfter(cursor).isPresent();
        return new AddressPage(out, more ? Optional.of(out.get(out.size() - 1).address()) : Optional.empty());
    }

    /** Reads the used addresses of a network in key order, a page at a time. */
    private final class UsedCursor implements Iterator<AddressState> {
        private final String prefix;
        private String after;
        private Iterator<KeyValue> page = Collections.emptyIterator();
        private boolean more = true;
        private AddressState peeked;

        UsedCursor(String prefix, String after) {
            this.prefix = prefix;
            this.after = after;
        }

        @Override
        public boolean hasNext() {
            if (peeked != null) {
                return true;
            }
            if (!page.hasNext() && more) {
                ScanPage next = store.scan(prefix, after, store.preferredScanLimit());
                page = next.entries().iterator();
                more = next.more() && !next.entries().isEmpty();
            }
            if (!page.hasNext()) {
                return false;
            }
            KeyValue kv = page.next();
            after = kv.key();
            peeked = StoredRecords.decodeAddress(kv.value(), kv.key());
            return true;
        }

        @Override
        public AddressState next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            AddressState out = peeked;
            peeked = null;
            return out;
        }

        /** The used address {@code number}, consumed, or null when it is free. */
        AddressState takeIfAt(BigInteger number) {
            while (hasNext()) {
                int order = IpAddresses.toNumber(peeked.address()).compareTo(number);
                if (order > 0) {
                    return null;
                }
                AddressState current = next();
                if (order == 0) {
                    return current;
                }
            }
            return null;
        }
    }
}
