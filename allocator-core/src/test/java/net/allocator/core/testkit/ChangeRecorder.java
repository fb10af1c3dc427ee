package net.allocator.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import net.allocator.core.store.ChangeListener;

/**
 * A {@link ChangeListener} for tests: records everything its feed tells it, and on which thread,
 * follows the watched keys' state, and waits (with Awaitility) for what a test expects. Its
 * changes read as text with the prefix left out ({@code "put w/a=1 @7"}, {@code "delete w/a @8"},
 * {@code "reset"}), to keep expectations short.
 */
public class ChangeRecorder implements ChangeListener {
    /** How long a wait for a feed lasts before the test fails. */
    public static final Duration PATIENCE = Duration.ofSeconds(20);

    /** What a feed can tell. */
    public enum Kind { PUT, DELETE, RESET }

    /**
     * One thing the feed told, on {@code thread}: {@code value} is null but for a put, {@code
     * cause} but for a reset.
     */
    public record Change(Kind kind, String key, String value, long revision, Throwable cause, Thread thread) {}

    private final String prefix;
    private final boolean wantsValues;
    /** Not copy-on-write: a replay may bring tens of thousands of changes. */
    private final List<Change> changes = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> state = new ConcurrentHashMap<>();
    private volatile Consumer<String> onEachPut = key -> {};

    /** A recorder of a feed of keys under {@code prefix} with their values. */
    public ChangeRecorder(String prefix) {
        this(prefix, true);
    }

    private ChangeRecorder(String prefix, boolean wantsValues) {
        this.prefix = prefix;
        this.wantsValues = wantsValues;
    }

    /** A recorder that tells the store it needs only which keys exist ({@link #wantsValues()} false). */
    public static ChangeRecorder keysOnly(String prefix) {
        return new ChangeRecorder(prefix, false);
    }

    /** Starts the followed state from what a read before the watch returned. */
    public ChangeRecorder startingFrom(Map<String, String> initial) {
        state.putAll(initial);
        return this;
    }

    /**
     * Runs {@code action} with the key of every put, after recording it, on the feed's thread: a
     * test's way to make the listener throw or block.
     */
    public ChangeRecorder whenPut(Consumer<String> action) {
        this.onEachPut = action;
        return this;
    }

    /** Makes every put throw, after recording it, as a listener with a bug would. */
    public ChangeRecorder failingOnPut() {
        return whenPut(key -> {
            throw new IllegalStateException("listener failure (expected by the test) on " + key);
        });
    }

    @Override
    public void onPut(String key, String value, long revision) {
        changes.add(new Change(Kind.PUT, key, value, revision, null, Thread.currentThread()));
        state.put(key, value);
        onEachPut.accept(key);
    }

    @Override
    public void onDelete(String key, long revision) {
        changes.add(new Change(Kind.DELETE, key, null, revision, null, Thread.currentThread()));
        state.remove(key);
    }

    @Override
    public void onReset(Throwable cause) {
        changes.add(new Change(Kind.RESET, null, null, 0, cause, Thread.currentThread()));
    }

    @Override
    public boolean wantsValues() {
        return wantsValues;
    }

    /** Everything told so far, in order. */
    public List<Change> changes() {
        synchronized (changes) {
            return new ArrayList<>(changes); // a reset's change holds nulls, which List.copyOf refuses
        }
    }

    /** The puts and deletes told so far, in order, without the resets. */
    public List<Change> keyChanges() {
        return changes().stream().filter(c -> c.kind() != Kind.RESET).toList();
    }

    /** Everything told so far as text: {@code "put a=1 @7"}, {@code "delete a @8"}, {@code "reset"}, keys without the prefix. */
    public List<String> texts() {
        return changes().stream().map(this::text).toList();
    }

    /** The keys followed so far and their values (empty values for a keys-only recorder). */
    public Map<String, String> state() {
        return Map.copyOf(state);
    }

    /** The causes of the resets told so far. */
    public List<Throwable> resets() {
        return changes().stream().filter(c -> c.kind() == Kind.RESET).map(Change::cause).toList();
    }

    /** The threads the listener was called on. */
    public Set<Thread> threads() {
        return Set.copyOf(changes().stream().map(Change::thread).toList());
    }

    /** Waits until at least {@code count} things were told; returns all of them as {@link #texts()}. */
    public List<String> awaitTexts(int count) {
        await().atMost(PATIENCE).until(() -> changes.size() >= count);
        return texts();
    }

    /** Waits until the followed state is {@code expected}. */
    public void awaitState(Map<String, String> expected) {
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(state).as("the state followed").isEqualTo(expected));
    }

    /** Waits until the followed keys are {@code expected}, whatever their values (for a keys-only recorder). */
    public void awaitKeys(Set<String> expected) {
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(state.keySet()).as("the keys followed").isEqualTo(expected));
    }

    /** Waits for the first reset and returns its cause. */
    public Throwable awaitReset() {
        await().atMost(PATIENCE).until(() -> !resets().isEmpty());
        return resets().get(0);
    }

    /** Waits {@code quiet} and returns whatever was told meanwhile, as {@link #texts()}. */
    public List<String> toldWithin(Duration quiet) {
        int before = changes.size();
        await().pollDelay(quiet).atMost(quiet.plus(PATIENCE)).until(() -> true);
        List<String> all = texts();
        return all.subList(before, all.size());
    }

    private String text(Change change) {
        return switch (change.kind()) {
            case PUT -> "put " + shorten(change.key()) + "=" + change.value() + " @" + change.revision();
            case DELETE -> "delete " + shorten(change.key()) + " @" + change.revision();
            case RESET -> "reset";
        };
    }

    private String shorten(String key) {
        return key.startsWith(prefix) ? key.substring(prefix.length()) : "FOREIGN " + key;
    }
}
