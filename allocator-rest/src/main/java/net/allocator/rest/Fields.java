package net.allocator.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fields of a request body, sent as a JSON object or as an {@code
 * application/x-www-form-urlencoded} form (the original service accepted {@code curl -d
 * status=free}). Every getter checks the field's type and reports a wrong one as a 400.
 */
abstract class Fields {
    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";

    /** A string field; absent and JSON {@code null} are empty. */
    abstract Optional<String> string(String name);

    /** A string field that may also be sent as a JSON integer (such as {@code "netmask": 16}). */
    abstract Optional<String> stringOrInteger(String name);

    /**
     * A list of strings: a JSON array of strings or one string; in a form, the field repeated
     * or comma-separated.
     */
    abstract Optional<List<String>> strings(String name);

    /**
     * A list of strings, each as sent: a JSON array of strings (or one string); in a form, every
     * value of the repeated field. Nothing is split at commas, so a name may hold one.
     */
    abstract Optional<List<String>> list(String name);

    /** The names of the fields sent. */
    abstract java.util.Set<String> names();

    /**
     * Refuses a field that the route does not know, so that a client never believes a field took
     * effect that was ignored (a form's {@code name[]} counts as {@code name}).
     *
     * @throws HttpError 400 naming the first unknown field and the known ones
     * @return these fields
     */
    Fields acceptOnly(String... known) {
        java.util.Set<String> sent = new java.util.TreeSet<>();
        names().forEach(name -> sent.add(name.endsWith("[]") ? name.substring(0, name.length() - 2) : name));
        Messages.refuseUnknown("field", sent, java.util.Set.of(known));
        return this;
    }

    /**
     * Reads and parses the body by its Content-Type. JSON is {@code application/json} or any
     * {@code +json} type; a form is {@code application/x-www-form-urlencoded}, except that a
     * form body that starts with <code>{</code> is read as JSON ({@code curl -d '{…}'} without
     * a Content-Type sends that); a body without a Content-Type is JSON when it starts with
     * <code>{</code> and a form otherwise.
     *
     * @throws HttpError 415 for any other Content-Type, 400 for a malformed body, 413 for an
     *     oversize one
     */
    static Fields read(Request request, ObjectMapper mapper) throws IOException {
        Optional<String> mediaType = request.mediaType();
        boolean json = mediaType.map(t -> t.equals(JSON) || (t.startsWith("application/") && t.endsWith("+json"))).orElse(false);
        boolean form = mediaType.map(FORM::equals).orElse(false);
        if (mediaType.isPresent() && !json && !form) {
            throw new HttpError(415, "unsupported Content-Type " + Messages.quote(mediaType.get())
                    + "; send application/json or application/x-www-form-urlencoded");
        }
        byte[] body = request.body();
        if (!json && looksLikeJson(body)) {
            json = true;
        }
        return json ? parseJson(body, mapper) : parseForm(body);
    }

    private static boolean looksLikeJson(byte[] body) {
        for (byte b : body) {
            if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
                continue;
            }
            return b == '{' || b == '[';
        }
        return false;
    }

    private static Fields parseJson(byte[] body, ObjectMapper mapper) {
        JsonNode tree;
        try {
            // Jackson lets overlong and out-of-range UTF-8 through, and "a\xc0\xaf" would become "a/";
            // so it reads only plain ASCII as bytes (without NUL, which would make it guess UTF-16)
            tree = plainAscii(body) ? mapper.readTree(body)
                    : mapper.readTree(Messages.strictUtf8(body, "request body is not valid UTF-8"));
        } catch (StreamConstraintsException e) {
            throw HttpError.badRequest("malformed JSON: the document is nested too deeply, or a value is too long");
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw HttpError.badRequest("malformed JSON" + where + ": " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw HttpError.badRequest("malformed JSON: " + firstLine(e.getMessage()));
        }
        if (tree == null || tree.isMissingNode()) {
            throw HttpError.badRequest("request body is empty; send a JSON object");
        }
        if (!tree.isObject()) {
            throw HttpError.badRequest("request body must be a JSON object, not " + describe(tree));
        }
        return new JsonFields(tree);
    }

    private static boolean plainAscii(byte[] body) {
        for (byte b : body) {
            if (b <= 0) {
                return false;
            }
        }
        return true;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable input";
        }
        int newline = message.indexOf('\n');
        return Messages.forLog(newline >= 0 ? message.substring(0, newline) : message, 200);
    }

    private static Fields parseForm(byte[] body) {
        String text = Messages.strictUtf8(body, "request body is not valid UTF-8");
        return new FormFields(Request.parseQuery(text.strip()));
    }

    static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case STRING -> "a string";
            case NULL -> "null";
            default -> "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** Fields of a JSON object. */
    private static final class JsonFields extends Fields {
        private final JsonNode object;

        JsonFields(JsonNode object) {
            this.object = object;
        }

        private Optional<JsonNode> field(String name) {
            JsonNode value = object.get(name);
            return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
        }

        @Override
        Optional<String> string(String name) {
            return field(name).map(value -> {
                if (!value.isTextual()) {
                    throw HttpError.badRequest(name + " must be a string, not " + describe(value));
                }
                return value.textValue();
            });
        }

        @Override
        Optional<List<String>> list(String name) {
            return field(name).map(value -> value.isTextual() ? List.of(value.textValue())
                    : items(name, value, name + " must be a string or an array of strings, not " + describe(value)));
        }

        @Override
        java.util.Set<String> names() {
            java.util.Set<String> out = new java.util.TreeSet<>();
            object.fieldNames().forEachRemaining(out::add);
            return out;
        }

        @Override
        Optional<String> stringOrInteger(String name) {
            return field(name).map(value -> {
                if (value.isTextual()) {
                    return value.textValue();
                }
                if (value.isIntegralNumber() && value.canConvertToInt()) {
                    return Integer.toString(value.intValue());
                }
                throw HttpError.badRequest(name + " must be a string or a whole number, not " + describe(value));
            });
        }

        @Override
        Optional<List<String>> strings(String name) {
            return field(name).map(value -> value.isTextual() ? splitCommas(value.textValue())
                    : items(name, value, name + " must be an array of strings, not " + describe(value)));
        }

        /** The strings of an array, or a 400 saying {@code notAnArray}. */
        private static List<String> items(String name, JsonNode value, String notAnArray) {
            if (!value.isArray()) {
                throw HttpError.badRequest(notAnArray);
            }
            List<String> out = new ArrayList<>(value.size());
            for (JsonNode item : value) {
                if (!item.isTextual()) {
                    throw HttpError.badRequest(name + " must be an array of strings; it holds " + describe(item));
                }
                out.add(item.textValue());
            }
            return out;
        }
    }

    /** Fields of a form. A field given twice is a 400, except for lists. */
    private static final class FormFields extends Fields {
        private final Map<String, List<String>> values;

        FormFields(Map<String, List<String>> values) {
            this.values = values;
        }

        @Override
        Optional<String> string(String name) {
            List<String> given = values.get(name);
            if (given == null) {
                return Optional.empty();
            }
            if (given.size() > 1) {
                throw HttpError.badRequest(name + " is given " + given.size() + " times");
            }
            return Optional.of(given.get(0));
        }

        @Override
        Optional<String> stringOrInteger(String name) {
            return string(name);
        }

        @Override
        Optional<List<String>> list(String name) {
            List<String> given = values.get(name);
            if (given == null) {
                given = values.get(name + "[]");
            }
            return Optional.ofNullable(given).map(List::copyOf);
        }

        @Override
        java.util.Set<String> names() {
            return values.keySet();
        }

        @Override
        Optional<List<String>> strings(String name) {
            List<String> given = values.get(name);
            if (given == null) {
                given = values.get(name + "[]");
            }
            if (given == null) {
                return Optional.empty();
            }
            List<String> out = new ArrayList<>();
            for (String value : given) {
                out.addAll(splitCommas(value));
            }
            return Optional.of(out);
        }
    }

    private static List<String> splitCommas(String value) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }
}
