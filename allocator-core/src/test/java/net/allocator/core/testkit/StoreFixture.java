package net.allocator.core.testkit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension for tests against a shared store server: before each test, a key prefix no
 * other test uses and a client of the store; after it, the prefix's keys deleted and every client
 * it opened closed. Register it on an instance field:
 *
 * <pre>{@code
 * @RegisterExtension
 * final StoreFixture<EtcdKeyValueStore> fixture = new StoreFixture<>("etcd-watch", EtcdTestServer::open);
 * }</pre>
 *
 * @param <S> the store's type, so that a test can reach its store-specific methods
 */
public final class StoreFixture<S extends KeyValueStore> implements BeforeEachCallback, AfterEachCallback {
    private final String stem;
    private final Supplier<? extends S> opener;
    private final List<KeyValueStore> opened = new CopyOnWriteArrayList<>();
    private String prefix;
    private S store;

    /**
     * @param stem the start of every prefix, naming the test class in the store's keys
     * @param opener opens a new, independent client of the store
     */
    public StoreFixture(String stem, Supplier<? extends S> opener) {
        this.stem = stem;
        this.opener = opener;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        String test = context.getTestMethod().map(m -> m.getName()).orElse("test");
        prefix = stem + "-" + test + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + "/";
        store = open();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            store.commit(List.of(), List.of(Operation.deletePrefix(prefix)));
        } finally {
            opened.forEach(KeyValueStore::close);
            opened.clear();
        }
    }

    /** This test's prefix, ending in {@code /}. */
    public String prefix() {
        return prefix;
    }

    /** {@code name} under this test's prefix. */
    public String key(String name) {
        return prefix + name;
    }

    /** The test's client; it stays open until the prefix is cleaned up after the test. */
    public S store() {
        return store;
    }

    /** Another independent client, closed after the test. */
    public S open() {
        return closedAfterTest(opener.get());
    }

    /** Closes {@code client} after the test: for a client opened another way (other settings, a proxy). */
    public <T extends KeyValueStore> T closedAfterTest(T client) {
        opened.add(client);
        return client;
    }
}
