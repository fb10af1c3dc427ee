package net.allocator.rest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Matches a request's method and decoded path segments against path templates such as {@code
 * /v1/networks/{network}/addresses/{address}}. Literal segments match exactly; a {@code {name}}
 * segment matches any one segment and is handed to the handler as a path parameter. Segments are
 * split before they are decoded, so an encoded {@code %2F} stays inside its segment and a name can
 * never reach another route.
 */
final class Router {

    /** Handles one matched request and returns its response; exceptions go to {@link ErrorMapper}. */
    @FunctionalInterface
    interface Handler {
        Response handle(Request request) throws IOException;
    }

    /** One entry of the route table. */
    record Route(String method, String template, List<String> segments, Handler handler) {
        /** Whether the route changes state, and so needs the bearer token when one is configured. */
        boolean writes() {
            return !method.equals("GET");
        }
    }

    /** The outcome of matching a request. */
    sealed interface Match {}

    /** A route matched, with its path parameters (decoded). */
    record Found(Route route, Map<String, String> parameters) implements Match {}

    /** The path matched routes of other methods only. */
    record MethodNotAllowed(Set<String> allowed) implements Match {}

    /** No route has this path. */
    record NotFound() implements Match {}

    private final List<Route> routes;

    private Router(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    static Builder builder() {
        return new Builder();
    }

    List<Route> routes() {
        return routes;
    }

    /** Matches decoded path segments (without the empty segment before the leading slash). */
    Match match(String method, List<String> path) {
        Set<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            Map<String, String> parameters = bind(route.segments(), path);
            if (parameters == null) {
                continue;
            }
            if (route.method().equals(method)) {
                return new Found(route, parameters);
            }
            allowed.add(route.method());
        }
        return allowed.isEmpty() ? new NotFound() : new MethodNotAllowed(Collections.unmodifiableSet(allowed));
    }

    private static Map<String, String> bind(List<String> template, List<String> path) {
        if (template.size() != path.size()) {
            return null;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < template.size(); i++) {
            String expected = template.get(i);
            String actual = path.get(i);
            if (expected.startsWith("{") && expected.endsWith("}")) {
                parameters.put(expected.substring(1, expected.length() - 1), actual);
            } else if (!expected.equals(actual)) {
                return null;
            }
        }
        return parameters;
    }

    /** Collects the route table. */
    static final class Builder {
        private final List<Route> routes = new ArrayList<>();

        private Builder() {}

        Builder get(String template, Handler handler) {
            return route("GET", template, handler);
        }

        Builder post(String template, Handler handler) {
            return route("POST", template, handler);
        }

        Builder put(String template, Handler handler) {
            return route("PUT", template, handler);
        }

        Builder delete(String template, Handler handler) {
            return route("DELETE", template, handler);
        }

        Builder route(String method, String template, Handler handler) {
            if (!template.startsWith("/")) {
                throw new IllegalArgumentException("a template starts with /: " + template);
            }
            List<String> segments = List.of(template.substring(1).split("/", -1));
            for (Route existing : routes) {
                if (existing.method().equals(method) && existing.segments().equals(segments)) {
                    throw new IllegalArgumentException("route defined twice: " + method + " " + template);
                }
            }
            routes.add(new Route(method, template, segments, handler));
            return this;
        }

        Router build() {
            return new Router(routes);
        }
    }
}
