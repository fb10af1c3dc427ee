package net.allocator.etcd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import net.allocator.core.store.ChangeListener;

/** A {@link ChangeListener} that records what it is told, as text, for tests to wait on and compare. */
class Recorder implements ChangeListener {
    private final String prefix;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final List<Throwable> resets = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Records keys without {@code prefix}, to keep expectations short. */
    Recorder(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public void onPut(String key, String value, long revision) {
        events.add("put " + shorten(key) + "=" + value + " @" + revision);
    }

    @Override
    public void onDelete(String key, long revision) {
        events.add("delete " + shorten(key) + " @" + revision);
    }

    @Override
    public void onReset(Throwable cause) {
        resets.add(cause);
        events.add("reset");
    }

    private String shorten(String key) {
        return key.startsWith(prefix) ? key.substring(prefix.length()) : "FOREIGN " + key;
    }

    /** The next {@code count} events, waiting up to {@code patience} in all; fewer if they do not come. */
    List<String> next(int count, Duration patience) throws InterruptedException {
        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + patience.toNanos();
        while (got.size() < count) {
            String event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (event == null) {
                break;
            }
            got.add(event);
        }
        return got;
    }

    /** Whatever arrives within {@code quiet}. */
    List<String> rest(Duration quiet) throws InterruptedException {
        return next(Integer.MAX_VALUE, quiet);
    }

    List<Throwable> resets() {
        return resets;
    }
}
