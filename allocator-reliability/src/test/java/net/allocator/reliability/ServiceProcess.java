package net.allocator.reliability;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.google.common.net.InetAddresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * One REST service process, started from the runnable jar in a JVM of its own exactly as an
 * operator starts it ({@code java -jar allocator-rest.jar --store etcd ...}), with its output in a
 * log file. {@link #close()} stops it with SIGTERM, as an init system would, and kills it only if
 * it does not stop.
 *
 * <p>None of the test JVM's {@code ALLOCATOR_*} variables (its own {@code ALLOCATOR_TEST_*} and
 * {@code ALLOCATOR_SCRIPTS_DIR}, or a setting's) reaches the service: each test gives the
 * environment it means.
 */
final class ServiceProcess implements AutoCloseable {
    private static final HttpClient PROBE = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern LISTENING = Pattern.compile("listening on http://(\\[[^\\]]+\\]|[^:/\\s]+):(\\d+)");
    private static final List<String> JVM_FLAGS = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");
    private static final Duration START_WITHIN = Duration.ofSeconds(60);
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        // a test run that is cut short must not leave service processes behind
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "service-process-cleanup"));
    }

    private final String name;
    private final Process process;
    private final String host;
    private final int port;
    private final URI uri;
    private final Path log;
    private final String startupLine;
    private final List<String> flags;

    private ServiceProcess(String name, Process process, String host, int port, Path log, String startupLine, List<String> flags) {
        this.name = name;
        this.process = process;
        this.host = host;
        this.port = port;
        this.uri = URI.create("http://" + host + ":" + port);
        this.log = log;
        this.startupLine = startupLine;
        this.flags = List.copyOf(flags);
    }

    /**
     * Starts a service with {@code flags} (the store's, at least) on a free loopback port, logging
     * warnings only, and waits until it answers HTTP: {@code /v1/health} with 200 or 503, since
     * the store may be down on purpose.
     */
    static ServiceProcess start(String name, Path logDir, List<String> flags) {
        String lastProblem = "";
        Path log = logDir.resolve(name + ".log");
        for (int attempt = 1; attempt <= 3; attempt++) {
            int port = freePort();
            List<String> all = new ArrayList<>(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--log-level", "warn"));
            all.addAll(flags);
            Process process = launch(name, log, all, Map.of());
            ServiceProcess service = new ServiceProcess(name, process, "127.0.0.1", port, log, "", all);
            if (service.awaitAnswer(status -> status == 200 || status == 503)) {
                if (read(log).contains("names no setting")) {
                    // given no environment, it must have been handed the test JVM's own variables
                    service.close();
                    fail("service " + name + " warned of a variable no test gave it; log: " + log + "\n" + tail(log));
                }
                return service;
            }
            if (process.isAlive()) {
                service.close();
                lastProblem = "did not answer on " + service.uri + " within " + START_WITHIN;
            } else {
                lastProblem = "exited with " + process.exitValue();
                if (process.exitValue() != 1) {
                    break; // 1 is "cannot listen", worth another port; anything else is not
                }
            }
        }
        return fail("service " + name + " " + lastProblem + "; log: " + log + "\n" + tail(log));
    }

    /**
     * Starts {@code java -jar allocator-rest.jar --port 0 <flags>} with nothing else given (the
     * operator's defaults for bind address and log level) and {@code environment}, learns the
     * port from its start-up line, and waits until {@code /v1/health} answers 200.
     */
    static ServiceProcess startAsOperator(String name, Path logDir, List<String> flags, Map<String, String> environment) {
        Path log = logDir.resolve(name + ".log");
        List<String> all = new ArrayList<>(List.of("--port", "0"));
        all.addAll(flags);
        Process process = launch(name, log, all, environment);
        Matcher listening;
        try {
            listening = await().atMost(START_WITHIN).pollInterval(Duration.ofMillis(50))
                    .failFast("service " + name + " exited before listening", () -> !process.isAlive())
                    .until(() -> LISTENING.matcher(read(log)), Matcher::find);
        } catch (RuntimeException e) {
            process.destroyForcibly();
            return fail("service " + name + " did not start (" + e.getMessage() + "):\n" + read(log));
        }
        String text = read(log);
        String line = text.substring(text.lastIndexOf('\n', listening.start()) + 1);
        int end = line.indexOf('\n');
        ServiceProcess service = new ServiceProcess(name, process, listening.group(1), Integer.parseInt(listening.group(2)), log,
                end >= 0 ? line.substring(0, end) : line, all);
        if (!service.awaitAnswer(status -> status == 200)) {
            service.close();
            fail("service " + name + " did not report healthy within " + START_WITHIN + ":\n" + read(log));
        }
        return service;
    }

    /** What a service that refused to start said: its exit code and its whole output. */
    record Refusal(int exitCode, String output) {}

    /** Runs the jar with flags or an environment that must make it refuse to start. */
    static Refusal startExpectingRefusal(String name, Path logDir, List<String> flags, Map<String, String> environment) {
        Path log = logDir.resolve(name + ".log");
        List<String> all = new ArrayList<>(List.of("--port", "0"));
        all.addAll(flags);
        Process process = launch(name, log, all, environment);
        try {
            if (!process.waitFor(START_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail("service " + name + " was expected to refuse to start but still runs after " + START_WITHIN + ":\n" + read(log));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        RUNNING.remove(process);
        return new Refusal(process.exitValue(), read(log));
    }

    private static Process launch(String name, Path log, List<String> flags, Map<String, String> environment) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-jar", ServiceEnvironment.serviceJar().toString()));
        command.addAll(flags);
        try {
            Files.createDirectories(log.getParent());
            // the command line goes next to the log, not into it: the log is the service's own
            // output, which tests search for secrets that a flag (--consul-token) may carry
            Files.writeString(log.resolveSibling(log.getFileName() + ".command"), String.join(" ", command) + "\n");
            // a fresh working directory each start: the default store (sqlite) keeps its file under
            // it, and a test that means to reopen a file names it with --sqlite-path
            Path workDir = Files.createTempDirectory(log.getParent(), name + "-work-");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            // the test JVM's own (ALLOCATOR_TEST_ETCD_ENDPOINTS, ALLOCATOR_SCRIPTS_DIR, ...) name no
            // setting of the service's, which would warn of each
            builder.environment().keySet().removeIf(key -> key.startsWith("ALLOCATOR_"));
            builder.environment().putAll(environment);
            Process process = builder.start();
            RUNNING.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** Whether {@code /v1/health} answers a status {@code wanted} accepts before the process exits or time runs out. */
    private boolean awaitAnswer(IntPredicate wanted) {
        try {
            await().atMost(START_WITHIN).pollInterval(Duration.ofMillis(100))
                    .failFast("service " + name + " exited", () -> !process.isAlive())
                    .until(this::health, status -> status.isPresent() && wanted.test(status.getAsInt()));
            return true;
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            return false;
        }
    }

    private OptionalInt health() {
        try {
            HttpResponse<String> response = PROBE.send(HttpRequest.newBuilder(uri.resolve("/v1/health"))
                    .timeout(Duration.ofSeconds(15)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return OptionalInt.of(response.statusCode());
        } catch (IOException e) {
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    URI uri() {
        return uri;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The address the service listens on, as its start-up line names it. */
    InetAddress address() {
        return InetAddresses.forString(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
    }

    int port() {
        return port;
    }

    /** The line that names the address, store and version ({@link #startAsOperator} only; empty otherwise). */
    String startupLine() {
        return startupLine;
    }

    /** The whole log: everything the service printed. */
    String logText() {
        return read(log);
    }

    /** The last lines of the service's log, for failure messages. */
    String logTail() {
        return tail(log);
    }

    /**
     * kill -9 (no shutdown hook runs, nothing is flushed), then the same command again on the same
     * port, logging to {@code <name>-restarted.log}; returns the new process once it answers 200.
     */
    ServiceProcess killedAndRestarted() {
        RUNNING.remove(process);
        try {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        Path again = log.resolveSibling(name + "-restarted.log");
        ServiceProcess restarted = new ServiceProcess(name, launch(name, again, flags, Map.of()), host, port, again, "", flags);
        if (!restarted.awaitAnswer(status -> status == 200)) {
            restarted.close();
            fail("service " + name + " did not answer after its restart:\n" + tail(again));
        }
        return restarted;
    }

    /** SIGTERM, then up to 20 s for the shutdown hook, then SIGKILL. */
    @Override
    public void close() {
        RUNNING.remove(process);
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                System.err.println("service " + name + " did not stop within 20 s of SIGTERM; killing it");
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " at " + uri;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Lets time pass on purpose (a load running, a pause between retries); never to wait for a condition. */
    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
