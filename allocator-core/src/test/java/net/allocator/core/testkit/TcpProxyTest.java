package net.allocator.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import net.allocator.core.testkit.TcpProxy.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The proxy in front of a real loopback echo server. */
class TcpProxyTest {
    private static final int QUIET_MILLIS = 300;

    private ServerSocket echo;
    private TcpProxy proxy;

    @BeforeEach
    void setUp() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket socket = echo.accept();
                    Thread echoing = new Thread(() -> echoAll(socket), "echo");
                    echoing.setDaemon(true);
                    echoing.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "echo-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        proxy = new TcpProxy("http://127.0.0.1:" + echo.getLocalPort() + ",http://127.0.0.1:1");
    }

    @AfterEach
    void tearDown() throws IOException {
        proxy.close();
        echo.close();
    }

    @Test
    @DisplayName("bytes pass both ways to the first of the target URLs")
    void forwards() throws IOException {
        try (Socket client = connect()) {
            assertThat(roundTrip(client, "ping")).isEqualTo("ping");
        }
    }

    @Test
    @DisplayName("down breaks open connections and refuses new ones; up accepts again on the same port")
    void downAndUp() throws IOException {
        try (Socket client = connect()) {
            roundTrip(client, "before");
            proxy.down();
            assertThat(isBroken(client)).as("the open connection is broken").isTrue();
        }
        assertThatThrownBy(this::connect).isInstanceOf(IOException.class);
        proxy.up();
        try (Socket client = connect()) {
            assertThat(roundTrip(client, "after")).isEqualTo("after");
        }
    }

    @Test
    @DisplayName("a frozen proxy holds the bytes of an open connection and delivers them intact once forwarding again")
    void frozen() throws IOException {
        try (Socket client = connect()) {
            roundTrip(client, "warm");
            proxy.mode(Mode.FROZEN);
            send(client, "held");
            assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            proxy.mode(Mode.FORWARD);
            assertThat(receive(client, 4)).isEqualTo("held");
        }
    }

    @Test
    @DisplayName("a silent proxy accepts a new connection and never answers it, while the target is up")
    void silent() throws IOException {
        proxy.mode(Mode.SILENT);
        try (Socket client = connect()) {
            send(client, "anyone?");
            assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        }
    }

    private Socket connect() throws IOException {
        URI url = URI.create(proxy.url());
        Socket socket = new Socket(url.getHost(), url.getPort());
        socket.setSoTimeout(QUIET_MILLIS);
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        send(socket, text);
        socket.setSoTimeout(10_000);
        try {
            return receive(socket, text.length());
        } finally {
            socket.setSoTimeout(QUIET_MILLIS);
        }
    }

    /** Whether the other end closed or reset the connection (rather than staying quiet). */
    private static boolean isBroken(Socket socket) {
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException quiet) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String receive(Socket socket, int length) throws IOException {
        socket.setSoTimeout(10_000);
        byte[] bytes = socket.getInputStream().readNBytes(length);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static void echoAll(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException closed) {
            // the proxy closed its side
        }
    }
}
