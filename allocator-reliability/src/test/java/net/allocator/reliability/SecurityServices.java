package net.allocator.reliability;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the hostile-input and security tests share: the servers that {@code scripts/with-servers.sh}
 * started, and REST service processes started from the runnable jar of {@code allocator-rest}
 * exactly as an operator starts them ({@code java -jar allocator-rest.jar --store etcd ...}).
 */
final class SecurityServices {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on http://(\\[[^\\]]+\\]|[^:/\\s]+):(\\d+)");
    private static final Set<Service> RUNNING = ConcurrentHashMap.newKeySet();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static Path jarCopy;

    static {
        // a test run that is cut short must not leave service processes behind
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(service -> service.process.destroyForcibly()),
                "security-services-cleanup"));
    }

    private SecurityServices() {}

    /** The etcd client URL of the test server; fails the test when the suite was not started through the script. */
    static String etcdEndpoints() {
        return required("ALLOCATOR_TEST_ETCD_ENDPOINTS");
    }

    /** The Consul HTTP URL of the test server; fails the test when the suite was not started through the script. */
    static String consulUrl() {
        return required("ALLOCATOR_TEST_CONSUL_URL");
    }

    private static String required(String variable) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            fail(variable + " is not set: these system tests need real etcd and Consul servers. Run them through "
                    + "scripts/with-servers.sh, for instance: scripts/with-servers.sh mvn -B -pl allocator-reliability verify "
                    + "-Dtest='Hostile*,Security*'");
        }
        return value.strip();
    }

    /** A key prefix nobody else uses, such as {@code reliability/hostile-k3v9x2}. */
    static String uniquePrefix(String what) {
        return "reliability/" + what + "-" + Long.toString(RANDOM.nextLong() >>> 1, 36);
    }

    /** The repository's root: the parent of this module's directory. */
    static Path repositoryRoot() {
        Path module = Paths.get(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        Path root = module.getFileName() != null && module.getFileName().toString().equals("allocator-reliability")
                ? module.getParent() : module;
        if (!Files.isDirectory(root.resolve("allocator-rest"))) {
            fail("cannot find the repository root from " + module);
        }
        return root;
    }

    /** This module's build directory, for logs and the copy of the jar. */
    static Path targetDirectory() {
        Path target = repositoryRoot().resolve("allocator-reliability").resolve("target");
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /**
     * A private copy of {@code allocator-rest/target/allocator-rest.jar}: other builds in the same
     * working tree may replace that file while our service processes still load classes from it.
     */
    static synchronized Path restJar() {
        if (jarCopy != null) {
            return jarCopy;
        }
        Path jar = repositoryRoot().resolve("allocator-rest/target/allocator-rest.jar");
        if (!Files.isRegularFile(jar)) {
            fail(jar + " does not exist: build it first (mvn -B -q install -pl allocator-rest -am -DskipTests), "
                    + "or run the whole build, which builds allocator-rest before this module");
        }
        try {
            Path dir = Files.createDirectories(targetDirectory().resolve("security-jars"));
            Path copy = dir.resolve("allocator-rest-" + ProcessHandle.current().pid() + ".jar");
            Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
            copy.toFile().deleteOnExit();
            jarCopy = copy;
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Matches text that only a stack trace or an exception's class name would put in an answer. */
    private static final Pattern STACK_TRACE = Pattern.compile(
            "(\\tat |\\n\\s*at [\\w$.]+\\(|Caused by:|\\.java:\\d+\\)|\\b(java|javax|sun|jdk|com|org|net|io)\\.[\\w$.]*(Exception|Error)\\b"
                    + "|Exception in thread|\\w+Exception:)");

    /** Whether the text holds anything that looks like a stack trace or an exception class name. */
    static Optional<String> stackTraceIn(String text) {
        Matcher matcher = STACK_TRACE.matcher(text);
        return matcher.find() ? Optional.of(matcher.group()) : Optional.empty();
    }

    /** A REST service process, started from the runnable jar with the given flags. */
    static final class Service implements AutoCloseable {
        final String name;
        final Process process;
        final Path log;
        final String host;
        final int port;
        final URI base;
        final String startupLine;

        private Service(String name, Process process, Path log, String host, int port, String startupLine) {
            this.name = name;
            this.process = process;
            this.log = log;
            this.host = host;
            this.port = port;
            this.base = URI.create("http://" + host + ":" + port);
            this.startupLine = startupLine;
        }

        /**
         * Starts {@code java -jar allocator-rest.jar --port 0 <flags>} and waits until its start-up
         * line names the port and, unless {@code waitForHealth} is false, until {@code /v1/health}
         * answers 200.
         */
        static Service start(String name, List<String> flags, Map<String, String> environment, boolean waitForHealth) {
            Path log = targetDirectory().resolve("security-logs").resolve(name + "-" + System.currentTimeMillis() + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-jar", restJar().toString(), "--port", "0"));
            command.addAll(flags);
            Process process;
            try {
                Files.createDirectories(log.getParent());
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
                // nothing of the test JVM's environment that names a setting may leak into the service
                builder.environment().keySet().removeIf(key -> key.startsWith("ALLOCATOR_") && !key.startsWith("ALLOCATOR_TEST_"));
                builder.environment().putAll(environment);
                process = builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + command, e);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            try {
                while (true) {
                    String text = Files.readString(log, StandardCharsets.UTF_8);
                    Matcher matcher = LISTENING.matcher(text);
                    if (matcher.find()) {
                        String host = matcher.group(1);
                        String line = text.substring(text.lastIndexOf('\n', matcher.start()) + 1);
                        int end = line.indexOf('\n');
                        Service service = new Service(name, process, log, host, Integer.parseInt(matcher.group(2)),
                                end >= 0 ? line.substring(0, end) : line);
                        RUNNING.add(service);
                        if (waitForHealth) {
                            service.awaitHealthy(Duration.ofSeconds(60));
                        }
                        return service;
                    }
                    if (!process.isAlive()) {
                        fail("service " + name + " exited with " + process.exitValue() + " before listening:\n" + text);
                    }
                    if (System.nanoTime() > deadline) {
                        process.destroyForcibly();
                        fail("service " + name + " did not start within 90 s:\n" + text);
                    }
                    Thread.sleep(50);
                }
            } catch (IOException e) {
                process.destroyForcibly();
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Runs the jar with flags that must make it refuse to start; returns its exit code and output. */
        static Map.Entry<Integer, String> startExpectingFailure(String name, List<String> flags, Map<String, String> environment) {
            Path log = targetDirectory().resolve("security-logs").resolve(name + "-" + System.currentTimeMillis() + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar", restJar().toString(), "--port", "0"));
            command.addAll(flags);
            try {
                Files.createDirectories(log.getParent());
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
                builder.environment().keySet().removeIf(key -> key.startsWith("ALLOCATOR_") && !key.startsWith("ALLOCATOR_TEST_"));
                builder.environment().putAll(environment);
                Process process = builder.start();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    fail("service " + name + " was expected to refuse to start but still runs after 60 s:\n"
                            + Files.readString(log, StandardCharsets.UTF_8));
                }
                return Map.entry(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        InetAddress address() {
            try {
                return InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits until {@code GET /v1/health} answers 200. */
        void awaitHealthy(Duration timeout) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).build();
            long deadline = System.nanoTime() + timeout.toNanos();
            String last = "no answer yet";
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    fail("service " + name + " exited with " + process.exitValue() + ":\n" + logText());
                }
                try {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve("/v1/health"))
                            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        return;
                    }
                    last = response.statusCode() + " " + response.body();
                } catch (IOException e) {
                    last = e.toString();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            fail("service " + name + " did not report healthy within " + timeout + " (last: " + last + "):\n" + logText());
        }

        boolean alive() {
            return process.isAlive();
        }

        String logText() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(cannot read " + log + ": " + e + ")";
            }
        }

        /** Stops the process as an operator would (SIGTERM), and kills it if it does not stop in 20 s. */
        @Override
        public void close() {
            RUNNING.remove(this);
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public String toString() {
            return name + " at " + base;
        }
    }

    /** A small HTTP client for the tests' own well-formed requests. */
    static final class Client {
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        final URI base;
        private final Optional<String> token;

        Client(URI base, Optional<String> token) {
            this.base = base;
            this.token = token;
        }

        /** An answer: status, headers, body text and the body as JSON when it is JSON. */
        record Reply(int status, Map<String, List<String>> headers, String body, JsonNode json) {
            Optional<String> header(String name) {
                return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                        .flatMap(e -> e.getValue().stream()).findFirst();
            }

            String text(String field) {
                return json == null || json.get(field) == null || json.get(field).isNull() ? null : json.get(field).asText();
            }

            @Override
            public String toString() {
                return status + " " + (body.length() > 500 ? body.substring(0, 500) + "…" : body);
            }
        }

        Reply send(String method, String path, String contentType, String body) {
            return send(method, path, contentType, body, token.map(t -> "Bearer " + t).orElse(null));
        }

        Reply send(String method, String path, String contentType, String body, String authorization) {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            return send(request.build());
        }

        Reply send(HttpRequest request) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                JsonNode json = null;
                try {
                    json = response.body().isEmpty() ? null : JSON.readTree(response.body());
                } catch (IOException notJson) {
                    // left null: the caller asserts what it expects
                }
                return new Reply(response.statusCode(), response.headers().map(), response.body(), json);
            } catch (IOException e) {
                throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        Reply get(String path) {
            return send("GET", path, null, null);
        }

        Reply postJson(String path, String json) {
            return send("POST", path, "application/json", json);
        }

        Reply putJson(String path, String json) {
            return send("PUT", path, "application/json", json);
        }

        Reply delete(String path) {
            return send("DELETE", path, null, null);
        }

        /** Registers a network and fails the test unless it is created. */
        void register(String json) {
            Reply reply = postJson("/v1/networks", json);
            if (reply.status() != 201) {
                fail("registering " + json + " answered " + reply);
            }
        }

        /** Allocates for (cluster, node) and returns the address; fails the test on anything but 200. */
        String allocate(String network, String cluster, String node) {
            com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode().put("cluster", cluster).put("node", node);
            Reply reply = postJson("/v1/networks/" + network, body.toString());
            if (reply.status() != 200 || reply.text("address") == null) {
                fail("allocating in " + network + " for " + body + " answered " + reply);
            }
            return reply.text("address");
        }
    }
}
