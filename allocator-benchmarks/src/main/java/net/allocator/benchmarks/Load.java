package net.allocator.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a closed-loop load: {@code callers} threads, each calling its operation back to back for
 * a fixed time and recording every call's latency.
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
    record Result(String what, int callers, long calls, double seconds, long[] sorted, long errors, String firstError,
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
            return Latencies.percentileMillis(sorted, 50);
        }

        double p99() {
            return Latencies.percentileMillis(sorted, 99);
        }
    }

    private Load() {}

    /** Several runs of one load as one: their calls over their time, their latencies together. */
    static Result merged(List<Result> runs) {
        Result first = runs.get(0);
        long calls = 0;
        double seconds = 0;
        long errors = 0;
        long clientCpu = 0;
        long serverCpu = 0;
        String firstError = null;
        long[] all = new long[runs.stream().mapToInt(r -> r.sorted().length).sum()];
        int at = 0;
        for (Result r : runs) {
            calls += r.calls();
            seconds += r.seconds();
            errors += r.errors();
            clientCpu += r.clientCpuNanos();
            serverCpu = serverCpu < 0 || r.serverCpuNanos() < 0 ? -1 : serverCpu + r.serverCpuNanos();
            firstError = firstError != null ? firstError : r.firstError();
            System.arraycopy(r.sorted(), 0, all, at, r.sorted().length);
            at += r.sorted().length;
        }
        java.util.Arrays.sort(all);
        return new Result(first.what(), first.callers(), calls, seconds, all, errors, firstError, clientCpu, serverCpu);
    }

    static Result run(String what, int callers, double seconds, Call call) throws InterruptedException {
        return run(what, callers, seconds, call, Optional.empty());
    }

    /** A run that also measures the CPU time of {@code server}, the store's process, when given. */
    static Result run(String what, int callers, double seconds, Call call, Optional<ProcessHandle> server) throws InterruptedException {
        List<Latencies> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long[] errors = new long[callers];
        AtomicReference<String> firstError = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(callers);
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        for (int c = 0; c < callers; c++) {
            Latencies mine = new Latencies();
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
                        mine.add(System.nanoTime() - start);
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
        long[] sorted = Latencies.merged(latencies);
        long errorCount = 0;
        for (long e : errors) {
            errorCount += e;
        }
        return new Result(what, callers, sorted.length, elapsed, sorted, errorCount, firstError.get(), clientCpu, serverCpu);
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** A process's CPU time so far (Linux counts it in 10 ms ticks), or -1 when unknown. */
    private static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }
}
