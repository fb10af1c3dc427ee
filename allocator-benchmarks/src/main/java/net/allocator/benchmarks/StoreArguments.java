package net.allocator.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code --store NAME} and {@code --setting NAME=VALUE} arguments that every store driver takes. */
final class StoreArguments {
    String store;
    final Map<String, String> settings = new LinkedHashMap<>();

    /**
     * Takes {@code args[at]} and its value when it is {@code --store} or {@code --setting}.
     *
     * @return the index of the value taken, or -1 when {@code args[at]} is another argument
     */
    int take(String[] args, int at) {
        switch (args[at]) {
            case "--store" -> store = args[at + 1];
            case "--setting" -> {
                String[] kv = args[at + 1].split("=", 2);
                settings.put(kv[0], kv[1]);
            }
            default -> {
                return -1;
            }
        }
        return at + 1;
    }
}
