package net.allocator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import net.allocator.core.Allocator;
import net.allocator.core.Network;
import net.allocator.core.NetworkChange;
import net.allocator.core.NetworkRegistry;
import net.allocator.core.NetworkUsage;
import net.allocator.core.store.Operation;
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

        @Override
        public NetworkUsage usage(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SortedMap<String, NetworkUsage> usageOfAll() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Network update(String name, NetworkChange change) {
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

    @Test
    @DisplayName("a record in the store that nobody can read is a 500 that says it is corrupt, without its key or text, and retrying is not suggested")
    void corruptRecord() {
        try (ApiServer api = new ApiServer()) {
            assertThat(api.registerSeedNetwork().status()).isEqualTo(201);
            api.memory.commit(List.of(), List.of(Operation.put("allocator/addresses/admin/0a700165", "{\"secret\": \"not a record\"")));

            ApiServer.Reply reply = api.get("/v1/networks/admin/addresses/10.112.1.101");

            assertThat(reply.status()).as(reply.toString()).isEqualTo(500);
            assertThat(reply.text("error")).isEqualTo("Internal Server Error");
            assertThat(reply.text("message")).startsWith("the store holds a corrupt record that the allocator cannot read")
                    .contains("error id").doesNotContain("secret", "0a700165", "retry");
            assertThat(reply.header("Retry-After")).isNull();
            assertThat(api.get("/v1/networks/admin/addresses/10.112.1.102").status()).as("other addresses still answer").isEqualTo(200);
        }
    }
}
