package net.allocator.benchmarks;

import java.util.Arrays;
import java.util.List;

/** Latencies of one caller in nanoseconds, in a growing long[]; merged and sorted for percentiles. */
final class Latencies {
    private long[] values = new long[1 << 14];
    private int count;

    void add(long nanos) {
        if (count == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[count++] = nanos;
    }

    int count() {
        return count;
    }

    /** Every caller's latencies, sorted. */
    static long[] merged(List<Latencies> all) {
        int total = all.stream().mapToInt(Latencies::count).sum();
        long[] out = new long[total];
        int at = 0;
        for (Latencies one : all) {
            System.arraycopy(one.values, 0, out, at, one.count);
            at += one.count;
        }
        Arrays.sort(out);
        return out;
    }

    /** The {@code p}-th percentile (0..100) of sorted values, in milliseconds. */
    static double percentileMillis(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    static double meanMillis(long[] values) {
        return values.length == 0 ? Double.NaN : Arrays.stream(values).average().orElse(0) / 1e6;
    }
}
