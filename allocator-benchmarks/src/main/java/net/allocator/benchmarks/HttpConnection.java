package net.allocator.benchmarks;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection over a plain socket: the lightest possible load generator,
 * so that on a small machine the driver takes as little CPU from the server as it can. Reads
 * {@code Content-Length} and chunked bodies.
 *
 * <p>Kept hand-written as the lightest generator for a 2-core machine, where the driver and the
 * server share the cores. It has not been measured against {@code java.net.http.HttpClient}
 * (nor an external wrk2 or oha); that comparison would be needed before claiming it is lighter.
 */
final class HttpConnection implements Closeable {
    private final String host;
    private final int port;
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    private final StringBuilder line = new StringBuilder(128);
    private byte[] body = new byte[8192];
    private int bodyLength;

    HttpConnection(String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        connect();
    }

    private void connect() throws IOException {
        socket = new Socket(host, port);
        socket.setTcpNoDelay(true);
        out = new BufferedOutputStream(socket.getOutputStream(), 4096);
        in = new BufferedInputStream(socket.getInputStream(), 16384);
    }

    /** Sends a request and reads its response; returns the status. */
    int exchange(String method, String path, String jsonBody) throws IOException {
        byte[] payload = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n"
                + (jsonBody == null ? "" : "Content-Type: application/json\r\n")
                + "Content-Length: " + payload.length + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(payload);
        out.flush();
        return readResponse();
    }

    /** The body of the last response. */
    String body() {
        return new String(body, 0, bodyLength, StandardCharsets.UTF_8);
    }

    private int readResponse() throws IOException {
        String status = readLine();
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        String header;
        while (!(header = readLine()).isEmpty()) {
            int colon = header.indexOf(':');
            String name = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                close = true;
            }
        }
        bodyLength = 0;
        if (chunked) {
            while (true) {
                int size = Integer.parseInt(readLine().trim().split(";")[0], 16);
                if (size == 0) {
                    readLine();
                    break;
                }
                readBody(size);
                readLine();
            }
        } else if (length > 0) {
            readBody((int) length);
        }
        if (close) {
            socket.close();
            connect();
        }
        return code;
    }

    private void readBody(int size) throws IOException {
        if (bodyLength + size > body.length) {
            body = java.util.Arrays.copyOf(body, Math.max(body.length * 2, bodyLength + size));
        }
        int read = 0;
        while (read < size) {
            int n = in.read(body, bodyLength + read, size - read);
            if (n < 0) {
                throw new EOFException("connection closed in a body");
            }
            read += n;
        }
        bodyLength += size;
    }

    private String readLine() throws IOException {
        line.setLength(0);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("connection closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A whole-response snapshot for setup calls. */
    static String post(String host, int port, String path, String json, int expected) throws IOException {
        try (HttpConnection connection = new HttpConnection(host, port)) {
            int status = connection.exchange("POST", path, json);
            if (status != expected) {
                throw new IOException("POST " + path + " answered " + status + ": " + connection.body());
            }
            return connection.body();
        }
    }
}
