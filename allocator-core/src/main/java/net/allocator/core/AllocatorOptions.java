package net.allocator.core;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;

/**
 * How an {@link Allocator} works with its store.
 *
 * @param keyPrefix the prefix of every key, so several deployments can share one store
 *     (segments of {@code A-Z a-z 0-9 . _ -} separated by {@code /}); default {@code allocator}
 * @param clock the clock of claim times
 * @param contentionTimeout how long one allocation may keep losing races for candidate addresses
 *     before it gives up with a {@link StoreUnavailableException}; default 30 s
 */
public record AllocatorOptions(String keyPrefix, Clock clock, Duration contentionTimeout) {
    public AllocatorOptions {
        requireNonNull(keyPrefix, "keyPrefix");
        requireNonNull(clock, "clock");
        requireNonNull(contentionTimeout, "contentionTimeout");
        new KeyLayout(keyPrefix);
    }

    /** The defaults. */
    public static AllocatorOptions defaults() {
        return new AllocatorOptions("allocator", Clock.systemUTC(), Duration.ofSeconds(30));
    }

    /** The same options with another key prefix. */
    public AllocatorOptions withKeyPrefix(String prefix) {
        return new AllocatorOptions(prefix, clock, contentionTimeout);
    }

    /** The same options with another clock. */
    public AllocatorOptions withClock(Clock other) {
        return new AllocatorOptions(keyPrefix, other, contentionTimeout);
    }

    /** The same options with another contention timeout. */
    public AllocatorOptions withContentionTimeout(Duration timeout) {
        return new AllocatorOptions(keyPrefix, clock, timeout);
    }
}
