package net.allocator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Several REST service processes on one store, with one key prefix, and an HTTP client for each.
 * For etcd every process gets all the store's endpoints; for Consul process {@code i} talks to
 * agent {@code i} of the cluster (round robin), as each host would talk to its local agent.
 */
final class ServiceFleet implements AutoCloseable {
    /** How long a client waits for an answer before it records a hang: far beyond any timeout the service has. */
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);

    private final List<ServiceProcess> processes;
    private final List<ServiceClient> clients;
    private final String keyPrefix;
    private final ServiceStore store;
    private final Path logDir;

    private ServiceFleet(List<ServiceProcess> processes, String keyPrefix, ServiceStore store, Path logDir) {
        this.processes = processes;
        this.logDir = logDir;
        this.keyPrefix = keyPrefix;
        this.store = store;
        List<ServiceClient> made = new ArrayList<>();
        for (ServiceProcess process : processes) {
            made.add(new ServiceClient(process.uri(), CLIENT_TIMEOUT));
        }
        this.clients = List.copyOf(made);
    }

    /**
     * Starts {@code count} processes at once, each with {@code storeTimeout} as its store
     * timeout and {@code extraFlags} added.
     */
    static ServiceFleet start(String stem, ServiceStore store, int count, Duration storeTimeout, Path logDir, List<String> extraFlags) {
        String keyPrefix = ServiceEnvironment.uniquePrefix(stem);
        List<CompletableFuture<ServiceProcess>> starting = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<String> flags = new ArrayList<>(store.serviceFlags(i % store.members() + 1, keyPrefix, storeTimeout));
            flags.addAll(extraFlags);
            String name = stem + "-service-" + (i + 1);
            starting.add(CompletableFuture.supplyAsync(() -> ServiceProcess.start(name, logDir, flags)));
        }
        List<ServiceProcess> started = new ArrayList<>();
        Throwable failure = null;
        for (CompletableFuture<ServiceProcess> future : starting) {
            try {
                started.add(future.join());
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            started.forEach(ServiceProcess::close);
            throw new AssertionError("could not start the services", failure);
        }
        return new ServiceFleet(started, keyPrefix, store, logDir);
    }

    List<ServiceClient> clients() {
        return clients;
    }

    ServiceClient client(int index) {
        return clients.get(index);
    }

    ServiceProcess process(int index) {
        return processes.get(index);
    }

    /** kill -9 of service {@code index}, then the same service again on the same port (its clients keep their address). */
    void killAndRestart(int index) {
        processes.set(index, processes.get(index).killedAndRestarted());
    }

    Path logDir() {
        return logDir;
    }

    String keyPrefix() {
        return keyPrefix;
    }

    /** Registers a /24 network through the first service; returns the size of its pool. */
    int register(String network, String base) {
        ServiceClient.Reply reply = clients.get(0).register(network, base);
        assertThat(reply.status()).as("registering %s: %s", network, reply).isEqualTo(201);
        return reply.body().get("size").asInt();
    }

    /** Every service answers its health check with 200 within {@code within}. */
    void awaitHealthy(Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            for (ServiceClient client : clients) {
                ServiceClient.Reply reply = client.health();
                assertThat(reply.status()).as("health of %s: %s", client.base(), reply).isEqualTo(200);
            }
        });
    }

    /** A load of {@code settings.clients()} clients on {@code network} over every service of the fleet. */
    LoadDriver load(String network, LoadLog log, LoadDriver.Settings settings) {
        return new LoadDriver("load", network, clients, log, settings);
    }

    /**
     * The checks that hold after every run, fault or not: the answers (503s only when {@code
     * unavailableAllowed}; slower than {@code slowBound} is a known bug, than {@code hangBound} a
     * violation), no address held twice,
     * exhaustion only when full, and the store (listing through every service, and the keys
     * read directly) holding exactly what the clients hold.
     */
    LoadChecks verify(LoadDriver load, String network, int poolSize, boolean unavailableAllowed, Duration slowBound,
            Duration hangBound) {
        return verify(load, network, poolSize, checks -> checks.answers(unavailableAllowed, slowBound, hangBound));
    }

    /**
     * The same checks, with the answers checked by {@code answerChecks} instead: after a service
     * was killed, the attempts in flight got no answer, and their retries settled them.
     */
    LoadChecks verify(LoadDriver load, String network, int poolSize, UnaryOperator<LoadChecks> answerChecks) {
        // the store first, before the log checks, which take a while after a long run; and
        // on new connections: the load's have been idle and the server may close them under us
        Map<String, String> keys = store.scan(keyPrefix + "/");
        List<Map<String, String>> listings = new ArrayList<>();
        for (ServiceClient client : clients) {
            listings.add(client.fresh().usedAddresses(network));
        }
        LoadChecks checks = answerChecks.apply(new LoadChecks(load.log()))
                .noAddressHeldTwice()
                .exhaustionOnlyWhenFull(poolSize);
        return checks.storeMatches(load.holdings(), listings, keys, keyPrefix, network);
    }

    @Override
    public void close() {
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        for (ServiceProcess process : processes) {
            stopping.add(CompletableFuture.runAsync(process::close));
        }
        stopping.forEach(CompletableFuture::join);
    }
}
