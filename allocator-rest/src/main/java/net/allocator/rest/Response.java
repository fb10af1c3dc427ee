package net.allocator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response: a status, a JSON body and extra headers. Every response of the API has a JSON
 * body, errors included.
 */
record Response(int status, JsonNode body, Map<String, String> headers) {

    Response {
        headers = Map.copyOf(headers);
    }

    static Response ok(JsonNode body) {
        return new Response(200, body, Map.of());
    }

    static Response of(int status, JsonNode body) {
        return new Response(status, body, Map.of());
    }

    Response withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Response(status, body, more);
    }

    /** The error body every failure uses: {@code {"status": 404, "error": "Not Found", "message": "…"}}. */
    static Response error(int status, String message) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("status", status);
        body.put("error", reasonPhrase(status));
        body.put("message", message);
        return of(status, body);
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
