package net.allocator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.SortedMap;
import net.allocator.core.Allocator;
import net.allocator.core.Network;
import net.allocator.core.NetworkRegistry;
import net.allocator.inmemory.InMemoryKeyValueStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A bug behind the API: a 500 with a generic JSON body, the details only in the log. */
class UnexpectedFailureTest {

    /** A registry with a bug in list(). */
    private static final class BrokenRegistry implements NetworkRegistry {
        @Override
        public SortedMap<String, String> list() {
            throw new IllegalStateException("secret internal detail at /etc/allocator");
        }

        @Override
        public Network register(Network network) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Network> find(String name) {
            return Optional.empty();
        }

        @Override
        public void remove(String name, boolean force) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    @DisplayName("an unexpected exception is a 500 JSON body with an error id and without internals")
    void internalError() throws Exception {
        Allocator allocator = Allocator.create(new InMemoryKeyValueStore());
        RestServer server = RestServer.start(new AllocatorService(new BrokenRegistry(), allocator, allocator::checkStore, "inmemory"),
                ServerOptions.defaults().withPort(0));
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(server.uri().resolve("/v1/networks")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(500);
            var json = ApiServer.JSON.readTree(response.body());
            assertThat(json.get("status").asInt()).isEqualTo(500);
            assertThat(json.get("error").asText()).isEqualTo("Internal Server Error");
            assertThat(json.get("message").asText()).startsWith("internal error; the server log has the details under error id ")
                    .doesNotContain("secret", "IllegalState");

            HttpResponse<String> after = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(server.uri().resolve("/v1/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(after.statusCode()).as("the server keeps serving").isEqualTo(200);
        } finally {
            server.stop(Duration.ZERO);
            allocator.close();
        }
    }
}
