package net.allocator.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Runs a closed-loop load: {@code callers} threads, each calling its operation back to back for
 * a fixed time and recording every call's latency in an HdrHistogram of its own (constant memory
 * however long the run; merged once the threads have ended).
 */
final class Load {
    /** One caller's operation; {@code caller} is the thread's index, {@code i} its call count. */
    @FunctionalInterface
    interface Call {
        void run(int caller, long i) throws Exception;
    }

    /**
     * What a run measured. The CPU times are this process's and the store server's (when its
     * process is known, else -1) over the run: on a machine whose cores both share, they tell
     * whose work a lower throughput went to.
     */
    record Result(String what, int callers, long calls, double seconds, Histogram latencies, long errors, String firstError,
            long clientCpuNanos, long serverCpuNanos) {
        double perSecond() {
            return calls / seconds;
        }

        double clientCpuMicrosPerCall() {
            return clientCpuNanos / 1e3 / calls;
        }

        /** The server's CPU per call, or empty when its process was not given. */
        java.util.OptionalDouble serverCpuMicrosPerCall() {
            return serverCpuNanos < 0 ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(serverCpuNanos / 1e3 / calls);
        }

        double p50() {
            return percentileMillis(latencies, 50);
        }

        double p99() {
            return percentileMillis(latencies, 99);
        }
    }

    private Load() {}

    /**
     * A histogram of latencies in nanoseconds, to three significant digits (0.1 %), growing its
     * range as needed.
     */
    static Histogram latencyHistogram() {
        return new Histogram(3);
    }

    /** The {@code percentile} (0..100) of recorded nanoseconds, in milliseconds; NaN when nothing was recorded. */
    static double percentileMillis(Histogram nanos, double percentile) {
        return nanos.getTotalCount() == 0 ? Double.NaN : nanos.getValueAtPercentile(percentile) / 1e6;
    }

    /** The mean of recorded nanoseconds, in milliseconds; NaN when nothing was recorded. */
    static double meanMillis(Histogram nanos) {
        return nanos.getTotalCount() == 0 ? Double.NaN : nanos.getMean() / 1e6;
    }

    /** Several runs of one load as one: their calls over their time, their latencies together. */
    static Result merged(List<Result> runs) {
        Result first = runs.get(0);
        long calls = 0;
        double seconds = 0;
        long errors = 0;
        long clientCpu = 0;
        long serverCpu = 0;
        String firstError = null;
        Histogram all = latencyHistogram();
        for (Result r : runs) {
            calls += r.calls();
            seconds += r.seconds();
            errors += r.errors();
            clientCpu += r.clientCpuNanos();
            serverCpu = serverCpu < 0 || r.serverCpuNanos() < 0 ? -1 : serverCpu + r.serverCpuNanos();
            firstError = firstError != null ? firstError : r.firstError();
            all.add(r.latencies());
        }
        return new Result(first.what(), first.callers(), calls, seconds, all, errors, firstError, clientCpu, serverCpu);
    }

    static Result run(String what, int callers, double seconds, Call call) throws InterruptedException {
        return run(what, callers, seconds, call, Optional.empty());
    }

    /** A run that also measures the CPU time of {@code server}, the store's process, when given. */
    static Result run(String what, int callers, double seconds, Call call, Optional<ProcessHandle> server) throws InterruptedException {
        List<Histogram> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long[] errors = new long[callers];
        AtomicReference<String> firstError = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(callers);
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        for (int c = 0; c < callers; c++) {
            // one per thread, read only after join(): no recorder or lock needed
            Histogram mine = latencyHistogram();
            latencies.add(mine);
            int caller = c;
            Thread thread = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long end = window[1];
                long i = 0;
                while (true) {
                    long start = System.nanoTime();
                    if (start >= end) {
                        break;
                    }
                    try {
                        call.run(caller, i++);
                        mine.recordValue(System.nanoTime() - start);
                    } catch (Exception | AssertionError e) {
                        errors[caller]++;
                        firstError.compareAndSet(null, e.toString());
                    }
                }
            }, what + "-" + c);
            threads.add(thread);
            thread.start();
        }
        ready.await();
        long clientCpuBefore = ownCpuNanos();
        long serverCpuBefore = server.map(Load::cpuNanos).orElse(-1L);
        window[0] = System.nanoTime();
        window[1] = window[0] + (long) (seconds * 1e9);
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - window[0]) / 1e9;
        long clientCpu = ownCpuNanos() - clientCpuBefore;
        long serverCpuAfter = server.map(Load::cpuNanos).orElse(-1L);
        long serverCpu = serverCpuBefore < 0 || serverCpuAfter < 0 ? -1 : serverCpuAfter - serverCpuBefore;
        Histogram all = latencyHistogram();
        latencies.forEach(all::add);
        long errorCount = 0;
        for (long e : errors) {
            errorCount += e;
        }
        return new Result(what, callers, all.getTotalCount(), elapsed, all, errorCount, firstError.get(), clientCpu, serverCpu);
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** A process's CPU time so far (Linux counts it in 10 ms ticks), or -1 when unknown. */
    private static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }
}
