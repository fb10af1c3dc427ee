package net.allocator.benchmarks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Requests per second and latency of the REST service against the bare-handler baseline, with
 * the same load generator in the same run: {@code callers} threads, each with its own keep-alive
 * connection.
 *
 * <pre>
 * java -cp benchmarks.jar net.allocator.benchmarks.HttpLoadDriver --baseline 127.0.0.1:PORT \
 *     --rest 127.0.0.1:PORT [--label inmemory] [--callers 64] [--seconds 10]
 * </pre>
 */
public final class HttpLoadDriver {
    private HttpLoadDriver() {}

    public static void main(String[] args) throws Exception {
        String baseline = null;
        String rest = null;
        String label = "rest";
        List<Integer> callers = List.of(64);
        double seconds = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--baseline" -> baseline = args[++i];
                case "--rest" -> rest = args[++i];
                case "--label" -> label = args[++i];
                case "--callers" -> callers = java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--quick" -> seconds = Math.min(seconds, 3);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String[] b = baseline.split(":");
        String[] r = rest.split(":");
        String bh = b[0];
        int bp = Integer.parseInt(b[1]);
        String rh = r[0];
        int rp = Integer.parseInt(r[1]);
        String run = Long.toString(System.currentTimeMillis(), 36);
        String big = "load-" + run;
        String small = "free-" + run;
        HttpConnection.post(rh, rp, "/v1/networks", "{\"name\":\"" + big + "\",\"description\":\"benchmark\",\"bridge\":\"br0\","
                + "\"network\":\"10.0.0.0\",\"netmask\":\"8\",\"gateway\":\"10.0.0.1\",\"addresses\":[\"10.0.0.0/8\"]}", 201);
        HttpConnection.post(rh, rp, "/v1/networks", "{\"name\":\"" + small + "\",\"description\":\"benchmark\",\"bridge\":\"br0\","
                + "\"network\":\"10.1.0.0\",\"netmask\":\"24\",\"gateway\":\"10.1.0.1\",\"addresses\":[\"10.1.0.0/24\"]}", 201);
        String section = "rest (" + label + ")";
        String allocatePath = "/v1/networks/" + big;
        String freePath = "/v1/networks/" + small + "/addresses?free";

        for (int n : callers) {
            // Warm up all three (JIT, connections) before measuring: the service has far more code
            // to compile than the bare handler, and shorter warm-ups left its compiler threads
            // busy (25-60 us a request) in the measured seconds.
            run("warm", bh, bp, n, 3, (c, i) -> c.exchange("POST", "/", "{\"cluster\":\"w\",\"node\":\"w\"}"));
            run("warm", rh, rp, n, 6, (c, i) -> c.exchange("POST", allocatePath, "{\"cluster\":\"warm\",\"node\":\"" + i + "\"}"));
            run("warm", rh, rp, n, 4, (c, i) -> c.exchange("GET", freePath, null));

            String who = n + " connections: ";
            Load.Result base = run("baseline", bh, bp, n, seconds,
                    (c, i) -> c.exchange("POST", "/", "{\"cluster\":\"load\",\"node\":\"" + i + "\"}"));
            Load.Result allocate = run("allocate", rh, rp, n, seconds, (c, i) -> {
                Thread t = Thread.currentThread();
                return c.exchange("POST", allocatePath, "{\"cluster\":\"load\",\"node\":\"" + t.getName() + "-" + i + "\"}");
            });
            Load.Result free = run("free", rh, rp, n, seconds, (c, i) -> c.exchange("GET", freePath, null));
            report(section, who + "bare JDK HttpServer, fixed JSON (baseline)", base);
            report(section, who + "POST allocate", allocate);
            report(section, who + "GET ?free on a /24 (253 addresses)", free);
            Figures.print(section, who + "POST allocate ÷ baseline requests/s", allocate.perSecond() / base.perSecond(), "ratio");
            Figures.print(section, who + "GET ?free ÷ baseline requests/s", free.perSecond() / base.perSecond(), "ratio");
        }
        System.exit(0);
    }

    /** One connection's request; returns the HTTP status. */
    @FunctionalInterface
    private interface Request {
        int send(HttpConnection connection, long i) throws IOException;
    }

    private static Load.Result run(String what, String host, int port, int callers, double seconds, Request request)
            throws Exception {
        List<HttpConnection> connections = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            connections.add(new HttpConnection(host, port));
        }
        try {
            return Load.run(what, callers, seconds, (c, i) -> {
                int status = request.send(connections.get(c), i);
                if (status / 100 != 2) {
                    throw new IOException(what + " answered " + status + ": " + connections.get(c).body());
                }
            });
        } finally {
            for (HttpConnection connection : connections) {
                connection.close();
            }
        }
    }

    private static void report(String section, String what, Load.Result r) {
        Figures.print(section, what + " requests/s", r.perSecond(), "req/s");
        Figures.print(section, what + " p50", r.p50(), "ms");
        Figures.print(section, what + " p99", r.p99(), "ms");
        if (r.errors() > 0) {
            Figures.note(section, what + ": " + r.errors() + " errors, first: " + r.firstError());
        }
    }
}
