package net.allocator.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.allocator.core.Allocator;
import net.allocator.core.Network;
import net.allocator.core.NetworkChange;
import net.allocator.core.NetworkRegistry;
import net.allocator.core.NetworkUsage;
import net.allocator.inmemory.InMemoryKeyValueStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A graceful stop: no new connections, requests in flight finish within the grace. */
class ShutdownTest {

    /** A registry whose list() waits until released, to hold a request in flight. */
    private static final class SlowRegistry implements NetworkRegistry {
        private final NetworkRegistry delegate;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        SlowRegistry(NetworkRegistry delegate) {
            this.delegate = delegate;
        }

        @Override
        public SortedMap<String, String> list() {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return delegate.list();
        }

        @Override
        public Network register(Network network) {
            return delegate.register(network);
        }

        @Override
        public Optional<Network> find(String name) {
            return delegate.find(name);
        }

        @Override
        public void remove(String name, boolean force) {
            delegate.remove(name, force);
        }

        @Override
        public NetworkUsage usage(String name) {
            return delegate.usage(name);
        }

        @Override
        public SortedMap<String, NetworkUsage> usageOfAll() {
            return delegate.usageOfAll();
        }

        @Override
        public Network update(String name, NetworkChange change) {
            return delegate.update(name, change);
        }
    }

    @Test
    @DisplayName("stop() lets a request in flight finish and refuses new connections meanwhile")
    void inFlightFinishes() throws Exception {
        Allocator allocator = Allocator.create(new InMemoryKeyValueStore());
        SlowRegistry slow = new SlowRegistry(allocator);
        RestServer server = RestServer.start(new AllocatorService(slow, allocator, allocator::checkStore, "inmemory"),
                ServerOptions.defaults().withPort(0).withShutdownGrace(Duration.ofSeconds(10)));
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest list = HttpRequest.newBuilder(server.uri().resolve("/v1/networks")).build();

        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(list, HttpResponse.BodyHandlers.ofString());
        assertThat(slow.entered.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);
        // stop() closes the listener first, then waits for the request in flight: wait until a
        // new connection is refused rather than for a fixed pause that may not have been long enough
        InetSocketAddress listener = new InetSocketAddress(server.uri().getHost(), server.uri().getPort());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(listener, 1000);
            }
        }).isInstanceOf(ConnectException.class));

        assertThat(stopping).isNotDone();

        slow.release.countDown();
        HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{}\n");
        stopping.get(10, TimeUnit.SECONDS);
        allocator.close();
    }

    @Test
    @DisplayName("stop() with nothing in flight returns at once, and twice is harmless")
    void idleStop() throws Exception {
        Allocator allocator = Allocator.create(new InMemoryKeyValueStore());
        RestServer server = RestServer.start(AllocatorService.of(allocator, allocator::checkStore, "inmemory"),
                ServerOptions.defaults().withPort(0).withShutdownGrace(Duration.ofSeconds(30)));

        long started = System.nanoTime();
        server.stop();
        server.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        allocator.close();
    }
}
