package net.allocator.rest;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The checks a request passes before its handler runs, after routing (so unknown paths and wrong
 * methods are still 404 and 405) and before its body is read (so an oversize body without a token
 * is a 401): the host it is addressed to, and for writes the site it comes from and the bearer
 * token. Each refusal is an {@link HttpError} with its status.
 */
final class RequestGuards {
    private final boolean loopbackOnly;
    private final byte[] tokenDigest;

    /**
     * @param bind the address the server listens on; loopback means "answer only loopback names"
     * @param token when present, the bearer token every write must carry
     */
    RequestGuards(InetAddress bind, Optional<String> token) {
        this.loopbackOnly = bind.isLoopbackAddress();
        this.tokenDigest = token.map(RequestGuards::sha256).orElse(null);
    }

    /** Refuses {@code request} with an {@link HttpError} when a guard says no. */
    void check(Request request, boolean writes) {
        refuseForeignHost(request);
        if (writes) {
            refuseCrossSiteWrite(request);
            authorize(request);
        }
    }

    /**
     * A service bound to loopback answers only requests addressed to loopback: a web page whose
     * host name an attacker re-points at 127.0.0.1 (DNS rebinding) sends its own host name.
     */
    private void refuseForeignHost(Request request) {
        if (!loopbackOnly) {
            return;
        }
        String host = request.header("Host").map(h -> h.strip().toLowerCase(Locale.ROOT)).orElse("");
        String name = host.startsWith("[") ? host.substring(0, Math.max(1, host.indexOf(']') + 1))
                : host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
        boolean loopback = name.isEmpty() || name.equals("localhost") || name.equals("[::1]") || name.startsWith("127.");
        if (!loopback) {
            throw new HttpError(403, "this service listens on loopback and answers only requests for localhost, 127.0.0.1 or [::1]");
        }
    }

    /**
     * Browsers send Origin and Sec-Fetch-Site with every cross-site write; API clients (curl,
     * HttpClient, other services) do not. Refusing those stops a web page from allocating
     * through an operator's browser when no token is set.
     */
    private static void refuseCrossSiteWrite(Request request) {
        String site = request.header("Sec-Fetch-Site").map(v -> v.strip().toLowerCase(Locale.ROOT)).orElse("");
        if (site.equals("cross-site") || site.equals("same-site")) {
            throw new HttpError(403, "changes from web pages of other sites are refused");
        }
        Optional<String> origin = request.header("Origin");
        if (origin.isPresent()) {
            String host = request.header("Host").map(h -> h.strip().toLowerCase(Locale.ROOT)).orElse("");
            String fromOrigin = origin.get().strip().toLowerCase(Locale.ROOT).replaceFirst("^[a-z][a-z0-9+.-]*://", "");
            if (!fromOrigin.equals(host)) {
                throw new HttpError(403, "changes from web pages of other origins are refused");
            }
        }
    }

    private void authorize(Request request) {
        if (tokenDigest == null) {
            return;
        }
        Map<String, String> challenge = Map.of("WWW-Authenticate", "Bearer realm=\"allocator\"");
        Optional<String> header = request.header("Authorization");
        if (header.isEmpty() || header.get().isBlank()) {
            throw new HttpError(401, "this server requires a bearer token for changes: send Authorization: Bearer <token>", challenge);
        }
        String value = header.get().strip();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new HttpError(401, "the Authorization header must be Bearer <token>", challenge);
        }
        // compare digests, so the comparison takes the same time whatever the token's length
        if (!MessageDigest.isEqual(sha256(value.substring(7).strip()), tokenDigest)) {
            throw new HttpError(403, "the bearer token is not valid");
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
