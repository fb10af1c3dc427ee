package net.allocator.etcd;

import static java.util.Objects.requireNonNull;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static net.allocator.etcd.EtcdKeys.bytes;
import static net.allocator.etcd.EtcdKeys.text;

import com.google.common.util.concurrent.MoreExecutors;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import net.allocator.core.InvalidInputException;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.ChangeListener;
import net.allocator.core.store.CommitSizeLimit;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;
import net.allocator.core.store.StoreOutcomeUnknownException;

/**
 * The allocator's {@link KeyValueStore} over an etcd v3 cluster, through jetcd.
 *
 * <ul>
 *   <li>{@link #get} and {@link #scan} are linearizable range reads; a key's version is its
 *       {@code mod_revision}, and a page's revision is the response header's revision.
 *   <li>{@link #commit} is one etcd {@code Txn}: {@link Condition.Absent} compares {@code
 *       create_revision == 0}, {@link Condition.AtVersion} compares {@code mod_revision}; the
 *       operations, applied in list order, form its success branch. Uniqueness rests on these
 *       compares alone: no locks, no leases.
 *   <li>{@link #watch} is an etcd watch of the prefix from the next revision; it ends with
 *       {@link ChangeListener#onReset} at the first error, compaction or broken connection.
 * </ul>
 *
 * <p>Every call waits at most the configured {@link EtcdConfig#timeout()}, then throws {@link
 * StoreUnavailableException}; a commit whose answer was lost throws {@link
 * StoreOutcomeUnknownException}. When etcd comes back after an outage, the same instance works
 * again without a restart. Opening the store does not connect; the first call does.
 *
 * <p>Thread-safe. Closing it stops its watches without calling their listeners.
 */
public final class EtcdKeyValueStore implements KeyValueStore {

    /**
     * While no endpoint accepts connections, gRPC waits longer and longer (up to two minutes)
     * between attempts, so a client could stay failed long after etcd is back. Replacing the
     * client makes the next call connect at once; this bounds how often that happens.
     */
    private static final long MIN_CLIENT_AGE_BEFORE_REPLACING_NANOS = Duration.ofSeconds(1).toNanos();

    /** Key of etcd's own health check: a linearizable read of it proves there is a leader and a quorum. */
    private static final ByteSequence HEALTH_KEY = bytes("health");

    /** etcd keys cannot be empty; the smallest key is a single zero byte. */
    private static final byte[] SMALLEST_KEY = {0};

    private final ClientBuilder clientBuilder;
    private final Duration timeout;
    private final CommitSizeLimit commitSizeLimit;
    private final String endpoints;
    private final EtcdErrors errors;
    private final Object lock = new Object();
    private final AtomicReference<Connection> connection;
    private final Set<Client> retiring = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** A jetcd client and when it was made. */
    private record Connection(Client client, long openedNanos) {}

    /**
     * Opens a store over the cluster that {@code config} names. Does not connect yet.
     *
     * @throws InvalidInputException when a setting is malformed, or a TLS file cannot be used
     */
    public EtcdKeyValueStore(EtcdConfig config) {
        requireNonNull(config, "config");
        config.validate();
        this.timeout = config.timeout();
        this.commitSizeLimit = CommitSizeLimit.eachList(config.maxTxnOps());
        this.endpoints = config.endpoints().stream().map(URI::toString).collect(Collectors.joining(","));
        this.errors = new EtcdErrors(endpoints);
        this.clientBuilder = clientBuilder(config);
        this.connection = new AtomicReference<>(new Connection(clientBuilder.copy().build(), System.nanoTime()));
    }

    private static ClientBuilder clientBuilder(EtcdConfig config) {
        // jetcd retries reads by itself (leader changes, lost connections). Keeping that to the
        // first half of the call's time leaves the rest for the last attempt, so that a lasting
        // failure is reported as itself ("connection refused"), not as a timeout. Its back-off
        // (0.5s to 2.5s by default) shrinks to fit, as Failsafe requires.
        long retryBudgetMillis = Math.max(8, config.timeout().toMillis() / 2);
        ClientBuilder builder = Client.builder()
                .retryMaxDuration(Duration.ofMillis(retryBudgetMillis))
                .retryDelay(Math.min(500, retryBudgetMillis / 4))
                .retryMaxDelay(Math.min(2500, retryBudgetMillis / 2));
        // jetcd puts the authority into the target it computes from the endpoints, so it goes first.
        config.authority().ifPresent(builder::authority);
        builder.endpoints(config.endpoints().toArray(URI[]::new))
                .connectTimeout(config.connectTimeout())
                // Fail calls at once while no endpoint can be reached, instead of waiting out the
                // timeout: the caller learns why ("connection refused"), and a commit that failed
                // this way is known not to have been sent.
                .waitForReady(false)
                // A member that hangs (paused, or behind a network that drops packets) keeps its
                // connections open; without keepalive it stays in the round robin and a third of
                // the calls time out until it recovers. Pings take it out within a few seconds.
                .keepaliveTime(Duration.ofSeconds(5))
                .keepaliveTimeout(Duration.ofSeconds(3))
                .keepaliveWithoutCalls(true)
                .interceptor(new CallSettings(config.timeout()));
        if (config.user().isPresent()) {
            builder.user(bytes(config.user().get())).password(bytes(config.password().orElseThrow()));
        }
        if (config.tls()) {
            Optional<Path> ca = config.tlsCa();
            Optional<Path> cert = config.tlsCert();
            Optional<Path> key = config.tlsKey();
            try {
                builder.sslContext(ssl -> {
                    ca.ifPresent(file -> ssl.trustManager(file.toFile()));
                    cert.ifPresent(file -> ssl.keyManager(file.toFile(), key.orElseThrow().toFile()));
                });
            } catch (SSLException | IllegalArgumentException e) {
                throw new InvalidInputException("the etcd TLS files (settings " + EtcdConfig.TLS_CA + ", " + EtcdConfig.TLS_CERT
                        + ", " + EtcdConfig.TLS_KEY + ") cannot be used: " + e.getMessage()
                        + "; they must be PEM, the key in PKCS#8 form (BEGIN PRIVATE KEY)", e);
            }
        }
        return builder;
    }

    @Override
    public Optional<KeyValue> get(String key) {
        requireNonNull(key, "key");
        GetResponse response = call(() -> "get of key '" + key + "'", false, client -> client.getKVClient().get(bytes(key)));
        return response.getKvs().stream().findFirst().map(EtcdKeyValueStore::keyValue);
    }

    @Override
    public ScanPage scan(String prefix, String startAfter, int limit) {
        requireNonNull(prefix, "prefix");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        byte[] prefixBytes = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] from = prefixBytes.length == 0 ? SMALLEST_KEY : prefixBytes;
        if (startAfter != null) {
            byte[] after = EtcdKeys.successor(startAfter.getBytes(StandardCharsets.UTF_8));
            if (EtcdKeys.compare(after, from) > 0) {
                from = after;
            }
        }
        ByteSequence start = bytes(from);
        GetOption option = GetOption.builder()
                .withRange(bytes(EtcdKeys.rangeEnd(prefixBytes)))
                .withSortField(GetOption.SortTarget.KEY)
                .withSortOrder(GetOption.SortOrder.ASCEND)
                .withLimit(limit)
                .build();
        Supplier<String> what = () -> "scan of prefix '" + prefix + "'" + (startAfter == null ? "" : " after '" + startAfter + "'");
        GetResponse response = call(what, false, client -> client.getKVClient().get(start, option));
        List<KeyValue> entries = response.getKvs().stream().map(EtcdKeyValueStore::keyValue).toList();
        return new ScanPage(entries, response.isMore(), response.getHeader().getRevision());
    }

    /** etcd limits the compares and the operations of one {@code Txn} each to {@code --max-txn-ops}. */
    @Override
    public CommitSizeLimit commitSizeLimit() {
        return commitSizeLimit;
    }

    /** One range read with {@code count_only}: etcd counts, and sends no key. */
    @Override
    public long count(String prefix) {
        requireNonNull(prefix, "prefix");
        byte[] prefixBytes = prefix.getBytes(StandardCharsets.UTF_8);
        GetOption option = GetOption.builder().withRange(bytes(EtcdKeys.rangeEnd(prefixBytes))).withCountOnly(true).build();
        ByteSequence start = bytes(prefixBytes.length == 0 ? SMALLEST_KEY : prefixBytes);
        return call(() -> "count of prefix '" + prefix + "'", false, client -> client.getKVClient().get(start, option)).getCount();
    }

    @Override
    public boolean commit(List<Condition> conditions, List<Operation> operations) {
        return commitVersioned(conditions, operations) != NOT_APPLIED;
    }

    /** @return the transaction's revision, which is the mod revision of every key it wrote, or {@link #NOT_APPLIED} */
    @Override
    public long commitVersioned(List<Condition> conditions, List<Operation> operations) {
        requireNonNull(conditions, "conditions");
        requireNonNull(operations, "operations");
        Cmp[] compares = EtcdTxn.compares(conditions);
        Op[] writes = EtcdTxn.operations(operations);
        TxnResponse response = call(
                () -> "commit on " + keysOf(conditions, operations), // only built for an error
                true,
                client -> client.getKVClient().txn().If(compares).Then(writes).commit());
        return response.isSucceeded() ? response.getHeader().getRevision() : NOT_APPLIED;
    }

    @Override
    public Optional<AutoCloseable> watch(String prefix, long afterRevision, ChangeListener listener) {
        requireNonNull(prefix, "prefix");
        requireNonNull(listener, "listener");
        if (afterRevision < 0) {
            throw new IllegalArgumentException("afterRevision must not be negative: " + afterRevision);
        }
        checkOpen();
        byte[] prefixBytes = prefix.getBytes(StandardCharsets.UTF_8);
        WatchOption option = WatchOption.builder()
                .withRange(bytes(EtcdKeys.rangeEnd(prefixBytes)))
                .withRevision(afterRevision + 1)
                // A member cut off from the leader would otherwise keep the watch open and silent.
                .withRequireLeader(true)
                .build();
        EtcdChangeFeed feed = new EtcdChangeFeed(
                "etcd watch of prefix '" + prefix + "' after revision " + afterRevision + " on " + endpoints, listener, () -> closed);
        try {
            feed.started(connection.get().client().getWatchClient()
                    .watch(bytes(prefixBytes.length == 0 ? SMALLEST_KEY : prefixBytes), option, feed));
        } catch (RuntimeException e) {
            feed.close();
            throw errors.failed("watch of prefix '" + prefix + "'", e, false);
        }
        return Optional.of(feed);
    }

    /**
     * A linearizable read of one key, like etcd's own {@code /health}: it only succeeds when the
     * cluster has a leader and a quorum. "Permission denied" also proves that, because etcd checks
     * permissions after the read has been ordered.
     */
    @Override
    public void ping() {
        GetOption countOnly = GetOption.builder().withCountOnly(true).build();
        try {
            call(() -> "health check (read of key 'health')", false, client -> client.getKVClient().get(HEALTH_KEY, countOnly));
        } catch (StoreUnavailableException e) {
            if (e.getCause() != null && EtcdErrors.code(e.getCause()) == Status.Code.PERMISSION_DENIED) {
                return;
            }
            throw e;
        }
    }

    /** "etcd " followed by the endpoints. */
    @Override
    public String describe() {
        return "etcd " + endpoints;
    }

    @Override
    public String toString() {
        return "EtcdKeyValueStore[" + endpoints + "]";
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        connection.get().client().close();
        for (Client client : retiring) {
            if (retiring.remove(client)) {
                client.close();
            }
        }
    }

    /**
     * Sends a request and waits for its answer until the call's deadline. When no endpoint
     * could be connected and the client has been failing for a while, the request is sent once
     * more on a fresh client: it was never sent the first time, so this is safe even for a
     * commit, and it makes the first call after an outage succeed.
     */
    private <T> T call(Supplier<String> what, boolean write, Function<Client, CompletableFuture<T>> request) {
        checkOpen();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (boolean retried = false; ; retried = true) {
            Connection used = connection.get();
            CompletableFuture<T> future;
            try {
                future = request.apply(used.client());
            } catch (RuntimeException e) {
                throw errors.failed(what.get(), e, false); // refused before sending (a client closed under us)
            }
            try {
                return future.get(Math.max(0, deadline - System.nanoTime()), NANOSECONDS);
            } catch (ExecutionException e) {
                if (!retried && EtcdErrors.isConnectFailure(e.getCause()) && deadline - System.nanoTime() > 0 && replaceClient(used)) {
                    continue;
                }
                throw errors.failed(what.get(), e.getCause(), write);
            } catch (TimeoutException e) {
                future.cancel(true);
                throw errors.timedOut(what.get(), timeout, write);
            } catch (InterruptedException e) {
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw errors.interrupted(what.get(), e, write);
            } catch (CancellationException e) {
                throw errors.failed(what.get(), e, write);
            }
        }
    }

    /**
     * Replaces {@code failed} with a fresh client unless it is too young to blame or someone
     * replaced it already.
     *
     * @return whether a different client than {@code failed} is now in use
     */
    private boolean replaceClient(Connection failed) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            if (connection.get() != failed) {
                return true;
            }
            if (System.nanoTime() - failed.openedNanos() < MIN_CLIENT_AGE_BEFORE_REPLACING_NANOS) {
                return false;
            }
            connection.set(new Connection(clientBuilder.copy().build(), System.nanoTime()));
            retiring.add(failed.client());
        }
        // Calls that other threads started on the old client may still be answered; let them have their time.
        CompletableFuture.delayedExecutor(timeout.toNanos(), NANOSECONDS).execute(() -> {
            if (retiring.remove(failed.client())) {
                failed.client().close();
            }
        });
        return true;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private static KeyValue keyValue(io.etcd.jetcd.KeyValue kv) {
        return new KeyValue(text(kv.getKey()), text(kv.getValue()), kv.getModRevision());
    }

    /** The first few keys a commit names, for messages. */
    private static String keysOf(List<Condition> conditions, List<Operation> operations) {
        Set<String> keys = new LinkedHashSet<>();
        conditions.forEach(c -> keys.add(c.key()));
        for (Operation operation : operations) {
            if (operation instanceof Operation.Put put) {
                keys.add(put.key());
            } else if (operation instanceof Operation.Delete delete) {
                keys.add(delete.key());
            } else if (operation instanceof Operation.DeletePrefix deletePrefix) {
                keys.add(deletePrefix.prefix() + "*");
            }
        }
        List<String> shown = new ArrayList<>(keys).subList(0, Math.min(3, keys.size()));
        return "keys " + shown + (keys.size() > shown.size() ? " and " + (keys.size() - shown.size()) + " more" : "");
    }

    /**
     * Gives every unary call a gRPC deadline equal to the store's timeout, so that etcd stops
     * working on a request nobody waits for any more. Watches, which are streams, get no deadline;
     * their events are handed to the feed on gRPC's network thread rather than through its
     * executor: applying an event is a few microseconds of in-memory work, which the hand-off to
     * another thread cost several times over on every allocation (see docs/benchmarks.md).
     */
    private static final class CallSettings implements ClientInterceptor {
        private final long timeoutNanos;

        CallSettings(Duration timeout) {
            this.timeoutNanos = timeout.toNanos();
        }

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            if (method.getType() == MethodDescriptor.MethodType.UNARY) {
                if (options.getDeadline() == null) {
                    options = options.withDeadlineAfter(timeoutNanos, NANOSECONDS);
                }
            } else {
                options = options.withExecutor(MoreExecutors.directExecutor());
            }
            return next.newCall(method, options);
        }
    }
}
