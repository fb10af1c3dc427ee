package net.allocator.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import net.allocator.core.store.ChangeListener;
import net.allocator.core.store.Commit;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;
import net.allocator.core.store.StoreOutcomeUnknownException;
import net.allocator.core.store.ForwardingKeyValueStore;

/** A real store behind a switch: down on demand, or losing the answers of applied commits. */
public final class FaultyStore extends ForwardingKeyValueStore {
    private final KeyValueStore delegate;
    private volatile boolean down;
    private final AtomicInteger answersToLose = new AtomicInteger();

    public FaultyStore(KeyValueStore delegate) {
        this.delegate = delegate;
    }

    @Override
    protected KeyValueStore delegate() {
        return delegate;
    }

    /** Makes every call fail with {@link StoreUnavailableException}, or stops doing so. */
    public void down(boolean isDown) {
        this.down = isDown;
    }

    /** The next {@code count} commits apply, then throw {@link StoreOutcomeUnknownException}. */
    public void loseNextCommitAnswers(int count) {
        answersToLose.set(count);
    }

    /**
     * The next commit applies, then {@code meanwhile} runs (another client acting before the
     * answer would have arrived), then the answer is lost.
     */
    public void loseNextCommitAnswerAfter(Runnable meanwhile) {
        this.meanwhile = meanwhile;
        answersToLose.set(1);
    }

    /**
     * After the next {@code successful} commits, the one that follows fails with {@link
     * StoreUnavailableException} without being applied (a store failing midway through several
     * commits); later ones apply again.
     */
    public void failCommitAfter(int successful) {
        commitsBeforeFailure.set(successful + 1);
    }

    private final AtomicInteger commitsBeforeFailure = new AtomicInteger();
    private volatile Runnable meanwhile;
    private volatile CountDownLatch held;
    private volatile CountDownLatch holding;

    /**
     * The next commit hangs (a store that stopped answering that call) until {@code release}
     * opens; returns a latch that opens once that commit has begun.
     */
    public CountDownLatch holdNextCommit(CountDownLatch release) {
        holding = new CountDownLatch(1);
        held = release;
        return holding;
    }

    private void check() {
        if (down) {
            throw new StoreUnavailableException("store is down (injected)");
        }
    }

    @Override
    public Optional<KeyValue> get(String key) {
        check();
        return delegate().get(key);
    }

    @Override
    public ScanPage scan(String prefix, String startAfter, int limit) {
        check();
        return delegate().scan(prefix, startAfter, limit);
    }

    @Override
    public boolean commit(List<Condition> conditions, List<Operation> operations) {
        return commitVersioned(conditions, operations) != NOT_APPLIED;
    }

    @Override
    public long commitVersioned(List<Condition> conditions, List<Operation> operations) {
        return withCommitFaults(1, () -> delegate().commitVersioned(conditions, operations));
    }

    /**
     * A batching store's commits arrive here through core's group commit, so the same faults apply
     * to the batch: down refuses it whole, a held commit holds it whole, and a lost answer loses
     * every member's answer (the batch is one request), counting each member as one lost answer.
     */
    @Override
    public long[] commitBatch(List<Commit> commits) {
        return withCommitFaults(commits.size(), () -> delegate().commitBatch(commits));
    }

    private <T> T withCommitFaults(int commits, Supplier<T> apply) {
        check();
        if (commitsBeforeFailure.get() > 0 && commitsBeforeFailure.decrementAndGet() == 0) {
            throw new StoreUnavailableException("store failed midway (injected)");
        }
        CountDownLatch release = held;
        if (release != null) {
            held = null;
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreUnavailableException("interrupted while held (injected)");
            }
        }
        T applied = apply.get();
        if (answersToLose.getAndUpdate(n -> Math.max(0, n - commits)) > 0) {
            Runnable action = meanwhile;
            meanwhile = null;
            if (action != null) {
                action.run();
            }
            throw new StoreOutcomeUnknownException("answer lost (injected)");
        }
        return applied;
    }

    private boolean feedHeld;
    private final List<Runnable> heldChanges = new ArrayList<>();

    /** Holds every change the feed would deliver, until {@link #resumeChangeFeed} (a feed lagging behind). */
    public void holdChangeFeed() {
        synchronized (heldChanges) {
            feedHeld = true;
        }
    }

    /** Delivers the held changes, in order, and lets later ones through. */
    public void resumeChangeFeed() {
        synchronized (heldChanges) {
            feedHeld = false;
            heldChanges.forEach(Runnable::run);
            heldChanges.clear();
        }
    }

    private void deliver(Runnable change) {
        synchronized (heldChanges) {
            if (feedHeld) {
                heldChanges.add(change);
            } else {
                change.run();
            }
        }
    }

    @Override
    public Optional<AutoCloseable> watch(String prefix, long afterRevision, ChangeListener listener) {
        check();
        return delegate().watch(prefix, afterRevision, new ChangeListener() {
            @Override
            public void onPut(String key, String value, long revision) {
                deliver(() -> listener.onPut(key, value, revision));
            }

            @Override
            public void onDelete(String key, long revision) {
                deliver(() -> listener.onDelete(key, revision));
            }

            @Override
            public void onReset(Throwable cause) {
                deliver(() -> listener.onReset(cause));
            }

            @Override
            public boolean wantsValues() {
                return listener.wantsValues();
            }
        });
    }

    @Override
    public void ping() {
        check();
        delegate().ping();
    }

    @Override
    public String describe() {
        return "faulty " + delegate().describe();
    }
}
