package net.allocator.core.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of a test server (etcd, Consul), so that a test can simulate an
 * outage without touching the shared server: {@link #down()} refuses connections and breaks open
 * ones (a stopped server), {@link #up()} accepts again on the same port, and a {@link Mode} makes
 * the server hang instead of fail.
 *
 * <p>Hand-written rather than Toxiproxy: that needs its own server or Docker, and the test servers
 * here are local binaries.
 */
public final class TcpProxy implements AutoCloseable {
    /** What the proxy does with the bytes of a connection while it is up. */
    public enum Mode {
        /** Passes bytes both ways. */
        FORWARD,
        /**
         * Accepts new connections and never answers them (they never reach the server), as a
         * hung server; connections already open keep forwarding.
         */
        SILENT,
        /**
         * Passes no byte either way on any connection, open or new, without closing one, as a
         * hung server or a network that drops packets. The bytes are held, not lost: they pass
         * once the mode is {@link #FORWARD} again, so the streams stay intact.
         */
        FROZEN
    }

    private final InetSocketAddress target;
    private final int port;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private volatile ServerSocket listener;
    private volatile Mode mode = Mode.FORWARD;

    /**
     * Starts forwarding a free loopback port to the host and port of {@code targetUrl}; of a
     * comma-separated list of URLs (etcd's endpoints), the first.
     */
    public TcpProxy(String targetUrl) throws IOException {
        URI uri = URI.create(targetUrl.split(",")[0].strip());
        this.target = new InetSocketAddress(uri.getHost(), uri.getPort());
        ServerSocket first = bind(0);
        this.port = first.getLocalPort();
        serve(first);
    }

    /** The proxy's URL, to configure the store with. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Switches what the proxy does with bytes; see {@link Mode}. */
    public void mode(Mode mode) {
        synchronized (gate) {
            this.mode = mode;
            gate.notifyAll();
        }
    }

    /** Refuses new connections and breaks open ones, as a stopped server would. */
    public synchronized void down() throws IOException {
        ServerSocket current = listener;
        listener = null;
        if (current != null) {
            current.close();
        }
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
        synchronized (gate) {
            gate.notifyAll(); // frozen pumps see their sockets closed
        }
    }

    /** Accepts connections again, on the same port. */
    public synchronized void up() throws IOException {
        if (listener == null) {
            serve(bind(port));
        }
    }

    @Override
    public void close() throws IOException {
        mode(Mode.FORWARD);
        down();
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return socket;
    }

    private void serve(ServerSocket socket) {
        listener = socket;
        Thread acceptor = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    keep(socket, client);
                    if (mode == Mode.SILENT) {
                        continue; // held open, never answered, broken by the next down()
                    }
                    Socket upstream = new Socket();
                    keep(socket, upstream);
                    upstream.connect(target, 2000);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    // closed by down(), or the target refused: the client sees its socket close
                }
            }
        }, "tcp-proxy-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Keeps {@code socket} to be broken by the next {@link #down()}, unless {@code from} has
     * already been closed by one: then closes it. A connection accepted just before a down() would
     * otherwise be added after down() broke the others, and survive the outage.
     */
    private synchronized void keep(ServerSocket from, Socket socket) throws IOException {
        if (listener != from) {
            socket.close();
            throw new IOException("the proxy went down");
        }
        sockets.add(socket);
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    awaitThaw(from);
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        }, "tcp-proxy-pump-" + port);
        thread.setDaemon(true);
        thread.start();
    }

    /** Holds the bytes just read while the proxy is frozen, so that they pass intact once thawed. */
    private void awaitThaw(Socket from) throws InterruptedException {
        synchronized (gate) {
            while (mode == Mode.FROZEN && !from.isClosed()) {
                gate.wait();
            }
        }
    }
}
