package net.allocator.etcd;

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
 * A loopback TCP proxy in front of the test etcd that a test can stop (refusing connections and
 * breaking open ones, as a stopped etcd), start again on the same port, or freeze (connections
 * stay open but nothing passes, as a hung etcd or a network that drops packets), so that outages
 * can be tested without touching the shared server.
 */
final class TcpProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final int port;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile ServerSocket listener;
    private volatile boolean frozen;

    TcpProxy(String targetUrl) throws IOException {
        URI uri = URI.create(targetUrl.split(",")[0].strip());
        this.target = new InetSocketAddress(uri.getHost(), uri.getPort());
        ServerSocket first = bind(0);
        this.port = first.getLocalPort();
        serve(first);
    }

    /** The proxy's URL, to configure the store with. */
    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Refuses new connections and breaks open ones, as a stopped etcd would. */
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

    /** Stops passing bytes either way on every connection, without closing any. */
    void freeze() {
        frozen = true;
    }

    /** Passes bytes again, those held back included. */
    void thaw() {
        frozen = false;
    }

    @Override
    public void close() throws IOException {
        thaw();
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
                    Socket upstream = new Socket();
                    keep(socket, upstream);
                    upstream.connect(target, 2000);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    // closed by down(), or etcd refused: the client sees its socket close
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
                    while (frozen && !from.isClosed()) {
                        Thread.sleep(10); // hold the bytes back, so that the stream is intact when thawed
                    }
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
}
