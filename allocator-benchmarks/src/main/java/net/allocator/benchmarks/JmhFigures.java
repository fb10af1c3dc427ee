package net.allocator.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns JMH's CSV results ({@code -rf csv}) into figure lines, and adds the ratios the targets
 * are stated in: pairs per second against 2,000,000, and the /8 at 99 % against the /24 at 0 %.
 */
public final class JmhFigures {
    private JmhFigures() {}

    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        List<String> header = split(lines.get(0));
        Double smallest = null;
        Double largest = null;
        for (String line : lines.subList(1, lines.size())) {
            List<String> row = split(line);
            String benchmark = row.get(header.indexOf("Benchmark"));
            double score = Double.parseDouble(row.get(header.indexOf("Score")));
            String error = row.get(header.indexOf("Score Error (99.9%)"));
            String unit = row.get(header.indexOf("Unit"));
            if (benchmark.endsWith("AllocateReleaseBenchmark.allocateRelease")) {
                Figures.print("in-memory (JMH)", "allocate+release pairs on a /16, 1 thread (± " + round(error) + ")", score, "pairs/s");
                Figures.print("in-memory (JMH)", "pairs/s ÷ 2,000,000 target", score / 2_000_000, "ratio");
                Figures.print("in-memory (JMH)", "pairs/s ÷ go-ipam's 196,687", score / 196_687, "ratio");
            } else if (benchmark.endsWith("AllocationCostBenchmark.allocateRelease")) {
                String shape = row.get(header.indexOf("Param: shape"));
                String full = row.get(header.indexOf("Param: full"));
                String fill = row.get(header.indexOf("Param: fill"));
                Figures.print("in-memory (JMH)", "allocate+release on " + shape + " at " + full + " % (" + fill + ", ± " + round(error) + ")", score,
                        unit.replace("/op", " per pair"));
                if (shape.equals("v4-24") && full.equals("0")) {
                    smallest = score;
                }
                if (shape.equals("v4-8") && full.equals("99") && fill.equals("packed")) {
                    largest = score;
                }
            }
        }
        if (smallest != null && largest != null) {
            Figures.print("in-memory (JMH)", "/8 at 99 % ÷ /24 at 0 % (target ≤ 1.25)", largest / smallest, "ratio");
        }
    }

    private static String round(String number) {
        try {
            return String.format(java.util.Locale.ROOT, "%.0f", Double.parseDouble(number));
        } catch (NumberFormatException e) {
            return number;
        }
    }

    private static List<String> split(String csv) {
        return java.util.Arrays.stream(csv.split(",", -1)).map(s -> s.replaceAll("^\"|\"$", "")).toList();
    }
}
