package net.allocator.rest;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One request as the handlers see it: the decoded path parameters, the query, and a body read
 * with a size limit, so that no request can make the server hold more than the limit in memory.
 */
final class Request {
    /** How much of an oversize body is read and thrown away so the client can read the 413. */
    private static final long DRAIN_LIMIT = 8L << 20;

    private final HttpExchange exchange;
    private final long maxBodyBytes;
    private final Map<String, List<String>> query;
    private Map<String, String> parameters = Map.of();
    private byte[] body;
    private boolean bodyTouched;

    Request(HttpExchange exchange, long maxBodyBytes) {
        this.exchange = exchange;
        this.maxBodyBytes = maxBodyBytes;
        this.query = parseQuery(exchange.getRequestURI().getRawQuery());
        try {
            declaredLength(); // refuses a malformed Content-Length before anything is done
        } catch (HttpError malformed) {
            drain(exchange.getRequestBody()); // what the JDK framed, so that the answer is not lost to a reset
            throw malformed;
        }
    }

    void bind(Map<String, String> parameters) {
        this.parameters = Map.copyOf(parameters);
    }

    String method() {
        return exchange.getRequestMethod();
    }

    /** A path parameter of the matched template, decoded. */
    String parameter(String name) {
        String value = parameters.get(name);
        if (value == null) {
            throw new IllegalStateException("no path parameter " + name);
        }
        return value;
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
    }

    /**
     * Whether a query flag is set: {@code ?free}, {@code ?free=}, {@code ?free=true} and {@code
     * ?free=1} are set; {@code ?free=false}, {@code ?free=0} and {@code ?free=no} are not.
     */
    boolean flag(String name) {
        List<String> values = query.get(name);
        if (values == null) {
            return false;
        }
        String value = values.get(values.size() - 1).strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "", "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw HttpError.badRequest("query parameter " + name + " must be true or false, or given without a value");
        };
    }

    /**
     * Refuses a query parameter that the route does not know, so that a client never believes it
     * filtered by a parameter that was ignored.
     *
     * @throws HttpError 400 naming the first unknown parameter and the known ones
     */
    void acceptOnlyQuery(String... known) {
        Messages.refuseUnknown("query parameter", query.keySet(), java.util.Set.of(known));
    }

    /** A query parameter with a value; given twice is a 400. */
    Optional<String> queryValue(String name) {
        List<String> values = query.get(name);
        if (values == null) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw HttpError.badRequest("query parameter " + name + " is given " + values.size() + " times");
        }
        return Optional.of(values.get(0));
    }

    /** The media type of the body, lowercase and without parameters, if a Content-Type was sent. */
    Optional<String> mediaType() {
        return header("Content-Type")
                .map(value -> {
                    int semicolon = value.indexOf(';');
                    return (semicolon >= 0 ? value.substring(0, semicolon) : value).strip().toLowerCase(Locale.ROOT);
                })
                .filter(value -> !value.isEmpty());
    }

    /**
     * The body, read at most once and never beyond the limit.
     *
     * @throws HttpError 413 when the body is larger than the limit
     */
    byte[] body() {
        if (body == null) {
            body = readBody();
        }
        return body;
    }

    private byte[] readBody() {
        InputStream in = exchange.getRequestBody();
        bodyTouched = true;
        long declared = declaredLength();
        if (declared > maxBodyBytes) {
            drain(in);
            throw tooLarge();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(0, Math.min(declared, 8192)));
        // a small declared body fits the buffer with room for the read that finds its end
        byte[] buffer = new byte[declared >= 0 && declared < 8192 ? (int) declared + 1 : 8192];
        long total = 0;
        int read;
        try {
            while ((read = in.read(buffer)) != -1) {
                total += read;
                if (total > maxBodyBytes) {
                    drain(in);
                    throw tooLarge();
                }
                out.write(buffer, 0, read);
            }
        } catch (IOException e) {
            throw new HttpError(400, "the request body could not be read: it ended before its declared length, "
                    + "or the connection broke", Map.of("Connection", "close"));
        }
        return out.toByteArray();
    }

    /**
     * Reads and throws away a body no handler read (a request refused before its body mattered),
     * up to a bound, so the client gets to read the answer instead of a reset connection.
     *
     * @return whether the whole body was consumed, so the connection can be reused
     */
    boolean discardUnreadBody() {
        if (bodyTouched) {
            return true;
        }
        bodyTouched = true;
        return drain(exchange.getRequestBody());
    }

    private long declaredLength() {
        Optional<String> header = header("Content-Length");
        if (header.isEmpty()) {
            return -1;
        }
        String digits = header.get().strip();
        // Only digits: the JDK's server frames "+5" as 5 bytes, which a proxy in front may frame
        // otherwise; a request whose framing two parties could read differently is refused, and
        // its connection closed.
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new HttpError(400, "Content-Length must be a decimal number of bytes", Map.of("Connection", "close"));
        }
        return Long.parseLong(digits);
    }

    private HttpError tooLarge() {
        return new HttpError(413, "request body is larger than the limit of " + maxBodyBytes + " bytes",
                Map.of("Connection", "close"));
    }

    /**
     * Reads and discards a bounded amount of an oversize body: a client that is still sending
     * then gets to read the 413 instead of a reset connection, and memory use stays flat.
     */
    private static boolean drain(InputStream in) {
        long discarded = 0;
        try {
            int read = in.read();
            if (read == -1) {
                return true; // no body, as in every GET
            }
            discarded++;
            byte[] buffer = new byte[8192];
            while (discarded < DRAIN_LIMIT) {
                read = in.read(buffer);
                if (read == -1) {
                    return true;
                }
                discarded += read;
            }
            return false;
        } catch (IOException ignored) {
            // the client went away; the answer is written if the connection still allows it
            return false;
        }
    }

    /** Splits a raw query string; keys and values are form-decoded ({@code +} is a space). */
    static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String key = decodeForm(equals >= 0 ? pair.substring(0, equals) : pair);
            String value = equals >= 0 ? decodeForm(pair.substring(equals + 1)) : "";
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    /** Decodes one {@code application/x-www-form-urlencoded} token. */
    static String decodeForm(String text) {
        return percentDecode(text, true);
    }

    /** Decodes one path segment: {@code %XX} escapes as UTF-8, {@code +} stays a plus. */
    static String decodePathSegment(String text) {
        return percentDecode(text, false);
    }

    private static String percentDecode(String text, boolean plusIsSpace) {
        if (text.indexOf('%') < 0 && !(plusIsSpace && text.indexOf('+') >= 0)) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length()) {
                    throw HttpError.badRequest("malformed percent-escape in " + Messages.quote(text));
                }
                int high = Character.digit(text.charAt(i + 1), 16);
                int low = Character.digit(text.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw HttpError.badRequest("malformed percent-escape in " + Messages.quote(text));
                }
                bytes.write(high << 4 | low);
                i += 3;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
                i++;
            } else {
                int start = i;
                while (i < text.length() && text.charAt(i) != '%' && !(plusIsSpace && text.charAt(i) == '+')) {
                    i++;
                }
                bytes.writeBytes(text.substring(start, i).getBytes(StandardCharsets.UTF_8));
            }
        }
        return Messages.strictUtf8(bytes.toByteArray(), "percent-escapes in " + Messages.quote(text) + " are not valid UTF-8");
    }
}
