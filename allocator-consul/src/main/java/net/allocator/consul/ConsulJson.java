package net.allocator.consul;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.Operation;

/** Consul's JSON: KV entries read, transactions ({@code /v1/txn}) written, and their errors read. */
final class ConsulJson {
    private ConsulJson() {}

    /** Consul refuses transactions of more operations than this ({@code 413}). */
    static final int MAX_TXN_OPS = 64;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    // Consul's messages for failed checks, unchanged since 1.0 (state/txn.go, state/kvs.go). A
    // rolled-back transaction (409) can also carry other errors (a permission denied, a malformed
    // operation) that must not read as "the condition did not hold".
    private static final Pattern KEY_EXISTS = Pattern.compile("key \".*\" exists", Pattern.DOTALL);
    private static final Pattern INDEX_MISMATCH = Pattern.compile("failed index check for key \".*\", current modify index \\d+ != \\d+", Pattern.DOTALL);
    private static final Pattern KEY_MISSING = Pattern.compile("failed to check index, key \".*\" doesn't exist", Pattern.DOTALL);

    /** One error of a rolled-back transaction: the operation's position and Consul's reason. */
    record TxnError(int opIndex, String what) {}

    /** The entries of a KV read ({@code GET /v1/kv/…}), as Consul sent them. */
    static List<KeyValue> entries(String body, String url) {
        JsonNode root = array(body, url, "KV entries");
        List<KeyValue> entries = new ArrayList<>(root.size());
        for (JsonNode entry : root) {
            JsonNode value = entry.path("Value");
            // Consul sends an empty value as null.
            String text = value.isNull() || value.isMissingNode() ? "" : new String(Base64.getDecoder().decode(value.asText()), StandardCharsets.UTF_8);
            entries.add(new KeyValue(entry.path("Key").asText(), text, entry.path("ModifyIndex").asLong()));
        }
        return entries;
    }

    /** The key names of a KV read with {@code ?keys}. */
    static List<String> keys(String body, String url) {
        JsonNode root = array(body, url, "key names");
        List<String> keys = new ArrayList<>(root.size());
        for (JsonNode key : root) {
            keys.add(key.asText());
        }
        return keys;
    }

    /** The body of a {@code PUT /v1/txn}: the condition checks first, then the writes. */
    static String transaction(List<Condition> conditions, List<Operation> operations) {
        ArrayNode ops = MAPPER.createArrayNode();
        for (Condition condition : conditions) {
            ObjectNode kv = ops.addObject().putObject("KV");
            if (condition instanceof Condition.Absent absent) {
                kv.put("Verb", "check-not-exists").put("Key", absent.key());
            } else if (condition instanceof Condition.AtVersion atVersion) {
                kv.put("Verb", "check-index").put("Key", atVersion.key()).put("Index", atVersion.version());
            }
        }
        for (Operation operation : operations) {
            ObjectNode kv = ops.addObject().putObject("KV");
            if (operation instanceof Operation.Put put) {
                kv.put("Verb", "set").put("Key", put.key())
                        .put("Value", Base64.getEncoder().encodeToString(put.value().getBytes(StandardCharsets.UTF_8)));
            } else if (operation instanceof Operation.Delete delete) {
                kv.put("Verb", "delete").put("Key", delete.key());
            } else if (operation instanceof Operation.DeletePrefix deletePrefix) {
                kv.put("Verb", "delete-tree").put("Key", deletePrefix.prefix());
            }
        }
        return ops.toString();
    }

    /** The errors of a rolled-back transaction (HTTP 409). */
    static List<TxnError> errors(String body, String url) {
        JsonNode errors = parse(body, url).path("Errors");
        List<TxnError> result = new ArrayList<>();
        for (JsonNode error : errors) {
            result.add(new TxnError(error.path("OpIndex").asInt(-1), error.path("What").asText("")));
        }
        return result;
    }

    /** Whether {@code error} says only that {@code condition} (the operation it names) did not hold. */
    static boolean isFailedCheck(TxnError error, Condition condition) {
        if (condition instanceof Condition.Absent) {
            return KEY_EXISTS.matcher(error.what()).matches();
        }
        return INDEX_MISMATCH.matcher(error.what()).matches() || KEY_MISSING.matcher(error.what()).matches();
    }

    private static JsonNode array(String body, String url, String what) {
        JsonNode root = parse(body, url);
        if (!root.isArray()) {
            throw new StoreUnavailableException("Consul at " + url + " sent " + what + " that are not a JSON array: " + abbreviate(body));
        }
        return root;
    }

    private static JsonNode parse(String body, String url) {
        try {
            return MAPPER.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new StoreUnavailableException("Consul at " + url + " sent malformed JSON: " + abbreviate(body), e);
        }
    }

    static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String stripped = text.strip();
        return stripped.length() <= 300 ? stripped : stripped.substring(0, 300) + "…";
    }
}
