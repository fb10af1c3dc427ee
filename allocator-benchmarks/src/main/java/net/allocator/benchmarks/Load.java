package net.allocator.benchmarks;

import java.util.ArrayList;
import java.util.List;
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

    /** What a run measured. */
    record Result(String what, int callers, long calls, double seconds, long[] sorted, long errors, String firstError) {
        double perSecond() {
            return calls / seconds;
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
        String firstError = null;
        long[] all = new long[runs.stream().mapToInt(r -> r.sorted().length).sum()];
        int at = 0;
        for (Result r : runs) {
            calls += r.calls();
            seconds += r.seconds();
            errors += r.errors();
            firstError = firstError != null ? firstError : r.firstError();
            System.arraycopy(r.sorted(), 0, all, at, r.sorted().length);
            at += r.sorted().length;
        }
        java.util.Arrays.sort(all);
        return new Result(first.what(), first.callers(), calls, seconds, all, errors, firstError);
    }

    static Result run(String what, int callers, double seconds, Call call) throws InterruptedException {
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
        window[0] = System.nanoTime();
        window[1] = window[0] + (long) (seconds * 1e9);
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - window[0]) / 1e9;
        long[] sorted = Latencies.merged(latencies);
        long errorCount = 0;
        for (long e : errors) {
            errorCount += e;
        }
        return new Result(what, callers, sorted.length, elapsed, sorted, errorCount, firstError.get());
    }
}
