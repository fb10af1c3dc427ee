package net.allocator.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.allocator.rest.ServiceCommand.Run;
import net.allocator.rest.ServiceCommand.UsageException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher: in this JVM, and as a process with its exit codes, signals and output. */
class MainTest {
    private static final Pattern STARTED =
            Pattern.compile("allocator-rest (\\S+) listening on (http://127\\.0\\.0\\.1:\\d+) with store (\\S+)");

    /** The working directory of each service process: where the default store keeps its file. */
    @TempDir
    Path workDir;

    private static Main.Launched launch(String... args) throws Exception {
        return Main.launch(((Run) ServiceCommand.parse(args, Map.of())).config());
    }

    @Test
    @DisplayName("launch serves on the chosen port and closes cleanly")
    void launch() throws Exception {
        Main.Launched launched = launch("--store", "inmemory", "--port", "0", "--log-level", "warn");
        try {
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(launched.server().uri().resolve("/v1/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"up\"");
        } finally {
            launched.close();
        }
    }

    @Test
    @DisplayName("a bad key prefix is a usage error at start")
    void badKeyPrefix() {
        assertThatThrownBy(() -> launch("--store", "inmemory", "--port", "0", "--key-prefix", "/../x"))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--key-prefix: ");
    }

    @Nested
    @DisplayName("as a process")
    class AsProcess {

        /** A service process on the test class path, with no ALLOCATOR_ variable but {@code env}. */
        private ProcessBuilder java(Map<String, String> env, String... args) {
            List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("ALLOCATOR_"));
            builder.environment().putAll(env);
            return builder;
        }

        /** Runs a process that exits by itself; its exit code, stdout and stderr. */
        private Finished finish(Map<String, String> env, String... args) throws Exception {
            Path out = Files.createTempFile("allocator-rest", ".out");
            Path err = Files.createTempFile("allocator-rest", ".err");
            Process process = java(env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try {
                assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited by itself").isTrue();
                return new Finished(process.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                process.destroyForcibly(); // a service that did not exit as expected must not outlive the test
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }

        private record Finished(int code, String out, String err) {}

        /** A running service, its output going to {@code log}, once it has printed its start-up line. */
        private final class Service implements AutoCloseable {
            final Path log = Files.createTempFile("allocator-rest", ".log");
            final Process process;
            final URI base;

            Service(Map<String, String> env, String... args) throws IOException {
                process = java(env, args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                try {
                    Matcher started = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                            .until(() -> STARTED.matcher(output()), matcher -> matcher.find() || !process.isAlive());
                    assertThat(process.isAlive()).as("alive after start-up: %s", output()).isTrue();
                    assertThat(started.group(1)).isNotEqualTo("unknown");
                    base = URI.create(started.group(2));
                } catch (RuntimeException | AssertionError e) {
                    process.destroyForcibly(); // not started as expected: close() will not run
                    throw e;
                }
            }

            String output() {
                try {
                    return Files.readString(log);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            HttpResponse<String> post(String path, String json, String authorization) throws Exception {
                HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json));
                if (authorization != null) {
                    request.header("Authorization", authorization);
                }
                return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            }

            HttpResponse<String> get(String path) throws Exception {
                return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(path)).build(),
                        HttpResponse.BodyHandlers.ofString());
            }

            /** SIGTERM, and the exit code. */
            int terminate() throws InterruptedException {
                process.destroy();
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
                return process.exitValue();
            }

            @Override
            public void close() throws IOException {
                process.destroyForcibly();
                Files.deleteIfExists(log);
            }
        }

        @Test
        @DisplayName("an unknown store name exits with code 2 and one line on stderr, without a stack trace")
        void unknownStore() throws Exception {
            Finished finished = finish(Map.of(), "--store", "nope");

            assertThat(finished.code()).isEqualTo(2);
            assertThat(finished.err().lines()).singleElement().asString()
                    .startsWith("allocator-rest: --store: unknown store 'nope'; known stores: ").contains("inmemory", "--help");
            assertThat(finished.out()).isEmpty();
        }

        @Test
        @DisplayName("a bad value from an environment variable is blamed on the variable")
        void badVariable() throws Exception {
            Finished finished = finish(Map.of("ALLOCATOR_STORE", "bogus"));

            assertThat(finished.code()).isEqualTo(2);
            assertThat(finished.err().lines()).singleElement().asString()
                    .startsWith("allocator-rest: ALLOCATOR_STORE: unknown store 'bogus'; known stores: ");
        }

        @Test
        @DisplayName("a flag of a store that is not selected exits with code 2 and one line naming the flag and the store")
        void flagOfAnotherStore() throws Exception {
            Finished finished = finish(Map.of(), "--store", "inmemory", "--etcd-endpoints", "http://127.0.0.1:2379");

            assertThat(finished.code()).isEqualTo(2);
            assertThat(finished.err().lines()).singleElement().asString()
                    .startsWith("allocator-rest: --etcd-endpoints is a setting of the store etcd, but the selected store is inmemory");
        }

        @Test
        @DisplayName("--version prints the version on stdout and exits 0; --help likewise prints the flags")
        void versionAndHelp() throws Exception {
            Finished version = finish(Map.of(), "--version");
            assertThat(version.code()).isZero();
            assertThat(version.out()).isEqualTo("allocator-rest " + RestServer.version() + "\n");
            assertThat(version.err()).isEmpty();

            Finished help = finish(Map.of(), "--help");
            assertThat(help.code()).isZero();
            assertThat(help.out()).contains("--port=<value>", "env ALLOCATOR_PORT, default 5000", "Store etcd (with --store etcd):");
        }

        @Test
        @DisplayName("a port in use exits with code 1 and a clear message")
        void portInUse() throws Exception {
            try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                Finished finished = finish(Map.of(), "--port", Integer.toString(taken.getLocalPort()));

                assertThat(finished.code()).isEqualTo(1);
                assertThat(finished.err()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()).doesNotContain("\tat ");
            }
        }

        @Test
        @DisplayName("starts with a line naming address, store and version; SIGTERM lets a request finish, then exits 0")
        void lifecycle() throws Exception {
            try (Service service = new Service(Map.of(), "--store", "inmemory", "--port", "0", "--shutdown-grace", "5s")) {
                assertThat(service.post("/v1/networks", ApiServer.SEED_NETWORK, null).statusCode()).isEqualTo(201);

                assertThat(service.terminate()).as("a stop that went as asked").isZero();
                assertThat(service.output()).contains("in-memory store keeps nothing across restarts",
                        "INFO requests - 127.0.0.1 POST /v1/networks 201 ", "stopping", "stopped").doesNotContain("\tat ");
            }
        }

        @Test
        @DisplayName("at --log-level warn and error the start-up line still shows, and so do refused requests at warn")
        void quietLevels() throws Exception {
            try (Service service = new Service(Map.of("ALLOCATOR_TOKEN", "s3cret"), "--store", "inmemory", "--port", "0", "--log-level", "warn")) {
                assertThat(service.post("/v1/networks", ApiServer.SEED_NETWORK, null).statusCode()).isEqualTo(401);
                assertThat(service.post("/v1/networks", ApiServer.SEED_NETWORK, "Bearer wrong").statusCode()).isEqualTo(403);
                assertThat(service.post("/v1/networks", ApiServer.SEED_NETWORK, "Bearer s3cret").statusCode()).isEqualTo(201);

                assertThat(service.terminate()).isZero();
                assertThat(service.output())
                        .contains("WARN requests - 127.0.0.1 POST /v1/networks 401 ", "WARN requests - 127.0.0.1 POST /v1/networks 403 ")
                        .as("an accepted request is INFO, below warn").doesNotContain("POST /v1/networks 201")
                        .doesNotContain("s3cret");
            }
            try (Service service = new Service(Map.of(), "--store", "inmemory", "--port", "0", "--log-level", "error")) {
                assertThat(service.post("/v1/networks", ApiServer.SEED_NETWORK, null).statusCode()).isEqualTo(201);
                assertThat(service.terminate()).isZero();
                assertThat(service.output()).as("request lines are below error").doesNotContain("POST /v1/networks");
            }
        }

        @Test
        @DisplayName("an ALLOCATOR_ variable that names no setting is a warning on stderr, with the close name")
        void misspeltVariable() throws Exception {
            try (Service service = new Service(Map.of("ALLOCATOR_STOER", "etcd"), "--port", "0")) {
                assertThat(service.terminate()).isZero();
                assertThat(service.output()).contains(
                        "allocator-rest: warning: ALLOCATOR_STOER names no setting and is ignored; did you mean ALLOCATOR_STORE?");
            }
        }

        @Nested
        @DisplayName("on the default store, sqlite")
        class OnSqlite {
            private static final String ALICE = "{\"cluster\": \"c\", \"node\": \"alice\"}";

            private Path defaultFile() {
                return workDir.resolve("allocator-data").resolve("allocator.db");
            }

            @Test
            @DisplayName("with no --store the service keeps its data in allocator-data/allocator.db, named at start-up, across a SIGTERM and a kill -9")
            void survivesRestarts() throws Exception {
                String address;
                try (Service first = new Service(Map.of(), "--port", "0")) {
                    assertThat(first.output()).contains("with store sqlite (sqlite " + defaultFile() + ")")
                            .doesNotContain("in-memory store");
                    assertThat(first.post("/v1/networks", ApiServer.SEED_NETWORK, null).statusCode()).isEqualTo(201);
                    HttpResponse<String> allocated = first.post("/v1/networks/admin", ALICE, null);
                    assertThat(allocated.statusCode()).isEqualTo(200);
                    address = allocated.body();
                    assertThat(first.terminate()).isZero();
                }
                assertThat(defaultFile()).isRegularFile();
                try (Service second = new Service(Map.of(), "--port", "0")) {
                    assertThat(second.post("/v1/networks/admin", ALICE, null).body()).as("the same owner's address").isEqualTo(address);
                    assertThat(second.post("/v1/networks/admin", "{\"cluster\": \"c\", \"node\": \"bob\"}", null).body())
                            .as("another owner's").isNotEqualTo(address);
                    second.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9: no shutdown hook runs
                }
                try (Service third = new Service(Map.of("ALLOCATOR_SQLITE_PATH", defaultFile().toString()), "--port", "0")) {
                    assertThat(third.get("/v1/networks/admin/addresses?full").body())
                            .contains("\"node\":\"alice\"", "\"node\":\"bob\"");
                    assertThat(third.terminate()).isZero();
                }
            }

            @Test
            @DisplayName("a database path that cannot be created exits with code 2 and one line naming it")
            void uncreatablePath() throws Exception {
                Path blocker = Files.writeString(workDir.resolve("a-file"), "not a directory");
                Finished finished = finish(Map.of(), "--sqlite-path", blocker.resolve("allocator.db").toString());

                assertThat(finished.code()).isEqualTo(2);
                assertThat(finished.err().lines()).singleElement().asString()
                        .startsWith("allocator-rest: ").contains(blocker.toString()).doesNotContain("\tat ");
                assertThat(blocker).hasContent("not a directory");
            }

            @Test
            @DisplayName("a file that is not a SQLite database exits with code 2 and one line naming it, and is left as it was")
            void notADatabase() throws Exception {
                Path notes = Files.writeString(workDir.resolve("notes.db"), "these are my notes, not a database\n".repeat(200));
                Finished finished = finish(Map.of("ALLOCATOR_SQLITE_PATH", notes.toString()), "--port", "0");

                assertThat(finished.code()).isEqualTo(2);
                assertThat(finished.err().lines()).singleElement().asString()
                        .startsWith("allocator-rest: " + notes + ": is not a SQLite database").doesNotContain("\tat ");
                assertThat(notes).hasContent("these are my notes, not a database\n".repeat(200));
                assertThat(notes.resolveSibling("notes.db-wal")).doesNotExist();
            }

            @Test
            @DisplayName("a database of a newer schema version exits with code 2 and one line naming it, and is left as it was")
            void newerSchema() throws Exception {
                Path newer = workDir.resolve("newer.db");
                net.allocator.sqlite.SqliteKeyValueStore.open(newer).close();
                try (java.sql.Connection connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + newer);
                        java.sql.Statement statement = connection.createStatement()) {
                    statement.execute("PRAGMA user_version = 1000000"); // a schema version far beyond this one's
                }
                byte[] before = Files.readAllBytes(newer);
                Finished finished = finish(Map.of(), "--port", "0", "--sqlite-path", newer.toString());

                assertThat(finished.code()).isEqualTo(2);
                assertThat(finished.err().lines()).singleElement().asString()
                        .startsWith("allocator-rest: " + newer + ": was written by a newer version of the allocator").doesNotContain("\tat ");
                assertThat(Files.readAllBytes(newer)).isEqualTo(before);
            }

            @Test
            @DisplayName("a write the database refuses at run time is a 503 with the JSON error body, changes nothing, and the service recovers")
            void writeFailureIsUnavailable() throws Exception {
                Path file = workDir.resolve("busy.db");
                try (Service service = new Service(Map.of(), "--port", "0", "--log-level", "warn", "--sqlite-path", file.toString(),
                        "--sqlite-busy-timeout", "200ms")) {
                    assertThat(service.post("/v1/networks", ApiServer.SEED_NETWORK, null).statusCode()).isEqualTo(201);
                    HttpResponse<String> refused;
                    // another process holds the file's write lock past the busy timeout
                    try (java.sql.Connection holder = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
                            java.sql.Statement statement = holder.createStatement()) {
                        statement.execute("BEGIN IMMEDIATE");
                        refused = service.post("/v1/networks/admin", ALICE, null);
                        statement.execute("ROLLBACK");
                    }
                    assertThat(refused.statusCode()).isEqualTo(503);
                    assertThat(refused.body()).startsWith("{\"status\":503,").contains(file.toString());
                    assertThat(service.get("/v1/networks/admin/addresses?full").body()).doesNotContain("\"node\":\"alice\"");

                    HttpResponse<String> recovered = service.post("/v1/networks/admin", ALICE, null);
                    assertThat(recovered.statusCode()).isEqualTo(200);
                    assertThat(service.get("/v1/networks/admin/addresses?full").body()).contains("\"node\":\"alice\"");
                }
            }

            @Test
            @DisplayName("backup copies the database while the service allocates; a service on the copy holds every allocation acknowledged before")
            void backupWhileServing() throws Exception {
                Path live = workDir.resolve("live.db");
                Path copy = workDir.resolve("backups").resolve("copy.db");
                String network = ApiServer.SEED_NETWORK.replace("\"10.112.1.101\", \"10.112.1.102\", \"10.112.1.103\"", "\"10.112.2.0-10.112.5.255\"");
                List<String> acknowledged = new java.util.concurrent.CopyOnWriteArrayList<>();
                try (Service service = new Service(Map.of(), "--port", "0", "--log-level", "warn", "--sqlite-path", live.toString())) {
                    assertThat(service.post("/v1/networks", network, null).statusCode()).isEqualTo(201);
                    java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
                    List<Thread> clients = new ArrayList<>();
                    for (int c = 0; c < 4; c++) {
                        int client = c;
                        Thread thread = new Thread(() -> {
                            for (int n = 0; loading.get(); n++) {
                                String node = "n" + client + "-" + n;
                                try {
                                    if (service.post("/v1/networks/admin", "{\"cluster\": \"c\", \"node\": \"" + node + "\"}", null)
                                            .statusCode() == 200) {
                                        acknowledged.add(node);
                                    }
                                } catch (Exception e) {
                                    return;
                                }
                            }
                        });
                        thread.start();
                        clients.add(thread);
                    }
                    await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 50);
                    List<String> beforeBackup = List.copyOf(acknowledged);
                    Finished backup = finish(Map.of(), "backup", "--sqlite-path", live.toString(), "--to", copy.toString());
                    loading.set(false);
                    for (Thread client : clients) {
                        client.join(30_000);
                    }
                    assertThat(backup.code()).as(backup.err()).isZero();
                    assertThat(backup.out()).isEqualTo("backed up " + live + " to " + copy + "\n");
                    assertThat(acknowledged).as("the load went on during the backup").hasSizeGreaterThan(beforeBackup.size());

                    Finished again = finish(Map.of(), "backup", "--sqlite-path", live.toString(), "--to", copy.toString());
                    assertThat(again.code()).isEqualTo(2);
                    assertThat(again.err().lines()).singleElement().asString().contains("refusing to overwrite " + copy);

                    try (Service restored = new Service(Map.of(), "--port", "0", "--log-level", "warn", "--sqlite-path", copy.toString())) {
                        String used = restored.get("/v1/networks/admin/addresses?full&limit=2000").body();
                        assertThat(beforeBackup).allSatisfy(node -> assertThat(used).contains("\"node\":\"" + node + "\""));
                    }
                }
            }
        }
    }
}
