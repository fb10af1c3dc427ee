package net.allocator.core;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The addresses a network hands out: sorted, disjoint, non-adjacent ranges, so a /8 or an IPv6
 * /64 costs a few objects, not one per address. The network and broadcast addresses and the
 * gateway are already removed.
 */
public final class AddressPool {
    private final List<AddressRange> ranges;
    private final BigInteger size;

    private AddressPool(List<AddressRange> ranges) {
        this.ranges = List.copyOf(ranges);
        this.size = ranges.stream().map(AddressRange::size).reduce(BigInteger.ZERO, BigInteger::add);
    }

    /**
     * A pool of the given ranges, which must not overlap, minus the {@code excluded} addresses
     * (network, broadcast, gateway).
     *
     * @throws InvalidInputException when two ranges overlap
     */
    static AddressPool of(List<AddressRange> given, List<BigInteger> excluded) {
        List<AddressRange> sorted = new ArrayList<>(given);
        Collections.sort(sorted);
        List<AddressRange> merged = new ArrayList<>();
        for (AddressRange range : sorted) {
            if (!merged.isEmpty()) {
                AddressRange previous = merged.get(merged.size() - 1);
                if (range.first().compareTo(previous.last()) <= 0) {
                    throw new InvalidInputException("addresses are listed twice: " + previous + " overlaps " + range);
                }
                if (range.first().equals(previous.last().add(BigInteger.ONE))) {
                    merged.set(merged.size() - 1, new AddressRange(previous.first(), range.last(), range.ipv6()));
                    continue;
                }
            }
            merged.add(range);
        }
        for (BigInteger hole : excluded) {
            merged = without(merged, hole);
        }
        return new AddressPool(merged);
    }

    private static List<AddressRange> without(List<AddressRange> ranges, BigInteger hole) {
        List<AddressRange> out = new ArrayList<>(ranges.size() + 1);
        for (AddressRange range : ranges) {
            if (!range.contains(hole)) {
                out.add(range);
                continue;
            }
            if (range.first().compareTo(hole) < 0) {
                out.add(new AddressRange(range.first(), hole.subtract(BigInteger.ONE), range.ipv6()));
            }
            if (hole.compareTo(range.last()) < 0) {
                out.add(new AddressRange(hole.add(BigInteger.ONE), range.last(), range.ipv6()));
            }
        }
        return out;
    }

    /** The ranges, ascending. */
    public List<AddressRange> ranges() {
        return ranges;
    }

    /** How many addresses the pool holds. */
    public BigInteger size() {
        return size;
    }

    /** Whether the pool holds the address number. */
    public boolean contains(BigInteger number) {
        int index = rangeIndexAtOrAfter(number);
        return index < ranges.size() && ranges.get(index).contains(number);
    }

    /** The lowest pool address at or above {@code number}, if any. */
    public Optional<BigInteger> firstAtOrAfter(BigInteger number) {
        int index = rangeIndexAtOrAfter(number);
        if (index >= ranges.size()) {
            return Optional.empty();
        }
        AddressRange range = ranges.get(index);
        return Optional.of(range.first().max(number));
    }

    /** The index of the first range whose last address is at or above {@code number}. */
    private int rangeIndexAtOrAfter(BigInteger number) {
        int low = 0;
        int high = ranges.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (ranges.get(mid).last().compareTo(number) < 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** The addresses this pool and {@code other} both hold. */
    public AddressPool intersection(AddressPool other) {
        List<AddressRange> common = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < ranges.size() && j < other.ranges.size()) {
            AddressRange a = ranges.get(i);
            AddressRange b = other.ranges.get(j);
            BigInteger first = a.first().max(b.first());
            BigInteger last = a.last().min(b.last());
            if (first.compareTo(last) <= 0) {
                common.add(new AddressRange(first, last, a.ipv6()));
            }
            if (a.last().compareTo(b.last()) < 0) {
                i++;
            } else {
                j++;
            }
        }
        return new AddressPool(common);
    }

    /** Whether every address of this pool is in {@code other}. */
    public boolean isWithin(AddressPool other) {
        return intersection(other).equals(this);
    }

    /** The text form of each range, as accepted on registration. */
    public List<String> toSpecs() {
        return ranges.stream().map(AddressRange::toString).toList();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AddressPool pool && pool.ranges.equals(ranges);
    }

    @Override
    public int hashCode() {
        return ranges.hashCode();
    }

    @Override
    public String toString() {
        return ranges.size() <= 8 ? ranges.toString() : ranges.subList(0, 8) + "… (" + ranges.size() + " ranges)";
    }
}
