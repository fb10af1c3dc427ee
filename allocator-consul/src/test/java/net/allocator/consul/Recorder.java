package net.allocator.consul;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import net.allocator.core.store.ChangeListener;

/** A listener that records every event of a watch and follows the watched keys' state. */
class Recorder implements ChangeListener {
    /** One delivered event; {@code value} is null for a delete. */
    record Event(String type, String key, String value, long revision, long atNanos) {}

    final List<Event> events = new CopyOnWriteArrayList<>();
    final Map<String, String> state = new ConcurrentHashMap<>();
    final List<Throwable> resets = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    Recorder() {}

    Recorder(Map<String, String> initial) {
        state.putAll(initial);
    }

    @Override
    public void onPut(String key, String value, long revision) {
        threads.add(Thread.currentThread().getName());
        events.add(new Event("put", key, value, revision, System.nanoTime()));
        state.put(key, value);
    }

    @Override
    public void onDelete(String key, long revision) {
        threads.add(Thread.currentThread().getName());
        events.add(new Event("delete", key, null, revision, System.nanoTime()));
        state.remove(key);
    }

    @Override
    public void onReset(Throwable cause) {
        resets.add(cause);
    }

    /** Waits up to {@code seconds} for {@code condition}; true when it held. */
    static boolean await(int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
