package net.allocator.benchmarks;

import java.util.Locale;

/**
 * Prints each measured figure as one tab-separated line that {@code scripts/benchmark.sh}
 * collects into its table: {@code FIGURE section name value unit}.
 */
final class Figures {
    private Figures() {}

    static void print(String section, String name, double value, String unit) {
        String text = value == Math.rint(value) && Math.abs(value) < 1e15
                ? String.format(Locale.ROOT, "%d", (long) value)
                : String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : Math.abs(value) >= 10 ? "%.1f" : "%.2f", value);
        System.out.println("FIGURE\t" + section + "\t" + name + "\t" + text + "\t" + unit);
        System.out.flush();
    }

    static void note(String section, String text) {
        System.out.println("NOTE\t" + section + "\t" + text);
        System.out.flush();
    }
}
