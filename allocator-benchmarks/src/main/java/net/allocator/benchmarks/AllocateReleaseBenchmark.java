package net.allocator.benchmarks;

import java.util.concurrent.TimeUnit;
import net.allocator.core.Allocator;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The headline in-memory figure: one thread allocating and releasing in an empty /16, the same
 * workload as go-ipam's {@code BenchmarkAcquireIP} (196,687 pairs/s for its in-memory store).
 * One operation is one {@link Allocator#allocate} plus one {@link Allocator#release}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class AllocateReleaseBenchmark extends AllocateReleaseState {
    @Override
    protected String shape() {
        return "v4-16";
    }
}
