package net.allocator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.allocator.reliability.HostileCorpus.Probe;
import net.allocator.reliability.HostileWire.Reply;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Hostile input against the whole system: a generated corpus of malformed requests against every
 * endpoint and method of a real service process, over raw sockets and through the JDK's HTTP client, on etcd and on
 * Consul. With valid networks and allocations in the store, no request of the corpus may get a
 * 5xx (the store is up), a 2xx for anything but a read, an answer that is not the JSON error
 * shape, or an answer with a stack trace; the store, dumped through its own API, must not change;
 * and the service must stay up and keep working.
 *
 * <p>The corpus is reproducible: {@code -Dhostile.seed=<n>} and {@code -Dhostile.probes=<n>}
 * (default 10,000 per store, the first ~2,400 a deterministic sweep of every hostile value).
 * Every failure names the probe's number and bytes. The JDK server answers some malformed
 * framing itself, before any handler runs, in HTML (and with a 501 for an unsupported
 * Transfer-Encoding): the corpus counts those known answers ({@link HostileCorpus#JDK_REJECTS},
 * anything else fails); {@link #transportRefusals} checks that they never reach the API.
 */
class HostileInputSystemTest {
    private static final Path LOGS = ServiceEnvironment.logDir(HostileInputSystemTest.class);
    private static final long SEED = Long.getLong("hostile.seed", 20_261_125L);
    private static final int PROBES = Integer.getInteger("hostile.probes", 10_000);
    private static final int CHECK_EVERY = 100;
    private static final int RAW_TIMEOUT_MILLIS = 15_000;
    private static final Pattern REQUEST_LOG = Pattern.compile("INFO requests - \\S+ (.{0,400}) (\\d{3}) \\d+ms$", Pattern.MULTILINE);

    @Test
    @DisplayName("etcd: 10,000 malformed requests change nothing, get no 5xx, always the JSON error shape, and the service stays up")
    void etcd() throws Exception {
        corpus("etcd", List.of("--store", "etcd", "--etcd-endpoints", ServiceEnvironment.sharedEtcd()),
                ServiceStore.shared(ServiceStore.Kind.ETCD));
    }

    @Test
    @DisplayName("Consul: 10,000 malformed requests change nothing, get no 5xx, always the JSON error shape, and the service stays up")
    void consul() throws Exception {
        corpus("consul", List.of("--store", "consul", "--consul-url", ServiceEnvironment.sharedConsul()),
                ServiceStore.shared(ServiceStore.Kind.CONSUL));
    }

    private void corpus(String store, List<String> storeFlags, ServiceStore dump) throws Exception {
        String prefix = ServiceEnvironment.uniquePrefix("hostile-" + store);
        List<String> flags = new ArrayList<>(storeFlags);
        flags.addAll(List.of("--key-prefix", prefix));
        try (ServiceProcess service = ServiceProcess.startAsOperator("hostile-" + store, LOGS, flags, Map.of())) {
            ApiClient client = new ApiClient(service.uri(), Optional.empty());
            setUp(client);
            SortedMap<String, String> baseline = dump.scan(prefix);
            assertThat(baseline.keySet()).as("the store before the corpus").hasSize(3 + 2 * (HostileCorpus.SETUP.size() + 1))
                    .allMatch(key -> key.startsWith(prefix + "/"));

            Run run = new Run(service, dump, prefix, baseline);
            run.go(new HostileCorpus(SEED, 150));

            // the service is still up and still works: a valid allocation, then its release
            assertThat(service.isAlive()).as("service process alive").isTrue();
            assertThat(client.get("/v1/health").status()).isEqualTo(200);
            String address = client.allocate("admin", "after-corpus", "n1");
            assertThat(client.putJson("/v1/networks/admin/addresses/" + address, "{\"status\":\"free\"}").status()).isEqualTo(200);
            assertThat(dump.scan(prefix)).as("the store after a valid allocation and its release").isEqualTo(run.baseline);

            run.scanLog(service.logText());
            System.out.println(run.summary(store));
            assertThat(run.problems).as(run.report(store)).isEmpty();
        }
    }

    /** The state the corpus expects: three networks with used addresses. */
    static void setUp(ApiClient client) {
        HostileCorpus.NETWORKS.forEach(client::register);
        List<String> expected = List.of("10.112.1.101", "10.112.1.102", "10.112.1.103", "2001:db8:7::10", "2001:db8:7::11",
                "10.77.0.1", "10.77.0.2");
        for (int i = 0; i < HostileCorpus.SETUP.size(); i++) {
            String[] a = HostileCorpus.SETUP.get(i);
            assertThat(client.allocate(a[0], a[1], a[2])).as("set-up allocation %s", List.of(a)).isEqualTo(expected.get(i));
        }
        String[] c = HostileCorpus.SETUP_CLAIM;
        ApiClient.Reply claimed = client.putJson("/v1/networks/" + c[0] + "/addresses/" + c[1],
                "{\"cluster\":\"" + c[2] + "\",\"node\":\"" + c[3] + "\",\"status\":\"used\"}");
        assertThat(claimed.status()).as("set-up claim " + claimed).isEqualTo(200);
    }

    /** One corpus against one service: runs the probes and collects every problem. */
    private static final class Run {
        final ServiceProcess service;
        final ServiceStore dump;
        final String prefix;
        SortedMap<String, String> baseline;
        final InetSocketAddress address;
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        final List<String> problems = new ArrayList<>();
        final SortedMap<String, Integer> categories = new TreeMap<>();
        final SortedMap<Integer, Integer> statuses = new TreeMap<>();
        final SortedMap<String, Integer> jdkRejects = new TreeMap<>();
        final SortedMap<String, Integer> endings = new TreeMap<>();
        final List<Probe> window = new ArrayList<>();
        int probes;
        int raw;
        int sweep;
        long started;
        long finished;

        Run(ServiceProcess service, ServiceStore dump, String prefix, SortedMap<String, String> baseline) {
            this.service = service;
            this.dump = dump;
            this.prefix = prefix;
            this.baseline = baseline;
            this.address = new InetSocketAddress(service.address(), service.port());
        }

        void go(HostileCorpus corpus) {
            started = System.nanoTime();
            sweep = corpus.sweepSize();
            int total = Math.max(PROBES, sweep);
            for (int i = 0; i < total; i++) {
                Probe probe = corpus.next();
                probes++;
                categories.merge(probe.category().replaceAll(" \\(.*", "").replaceAll(" / .*", ""), 1, Integer::sum);
                window.add(probe);
                if (probe.raw()) {
                    raw++;
                    sendRaw(probe);
                } else {
                    sendClient(probe);
                }
                if ((i + 1) % CHECK_EVERY == 0 || i == total - 1) {
                    checkpoint(i);
                }
                if (problems.size() > 500) {
                    problems.add("… stopped after 500 problems");
                    break;
                }
            }
            finished = System.nanoTime();
        }

        private void sendRaw(Probe probe) {
            HostileWire.Outcome outcome;
            try {
                outcome = HostileWire.exchange(address, probe.wire(), true, RAW_TIMEOUT_MILLIS, probe.head());
            } catch (IOException e) {
                problems.add(probe.describe() + "\n    -> could not connect: " + e);
                return;
            }
            endings.merge(outcome.ending() + (outcome.answered() ? "" : " without an answer"), 1, Integer::sum);
            if (outcome.ending().equals("timeout")) {
                problems.add(probe.describe() + "\n    -> the server neither answered nor closed the connection within "
                        + RAW_TIMEOUT_MILLIS + " ms after the request was complete; got " + outcome.replies());
            }
            if (!outcome.answered() && !probe.mayDrop()) {
                problems.add(probe.describe() + "\n    -> no answer (connection " + outcome.ending() + ")");
            }
            check(probe, outcome.replies());
        }

        private void sendClient(Probe probe) {
            HttpRequest.Builder request;
            try {
                request = HttpRequest.newBuilder(URI.create(service.uri() + probe.target())).timeout(Duration.ofSeconds(30))
                        .method(probe.method(), probe.body().length == 0 ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(probe.body()));
                for (String[] header : probe.headers()) {
                    request.header(header[0], header[1]);
                }
            } catch (IllegalArgumentException e) {
                problems.add(probe.describe() + "\n    -> the test's HTTP client refused to build it (a corpus bug): " + e);
                return;
            }
            try {
                HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                List<Map.Entry<String, String>> headers = new ArrayList<>();
                response.headers().map().forEach((name, values) -> values.forEach(v -> headers.add(Map.entry(name, v))));
                check(probe, List.of(new Reply(response.statusCode(), "HTTP/1.1 " + response.statusCode(), headers, response.body())));
            } catch (IOException e) {
                problems.add(probe.describe() + "\n    -> " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Every answer on one connection against the rules. */
        private void check(Probe probe, List<Reply> replies) {
            int successes = 0;
            for (Reply reply : replies) {
                int status = reply.status();
                statuses.merge(status, 1, Integer::sum);
                String text = reply.bodyText();
                Optional<String> trace = ApiClient.stackTraceIn(text + "\n" + reply.headers());
                if (trace.isPresent()) {
                    problems.add(probe.describe() + "\n    -> stack trace or exception name in the answer (" + trace.get() + "): " + reply);
                }
                if (status / 100 == 2) {
                    successes++;
                }
                if (status / 100 == 1) {
                    continue;
                }
                if (!reply.isJson()) {
                    String jdk = jdkReject(reply);
                    if (jdk != null) {
                        // the JDK server's own refusal: asserted by transportRefusalsFollowTheErrorContract
                        jdkRejects.merge(jdk, 1, Integer::sum);
                    } else {
                        problems.add(probe.describe() + "\n    -> an answer that is not JSON: " + reply);
                    }
                    continue;
                }
                if (status >= 500) {
                    problems.add(probe.describe() + "\n    -> " + status + " for bad input while the store is up: " + reply);
                }
                if (probe.head() && reply.body().length == 0) {
                    continue;
                }
                JsonNode json;
                try {
                    json = ServiceClient.JSON.readTree(reply.body());
                } catch (IOException e) {
                    problems.add(probe.describe() + "\n    -> the body is not valid JSON: " + reply);
                    continue;
                }
                if (status >= 400) {
                    boolean shaped = json != null && json.isObject() && json.path("status").isInt() && json.path("status").asInt() == status
                            && json.path("error").isTextual() && !json.path("error").asText().isBlank()
                            && json.path("message").isTextual() && !json.path("message").asText().isBlank();
                    if (!shaped) {
                        problems.add(probe.describe() + "\n    -> the error is not {status,error,message}: " + reply);
                    }
                }
                if (status == 405 && reply.header("Allow").isEmpty()) {
                    problems.add(probe.describe() + "\n    -> a 405 without an Allow header: " + reply);
                }
            }
            if (successes > probe.allowedSuccesses()) {
                problems.add(probe.describe() + "\n    -> " + (probe.allowedSuccesses() == 0 ? "a request that must be refused was accepted"
                        : "more than one request on this connection succeeded (a smuggled or pipelined write ran)") + ": " + replies);
            }
        }

        /** The JDK server's own refusal that the handler never sees, as "status text", or null. */
        private static String jdkReject(Reply reply) {
            String text = reply.bodyText();
            Matcher matcher = Pattern.compile("^<h1>(\\d{3}) [^<]*</h1>(.*)$", Pattern.DOTALL).matcher(text);
            if (!matcher.matches() || !reply.header("Content-Type").orElse("").startsWith("text/html")) {
                return null;
            }
            String key = matcher.group(1) + " " + matcher.group(2).strip();
            return HostileCorpus.JDK_REJECTS.contains(key) && Integer.parseInt(matcher.group(1)) == reply.status() ? key : null;
        }

        /** The service answers its health check and the store is exactly as before; names the probes since the last check otherwise. */
        private void checkpoint(int index) {
            if (!service.isAlive()) {
                problems.add("the service process died after probe #" + index + ":\n" + tail(service.logText()));
                throw new AssertionError(report("(service died)"));
            }
            try {
                HostileWire.Outcome health = HostileWire.exchange(address,
                        "GET /v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII), false, 30_000, false);
                if (health.replies().isEmpty() || health.replies().get(0).status() != 200) {
                    problems.add("after probe #" + index + " /v1/health answered " + health.replies() + " (" + health.ending() + ")");
                }
            } catch (IOException e) {
                problems.add("after probe #" + index + " /v1/health failed: " + e);
            }
            SortedMap<String, String> now = dump.scan(prefix);
            if (!now.equals(baseline)) {
                StringBuilder writes = new StringBuilder();
                window.stream().filter(p -> p.allowedSuccesses() == 0).limit(40)
                        .forEach(p -> writes.append("\n      ").append(p.describe().replace("\n", " ")));
                problems.add("the store changed between probes #" + window.get(0).id() + " and #" + index + ":\n"
                        + ServiceStore.diff(baseline, now, 20) + "\n    the writes of that window were:" + writes);
                baseline = now;
            }
            window.clear();
        }

        /** Every request line of the service's log with a 5xx, every ERROR and every uncaught exception. */
        void scanLog(String log) {
            Matcher requests = REQUEST_LOG.matcher(log);
            while (requests.find()) {
                if (requests.group(2).startsWith("5")) {
                    problems.add("the service logged " + requests.group(2) + " for " + requests.group(1));
                }
            }
            for (String line : log.split("\n")) {
                if (line.contains(" ERROR ") || line.startsWith("Exception in thread") || line.contains("OutOfMemoryError")) {
                    problems.add("the service logged: " + line);
                }
            }
        }

        String summary(String store) {
            double seconds = (finished - started) / 1e9;
            return String.format("%nhostile corpus on %s (seed %d): %d probes (%d in the deterministic sweep, %d over raw sockets) in %.1f s%n"
                    + "  answers by status: %s%n  raw connections ended: %s%n  refused by the JDK server before any handler ran: %s%n"
                    + "  categories: %s%n  problems: %d%n", store, SEED, probes, sweep, raw, seconds, statuses, endings, jdkRejects,
                    categories, problems.size());
        }

        String report(String store) {
            StringBuilder out = new StringBuilder(summary(store)).append("\nfirst problems:\n");
            problems.stream().limit(60).forEach(p -> out.append("  ").append(p).append('\n'));
            return out.toString();
        }

        private static String tail(String log) {
            return log.length() > 5000 ? log.substring(log.length() - 5000) : log;
        }
    }

    @Test
    @DisplayName("malformed HTTP framing is refused by the JDK server before the API sees it, and the service stays up")
    void transportRefusals() throws Exception {
        // Each of these is refused by sun.net.httpserver.ServerImpl before any handler runs, with
        // its own short HTML answer (documented in README and docs/security.md): the project is
        // built on the JDK server by design, and only a strict reverse proxy in front changes
        // these answers. What the service guarantees is that none of them reaches the API.
        Map<String, Integer> requests = new java.util.LinkedHashMap<>();
        Map<String, String> bytes = new java.util.LinkedHashMap<>();
        bytes.put("a Transfer-Encoding other than chunked",
                "POST /v1/networks/admin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n");
        requests.put("a Transfer-Encoding other than chunked", 501);
        bytes.put("Content-Length and Transfer-Encoding",
                "POST /v1/networks/admin HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        bytes.put("a Content-Length that is not a number", "POST /v1/networks/admin HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
        bytes.put("a negative Content-Length", "POST /v1/networks/admin HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n");
        bytes.put("a malformed percent-escape in the path", "GET /v1/networks/%zz HTTP/1.1\r\nHost: x\r\n\r\n");
        bytes.put("a target without a leading slash", "GET v1/networks HTTP/1.1\r\nHost: x\r\n\r\n");
        bytes.put("a header line without a colon", "GET /v1/networks HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n");
        bytes.put("a request line without a version", "GET /v1/networks/admin extra\r\n\r\n");
        List<String> deviations = new ArrayList<>();
        try (ServiceProcess service = ServiceProcess.startAsOperator("hostile-framing", LOGS, List.of(), Map.of())) {
            InetSocketAddress address = new InetSocketAddress(service.address(), service.port());
            for (Map.Entry<String, String> request : bytes.entrySet()) {
                HostileWire.Outcome outcome = HostileWire.exchange(address, request.getValue().getBytes(StandardCharsets.ISO_8859_1), true,
                        RAW_TIMEOUT_MILLIS, false);
                if (outcome.replies().isEmpty()) {
                    continue;  // closing the connection without an answer is acceptable
                }
                Reply reply = outcome.replies().get(0);
                int allowed = requests.getOrDefault(request.getKey(), 0);
                boolean refused = (reply.status() >= 400 && reply.status() < 500) || reply.status() == allowed;
                if (!refused) {
                    deviations.add(request.getKey() + ": " + reply.statusLine() + " " + reply.bodyText());
                }
            }
            assertThat(service.isAlive()).isTrue();
            ApiClient client = new ApiClient(service.uri(), Optional.empty());
            assertThat(client.get("/v1/health").status()).isEqualTo(200);
            assertThat(client.get("/v1/networks").body().strip()).isEqualTo("{}");
            assertThat(service.logText()).doesNotContain("POST /v1/networks/admin");
        }
        assertThat(deviations).as("requests the JDK server did not refuse").isEmpty();
    }

    @Test
    @DisplayName("clients that never finish their request do not starve the service: it answers within 40 s")
    void slowClientsDoNotStarveTheService() throws Exception {
        // 4 request threads and 12 connections that stop in the middle of their request (the head
        // or the body): without a read timeout every thread waits for them forever.
        try (ServiceProcess service = ServiceProcess.startAsOperator("hostile-slow", LOGS, List.of("--threads", "4"), Map.of())) {
            InetSocketAddress address = new InetSocketAddress(service.address(), service.port());
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 12; i++) {
                    Socket socket = new Socket();
                    socket.connect(address, 5000);
                    OutputStream out = socket.getOutputStream();
                    out.write((i % 2 == 0
                            ? "POST /v1/networks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            : "POST /v1/networks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    stalled.add(socket);
                }
                long start = System.nanoTime();
                long deadline = start + Duration.ofSeconds(40).toNanos();
                String last = "";
                boolean answered = false;
                while (System.nanoTime() < deadline && !answered) {
                    HostileWire.Outcome health = HostileWire.exchange(address,
                            "GET /v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII), false, 2000, false);
                    answered = !health.replies().isEmpty() && health.replies().get(0).status() == 200;
                    last = health.ending() + " " + health.replies();
                }
                long waited = Duration.ofNanos(System.nanoTime() - start).toSeconds();
                System.out.printf("%nslow clients: /v1/health %s after %d s with 12 stalled connections on 4 threads%n",
                        answered ? "answered" : "did not answer", waited);
                assertThat(answered)
                        .as("with 12 connections that never finish their request, a service with 4 request threads did not answer "
                                + "/v1/health for 40 s (last attempt: %s). The JDK HttpServer has no limit on the time a request may "
                                + "take to arrive unless sun.net.httpserver.maxReqTime is set, so a handful of slow or malicious "
                                + "clients (64 with the default --threads) stop the service", last)
                        .isTrue();
            } finally {
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
        }
    }
}
