package net.allocator.reliability;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import net.allocator.reliability.LoadLog.ClientOperation;
import net.allocator.reliability.LoadLog.Kind;
import net.allocator.reliability.LoadLog.Outcome;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Concurrent HTTP clients that allocate, re-allocate and release addresses of one network
 * through several service processes until told to stop, and log every attempt and operation in
 * a {@link LoadLog}.
 *
 * <p>Each client has owners of its own ({@code <cluster>/c<client>-n<k>}) and alternates between
 * filling (allocating for owners that hold nothing, now and then re-allocating for one that
 * holds an address, which must get the same address back) until the network is exhausted, and
 * draining (releasing a random share of what it holds, each release naming its owner). With
 * more owners than addresses, the network is exhausted and refilled again and again. Every
 * attempt goes to a random service process, so an address released through one instance is
 * allocated through another.
 *
 * <p>Like a well-behaved client, it retries an operation that got a 503 (or no answer) until it
 * gets a definite answer: the same owner again, so that the service's idempotency absorbs an
 * outcome it could not confirm. When the load stops, operations in progress get a settling time
 * to finish; what is still open after that is logged as {@link Outcome#UNRESOLVED}.
 */
final class LoadDriver implements AutoCloseable {

    /**
     * @param clients concurrent clients (threads), each with its own owners
     * @param ownersPerClient owners per client; clients × owners should exceed the pool
     * @param reallocateShare share of fill steps that re-allocate a held owner instead
     * @param retryPause pause before re-sending after a 503
     */
    record Settings(int clients, int ownersPerClient, double reallocateShare, Duration retryPause) {
        static Settings standard() {
            return new Settings(64, 16, 0.1, Duration.ofMillis(100));
        }

        Settings withClients(int count) {
            return new Settings(count, ownersPerClient, reallocateShare, retryPause);
        }
    }

    private final String cluster;
    private final String network;
    private final List<ServiceClient> services;
    private final LoadLog log;
    private final Settings settings;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Map<String, String>> held = new ArrayList<>();
    private final AtomicLong exhausted = new AtomicLong();
    private volatile boolean stopping;
    private volatile long settleDeadline = Long.MAX_VALUE;

    LoadDriver(String cluster, String network, List<ServiceClient> services, LoadLog log, Settings settings) {
        this.cluster = cluster;
        this.network = network;
        this.services = List.copyOf(services);
        this.log = log;
        this.settings = settings;
        for (int i = 0; i < settings.clients(); i++) {
            held.add(new LinkedHashMap<>());
        }
    }

    LoadLog log() {
        return log;
    }

    /** Starts every client at once. */
    LoadDriver start() {
        for (int i = 0; i < settings.clients(); i++) {
            int client = i;
            Thread thread = new Thread(() -> runClient(client), "load-" + cluster + "-" + client);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        return this;
    }

    /** Waits until at least {@code count} operations have finished, or {@code within} has passed. */
    boolean awaitOperations(long count, Duration within) {
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> log.operationCount() >= count);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    /** Lets the load run for {@code duration}. */
    void runFor(Duration duration) {
        ServiceProcess.sleep(duration.toMillis());
    }

    /**
     * Stops the clients: each finishes the operation it is in, retrying for at most {@code
     * settle}, and then ends.
     */
    void stop(Duration settle) {
        settleDeadline = System.nanoTime() + settle.toNanos();
        stopping = true;
        for (Thread thread : threads) {
            try {
                thread.join(settle.toMillis() + 60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (thread.isAlive()) {
                throw new AssertionError(thread.getName() + " did not end within " + settle + " plus 60 s of being stopped");
            }
        }
    }

    @Override
    public void close() {
        if (!stopping) {
            stop(Duration.ofSeconds(30));
        }
    }

    /** What the clients believe they hold in the end: (owner, address) pairs. */
    List<Map.Entry<String, String>> holdings() {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Map<String, String> mine : held) {
            synchronized (mine) {
                mine.forEach((owner, address) -> out.add(Map.entry(owner, address)));
            }
        }
        return out;
    }

    long exhaustedAnswers() {
        return exhausted.get();
    }

    private void runClient(int client) {
        Random random = new Random(client * 7919L + System.nanoTime());
        Map<String, String> mine = held.get(client);
        long sequence = 0;
        boolean filling = true;
        int keep = 0;
        while (!stopping) {
            if (filling) {
                List<String> holding;
                synchronized (mine) {
                    holding = new ArrayList<>(mine.keySet());
                }
                if (!holding.isEmpty() && random.nextDouble() < settings.reallocateShare()) {
                    String owner = holding.get(random.nextInt(holding.size()));
                    String expected;
                    synchronized (mine) {
                        expected = mine.get(owner);
                    }
                    ClientOperation op = execute(client, sequence++, Kind.REALLOCATE, owner, expected, random);
                    if (op.outcome() == Outcome.OK) {
                        synchronized (mine) {
                            mine.put(owner, op.address()); // what the store says, even if it differs (the checks report it)
                        }
                    }
                    continue;
                }
                List<String> free = new ArrayList<>();
                for (int k = 0; k < settings.ownersPerClient(); k++) {
                    String owner = cluster + "/c" + client + "-n" + k;
                    if (!holding.contains(owner)) {
                        free.add(owner);
                    }
                }
                if (free.isEmpty()) {
                    filling = false;
                    keep = random.nextInt(holding.size() + 1);
                    continue;
                }
                String owner = free.get(random.nextInt(free.size()));
                ClientOperation op = execute(client, sequence++, Kind.ALLOCATE, owner, null, random);
                if (op.outcome() == Outcome.OK) {
                    synchronized (mine) {
                        mine.put(owner, op.address());
                    }
                } else if (op.outcome() == Outcome.EXHAUSTED) {
                    exhausted.incrementAndGet();
                    filling = false;
                    keep = random.nextInt(holding.size() + 1);
                    if (holding.isEmpty()) {
                        ServiceProcess.sleep(20); // nothing to give back: let others drain
                    }
                }
            } else {
                List<Map.Entry<String, String>> holding;
                synchronized (mine) {
                    holding = new ArrayList<>(mine.entrySet());
                }
                if (holding.size() <= keep) {
                    filling = true;
                    continue;
                }
                Map.Entry<String, String> victim = holding.get(random.nextInt(holding.size()));
                ClientOperation op = execute(client, sequence++, Kind.RELEASE, victim.getKey(), victim.getValue(), random);
                if (op.outcome() == Outcome.OK || op.outcome() == Outcome.REJECTED) {
                    // a refusal says the owner does not hold it (the checks judge the refusal itself)
                    synchronized (mine) {
                        mine.remove(victim.getKey());
                    }
                }
            }
        }
    }

    /** Sends the request, again after each 503 or missing answer, until a definite answer or the settling time ends. */
    private ClientOperation execute(int client, long sequence, Kind kind, String owner, String address, Random random) {
        String node = owner.substring(owner.indexOf('/') + 1);
        long firstSent = -1;
        int attempts = 0;
        while (true) {
            int service = random.nextInt(services.size());
            ServiceClient target = services.get(service);
            ServiceClient.Reply reply = kind == Kind.RELEASE
                    ? target.release(network, address, cluster, node)
                    : target.allocate(network, cluster, node);
            attempts++;
            if (firstSent < 0) {
                firstSent = reply.sentNanos();
            }
            log.add(new LoadLog.Attempt(client, service, kind, owner, address, attempts > 1, reply));
            int status = reply.status();
            if (status == 200) {
                String result = kind == Kind.RELEASE ? address : reply.text("address");
                return done(new ClientOperation(client, sequence, kind, owner, result, Outcome.OK, firstSent, reply.doneNanos(), attempts,
                        kind == Kind.REALLOCATE && !result.equals(address) ? "expected " + address : ""));
            }
            if (status == 409 && kind != Kind.RELEASE) {
                return done(new ClientOperation(client, sequence, kind, owner, address, Outcome.EXHAUSTED, firstSent, reply.doneNanos(),
                        attempts, reply.text("message")));
            }
            if (status == 503 || status == -1) {
                if (stopping && System.nanoTime() > settleDeadline) {
                    return done(new ClientOperation(client, sequence, kind, owner, address, Outcome.UNRESOLVED, firstSent,
                            reply.doneNanos(), attempts, reply.toString()));
                }
                ServiceProcess.sleep(settings.retryPause().toMillis() + random.nextInt(50));
                continue;
            }
            return done(new ClientOperation(client, sequence, kind, owner, address, Outcome.REJECTED, firstSent, reply.doneNanos(),
                    attempts, reply.toString()));
        }
    }

    private ClientOperation done(ClientOperation operation) {
        log.add(operation);
        return operation;
    }
}
