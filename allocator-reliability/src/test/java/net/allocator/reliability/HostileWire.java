package net.allocator.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP/1.1 over a plain socket, byte for byte as the caller wrote it: truncated bodies, lying
 * Content-Lengths, both Content-Length and Transfer-Encoding, invalid UTF-8, bare line feeds, and
 * anything else a well-behaved client library refuses to send. Answers are read until the server
 * closes the connection and split into the responses they hold (several when requests were
 * pipelined or smuggled).
 */
final class HostileWire {
    private HostileWire() {}

    /** One response as it came off the wire. */
    record Reply(int status, String statusLine, List<Map.Entry<String, String>> headers, byte[] body) {
        Optional<String> header(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        boolean isJson() {
            return header("Content-Type").map(t -> t.toLowerCase(Locale.ROOT).startsWith("application/json")).orElse(false);
        }

        @Override
        public String toString() {
            String text = bodyText();
            return statusLine + " " + headers + " " + (text.length() > 300 ? text.substring(0, 300) + "…" : text);
        }
    }

    /**
     * What happened on one connection: the responses, and how it ended.
     *
     * @param replies the responses, in order
     * @param ending "closed" when the server closed the connection after its answers, "reset" when
     *     it reset it, "timeout" when it neither answered nor closed in time
     * @param leftover bytes after the last complete response that do not form a response
     */
    record Outcome(List<Reply> replies, String ending, byte[] leftover) {
        boolean answered() {
            return !replies.isEmpty();
        }
    }

    /**
     * Connects, writes {@code request} (ignoring a failure to write the rest once the server has
     * answered and closed), half-closes when {@code halfClose}, and reads until the server closes
     * or {@code timeoutMillis} pass without a byte.
     *
     * @param head whether the request was a HEAD, whose answer has no body whatever its headers say
     *     (unless the server closes the connection after it: the JDK server's own refusals carry
     *     a body even then)
     */
    static Outcome exchange(InetSocketAddress address, byte[] request, boolean halfClose, int timeoutMillis, boolean head)
            throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        String ending;
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeoutMillis);
            socket.connect(address, 5000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            try {
                int offset = 0;
                while (offset < request.length) {
                    int chunk = Math.min(64 * 1024, request.length - offset);
                    out.write(request, offset, chunk);
                    offset += chunk;
                }
                out.flush();
                if (halfClose) {
                    socket.shutdownOutput();
                }
            } catch (IOException refusedTheRest) {
                // the server answered early (a 413, a 400) and closed: read what it said
            }
            ending = readAll(in, received);
        }
        byte[] bytes = received.toByteArray();
        List<Reply> replies = new ArrayList<>();
        int[] position = {0};
        while (position[0] < bytes.length) {
            Reply reply = parse(bytes, position, head);
            if (reply == null) {
                break;
            }
            replies.add(reply);
        }
        byte[] leftover = java.util.Arrays.copyOfRange(bytes, position[0], bytes.length);
        return new Outcome(replies, ending, leftover);
    }

    private static String readAll(InputStream in, ByteArrayOutputStream received) {
        byte[] buffer = new byte[16 * 1024];
        try {
            int read;
            while ((read = in.read(buffer)) != -1) {
                received.write(buffer, 0, read);
            }
            return "closed";
        } catch (SocketTimeoutException e) {
            return "timeout";
        } catch (IOException e) {
            return "reset";
        }
    }

    /** Parses one response at {@code position}; null when the bytes there are not a complete response head. */
    private static Reply parse(byte[] bytes, int[] position, boolean head) {
        int start = position[0];
        int headEnd = indexOf(bytes, start, new byte[] {'\r', '\n', '\r', '\n'});
        if (headEnd < 0) {
            return null;
        }
        String[] lines = new String(bytes, start, headEnd - start, StandardCharsets.ISO_8859_1).split("\r\n");
        String statusLine = lines[0];
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            return null;
        }
        int status;
        try {
            status = Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
            return null;
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.add(Map.entry(lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip()));
            }
        }
        int bodyStart = headEnd + 4;
        int length;
        Optional<String> declared = headers.stream().filter(h -> h.getKey().equalsIgnoreCase("Content-Length"))
                .map(Map.Entry::getValue).findFirst();
        boolean closing = headers.stream().anyMatch(h -> h.getKey().equalsIgnoreCase("Connection") && h.getValue().equalsIgnoreCase("close"));
        if (status / 100 == 1 || status == 204 || status == 304 || head && !closing) {
            length = 0;
        } else if (declared.isPresent()) {
            try {
                length = (int) Math.min(Long.parseLong(declared.get()), bytes.length - bodyStart);
            } catch (NumberFormatException e) {
                length = bytes.length - bodyStart;
            }
        } else {
            length = bytes.length - bodyStart;
        }
        byte[] body = java.util.Arrays.copyOfRange(bytes, bodyStart, bodyStart + length);
        position[0] = bodyStart + length;
        return new Reply(status, statusLine, headers, body);
    }

    private static int indexOf(byte[] bytes, int from, byte[] pattern) {
        outer:
        for (int i = from; i <= bytes.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The request's text for a message: printable ASCII kept, everything else escaped, at most {@code max} characters. */
    static String printable(byte[] bytes, int max) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < bytes.length && out.length() < max; i++) {
            int b = bytes[i] & 0xff;
            if (b == '\r') {
                out.append("\\r");
            } else if (b == '\n') {
                out.append("\\n");
            } else if (b >= 0x20 && b < 0x7f && b != '\\') {
                out.append((char) b);
            } else {
                out.append(String.format("\\x%02x", b));
            }
        }
        if (out.length() >= max) {
            out.setLength(max);
            out.append("…(").append(bytes.length).append(" bytes)");
        }
        return out.toString();
    }
}
