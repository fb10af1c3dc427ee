package net.allocator.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Releases all threads at once from one latch and collects every failure. */
public final class ConcurrentHarness {
    /** The work of one thread, told its index. */
    @FunctionalInterface
    public interface Task {
        void run(int index) throws Exception;
    }

    private ConcurrentHarness() {}

    /** Runs {@code task} on {@code threads} threads started together; returns what they threw. */
    public static List<Throwable> run(int threads, Task task) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int index = i;
            futures.add(pool.submit(() -> {
                ready.countDown();
                start.await();
                task.run(index);
                return null;
            }));
        }
        ready.await();
        start.countDown();
        List<Throwable> failures = new ArrayList<>();
        try {
            for (Future<?> future : futures) {
                try {
                    future.get(5, TimeUnit.MINUTES);
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause());
                } catch (TimeoutException e) {
                    failures.add(e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return failures;
    }
}
