package net.allocator.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response: a status, a JSON body and extra headers. Every response of the API has a JSON
 * body, errors included. The body is written straight to a {@link JsonGenerator} when the
 * response is sent, without building a tree first; handlers compute everything it shows
 * beforehand, so writing it cannot fail on the store.
 */
record Response(int status, Body body, Map<String, String> headers) {

    /** Writes one JSON value (usually an object) with a generator. */
    @FunctionalInterface
    interface Body {
        void write(JsonGenerator json) throws IOException;
    }

    Response {
        headers = Map.copyOf(headers);
    }

    static Response ok(Body body) {
        return new Response(200, body, Map.of());
    }

    static Response of(int status, Body body) {
        return new Response(status, body, Map.of());
    }

    Response withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Response(status, body, more);
    }

    /** The error body every failure uses: {@code {"status": 404, "error": "Not Found", "message": "…"}}. */
    static Response error(int status, String message) {
        return of(status, json -> {
            json.writeStartObject();
            json.writeNumberField("status", status);
            json.writeStringField("error", reasonPhrase(status));
            json.writeStringField("message", message);
            json.writeEndObject();
        });
    }

    static String reasonPhrase(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "HTTP " + status;
        };
    }
}
