package net.allocator.reliability;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A seeded, reproducible generator of malformed requests against every endpoint of the REST
 * service, for {@link HostileInputSystemTest}.
 *
 * <p>Every request that is not a GET carries at least one defect that the service must refuse
 * (in its path, query, headers, body, framing or meaning: a conflict), so a 2xx to any of them is
 * a failure and the store must not change. Many of them carry an otherwise valid body (a fresh
 * network, a new owner, a free address), so a defect that slips through shows up as a change in
 * the store. GET requests carry hostile paths, queries, headers and bodies, and may succeed.
 *
 * <p>The corpus starts with a deterministic sweep that puts every hostile value of the lists
 * below in its place at least once (through the HTTP client where it can send it, and over a raw
 * socket), then continues with seeded random combinations: raw framing defects, request
 * smuggling, transport-level garbage, reads, and writes with defects.
 *
 * <p>The service's store must hold the {@link #SETUP} state: three networks, each with used
 * addresses (so that a DELETE without {@code force} is always a refused 409).
 */
final class HostileCorpus {

    // ------------------------------------------------------------------ the state the corpus expects

    /** Networks registered before the corpus runs, as JSON bodies of {@code POST /v1/networks}. */
    static final List<String> NETWORKS = List.of(
            "{\"name\":\"admin\",\"description\":\"Internal administration network\",\"bridge\":\"virbrPRIVATE\","
                    + "\"network\":\"10.112.0.0\",\"netmask\":\"16\",\"gateway\":\"10.112.0.1\","
                    + "\"addresses\":[\"10.112.1.101-10.112.1.199\"]}",
            "{\"name\":\"v6net\",\"description\":\"IPv6 \u00fc\",\"network\":\"2001:db8:7::\",\"netmask\":64,"
                    + "\"gateway\":\"2001:db8:7::1\",\"addresses\":[\"2001:db8:7::10-2001:db8:7::ff\"]}",
            "{\"name\":\"full\",\"network\":\"10.77.0.0/30\",\"addresses\":[\"10.77.0.1-10.77.0.2\"]}");

    /** Allocations made before the corpus runs: network, cluster, node (lowest first, so the addresses are known). */
    static final List<String[]> SETUP = List.of(
            new String[] {"admin", "c1", "n1"},        // 10.112.1.101
            new String[] {"admin", "c1", "n2"},        // 10.112.1.102
            new String[] {"admin", "a/b", "../c"},     // 10.112.1.103
            new String[] {"v6net", "c1", "n1"},        // 2001:db8:7::10
            new String[] {"v6net", "\u00fc", "\ud83d\ude00"}, // 2001:db8:7::11
            new String[] {"full", "f", "1"},           // 10.77.0.1
            new String[] {"full", "f", "2"});          // 10.77.0.2

    /** A manual claim made before the corpus runs: network, address, cluster, node. */
    static final String[] SETUP_CLAIM = {"admin", "10.112.1.150", "manual", "m1"};

    private static final List<String> EXISTING = List.of("admin", "v6net", "full");
    /** Held address and its holder per network. */
    private static final String[][] HELD = {
        {"admin", "10.112.1.101", "c1", "n1"}, {"admin", "10.112.1.102", "c1", "n2"}, {"admin", "10.112.1.103", "a/b", "../c"},
        {"admin", "10.112.1.150", "manual", "m1"}, {"v6net", "2001:db8:7::10", "c1", "n1"}, {"v6net", "2001:db8:7::11", "\u00fc", "\ud83d\ude00"},
        {"full", "10.77.0.1", "f", "1"}, {"full", "10.77.0.2", "f", "2"}};
    private static final String[][] FREE = {
        {"admin", "10.112.1.104"}, {"admin", "10.112.1.120"}, {"admin", "10.112.1.199"}, {"admin", "10.112.1.151"},
        {"v6net", "2001:db8:7::12"}, {"v6net", "2001:db8:7::ff"}, {"v6net", "2001:db8:7::80"}};
    private static final String[][] NOT_IN_POOL = {
        {"admin", "10.112.0.5"}, {"admin", "10.112.2.1"}, {"admin", "10.112.255.255"}, {"admin", "10.112.0.1"},
        {"v6net", "2001:db8:7::1000"}, {"v6net", "2001:db8:7::1"}, {"full", "10.77.0.0"}, {"full", "10.77.0.3"}};
    private static final String[][] OUTSIDE = {
        {"admin", "10.113.0.1"}, {"admin", "192.168.1.1"}, {"admin", "2001:db8:7::10"}, {"admin", "0.0.0.0"},
        {"v6net", "2001:db8:8::10"}, {"v6net", "10.112.1.101"}, {"v6net", "::1"}, {"full", "10.77.0.5"}};

    // ------------------------------------------------------------------ hostile parts (already percent-encoded where they go in a URL)

    /** Network names that are valid but not registered. */
    private static final List<String> UNKNOWN_NAMES = List.of("nope", "ADMIN", "Admin", "admin-2", "admin.", "a".repeat(64),
            "9", "full2", "v6net_", "networks", "addresses", "health");

    /** Path segments that never decode to a valid network name. */
    private static final List<String> BAD_NAMES = List.of("..", ".", "%2e%2e", "%2E%2E", "%2e%2e%2f", "%2E%2E%2F..%2F",
            "..%2F..%2Fnetworks", "..%2fadmin", "admin%2F..", "admin%2f..%2ffull", "a%2Fb", "%2F", "%2f%2f", "%00", "admin%00",
            "%00admin", "admin%2500", "%C3%BC", "%FF", "%C0%AE%C0%AE", "%E2%80%AE", "%F0%9F%98%80", "adm%C4%B1n", "x".repeat(65),
            "_", "-x", ".admin", "admin%20", "%20admin", "%09admin", "admin%0A", "admin%0D%0AX-Injected:%20yes", "admin;x",
            "admin%3B", "admin%3F", "admin%23", "%252e%252e", "..%5C..", "%5C", "..;", "admin%09", "admin%2C", "admin+",
            "admin~", "admin*", "%7Badmin%7D", "%24%7Bjndi:ldap:%2F%2Fx%7D", "'%20OR%201=1--", "%3Cscript%3E", "%EF%BC%A1dmin",
            "admin%E2%80%8B", "%EF%BB%BFadmin", "x".repeat(300), "%C2%A0admin");

    /** Raw path segments that no URI parser accepts: only the raw-socket client sends them. */
    private static final List<String> RAW_ONLY_NAMES = List.of("%", "%2", "%zz", "admin%", "admin%G0", "ad min", "admin\\..",
            "a|b", "admin^", "admin\"", "<admin>", "admin{}", "\u00ffadmin", "admin\u0000", "admin\t", "..\\..", "`id`");

    /** Address segments that never parse as an IP address. */
    private static final List<String> BAD_ADDRESSES = List.of("999.1.1.1", "10.112.1", "10.112.1.101.5", "0x0a700165",
            "10.112.01.101", "010.112.1.101", "167838053", "fe80::1%25eth0", "2001:db8:7::10%25lo", "2001:db8:7::12%251",
            "10.112.1.120%25eth0", "::ffff:10.112.1.120%25eth0", "%2e%2e%2f", "..%2F..", "..", ".", "%00", "10.112.1.120%00",
            "%0010.112.1.120", "10.112.1.120%2F32", "10.112.1.120%2f24", "10.112.1.120:80", "%5B2001:db8:7::12%5D", "localhost",
            "example.com", "admin", "1e3", "-1", "%C0%AE", "10.112.1.120%00%0A", "1.2.3.4.5", "::1::", "2001:db8:7::12%2F64",
            "10.112.1.1O1", "%EF%BC%91%EF%BC%90.112.1.120", "10%E3%80%82112.1.120", "x".repeat(300), "%FF", "%2F",
            "2001:db8:7:::12", "2001:db8:7::12::", "10.112.1.120.", ".10.112.1.120", "%2010.112.1.120%2Fx", "0",
            "10.112.1.-1", "10.112.1.256", "%24%7Bjndi:x%7D");

    /** Address segments that parse (as aliases of pool addresses): used only in reads, or with another defect. */
    private static final List<String> ALIAS_ADDRESSES = List.of("::ffff:10.112.1.120", "::ffff:a70:178", "%2010.112.1.120",
            "10.112.1.120%20", "%0910.112.1.120", "::FFFF:10.112.1.101", "2001:DB8:7::12", "2001:0db8:0007:0000:0000:0000:0000:0012",
            "2001:db8:7:0:0:0:0:12", "::ffff:10.77.0.1", "10.112.1.120%0A", "%0D%0A10.112.1.120");

    private static final List<String> UNSUPPORTED_TYPES = List.of("text/plain", "text/json", "application/xml", "text/html",
            "multipart/form-data; boundary=x", "application/octet-stream", "application/jsonx", "json", "application/json-seq",
            "*/*", "application/x-www-form-urlencoded2", "application/yaml", "image/png", "application", "application/",
            "/json", "application/ json", "application/json\u00ff", "text/x-www-form-urlencoded", "application/javascript",
            "application/grpc", "application/x-ndjson", "application/jsonp", "application/json%00", "application/json\u00a0",
            "application/json\u007f");
    private static final List<String> ACCEPTED_TYPES = List.of("application/json", "application/json; charset=utf-8",
            "application/json;charset=latin1", "APPLICATION/JSON", "application/problem+json", "application/vnd.x+json",
            "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8");

    /** JSON values of a wrong type for a string field (null would only mean "absent"). */
    private static final List<String> WRONG_TYPES = List.of("1", "-1", "0", "1.5", "1e999", "-1e-999",
            "123456789012345678901234567890", "true", "false", "[]", "[\"c\"]", "{}", "{\"$ne\":1}", "[null]", "[[[]]]",
            "{\"__proto__\":{\"admin\":true}}");

    /** Owner parts the service must refuse: empty, reserved, control characters, too long. */
    private static final List<String> BAD_OWNER_JSON = List.of("\"\"", "\"_\"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\n\"",
            "\"line\\r\\nX-Injected: 1\"", "\"\\t\"", "\"\\u001b[31mred\"", "\"\\u007f\"", "\"\\u0085\"", "\"\\u009b\"",
            "\"" + "y".repeat(254) + "\"", "\"" + "\u00e9".repeat(254) + "\"", "\"" + "z".repeat(100_000) + "\"");

    private static final List<String> BAD_NETWORK_VALUES = List.of("\"10.200.0.0/33\"", "\"300.0.0.0\"", "\"fe80::%eth0\"",
            "\"10.200.0.1\"", "\"example.com\"", "\"\"", "\"10.200.0.0/24\"", "\"10.200.0.0%2f24\"",
            "\"../10.200.0.0\"", "\"10.200.0.0\\u0000\"", "1", "[]", "\"localhost\"", "\"0x0ac80000\"");
    private static final List<String> BAD_NETMASKS = List.of("\"33\"", "\"-1\"", "\"255.0.255.0\"", "\"abc\"", "1e9", "33",
            "-1", "true", "[]", "12345678901234567890", "\"0x18\"", "\"24.0\"", "24.5", "\"24\\u0000\"", "\"255.255.255.256\"",
            "\"" + "9".repeat(5000) + "\"", "{}");
    private static final List<String> BAD_GATEWAYS = List.of("\"10.201.0.1\"", "\"999.0.0.1\"", "\"10.200.0.1%eth0\"", "5",
            "\"2001:db8::1\"", "\"10.200.0.1/24\"", "[\"10.200.0.1\"]", "\"gateway.local\"");
    private static final List<String> BAD_POOLS = List.of("[\"10.200.1.5\"]", "[\"10.200.0.20-10.200.0.10\"]", "[\"10.200.0.0/23\"]",
            "[1]", "[[\"10.200.0.5\"]]", "[\"10.200.0.5-\"]", "[\"fe80::1\"]", "[\"10.200.0.5%eth0\"]", "\"10.200.0.5,999.1.1.1\"",
            "{\"a\":1}", "[\"10.200.0.5-10.200.1.5\"]", "[\"-10.200.0.5\"]", "[\"10.200.0.5/33\"]", "[\"../10.200.0.5\"]", "true",
            "[\"10.200.0.5\",null]");
    private static final List<String> BAD_NAMES_JSON = List.of("\"\"", "\"../x\"", "\"a/b\"", "\"%2e%2e\"", "\" admin2\"",
            "\"admin2\\u0000\"", "\"" + "x".repeat(65) + "\"", "\"\u00e4\"", "\".hidden\"", "\"-x\"", "\"_x\"", "\"a b\"",
            "\"a%2Fb\"", "\"..\"", "123", "[\"a\"]", "\"admin2/..\"", "\"admin2\\n\"", "\"\\ud800\"", "{}");
    private static final List<String> BAD_DESCRIPTIONS = List.of("\"" + "d".repeat(1025) + "\"", "\"bell\\u0007\"",
            "\"nul\\u0000\"", "\"esc\\u001b[2J\"", "5", "[]");
    private static final List<String> BAD_BRIDGES = List.of("\"a b\"", "\"" + "b".repeat(65) + "\"", "\"../\"",
            "\"br;rm -rf /\"", "\"br\\n\"", "\"br/0\"", "7");
    private static final List<String> BAD_STATUSES = List.of("\"busy\"", "\"\"", "1", "true", "[]", "[\"used\"]", "\"used;\"",
            "\"fre\"", "\"used\\u0000\"", "\"free\\u0000\"", "\"\u00fcsed\"", "\"usedfree\"", "{}", "\"reserved\"", "\"FREE!\"");

    private static final List<String> WRONG_METHODS = List.of("PATCH", "OPTIONS", "TRACE", "FOO", "PROPFIND", "MKCOL",
            "post", "Put", "delete", "QUERY", "LINK");
    private static final List<String> RAW_ONLY_METHODS = List.of("CONNECT", "G\u00c9T", "GET\u0000", "", "P OST", "\u0000",
            "X".repeat(100), "POST\t");

    /** The JDK server's own refusals, written before any handler runs: status and text. */
    static final List<String> JDK_REJECTS = List.of(
            "400 Bad request line", "400 Conflicting or malformed headers detected", "400 Header key contains illegal characters",
            "400 Illegal Content-Length value", "400 NumberFormatException thrown", "400 URISyntaxException thrown",
            "404 No context found for request", "501 Unsupported Transfer-Encoding value",
            "400 SSL connection received. No https context created");

    // ------------------------------------------------------------------ probes

    /**
     * One hostile request.
     *
     * @param id its number in the corpus
     * @param category what kind of hostility, for the summary
     * @param raw whether it goes over a plain socket (then {@code wire} is exactly what is sent)
     * @param method the method (of the first request, for raw ones)
     * @param target path and query as sent
     * @param headers header lines for the HTTP client (name, value)
     * @param body the body for the HTTP client
     * @param wire the bytes for a raw request
     * @param allowedSuccesses how many 2xx answers the connection may carry: 0 when the request is
     *     not a GET (each such request carries a defect), 1 for a GET
     * @param mayDrop whether the server may close the connection without an answer
     */
    record Probe(int id, String category, boolean raw, String method, String target, List<String[]> headers, byte[] body,
            byte[] wire, int allowedSuccesses, boolean mayDrop) {

        boolean head() {
            return method.equals("HEAD");
        }

        String describe() {
            if (raw) {
                return "#" + id + " [" + category + "] raw: " + HostileWire.printable(wire, 700);
            }
            StringBuilder out = new StringBuilder("#").append(id).append(" [").append(category).append("] ")
                    .append(method).append(' ').append(target);
            headers.forEach(h -> out.append(" | ").append(h[0]).append(": ").append(h[1]));
            return out.append(" | body: ").append(HostileWire.printable(body, 500)).toString();
        }
    }

    private final Random random;
    private final int oversizeEvery;
    private final List<Probe> sweep = new ArrayList<>();
    private int next;
    private int fresh;

    /**
     * @param seed the seed: the same seed gives the same corpus
     * @param oversizeEvery roughly one random write in this many has a body over 1 MiB
     */
    HostileCorpus(long seed, int oversizeEvery) {
        this.random = new Random(seed);
        this.oversizeEvery = oversizeEvery;
        buildSweep();
    }

    /** How many probes the deterministic sweep holds: they come first. */
    int sweepSize() {
        return sweep.size();
    }

    /** The next probe: the sweep first, then random ones (about 55% over raw sockets). */
    Probe next() {
        int id = next++;
        if (id < sweep.size()) {
            Probe p = sweep.get(id);
            return new Probe(id, p.category, p.raw, p.method, p.target, p.headers, p.body, p.wire, p.allowedSuccesses, p.mayDrop);
        }
        int kind = random.nextInt(100);
        if (kind < 12) {
            return smuggling(id, random.nextInt(SMUGGLING_VARIANTS));
        }
        if (kind < 24) {
            return transport(id, random.nextInt(TRANSPORT_VARIANTS));
        }
        if (kind < 31) {
            return readProbe(id, random.nextBoolean());
        }
        Write write = write();
        if (random.nextInt(oversizeEvery) == 0) {
            oversize(write);
        }
        boolean raw = kind < 62 || write.rawOnly || !clientCanSend(write);
        return raw ? rawWrite(id, write, randomFraming()) : clientProbe(id, write);
    }

    // ------------------------------------------------------------------ the sweep: every hostile value at least once

    private void buildSweep() {
        String alloc = "{\"cluster\":\"sweep\",\"node\":\"%d\"}";
        String claim = "{\"cluster\":\"sweep\",\"node\":\"%d\",\"status\":\"used\"}";
        List<String> names = new ArrayList<>(BAD_NAMES);
        names.addAll(UNKNOWN_NAMES);
        for (String name : names) {
            both(make("sweep: name in path", "POST", "/v1/networks/" + name, "application/json", String.format(alloc, fresh++)));
            both(make("sweep: name in path", "PUT", "/v1/networks/" + name + "/addresses/10.112.1.120", "application/json",
                    String.format(claim, fresh++)));
            both(make("sweep: name in path", "DELETE", "/v1/networks/" + name + "?force", null, null));
            both(make("sweep: name in path (read)", "GET", "/v1/networks/" + name + "/addresses?full", null, null));
        }
        for (String name : RAW_ONLY_NAMES) {
            both(make("sweep: raw name in path", "POST", "/v1/networks/" + name, "application/json", String.format(alloc, fresh++)));
            both(make("sweep: raw name in path", "DELETE", "/v1/networks/" + name + "?force", null, null));
        }
        for (String address : BAD_ADDRESSES) {
            for (String network : List.of("admin", "v6net")) {
                both(make("sweep: address in path", "PUT", "/v1/networks/" + network + "/addresses/" + address, "application/json",
                        String.format(claim, fresh++)));
                both(make("sweep: address in path", "PUT", "/v1/networks/" + network + "/addresses/" + address, "application/json",
                        "{\"status\":\"free\"}"));
                both(make("sweep: address in path (read)", "GET", "/v1/networks/" + network + "/addresses/" + address, null, null));
                both(make("sweep: address in query (read)", "GET", "/v1/networks/" + network + "/addresses?after=" + address, null, null));
            }
        }
        for (String[] rows : new String[][] {pickAll(NOT_IN_POOL), pickAll(OUTSIDE)}) {
            for (String row : rows) {
                String[] parts = row.split(" ");
                both(make("sweep: address not in pool or outside", "PUT", "/v1/networks/" + parts[0] + "/addresses/" + parts[1],
                        "application/json", String.format(claim, fresh++)));
                both(make("sweep: address not in pool or outside", "PUT", "/v1/networks/" + parts[0] + "/addresses/" + parts[1],
                        "application/json", "{\"status\":\"free\"}"));
            }
        }
        for (String address : ALIAS_ADDRESSES) {
            both(make("sweep: address alias (read)", "GET", "/v1/networks/admin/addresses/" + address, null, null));
        }
        for (String bad : BAD_OWNER_JSON) {
            both(make("sweep: bad owner", "POST", "/v1/networks/admin", "application/json", "{\"cluster\":" + bad + ",\"node\":\"n\"}"));
            both(make("sweep: bad owner", "POST", "/v1/networks/v6net", "application/json", "{\"cluster\":\"c\",\"node\":" + bad + "}"));
            both(make("sweep: bad owner", "PUT", "/v1/networks/admin/addresses/10.112.1.120", "application/json",
                    "{\"cluster\":" + bad + ",\"node\":\"n\",\"status\":\"used\"}"));
        }
        for (String wrong : WRONG_TYPES) {
            both(make("sweep: wrong type", "POST", "/v1/networks/admin", "application/json", "{\"cluster\":" + wrong + ",\"node\":\"n\"}"));
            both(make("sweep: wrong type", "PUT", "/v1/networks/admin/addresses/10.112.1.120", "application/json",
                    "{\"cluster\":\"c\",\"node\":" + wrong + ",\"status\":\"used\"}"));
            both(make("sweep: wrong type", "PUT", "/v1/networks/admin/addresses/10.112.1.120", "application/json",
                    "{\"cluster\":\"c\",\"node\":\"n\",\"status\":" + wrong + "}"));
        }
        String[] fields = registerFields("sweep-net");
        List<List<String>> badValues = List.of(BAD_NAMES_JSON, BAD_DESCRIPTIONS, BAD_BRIDGES, BAD_NETWORK_VALUES, BAD_NETMASKS,
                BAD_GATEWAYS, BAD_POOLS);
        for (int field = 0; field < fields.length; field++) {
            for (String value : badValues.get(field)) {
                String[] copy = registerFields("sweep-net-" + (fresh++));
                copy[field] = copy[field].substring(0, copy[field].indexOf(':')) + ":" + value;
                both(make("sweep: register field", "POST", "/v1/networks", "application/json", object(copy)));
            }
        }
        for (String existing : EXISTING) {
            String[] copy = registerFields(existing);
            both(make("sweep: register existing name (409)", "POST", "/v1/networks", "application/json", object(copy)));
            both(make("sweep: delete in use (409)", "DELETE", "/v1/networks/" + existing, null, null));
            both(make("sweep: delete in use (409)", "DELETE", "/v1/networks/" + existing + "?force=0", null, null));
            both(make("sweep: delete bad flag", "DELETE", "/v1/networks/" + existing + "?force=maybe", null, null));
            both(make("sweep: delete bad flag", "DELETE", "/v1/networks/" + existing + "?force=1&force=x", null, null));
        }
        for (String status : BAD_STATUSES) {
            both(make("sweep: bad status", "PUT", "/v1/networks/admin/addresses/10.112.1.120", "application/json",
                    "{\"cluster\":\"c\",\"node\":\"n\",\"status\":" + status + "}"));
        }
        for (String type : UNSUPPORTED_TYPES) {
            both(make("sweep: unsupported Content-Type", "POST", "/v1/networks/admin", type, String.format(alloc, fresh++)));
            both(make("sweep: unsupported Content-Type", "PUT", "/v1/networks/admin/addresses/10.112.1.120", type, "{\"status\":\"free\"}"));
        }
        byte[][] badUtf8 = {{(byte) 0xff}, {(byte) 0xc0, (byte) 0xae}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xe0, (byte) 0x80, (byte) 0xaf},
            {(byte) 0xe2, (byte) 0x82}, {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0x80},
            {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xc3}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            {(byte) 0xc1, (byte) 0xbf}, {(byte) 0xf0, (byte) 0x80, (byte) 0x80, (byte) 0xaf}};
        for (byte[] bad : badUtf8) {
            Write json = make("sweep: invalid UTF-8 in a JSON string", "POST", "/v1/networks/admin", "application/json", null);
            json.body = concat(ascii("{\"cluster\":\"sweep"), bad, ascii("\",\"node\":\"" + (fresh++) + "\"}"));
            both(json);
            Write form = make("sweep: invalid UTF-8 in a form", "POST", "/v1/networks/admin", "application/x-www-form-urlencoded", null);
            form.body = concat(ascii("cluster=sweep"), bad, ascii("&node=" + (fresh++)));
            both(form);
            Write status = make("sweep: invalid UTF-8 in a JSON string", "PUT", "/v1/networks/admin/addresses/10.112.1.120",
                    "application/json", null);
            status.body = concat(ascii("{\"cluster\":\"c\",\"node\":\"n\",\"status\":\"us"), bad, ascii("ed\"}"));
            both(status);
        }
        for (int variant = 0; variant < 15; variant++) {
            Write w = make(null, "POST", "/v1/networks/admin", null, null);
            syntaxOrTypeDefect(w, "sweep allocate", String.format(alloc, fresh++), List.of("cluster", "node"), variant);
            both(w);
            Write r = make(null, "POST", "/v1/networks", null, null);
            syntaxOrTypeDefect(r, "sweep register", object(registerFields("sweep-net-" + (fresh++))), List.of("name", "network", "netmask"), variant);
            both(r);
            Write u = make(null, "PUT", "/v1/networks/admin/addresses/10.112.1.120", null, null);
            syntaxOrTypeDefect(u, "sweep update", String.format(claim, fresh++), List.of("status", "cluster", "node"), variant);
            both(u);
        }
        for (int which = 0; which < 6; which++) {
            for (String method : WRONG_METHODS) {
                Write w = new Write();
                wrongMethod(w, which, method);
                both(w);
            }
        }
        for (String method : RAW_ONLY_METHODS) {
            Write w = new Write();
            wrongMethod(w, 1, method);
            both(w);
        }
        for (String[] route : new String[][] {{"POST", "/v1/networks"}, {"POST", "/v1/networks/admin"},
            {"PUT", "/v1/networks/admin/addresses/10.112.1.120"}, {"DELETE", "/v1/networks/admin"}, {"GET", "/v1/networks"}}) {
            Write w = make("sweep: oversize", route[0], route[1], "application/json", String.format(claim, fresh++));
            oversize(w);
            both(w);
            Write chunked = make("sweep: oversize", route[0], route[1], "application/json", String.format(claim, fresh++));
            oversize(chunked);
            sweep.add(rawWrite(-1, chunked, Framing.CHUNKED));
        }
        for (Framing framing : Framing.values()) {
            sweep.add(rawWrite(-1, make("sweep: framing", "POST", "/v1/networks/full", "application/json", String.format(alloc, fresh++)), framing));
            sweep.add(rawWrite(-1, make("sweep: framing", "PUT", "/v1/networks/admin/addresses/10.112.1.101", "application/json",
                    String.format(claim, fresh++)), framing));
        }
        for (int variant = 0; variant < SMUGGLING_VARIANTS; variant++) {
            for (int repeat = 0; repeat < 3; repeat++) {
                sweep.add(smuggling(-1, variant));
            }
        }
        for (int variant = 0; variant < TRANSPORT_VARIANTS; variant++) {
            for (int repeat = 0; repeat < 2; repeat++) {
                sweep.add(transport(-1, variant));
            }
        }
        for (int i = 0; i < 40; i++) {
            sweep.add(readProbe(-1, i % 2 == 0));
        }
    }

    /** Adds the write to the sweep through the HTTP client (when it can send it) and over a raw socket. */
    private void both(Write w) {
        if (!w.rawOnly && clientCanSend(w)) {
            sweep.add(clientProbe(-1, w));
        }
        sweep.add(rawWrite(-1, w, Framing.LENGTH));
    }

    private static Write make(String category, String method, String target, String contentType, String body) {
        Write w = new Write();
        w.category = category;
        w.method = method;
        w.target = target;
        if (contentType != null) {
            w.headers.add(new String[] {"Content-Type", contentType});
            if (contentType.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
                w.rawOnly = true;
            }
        }
        if (body != null) {
            w.body = body.getBytes(StandardCharsets.UTF_8);
        }
        return w;
    }

    private static String[] pickAll(String[][] rows) {
        String[] out = new String[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i][0] + " " + rows[i][1];
        }
        return out;
    }

    // ------------------------------------------------------------------ random writes: each with at least one defect

    /** A request before it is framed: method, target, headers and body. */
    private static final class Write {
        String category;
        String method;
        String target;
        List<String[]> headers = new ArrayList<>();
        byte[] body = new byte[0];
        boolean rawOnly;
    }

    private Probe clientProbe(int id, Write w) {
        return new Probe(id, w.category, false, w.method, w.target, w.headers, w.body, null, w.method.equals("GET") ? 1 : 0, false);
    }

    private Write write() {
        Write w = new Write();
        int defect = random.nextInt(100);
        switch (random.nextInt(5)) {
            case 0 -> register(w, defect);
            case 1 -> allocate(w, defect);
            case 2 -> update(w, defect);
            case 3 -> remove(w, defect);
            default -> wrongMethod(w, random.nextInt(6), null);
        }
        return w;
    }

    private static String[] registerFields(String name) {
        return new String[] {"\"name\":\"" + name + "\"", "\"description\":\"a new network\"", "\"bridge\":\"br0\"",
            "\"network\":\"10.200.0.0\"", "\"netmask\":\"24\"", "\"gateway\":\"10.200.0.1\"",
            "\"addresses\":[\"10.200.0.10-10.200.0.20\"]"};
    }

    private void register(Write w, int defect) {
        w.method = "POST";
        w.target = "/v1/networks" + (random.nextInt(8) == 0 ? "/" : "");
        String[] fields = registerFields("fresh-" + (fresh++));
        if (defect < 40) {
            w.category = "register: invalid field";
            int field = random.nextInt(7);
            String key = fields[field].substring(0, fields[field].indexOf(':'));
            List<String> values = switch (field) {
                case 0 -> BAD_NAMES_JSON;
                case 1 -> BAD_DESCRIPTIONS;
                case 2 -> BAD_BRIDGES;
                case 3 -> BAD_NETWORK_VALUES;
                case 4 -> BAD_NETMASKS;
                case 5 -> BAD_GATEWAYS;
                default -> BAD_POOLS;
            };
            fields[field] = key + ":" + pick(values);
            jsonBody(w, object(fields));
        } else if (defect < 50) {
            w.category = "register: existing name (409)";
            fields[0] = "\"name\":\"" + pick(EXISTING) + "\"";
            jsonBody(w, object(fields));
        } else if (defect < 58) {
            w.category = "register: missing name or network";
            int missing = random.nextBoolean() ? 0 : 3;
            fields[missing] = random.nextBoolean() ? "\"unused\":1" : (missing == 0 ? "\"name\":null" : "\"network\":null");
            jsonBody(w, object(fields));
        } else if (defect < 64) {
            w.category = "register: duplicate keys";
            List<String> list = new ArrayList<>(List.of(fields));
            list.add(random.nextInt(list.size() + 1), fields[random.nextInt(fields.length)]);
            jsonBody(w, "{" + String.join(",", list) + "}");
        } else {
            syntaxOrTypeDefect(w, "register", object(fields), List.of("name", "network", "netmask"), random.nextInt(15));
        }
    }

    private void allocate(Write w, int defect) {
        w.method = "POST";
        String validBody = "{\"cluster\":\"corpus\",\"node\":\"n" + (fresh++) + "\"}";
        if (defect < 22) {
            pathDefect(w);
            w.target = "/v1/networks/" + w.target;
            anyBody(w, validBody);
        } else if (defect < 30) {
            w.category = "allocate: exhausted network (409)";
            w.target = "/v1/networks/full";
            jsonBody(w, validBody);
        } else if (defect < 45) {
            w.category = "allocate: invalid owner";
            w.target = "/v1/networks/" + pick(EXISTING);
            String bad = pick(BAD_OWNER_JSON);
            jsonBody(w, random.nextBoolean() ? "{\"cluster\":" + bad + ",\"node\":\"n\"}" : "{\"cluster\":\"c\",\"node\":" + bad + "}");
        } else if (defect < 55) {
            w.category = "allocate: wrong type or missing";
            w.target = "/v1/networks/" + pick(EXISTING);
            jsonBody(w, pick(List.of("{\"cluster\":" + pick(WRONG_TYPES) + ",\"node\":\"n\"}", "{\"cluster\":\"c\",\"node\":" + pick(WRONG_TYPES) + "}",
                    "{}", "{\"cluster\":\"c\"}", "{\"node\":\"n\"}", "{\"cluster\":null,\"node\":\"n\"}", "{\"Cluster\":\"c\",\"Node\":\"n\"}",
                    "{\"cluster\":\"c\",\"node\":\"n\",\"cluster\":\"d\"}", "{\"node\":\"n\",\"node\":\"n\",\"cluster\":\"c\"}")));
        } else if (defect < 65) {
            w.category = "allocate: form defect";
            w.target = "/v1/networks/" + pick(EXISTING);
            formBody(w, pick(List.of("cluster=c", "node=n", "cluster=c&cluster=d&node=n", "cluster=%ZZ&node=n", "cluster=%C3&node=n",
                    "cluster=_&node=n", "cluster=%00&node=n", "node=n&cluster=", "cluster=c&node=", "=&=", "&&&", "cluster&node",
                    "cluster=c&node=n&node=n", "cluster=c%0Ax&node=n", "cluster=" + "q".repeat(300) + "&node=n", "cluster=c;node=n",
                    "cluster[]=c&node=n", "cluster=c&node=%E2%82", "cluster=%FF%FE&node=n", "cluster=%C0%AE&node=n")));
        } else {
            w.target = "/v1/networks/" + pick(EXISTING);
            syntaxOrTypeDefect(w, "allocate", validBody, List.of("cluster", "node"), random.nextInt(15));
        }
    }

    private void update(Write w, int defect) {
        w.method = "PUT";
        String[] free = pickRow(FREE);
        String claim = "{\"cluster\":\"corpus\",\"node\":\"p" + (fresh++) + "\",\"status\":\"used\"}";
        if (defect < 18) {
            if (random.nextBoolean()) {
                pathDefect(w);
                w.target = "/v1/networks/" + w.target + "/addresses/" + pick(List.of(free[1], "10.112.1.101", "2001:db8:7::12"));
            } else {
                w.category = "update: bad address";
                String[] row = random.nextBoolean() ? pickRow(NOT_IN_POOL) : pickRow(OUTSIDE);
                String address = random.nextInt(3) == 0 ? pick(BAD_ADDRESSES) : row[1];
                if (random.nextInt(6) == 0) {
                    address = pick(RAW_ONLY_NAMES);
                    w.rawOnly = true;
                }
                w.target = "/v1/networks/" + row[0] + "/addresses/" + address;
            }
            anyBody(w, random.nextBoolean() ? claim : "{\"status\":\"free\"}");
        } else if (defect < 30) {
            w.category = "update: conflict (409)";
            String[] held = pickRow(HELD);
            w.target = "/v1/networks/" + held[0] + "/addresses/" + held[1];
            jsonBody(w, switch (random.nextInt(3)) {
                case 0 -> claim;  // held by another owner
                case 1 -> "{\"cluster\":\"corpus\",\"node\":\"x\",\"status\":\"free\"}"; // released by a non-holder
                default -> "{\"cluster\":" + quote(held[2]) + ",\"node\":\"someone-else\",\"status\":\"free\"}";
            });
        } else if (defect < 38) {
            w.category = "update: owner holds another address (409)";
            String[] holder = pickRow(HELD);
            String[] target = pickRowOf(FREE, holder[0]);
            if (target == null) {
                target = new String[] {"admin", "10.112.1.120"};
                holder = HELD[0];
            }
            w.target = "/v1/networks/" + target[0] + "/addresses/" + target[1];
            jsonBody(w, "{\"cluster\":" + quote(holder[2]) + ",\"node\":" + quote(holder[3]) + ",\"status\":\"used\"}");
        } else if (defect < 55) {
            w.category = "update: bad status";
            w.target = "/v1/networks/" + free[0] + "/addresses/" + free[1];
            if (random.nextInt(3) == 0) {
                formBody(w, pick(List.of("cluster=c&node=n", "status=busy", "status=", "status=used&status=free",
                        "status=%00", "status=%ZZ", "status=fre%E2", "cluster=c&node=n&status=used&status=used")));
            } else {
                jsonBody(w, random.nextBoolean() ? "{\"cluster\":\"c\",\"node\":\"n\",\"status\":" + pick(BAD_STATUSES) + "}"
                        : pick(List.of("{\"cluster\":\"c\",\"node\":\"n\"}", "{}", "{\"status\":null}", "{\"state\":\"used\"}")));
            }
        } else if (defect < 68) {
            w.category = "update: bad owner";
            String[] held = pickRow(HELD);
            w.target = "/v1/networks/" + (random.nextBoolean() ? held[0] + "/addresses/" + held[1] : free[0] + "/addresses/" + free[1]);
            String status = random.nextBoolean() ? "used" : "free";
            jsonBody(w, switch (random.nextInt(4)) {
                case 0 -> "{\"cluster\":" + pick(BAD_OWNER_JSON) + ",\"node\":\"n\",\"status\":\"used\"}";
                case 1 -> "{\"cluster\":\"c\",\"node\":" + pick(WRONG_TYPES) + ",\"status\":\"" + status + "\"}";
                case 2 -> "{\"cluster\":\"c\",\"status\":\"" + status + "\"}";  // half an owner
                default -> "{\"node\":\"_\",\"cluster\":\"c\",\"status\":\"" + status + "\"}";
            });
        } else {
            w.target = "/v1/networks/" + free[0] + "/addresses/" + free[1];
            syntaxOrTypeDefect(w, "update", claim, List.of("status", "cluster", "node"), random.nextInt(15));
        }
    }

    private void remove(Write w, int defect) {
        w.method = "DELETE";
        if (defect < 40) {
            pathDefect(w);
            w.target = "/v1/networks/" + w.target + pick(List.of("", "?force", "?force=true", "?force=1", ""));
        } else if (defect < 75) {
            w.category = "delete: in use without force (409)";
            w.target = "/v1/networks/" + pick(EXISTING) + pick(List.of("", "?force=false", "?force=0", "?force=no", "?force=off",
                    "?forced", "?Force", "?force=1&force=0", "?x=1"));
        } else {
            w.category = "delete: bad query";
            w.target = "/v1/networks/" + pick(EXISTING) + pick(List.of("?force=maybe", "?force=%00", "?force=2", "?force=1&force=x",
                    "?force=true%00", "?force=%ZZ", "?x=%zz&force", "?force&x=%C3", "?force=%E2%80%AE", "?force=yes%20please",
                    "?force=tru", "?force=-1"));
            w.rawOnly = w.target.contains("%zz") || w.target.contains("%ZZ");
        }
        if (random.nextInt(4) == 0) {
            anyBody(w, "{\"force\":true}");
        }
    }

    /** A method the route does not have, with a body that would be valid for the route's real write. */
    private void wrongMethod(Write w, int which, String method) {
        String[] held = pickRow(HELD);
        String[] targets = {"/v1/health", "/v1/networks", "/v1/networks/" + held[0], "/v1/networks/" + held[0] + "/addresses",
            "/v1/networks/" + held[0] + "/addresses/" + held[1], "/v1/networks/admin/addresses/10.112.1.120"};
        w.target = targets[which];
        String[] wrongForThis = switch (which) {
            case 0, 3 -> new String[] {"POST", "PUT", "DELETE"};
            case 1 -> new String[] {"PUT", "DELETE"};
            case 2 -> new String[] {"PUT"};
            default -> new String[] {"POST", "DELETE"};
        };
        if (method != null) {
            w.method = method;
        } else {
            w.method = random.nextInt(3) == 0 ? pick(List.of(wrongForThis)) : pick(WRONG_METHODS);
            if (random.nextInt(8) == 0) {
                w.method = pick(RAW_ONLY_METHODS);
            }
            if (random.nextInt(5) == 0) {
                w.method = "HEAD";
            }
        }
        w.rawOnly = RAW_ONLY_METHODS.contains(w.method);
        w.category = "wrong method";
        String body = switch (which) {
            case 1 -> "{\"name\":\"m" + (fresh++) + "\",\"network\":\"10.201.0.0/24\",\"addresses\":[\"10.201.0.0/24\"]}";
            case 4, 5 -> random.nextBoolean() ? "{\"status\":\"free\"}" : "{\"cluster\":\"m\",\"node\":\"m" + (fresh++) + "\",\"status\":\"used\"}";
            default -> "{\"cluster\":\"m\",\"node\":\"m" + (fresh++) + "\"}";
        };
        if (method != null || random.nextBoolean()) {
            w.headers.add(new String[] {"Content-Type", "application/json"});
            w.body = body.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Puts a bad, unknown or raw-only network name into {@code w.target} (the segment only). */
    private void pathDefect(Write w) {
        int kind = random.nextInt(10);
        if (kind < 3) {
            w.category = "unknown network";
            w.target = pick(UNKNOWN_NAMES);
        } else if (kind < 9) {
            w.category = "bad network name in path";
            w.target = pick(BAD_NAMES);
        } else {
            w.category = "raw-only name in path";
            w.target = pick(RAW_ONLY_NAMES);
            w.rawOnly = true;
        }
    }

    /** Any body at all: the valid one, with a random accepted type, or something malformed, or none. */
    private void anyBody(Write w, String validBody) {
        switch (random.nextInt(4)) {
            case 0 -> jsonBody(w, validBody);
            case 1 -> {
                w.headers.add(new String[] {"Content-Type", pick(ACCEPTED_TYPES)});
                w.body = validBody.getBytes(StandardCharsets.UTF_8);
            }
            case 2 -> w.body = junk();
            default -> {
                // no body
            }
        }
    }

    /** A JSON body, sent as application/json (or another accepted type), without a type, or as a form type. */
    private void jsonBody(Write w, String json) {
        int type = random.nextInt(10);
        if (type < 7) {
            w.headers.add(new String[] {"Content-Type", type < 5 ? "application/json" : pick(ACCEPTED_TYPES.subList(0, 6))});
        } else if (type == 9) {
            // a form type with a body starting with { is read as JSON (curl -d '{...}')
            w.headers.add(new String[] {"Content-Type", "application/x-www-form-urlencoded"});
        }
        w.body = json.getBytes(StandardCharsets.UTF_8);
    }

    private void formBody(Write w, String form) {
        if (random.nextInt(4) > 0) {
            w.headers.add(new String[] {"Content-Type", "application/x-www-form-urlencoded"});
        }
        w.body = form.getBytes(StandardCharsets.UTF_8);
    }

    /** One of 15 syntax, encoding, type or media-type defects around an otherwise valid body. */
    private void syntaxOrTypeDefect(Write w, String route, String validBody, List<String> fields, int kind) {
        switch (kind) {
            case 0 -> {
                w.category = route + ": truncated JSON";
                jsonBody(w, validBody.substring(0, 1 + random.nextInt(validBody.length() - 1)));
            }
            case 1 -> {
                w.category = route + ": unsupported Content-Type";
                String type = pick(UNSUPPORTED_TYPES);
                w.headers.add(new String[] {"Content-Type", type});
                w.body = validBody.getBytes(StandardCharsets.UTF_8);
                w.rawOnly |= type.chars().anyMatch(c -> c < 0x20 || c > 0x7e);
            }
            case 2 -> {
                w.category = route + ": trailing garbage";
                jsonBody(w, validBody + pick(List.of("}", "]", " x", "{}", ",", "\u0000", " {\"cluster\":\"c\"}", "//", "\n1")));
            }
            case 3 -> {
                w.category = route + ": not JSON syntax";
                jsonBody(w, switch (random.nextInt(8)) {
                    case 0 -> validBody.replace("\"", "'");
                    case 1 -> validBody.replace(",", ",,");
                    case 2 -> validBody.replace("}", ",}");
                    case 3 -> validBody.replace(":", "=");
                    case 4 -> "{/*c*/" + validBody.substring(1);
                    case 5 -> validBody.replace("\"", "");
                    case 6 -> "{\"" + fields.get(0) + "\":NaN," + validBody.substring(1);
                    default -> validBody.replace("{", "{\"a\":Infinity,");
                });
            }
            case 4 -> {
                w.category = route + ": top level not an object";
                jsonBody(w, pick(List.of("[" + validBody + "]", "\"" + validBody.replace("\"", "\\\"") + "\"", "1", "null", "true",
                        "[]", "[{}]")));
            }
            case 5 -> {
                w.category = route + ": deeply nested";
                int depth = 1001 + random.nextInt(20_000);
                String nested = random.nextBoolean() ? "[".repeat(depth) + "]".repeat(depth)
                        : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
                jsonBody(w, "{\"x\":" + nested + "," + validBody.substring(1));
            }
            case 6 -> {
                w.category = route + ": number too long";
                jsonBody(w, "{\"x\":" + "9".repeat(1001 + random.nextInt(50_000)) + "," + validBody.substring(1));
            }
            case 7 -> {
                w.category = route + ": invalid UTF-8";
                byte[] valid = validBody.getBytes(StandardCharsets.UTF_8);
                byte[][] bad = {{(byte) 0xff}, {(byte) 0xc0, (byte) 0xae}, {(byte) 0xe2, (byte) 0x82}, {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                    {(byte) 0x80}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xc3}, {(byte) 0xc0, (byte) 0xaf}};
                int at = validBody.indexOf(":\"") + 2;  // inside the first string value
                jsonBody(w, "");
                w.body = concat(java.util.Arrays.copyOfRange(valid, 0, at), bad[random.nextInt(bad.length)],
                        java.util.Arrays.copyOfRange(valid, at, valid.length));
            }
            case 8 -> {
                w.category = route + ": empty body";
                jsonBody(w, pick(List.of("", " ", "\r\n", "\t")));
            }
            case 9 -> {
                w.category = route + ": junk bytes";
                w.body = junk();  // never starts with { or [ and holds no =, so it is never a valid JSON object or form
                if (random.nextBoolean()) {
                    w.headers.add(new String[] {"Content-Type", "application/json"});
                }
            }
            case 10 -> {
                w.category = route + ": duplicate keys";
                jsonBody(w, "{\"" + pick(fields) + "\":\"x\"," + validBody.substring(1));
            }
            case 11 -> {
                w.category = route + ": wrong type";
                String field = pick(fields);
                String body = validBody.replaceFirst("\"" + field + "\":(\"[^\"]*\"|\\[[^\\]]*\\]|\\d+)", "\"" + field + "\":"
                        + java.util.regex.Matcher.quoteReplacement(pick(WRONG_TYPES)));
                jsonBody(w, body.equals(validBody) ? "[]" : body);
            }
            case 12 -> {
                w.category = route + ": bad escapes or reserved values";
                String field = pick(fields);
                String body = validBody.replaceFirst("\"" + field + "\":\"[^\"]*\"", "\"" + field + "\":"
                        + java.util.regex.Matcher.quoteReplacement(pick(List.of("\"\\u0000\"", "\"\\u001f\"", "\"\\ud800\\u0000\"",
                        "\"_\"", "\"\\u0085x\"", "\"" + "\u00e9".repeat(300) + "\"", "\"\\\"", "\"\\x41\"", "\"\\u00\"", "\"\\uZZZZ\""))));
                if (body.equals(validBody) || field.equals("status") && body.contains("\\u0085x")) {
                    body = validBody + "}";
                }
                jsonBody(w, body);
            }
            case 13 -> {
                w.category = route + ": broken form";
                formBody(w, fields.get(0) + "=%" + "&" + fields.get(0) + "=x");
            }
            default -> {
                w.category = route + ": malformed query escape";
                w.target = w.target + pick(List.of("?x=%zz", "?%", "?x=%C3", "?a=%E2%82%AC%FF", "?x=%0", "?%ZZ=1"));
                w.rawOnly = true;
                jsonBody(w, validBody);
            }
        }
    }

    private void oversize(Write w) {
        int size = (1 << 20) + 1 + random.nextInt(1 << 20);
        byte[] valid = w.body.length > 0 && w.body[0] == '{' ? w.body : "{\"cluster\":\"big\",\"node\":\"big\"}".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[size];
        java.util.Arrays.fill(body, (byte) ' ');
        System.arraycopy(valid, 0, body, 0, Math.min(valid.length, body.length));
        w.body = body;
        w.category = "oversize body (" + w.category + ")";
        if (w.headers.stream().noneMatch(h -> h[0].equals("Content-Type"))) {
            w.headers.add(new String[] {"Content-Type", "application/json"});
        }
    }

    private byte[] junk() {
        byte[] junk = new byte[1 + random.nextInt(200)];
        random.nextBytes(junk);
        for (int i = 0; i < junk.length; i++) {
            if (junk[i] == '{' || junk[i] == '[' || junk[i] == '=') {
                junk[i] = '#';
            }
        }
        if (junk[0] == ' ' || junk[0] == '\t' || junk[0] == '\r' || junk[0] == '\n') {
            junk[0] = '#';
        }
        return junk;
    }

    // ------------------------------------------------------------------ reads: hostile, but allowed to succeed

    private Probe readProbe(int id, boolean raw) {
        String target = switch (random.nextInt(7)) {
            case 0 -> "/v1/health";
            case 1 -> "/v1/networks";
            case 2 -> "/v1/networks/" + anyName();
            case 3 -> "/v1/networks/" + anyName() + "/addresses";
            case 4 -> "/v1/networks/" + pick(EXISTING) + "/addresses/" + anyAddress();
            case 5 -> "/v1/networks/" + anyName() + "/addresses/" + anyAddress();
            default -> pick(List.of("/", "/v1", "/v1/", "/v2/networks", "/V1/networks", "/v1/Networks", "//v1/networks",
                    "/v1/./networks", "/v1/../v1/networks", "/v1/networks/admin/../full", "/v1/networks/admin/addresses/10.112.1.101/x",
                    "/v1/networks/admin/foo", "/v1/networks/admin/addresses//", "/v1//", "/.%2e/.%2e/etc/passwd", "/v1/%2e%2e/%2e%2e/",
                    "/v1/networks/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/favicon.ico", "/v1/networks/admin%2Faddresses",
                    "/v1/networks%2Fadmin", "/actuator/env", "/v1/health/", "/v1/health?verbose=%00"));
        };
        target += query();
        List<String[]> headers = new ArrayList<>();
        byte[] body = new byte[0];
        if (random.nextInt(3) == 0) {
            body = random.nextBoolean() ? junk() : ("{\"cluster\":\"r\",\"node\":\"r" + (fresh++) + "\"}").getBytes(StandardCharsets.UTF_8);
            headers.add(new String[] {"Content-Type", random.nextBoolean() ? pick(ACCEPTED_TYPES) : pick(UNSUPPORTED_TYPES)});
        }
        if (random.nextInt(3) == 0) {
            headers.add(pick(List.of(new String[] {"Accept", "application/xml"}, new String[] {"X-Forwarded-For", "10.0.0.1, ::1"},
                    new String[] {"Authorization", "Bearer " + "t".repeat(1000)}, new String[] {"Accept-Encoding", "gzip, br"},
                    new String[] {"X-HTTP-Method-Override", "DELETE"}, new String[] {"Range", "bytes=0-1"},
                    new String[] {"Cookie", "session=" + "c".repeat(2000)}, new String[] {"If-None-Match", "*"},
                    new String[] {"X-Original-URL", "/v1/networks/admin?force"}, new String[] {"Origin", "http://evil.example"})));
        }
        if (raw || !clientCanSend(target, headers, "GET")) {
            byte[] wire = frame("GET", target, headers, body, Framing.LENGTH, false);
            return new Probe(id, "read", true, "GET", target, headers, body, wire, 1, false);
        }
        return new Probe(id, "read", false, "GET", target, headers, body, null, 1, false);
    }

    private String anyName() {
        int kind = random.nextInt(10);
        if (kind < 3) {
            return pick(EXISTING);
        }
        if (kind < 5) {
            return pick(UNKNOWN_NAMES);
        }
        return kind < 9 ? pick(BAD_NAMES) : pick(RAW_ONLY_NAMES);
    }

    private String anyAddress() {
        return switch (random.nextInt(6)) {
            case 0 -> pickRow(HELD)[1];
            case 1 -> pickRow(FREE)[1];
            case 2 -> random.nextBoolean() ? pickRow(NOT_IN_POOL)[1] : pickRow(OUTSIDE)[1];
            case 3 -> pick(ALIAS_ADDRESSES);
            default -> pick(BAD_ADDRESSES);
        };
    }

    private String query() {
        return switch (random.nextInt(12)) {
            case 0 -> "?free";
            case 1 -> "?used&full";
            case 2 -> "?free=maybe";
            case 3 -> "?limit=" + pick(List.of("-1", "0", "99999999999", "1e3", "%00", "", "10&limit=20", "2147483648", "+5",
                    "%EF%BC%95", "0x10", "1000001", " 5"));
            case 4 -> "?after=" + anyAddress();
            case 5 -> "?after=fe80::1%25eth0&limit=5";
            case 6 -> "?full&limit=3&after=" + pick(ALIAS_ADDRESSES);
            case 7 -> "?" + "free&".repeat(random.nextInt(2000));
            case 8 -> "?free&used&full&limit=" + (random.nextInt(200_000) - 50_000);
            default -> "";
        };
    }

    // ------------------------------------------------------------------ raw framing

    /** How a raw request's body is framed. Every write carries its own defect, so no framing can make it valid. */
    enum Framing { LENGTH, NO_LENGTH, CHUNKED, TRUNCATED, SHORT_LENGTH, BAD_LENGTH, DUPLICATE_LENGTH, BAD_CHUNKED, EXPECT }

    private Framing randomFraming() {
        int f = random.nextInt(20);
        if (f < 10) {
            return Framing.LENGTH;
        }
        return switch (f) {
            case 10, 11 -> Framing.CHUNKED;
            case 12 -> Framing.NO_LENGTH;
            case 13, 14 -> Framing.TRUNCATED;
            case 15 -> Framing.SHORT_LENGTH;
            case 16 -> Framing.BAD_LENGTH;
            case 17 -> Framing.DUPLICATE_LENGTH;
            case 18 -> Framing.BAD_CHUNKED;
            default -> Framing.EXPECT;
        };
    }

    private Probe rawWrite(int id, Write w, Framing framing) {
        // A shorter Content-Length would cut a body with a defect at its end down to a valid one
        // (a form's repeated field, JSON's trailing garbage): only cut JSON before its first '}'.
        if (framing == Framing.SHORT_LENGTH && (w.body.length == 0 || w.body[0] != '{')) {
            framing = Framing.LENGTH;
        }
        byte[] wire = frame(w.method, w.target, w.headers, w.body, framing, random.nextBoolean());
        String category = w.category + (framing == Framing.LENGTH ? "" : " / " + framing.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        return new Probe(id, category, true, w.method, w.target, w.headers, w.body, wire, w.method.equals("GET") ? 1 : 0, false);
    }

    private byte[] frame(String method, String target, List<String[]> headers, byte[] body, Framing framing, boolean keepAlive) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 512);
        write(out, method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String[] header : headers) {
            write(out, header[0] + ": " + header[1] + "\r\n");
        }
        if (!keepAlive) {
            write(out, "Connection: close\r\n");
        }
        switch (framing) {
            case LENGTH, EXPECT -> {
                if (framing == Framing.EXPECT) {
                    write(out, "Expect: 100-continue\r\n");
                }
                write(out, "Content-Length: " + body.length + "\r\n\r\n");
                out.writeBytes(body);
            }
            case NO_LENGTH -> {
                write(out, "\r\n");
                out.writeBytes(body);
            }
            case CHUNKED -> {
                write(out, "Transfer-Encoding: chunked\r\n\r\n");
                int offset = 0;
                while (offset < body.length) {
                    int size = Math.min(body.length - offset, 1 + random.nextInt(Math.max(1, Math.min(body.length, 64 * 1024))));
                    write(out, Integer.toHexString(size) + "\r\n");
                    out.write(body, offset, size);
                    write(out, "\r\n");
                    offset += size;
                }
                write(out, "0\r\n\r\n");
            }
            case TRUNCATED -> {
                write(out, "Content-Length: " + (body.length + 1 + random.nextInt(1000)) + "\r\n\r\n");
                out.writeBytes(body);
            }
            case SHORT_LENGTH -> {
                int firstClose = indexOf(body, (byte) '}');
                write(out, "Content-Length: " + random.nextInt(firstClose > 0 ? firstClose : body.length) + "\r\n\r\n");
                out.writeBytes(body);
            }
            case BAD_LENGTH -> {
                write(out, "Content-Length: " + pick(List.of("-1", "abc", "1e3", "0x10", "", " ", "1 2", "99999999999999999999",
                        "9223372036854775807", "-9223372036854775808", "4294967296", "1.0", "0" + body.length + "x")) + "\r\n\r\n");
                out.writeBytes(body);
            }
            case DUPLICATE_LENGTH -> {
                write(out, "Content-Length: " + body.length + "\r\nContent-Length: " + (body.length + 1 + random.nextInt(9)) + "\r\n\r\n");
                out.writeBytes(body);
            }
            case BAD_CHUNKED -> {
                write(out, "Transfer-Encoding: chunked\r\n\r\n");
                write(out, switch (random.nextInt(7)) {
                    case 0 -> "zz\r\n";
                    case 1 -> Integer.toHexString(body.length + 10) + "\r\n";
                    case 2 -> "-" + Integer.toHexString(body.length) + "\r\n";
                    case 3 -> "ffffffffffffffffff\r\n";
                    case 4 -> Integer.toHexString(body.length) + "\n";
                    case 5 -> Integer.toHexString(body.length) + " \r\n";
                    default -> "0x" + Integer.toHexString(body.length) + "\r\n";
                });
                out.writeBytes(body);
                write(out, random.nextBoolean() ? "\r\n" : "");
                // and never the last chunk: the body never completes
            }
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ smuggling: an inner write that must never run

    static final int SMUGGLING_VARIANTS = 15;

    /**
     * Request-smuggling attempts: framing that RFC 9112 says a server must refuse, or must close
     * the connection after, followed on the same connection by a valid write with a fresh owner or
     * network name. Whatever the server makes of the outer request, the inner one must never run.
     */
    private Probe smuggling(int id, int variant) {
        byte[] inner = innerWrite().getBytes(StandardCharsets.UTF_8);
        String outerBody = "{\"cluster\":\"outer\"";  // never a valid body
        String first = pick(List.of("POST /v1/networks/admin", "POST /v1/networks", "PUT /v1/networks/admin/addresses/10.112.1.130",
                "GET /v1/networks", "DELETE /v1/networks/nope"));
        String head = first + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
        String chunkedOuter = Integer.toHexString(outerBody.length()) + "\r\n" + outerBody + "\r\n0\r\n\r\n";
        String category;
        String wire;
        switch (variant) {
            case 0 -> {
                category = "CL.TE";
                wire = head + "Content-Length: " + chunkedOuter.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedOuter;
            }
            case 1 -> {
                category = "TE.CL";
                wire = head + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n" + chunkedOuter;
            }
            case 2 -> {
                category = "CL.TE, the CL covering the inner request";
                wire = head + "Content-Length: " + (5 + inner.length) + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
            }
            case 3 -> {
                category = "obfuscated Transfer-Encoding";
                wire = head + pick(List.of("Transfer-Encoding: chunked, identity", "Transfer-Encoding: identity, chunked",
                        "Transfer-Encoding: xchunked", "Transfer-Encoding : chunked", "Transfer-Encoding:\r\n chunked",
                        "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity", "Transfer-Encoding: \"chunked\"",
                        "Transfer-Encoding: chunk", "Transfer-Encoding: gzip, chunked", "Transfer-Encoding: chunked\u0000",
                        "Transfer-Encoding:\u000bchunked", "Transfer-Encoding: chunked;q=1", "Transfer-Encoding: CHUNKED",
                        "Transfer-Encoding:\tchunked"))
                        + "\r\nContent-Length: " + chunkedOuter.length() + "\r\n\r\n" + chunkedOuter;
            }
            case 4 -> {
                category = "two Content-Lengths, the first 0";
                wire = head + "Content-Length: 0\r\nContent-Length: " + inner.length + "\r\n\r\n";
            }
            case 5 -> {
                category = "two Content-Lengths, the inner request in the longer";
                wire = head + "Content-Length: " + (inner.length + outerBody.length()) + "\r\nContent-Length: "
                        + outerBody.length() + "\r\n\r\n" + outerBody;
            }
            case 6 -> {
                category = "Content-Length list";
                wire = head + "Content-Length: " + pick(List.of("0, " + inner.length, inner.length + ", 0", "0,0", "0 0")) + "\r\n\r\n";
            }
            case 7 -> {
                category = "Content-Length with junk";
                wire = head + "Content-Length: " + pick(List.of("0x0", "0;", "0 ;x", "0.0", "0e0", "0 1", "0-0", "0/0")) + "\r\n\r\n";
            }
            case 8 -> {
                category = "whitespace before the colon";
                wire = head + pick(List.of("Content-Length : 0", "Content-Length\t: 0")) + "\r\n\r\n";
            }
            case 9 -> {
                category = "chunk size tricks";
                wire = head + "Transfer-Encoding: chunked\r\n\r\n" + pick(List.of("0000000000000000000000" + Integer.toHexString(inner.length),
                        "1;" + "x".repeat(100), Integer.toHexString(inner.length) + ";\u0000")) + "\r\n";
            }
            case 10 -> {
                category = "the inner request as a GET's body";
                wire = "GET /v1/networks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + inner.length + "\r\n\r\n";
            }
            case 11 -> {
                category = "the inner request as a 100-continue body";
                wire = head + "Expect: 100-continue\r\nContent-Length: " + inner.length + "\r\n\r\n";
            }
            case 12 -> {
                category = "Content-Length over the limit";
                wire = head + "Content-Length: " + ((1L << 20) + 1) + "\r\n\r\n";
            }
            case 13 -> {
                category = "HTTP/1.0 keep-alive with the inner request as body";
                wire = head.replace("HTTP/1.1", "HTTP/1.0") + "Connection: keep-alive\r\nContent-Length: " + inner.length + "\r\n\r\n";
            }
            default -> {
                category = "Transfer-Encoding in HTTP/1.0";
                wire = head.replace("HTTP/1.1", "HTTP/1.0") + "Transfer-Encoding: chunked\r\nContent-Length: "
                        + chunkedOuter.length() + "\r\n\r\n" + chunkedOuter;
            }
        }
        String method = wire.substring(0, wire.indexOf(' '));
        byte[] bytes = concat(wire.getBytes(StandardCharsets.ISO_8859_1), inner);
        return new Probe(id, "smuggling: " + category, true, method, "(smuggling)", List.of(), new byte[0], bytes,
                method.equals("GET") ? 1 : 0, false);
    }

    /** A valid write with a fresh owner or name: if it ever runs, the store changes. */
    private String innerWrite() {
        String body;
        String line;
        switch (random.nextInt(3)) {
            case 0 -> {
                body = "{\"cluster\":\"smuggled\",\"node\":\"s" + (fresh++) + "\"}";
                line = "POST /v1/networks/admin";
            }
            case 1 -> {
                body = "{\"name\":\"smuggled-" + (fresh++) + "\",\"network\":\"10.202.0.0/24\",\"addresses\":[\"10.202.0.0/24\"]}";
                line = "POST /v1/networks";
            }
            default -> {
                body = "{\"status\":\"free\"}";
                line = "PUT /v1/networks/admin/addresses/10.112.1.101";
            }
        }
        return line + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body;
    }

    // ------------------------------------------------------------------ transport-level hostility

    static final int TRANSPORT_VARIANTS = 23;

    private Probe transport(int id, int variant) {
        String target = pick(List.of("/v1/networks", "/v1/networks/admin", "/v1/networks/admin/addresses/10.112.1.101", "/v1/health"));
        String method = pick(List.of("GET", "POST", "PUT", "DELETE"));
        String body = "{\"cluster\":\"t\"";  // never valid
        String category;
        byte[] wire;
        boolean mayDrop = false;
        switch (variant) {
            case 0 -> {
                category = "huge header value (100 KB)";
                wire = ascii(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(100_000) + "\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body);
            }
            case 1 -> {
                category = "header section over the server's limit (400 KB)";
                wire = ascii(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(400_000) + "\r\n\r\n");
                mayDrop = true;
            }
            case 2 -> {
                category = "too many headers (300)";
                StringBuilder many = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n");
                for (int i = 0; i < 300; i++) {
                    many.append("X-H").append(i).append(": v\r\n");
                }
                wire = ascii(many.append("\r\n").toString());
                mayDrop = true;
            }
            case 3 -> {
                category = "NUL and CR in header values";
                wire = ascii(method + " " + target + " HTTP/1.1\r\nHost: x\u0000y\r\nX-A: a\rb\r\nContent-Type: application/json\u0000\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body);
                mayDrop = true;
            }
            case 4 -> {
                category = "invalid UTF-8 in the request target";
                wire = concat(ascii(method + " /v1/networks/"), new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc0, (byte) 0xae},
                        ascii("/addresses HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"));
            }
            case 5 -> {
                category = "invalid UTF-8 in header values";
                wire = concat(ascii(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"),
                        new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff}, ascii("\r\nAuthorization: Bearer "),
                        new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, ascii("\r\nContent-Length: " + body.length() + "\r\n\r\n" + body));
            }
            case 6 -> {
                category = "request line without a version (HTTP/0.9)";
                wire = ascii(method + " " + target + "\r\n\r\n");
                mayDrop = true;
            }
            case 7 -> {
                category = "unknown HTTP version";
                wire = ascii(method + " " + target + " " + pick(List.of("HTTP/2.0", "HTTP/9.9", "HTTP/1.1x", "FOO/1.1", "HTTP/1", "http/1.1"))
                        + "\r\nHost: localhost\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
                mayDrop = true;
            }
            case 8 -> {
                category = "HTTP/2 preface";
                wire = ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
                mayDrop = true;
            }
            case 9 -> {
                category = "TLS ClientHello on the plain port";
                wire = new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03, 1, 2, 3, 4, 5, 6, 7, 8};
                mayDrop = true;
            }
            case 10 -> {
                category = "empty connection";
                wire = new byte[0];
                mayDrop = true;
            }
            case 11 -> {
                category = "only line ends";
                wire = ascii("\r\n\r\n\r\n\n\n");
                mayDrop = true;
            }
            case 12 -> {
                category = "absolute-form target";
                wire = ascii(method + " http://evil.example:80" + target + " HTTP/1.1\r\nHost: evil.example\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body);
            }
            case 13 -> {
                category = "asterisk or relative target";
                wire = ascii(method + " " + pick(List.of("*", "v1/networks", "?x", "#", "%2Fv1%2Fnetworks", "\\v1\\networks", "//evil/v1"))
                        + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
            }
            case 14 -> {
                category = "very long target (200 KB)";
                wire = ascii(method + " /v1/networks/" + "a".repeat(200_000) + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
                mayDrop = true;
            }
            case 15 -> {
                category = "missing, empty, repeated or huge Host";
                wire = ascii(method + " " + target + " HTTP/1.1\r\n" + pick(List.of("", "Host: a\r\nHost: b\r\n", "Host:\r\n", "Host: " + "h".repeat(5000) + "\r\n"))
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body);
            }
            case 16 -> {
                category = "NUL in the request line";
                wire = ascii(method + " /v1/networks/admin\u0000/addresses HTTP/1.1\r\nHost: localhost\r\n\r\n");
                mayDrop = true;
            }
            case 17 -> {
                category = "spaces in the target";
                wire = ascii(method + " /v1/networks/ad min/addresses  HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
                mayDrop = true;
            }
            case 18 -> {
                category = "pipelined garbage after a valid read";
                method = "GET";
                wire = ascii("GET /v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n" + pick(List.of("\u0000\u0001\u0002", "GARBAGE\r\n\r\n",
                        "POST /v1/networks/admin HTTP/1.1\r\nContent-Length: 99\r\n\r\n{", "\r\n")));
            }
            case 19 -> {
                category = "bare line feeds";
                wire = ascii(method + " " + target + " HTTP/1.1\nHost: localhost\nContent-Type: application/json\nContent-Length: "
                        + body.length() + "\n\n" + body);
                mayDrop = true;
            }
            case 20 -> {
                category = "obsolete line folding";
                wire = ascii(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/\r\n json\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body);
                mayDrop = true;
            }
            case 22 -> {
                category = "a Transfer-Encoding other than chunked";
                wire = ascii(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: " + pick(List.of("gzip", "gzip, chunked",
                        "chunked, gzip", "identity", "compress", "deflate, chunked", "br")) + "\r\n\r\n" + body);
            }
            default -> {
                category = "header without a colon";
                wire = ascii(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type application/json\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body);
            }
        }
        return new Probe(id, "transport: " + category, true, method, target, List.of(), new byte[0], wire,
                method.equals("GET") ? 1 : 0, mayDrop);
    }

    // ------------------------------------------------------------------ helpers

    /** Whether the JDK HTTP client can send this write as it is (it refuses some URIs, methods and header values). */
    private static boolean clientCanSend(Write w) {
        return clientCanSend(w.target, w.headers, w.method);
    }

    private static boolean clientCanSend(String target, List<String[]> headers, String method) {
        if (method.isEmpty() || method.equals("CONNECT")
                || method.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0)) {
            return false;
        }
        for (String[] header : headers) {
            if (header[1].chars().anyMatch(c -> c < 0x20 && c != '\t' || c >= 0x7f)) {
                return false;
            }
        }
        try {
            URI uri = URI.create("http://127.0.0.1:1" + target);
            int question = target.indexOf('?');
            return uri.getRawPath() != null && uri.getRawPath().equals(question >= 0 ? target.substring(0, question) : target)
                    && (question < 0 || target.substring(question + 1).equals(uri.getRawQuery()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String object(String... fields) {
        return "{" + String.join(",", fields) + "}";
    }

    private static String quote(String text) {
        return ServiceClient.JSON.getNodeFactory().textNode(text).toString();
    }

    private <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    private String[] pickRow(String[][] rows) {
        return rows[random.nextInt(rows.length)];
    }

    private String[] pickRowOf(String[][] rows, String network) {
        List<String[]> matching = new ArrayList<>();
        for (String[] row : rows) {
            if (row[0].equals(network)) {
                matching.add(row);
            }
        }
        return matching.isEmpty() ? null : matching.get(random.nextInt(matching.size()));
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
