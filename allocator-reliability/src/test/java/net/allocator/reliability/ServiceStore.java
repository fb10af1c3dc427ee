package net.allocator.reliability;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import net.allocator.core.store.ScanPage;
import net.allocator.sqlite.SqliteKeyValueStore;
import org.awaitility.core.ConditionTimeoutException;

/**
 * An etcd or Consul instance for these tests: either one this class started with the project's
 * scripts (one member with {@code etcd.sh}/{@code consul.sh}, or three with {@code
 * *-cluster.sh}), on which faults may be injected through the members' PIDs; or the shared
 * single server of {@code with-servers.sh}, which is only read. Or a SQLite database file that
 * the services open themselves, read directly through the store's class.
 *
 * <p>Also dumps the store's keys directly over its own HTTP API (etcd's JSON gateway {@code
 * /v3/kv/range}, Consul's {@code /v1/kv?recurse}), never through the allocator, so that checks do
 * not depend on the service under test and a test can compare the store before and after.
 */
final class ServiceStore implements AutoCloseable {
    enum Kind {
        ETCD("etcd.sh", "etcd-cluster.sh"),
        CONSUL("consul.sh", "consul-cluster.sh");

        final String singleScript;
        final String clusterScript;

        Kind(String singleScript, String clusterScript) {
            this.singleScript = singleScript;
            this.clusterScript = clusterScript;
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();

    /** Null for a SQLite file. */
    private final Kind kind;
    private final String name;
    private final List<String> memberUrls;
    private final boolean owned;
    private final Path logDir;

    private ServiceStore(Kind kind, String name, List<String> memberUrls, boolean owned, Path logDir) {
        this.kind = kind;
        this.name = name;
        this.memberUrls = memberUrls;
        this.owned = owned;
        this.logDir = logDir;
    }

    /** Starts a single server (members: 1) or a three-member cluster (members: 3) named {@code name}. */
    static ServiceStore start(Kind kind, String name, int members, Path logDir) {
        if (members != 1 && members != 3) {
            throw new IllegalArgumentException("1 or 3 members, not " + members);
        }
        script(logDir, members == 1 ? kind.singleScript : kind.clusterScript, "start", name);
        Path dir = runDir(name);
        List<String> urls = new ArrayList<>();
        for (int i = 1; i <= members; i++) {
            urls.add(read(dir.resolve("member-" + i + ".url"), dir.resolve(kind == Kind.ETCD ? "endpoints" : "url")));
        }
        return new ServiceStore(kind, name, List.copyOf(urls), true, logDir);
    }

    /** The single server with-servers.sh started, for reading only. */
    static ServiceStore shared(Kind kind) {
        String url = kind == Kind.ETCD ? ServiceEnvironment.sharedEtcd() : ServiceEnvironment.sharedConsul();
        if (url.contains(",")) {
            url = url.substring(0, url.indexOf(','));
        }
        return new ServiceStore(kind, "shared", List.of(url), false, null);
    }

    /**
     * The SQLite database {@code file}, which the services open with {@code --store sqlite}: no
     * server, so no kind, no scripts and no faults of its own; only its flags and its dump.
     */
    static ServiceStore sqlite(Path file) {
        return new ServiceStore(null, file.getFileName().toString(), List.of(file.toString()), false, null);
    }

    Kind kind() {
        return kind;
    }

    String name() {
        return name;
    }

    int members() {
        return memberUrls.size();
    }

    /** Client URL of member {@code n} (1-based). */
    String url(int n) {
        return memberUrls.get(n - 1);
    }

    /** All client URLs, comma-separated: the service's --etcd-endpoints. */
    String endpoints() {
        return String.join(",", memberUrls);
    }

    /** The service flags that point at this store, for an etcd cluster all members; for Consul member {@code n}'s agent. */
    List<String> serviceFlags(int consulMember, String keyPrefix, Duration timeout) {
        String millis = timeout.toMillis() + "ms";
        if (kind == null) {
            return List.of("--store", "sqlite", "--sqlite-path", url(1), "--sqlite-busy-timeout", millis, "--key-prefix", keyPrefix);
        }
        return kind == Kind.ETCD
                ? List.of("--store", "etcd", "--etcd-endpoints", endpoints(), "--etcd-timeout", millis,
                        "--etcd-connect-timeout", "1s", "--key-prefix", keyPrefix)
                : List.of("--store", "consul", "--consul-url", url(consulMember), "--consul-timeout", millis,
                        "--consul-connect-timeout", "1s", "--key-prefix", keyPrefix);
    }

    // ------------------------------------------------------------------ faults

    long pid(int member) {
        requireOwned();
        return Long.parseLong(read(runDir(name).resolve("member-" + member + ".pid"), null));
    }

    /** kill -9 of member {@code n}. */
    void kill(int member) {
        signal(member, "KILL");
    }

    /** SIGSTOP: the member keeps its sockets open but answers nothing. */
    void pause(int member) {
        signal(member, "STOP");
    }

    void resume(int member) {
        signal(member, "CONT");
    }

    /** SIGTERM, and waits until the member has exited. Its data dir stays for {@link #restartMember}. */
    void stopMember(int member) {
        long pid = pid(member);
        signal(member, "TERM");
        try {
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
        } catch (ConditionTimeoutException stillRunning) {
            signal(member, "KILL");
        }
    }

    /** Starts member {@code n} again with its data dir and ports (killing it first if it runs), and waits until it is healthy. */
    void restartMember(int member) {
        requireOwned();
        script(logDir, kind.clusterScript, "restart-member", name, Integer.toString(member));
    }

    private void signal(int member, String signal) {
        requireOwned();
        run(logDir, List.of("kill", "-" + signal, Long.toString(pid(member))), Duration.ofSeconds(10));
    }

    /**
     * The member that leads right now, as the members that answer within a second say; empty
     * while they report none or disagree.
     */
    OptionalInt leader() {
        return kind == Kind.ETCD ? etcdLeader() : consulLeader();
    }

    /** Waits until a leader other than {@code not} (0: any) exists; returns it. */
    int awaitLeader(int not, Duration within) {
        try {
            return await().atMost(within).pollInterval(Duration.ofMillis(50))
                    .until(this::leader, leader -> leader.isPresent() && leader.getAsInt() != not).getAsInt();
        } catch (ConditionTimeoutException e) {
            return fail("no leader" + (not == 0 ? "" : " other than member " + not) + " in " + kind + " '" + name
                    + "' within " + within);
        }
    }

    /** Some member that is not the leader. */
    int follower() {
        int leader = awaitLeader(0, Duration.ofSeconds(30));
        return leader % members() + 1;
    }

    private OptionalInt etcdLeader() {
        Map<String, Integer> memberIds = new HashMap<>();
        Map<String, Integer> votes = new HashMap<>();
        for (int i = 1; i <= members(); i++) {
            Optional<JsonNode> status = post(url(i) + "/v3/maintenance/status", "{}", Duration.ofSeconds(1));
            if (status.isPresent()) {
                memberIds.put(status.get().path("header").path("member_id").asText(), i);
                String leader = status.get().path("leader").asText("0");
                if (!leader.equals("0") && !leader.isEmpty()) {
                    votes.merge(leader, 1, Integer::sum);
                }
            }
        }
        if (votes.size() != 1) {
            return OptionalInt.empty();
        }
        Integer member = memberIds.get(votes.keySet().iterator().next());
        return member == null ? OptionalInt.empty() : OptionalInt.of(member);
    }

    private OptionalInt consulLeader() {
        Map<String, Integer> byServerPort = new HashMap<>();
        for (int i = 1; i <= members(); i++) {
            for (String arg : readArgs(i)) {
                if (arg.startsWith("-server-port=")) {
                    byServerPort.put(arg.substring("-server-port=".length()), i);
                }
            }
        }
        Map<Integer, Integer> votes = new HashMap<>();
        for (int i = 1; i <= members(); i++) {
            Optional<String> leader = getText(url(i) + "/v1/status/leader");
            if (leader.isPresent()) {
                String address = leader.get().replace("\"", "").strip();
                int colon = address.lastIndexOf(':');
                Integer member = colon < 0 ? null : byServerPort.get(address.substring(colon + 1));
                if (member != null) {
                    votes.merge(member, 1, Integer::sum);
                }
            }
        }
        return votes.size() == 1 ? OptionalInt.of(votes.keySet().iterator().next()) : OptionalInt.empty();
    }

    private List<String> readArgs(int member) {
        try {
            return Files.readAllLines(runDir(name).resolve("member-" + member + ".args"));
        } catch (IOException e) {
            return List.of();
        }
    }

    // ------------------------------------------------------------------ dumps: direct reads

    /**
     * Every key starting with {@code prefix} (as text: {@code p} also covers {@code p-other}) and
     * its value, read from the store itself (a linearizable etcd range; a consistent Consul read)
     * through the first member that answers.
     */
    SortedMap<String, String> scan(String prefix) {
        return dump(prefix);
    }

    /** Every key in the store, with its value, read as {@link #scan} reads. */
    SortedMap<String, String> everything() {
        return dump("");
    }

    private SortedMap<String, String> dump(String prefix) {
        List<String> problems = new ArrayList<>();
        for (String url : memberUrls) {
            try {
                if (kind == null) {
                    return sqliteScan(Path.of(url), prefix);
                }
                return kind == Kind.ETCD ? etcdScan(url, prefix) : consulScan(url, prefix);
            } catch (IOException | RuntimeException e) {
                problems.add(url + ": " + e);
            }
        }
        throw new AssertionError("cannot read '" + prefix + "' from " + (kind == null ? "sqlite" : kind) + " '" + name + "': " + problems);
    }

    /** A read of the file through the store's own class, another process's view beside the services'. */
    private static SortedMap<String, String> sqliteScan(Path file, String prefix) {
        SortedMap<String, String> keys = new TreeMap<>();
        try (SqliteKeyValueStore store = SqliteKeyValueStore.open(file)) {
            String after = null;
            ScanPage page;
            do {
                page = store.scan(prefix, after, 1000);
                page.entries().forEach(kv -> keys.put(kv.key(), kv.value()));
                after = page.entries().isEmpty() ? after : page.entries().get(page.entries().size() - 1).key();
            } while (page.more());
        }
        return keys;
    }

    /** A readable list of what changed from {@code before} to {@code after}, at most {@code max} lines. */
    static String diff(Map<String, String> before, Map<String, String> after, int max) {
        List<String> lines = new ArrayList<>();
        for (String key : changedKeys(before, after)) {
            String was = before.get(key);
            String now = after.get(key);
            if (was == null) {
                lines.add("  + " + key + " = " + shorten(now));
            } else if (now == null) {
                lines.add("  - " + key + " (was " + shorten(was) + ")");
            } else {
                lines.add("  ~ " + key + ": " + shorten(was) + " -> " + shorten(now));
            }
        }
        if (lines.size() > max) {
            int more = lines.size() - max;
            lines = new ArrayList<>(lines.subList(0, max));
            lines.add("  … and " + more + " more");
        }
        return String.join("\n", lines);
    }

    /** The keys that differ between two dumps. */
    static TreeSet<String> changedKeys(Map<String, String> before, Map<String, String> after) {
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        keys.removeIf(key -> Objects.equals(before.get(key), after.get(key)));
        return keys;
    }

    private static String shorten(String text) {
        return text.length() > 160 ? text.substring(0, 160) + "…" : text;
    }

    private static SortedMap<String, String> etcdScan(String url, String prefix) throws IOException {
        byte[] start = prefix.getBytes(StandardCharsets.UTF_8);
        // the empty prefix is etcd's "every key": key "\0" with range_end "\0"
        byte[] key = start.length == 0 ? new byte[] {0} : start;
        String body = "{\"key\":\"" + b64(key) + "\",\"range_end\":\"" + b64(prefixEnd(start)) + "\"}";
        JsonNode answer = post(url + "/v3/kv/range", body, Duration.ofSeconds(15)).orElseThrow(() -> new IOException("no answer"));
        if (answer.has("error") || answer.has("code")) {
            throw new IOException(answer.toString());
        }
        if (answer.path("more").asBoolean(false)) {
            throw new IOException("etcd answered a partial range; the dump would be incomplete");
        }
        SortedMap<String, String> out = new TreeMap<>();
        for (JsonNode kv : answer.path("kvs")) {
            out.put(unb64(kv.get("key").asText()), kv.has("value") ? unb64(kv.get("value").asText()) : "");
        }
        return out;
    }

    /** The first key after every key that starts with {@code prefix}: etcd's range end for a prefix. */
    private static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if ((end[i] & 0xff) != 0xff) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return new byte[] {0};
    }

    private static SortedMap<String, String> consulScan(String url, String prefix) throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url + "/v1/kv/" + prefix + "?recurse=true&consistent"))
                .timeout(Duration.ofSeconds(15)).GET().build());
        SortedMap<String, String> out = new TreeMap<>();
        if (response.statusCode() == 404) {
            return out;
        }
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + ": " + response.body());
        }
        for (JsonNode kv : ServiceClient.JSON.readTree(response.body())) {
            JsonNode value = kv.get("Value");
            out.put(kv.get("Key").asText(), value == null || value.isNull() ? "" : unb64(value.asText()));
        }
        return out;
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static String unb64(String text) {
        return new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
    }

    private static Optional<JsonNode> post(String url, String json, Duration timeout) {
        try {
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
            return response.statusCode() == 200 ? Optional.of(ServiceClient.JSON.readTree(response.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> getText(String url) {
        try {
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(1)).GET().build());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static HttpResponse<String> send(HttpRequest request) throws IOException {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    // ------------------------------------------------------------------ scripts

    /** Stops every member and removes the instance (only an instance this class started). */
    @Override
    public void close() {
        if (owned) {
            script(logDir, kind == Kind.ETCD ? "etcd-cluster.sh" : "consul-cluster.sh", "stop", name);
        }
    }

    private void requireOwned() {
        if (!owned) {
            throw new IllegalStateException("faults are only injected into instances these tests started");
        }
    }

    private static Path runDir(String name) {
        return ServiceEnvironment.repoRoot().resolve(".servers/run").resolve(name);
    }

    private static String read(Path file, Path fallback) {
        try {
            if (!Files.exists(file) && fallback != null) {
                file = fallback;
            }
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    private static void script(Path logDir, String script, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", ServiceEnvironment.scriptsDir().resolve(script).toString()));
        command.addAll(List.of(args));
        run(logDir, command, Duration.ofSeconds(120));
    }

    private static void run(Path logDir, List<String> command, Duration within) {
        Path log = logDir.resolve("scripts.log");
        try {
            Files.writeString(log, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            if (!process.waitFor(within.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + within + "; see " + log);
            }
            if (process.exitValue() != 0) {
                fail(String.join(" ", command) + " failed with exit code " + process.exitValue() + ":\n" + ServiceProcess.tail(log));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }
}
