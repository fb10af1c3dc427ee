package net.allocator.reliability;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One REST service process: {@code java -jar allocator-rest.jar --port <free> ...}, started in a
 * JVM of its own, with its output in a log file. {@link #close()} stops it with SIGTERM, as an
 * init system would, and kills it only if it does not stop.
 */
final class ServiceProcess implements AutoCloseable {
    private static final HttpClient PROBE = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Process process;
    private final URI uri;
    private final Path log;

    private ServiceProcess(String name, Process process, URI uri, Path log) {
        this.name = name;
        this.process = process;
        this.uri = uri;
        this.log = log;
    }

    /**
     * Starts a service with {@code flags} (the store's, at least) on a free loopback port and
     * waits until it answers HTTP: {@code /v1/health} with 200 or 503, since the store may be
     * down on purpose.
     */
    static ServiceProcess start(String name, Path logDir, List<String> flags) {
        String lastProblem = "";
        for (int attempt = 1; attempt <= 3; attempt++) {
            int port = freePort();
            Path log = logDir.resolve(name + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                    "-jar", ServiceEnvironment.serviceJar().toString(),
                    "--port", Integer.toString(port), "--bind", "127.0.0.1", "--log-level", "warn"));
            command.addAll(flags);
            Process process;
            try {
                Files.writeString(log, String.join(" ", command) + "\n");
                process = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start " + name, e);
            }
            URI uri = URI.create("http://127.0.0.1:" + port);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && process.isAlive()) {
                if (answers(uri)) {
                    return new ServiceProcess(name, process, uri, log);
                }
                sleep(100);
            }
            if (process.isAlive()) {
                process.destroyForcibly();
                lastProblem = "did not answer on " + uri + " within 60 s";
            } else {
                lastProblem = "exited with " + process.exitValue();
                if (process.exitValue() != 1) {
                    break; // 1 is "cannot listen", worth another port; anything else is not
                }
            }
        }
        return fail("service " + name + " " + lastProblem + "; log: " + logDir.resolve(name + ".log") + "\n"
                + tail(logDir.resolve(name + ".log")));
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

    /** The last lines of the service's log, for failure messages. */
    String logTail() {
        return tail(log);
    }

    /** SIGTERM, then up to 20 s for the shutdown hook, then SIGKILL. Returns the exit code. */
    @Override
    public void close() {
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

    private static boolean answers(URI uri) {
        try {
            HttpResponse<String> response = PROBE.send(HttpRequest.newBuilder(uri.resolve("/v1/health"))
                    .timeout(Duration.ofSeconds(15)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 || response.statusCode() == 503;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
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

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
