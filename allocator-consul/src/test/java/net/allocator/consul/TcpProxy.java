package net.allocator.consul;

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
 * A loopback TCP proxy in front of the test Consul that a test can switch between forwarding,
 * refusing connections (as a stopped Consul), and accepting them without ever answering (as a
 * hung one), so that outages can be tested without stopping the shared server.
 */
final class TcpProxy implements AutoCloseable {
    enum Mode { FORWARD, SILENT }

    private final InetSocketAddress target;
    private final int port;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile ServerSocket listener;
    private volatile Mode mode = Mode.FORWARD;

    TcpProxy(String targetUrl) throws IOException {
        URI uri = URI.create(targetUrl);
        this.target = new InetSocketAddress(uri.getHost(), uri.getPort());
        ServerSocket first = bind(0);
        this.port = first.getLocalPort();
        serve(first);
    }

    /** The proxy's URL, to configure the store with. */
    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Forward (default) or hold connections without an answer. */
    void mode(Mode mode) {
        this.mode = mode;
    }

    /** Refuses new connections and breaks open ones, as a stopped Consul would. */
    synchronized void down() throws IOException {
        ServerSocket current = listener;
        listener = null;
        if (current != null) {
            current.close();
        }
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }

    /** Accepts connections again, on the same port. */
    synchronized void up() throws IOException {
        if (listener == null) {
            serve(bind(port));
        }
    }

    @Override
    public void close() throws IOException {
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
                        continue; // hold it open, never answer
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
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
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
}
