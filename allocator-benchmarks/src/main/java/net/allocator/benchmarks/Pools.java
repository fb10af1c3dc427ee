package net.allocator.benchmarks;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import net.allocator.core.IpAddresses;
import net.allocator.core.Network;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;

/**
 * The networks the benchmarks allocate in, and a fast way to fill them: writing the address and
 * owner keys of the documented key layout ({@code net.allocator.core.KeyLayout}) straight into
 * the store in large batches, instead of one allocation per address. Only the allocator's own
 * keys are written; the allocator then loads them like any other allocator's claims.
 */
final class Pools {
    /** The key prefix of every benchmark allocator ({@code AllocatorOptions.defaults()}). */
    static final String PREFIX = "allocator";

    private Pools() {}

    /** A network shape by short name: {@code v4-24}, {@code v4-20}, {@code v4-16}, {@code v4-8}, {@code v6-64}. */
    static Network network(String shape, String name) {
        return switch (shape) {
            case "v4-24" -> ipv4(name, "10.1.0.0", 24);
            case "v4-20" -> ipv4(name, "10.2.0.0", 20);
            case "v4-16" -> ipv4(name, "10.3.0.0", 16);
            case "v4-8" -> ipv4(name, "10.0.0.0", 8);
            case "v6-64" -> Network.builder().name(name).network("fd00:0:0:1::/64").gateway("fd00:0:0:1::1")
                    .addresses(List.of("fd00:0:0:1::/64")).build();
            default -> throw new IllegalArgumentException("unknown network shape " + shape);
        };
    }

    private static Network ipv4(String name, String base, int prefix) {
        return Network.builder().name(name).network(base + "/" + prefix).gateway(gatewayOf(base))
                .addresses(List.of(base + "/" + prefix)).build();
    }

    private static String gatewayOf(String base) {
        return base.substring(0, base.lastIndexOf('.')) + ".1";
    }

    /** How many addresses the pool hands out, capped at {@link Long#MAX_VALUE}. */
    static long size(Network network) {
        BigInteger size = network.pool().size();
        return size.bitLength() < 63 ? size.longValue() : Long.MAX_VALUE;
    }

    /**
     * Marks {@code count} addresses of the pool used by writing their keys directly, in batches
     * of 10,000 keys per commit. {@code packed}: the lowest {@code count} addresses (what
     * allocation produces); otherwise spread evenly over the pool, so the free ones are scattered
     * and the allocator's candidate view holds one run per free gap.
     *
     * @return the number of addresses written
     */
    static long fill(KeyValueStore store, Network network, long count, boolean packed) {
        if (count <= 0) {
            return 0;
        }
        long size = size(network);
        String name = network.name();
        String addresses = PREFIX + "/addresses/" + name + "/";
        String owners = PREFIX + "/owners/" + name + "/fill/";
        // One shared, valid record: nothing reads these back except a scan, which only parses keys.
        String record = "{\"address\":\"0.0.0.0\",\"cluster\":\"fill\",\"node\":\"fill\",\"claimedAt\":\"2024-01-01T00:00:00Z\"}";
        List<Operation> batch = new ArrayList<>(10_000);
        long written = 0;
        double stride = (double) size / count;
        PoolCursor cursor = new PoolCursor(network);
        for (long i = 0; i < count; i++) {
            long index = packed ? i : (long) Math.floor(i * stride);
            String hex = IpAddresses.toKey(cursor.numberAt(index), network.ipv6());
            batch.add(Operation.put(addresses + hex, record));
            batch.add(Operation.put(owners + hex, record));
            written++;
            if (batch.size() >= 10_000) {
                store.commit(List.of(), batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            store.commit(List.of(), batch);
        }
        return written;
    }

    /** Maps an index into the pool (0 = lowest address) to the address number, across ranges. */
    static final class PoolCursor {
        private final List<net.allocator.core.AddressRange> ranges;
        private final long[] starts;

        PoolCursor(Network network) {
            ranges = network.pool().ranges();
            starts = new long[ranges.size()];
            long offset = 0;
            for (int i = 0; i < ranges.size(); i++) {
                starts[i] = offset;
                BigInteger size = ranges.get(i).size();
                offset = size.bitLength() < 62 ? offset + size.longValue() : Long.MAX_VALUE / 2;
            }
        }

        BigInteger numberAt(long index) {
            int i = ranges.size() - 1;
            while (i > 0 && starts[i] > index) {
                i--;
            }
            return ranges.get(i).first().add(BigInteger.valueOf(index - starts[i]));
        }
    }
}
