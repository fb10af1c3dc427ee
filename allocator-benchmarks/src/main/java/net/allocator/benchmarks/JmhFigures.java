package net.allocator.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;

/**
 * Turns JMH's JSON results ({@code -rf json}) into figure lines, with the ratios the targets are
 * stated in: pairs per second against 2,000,000, and the /8 at 99 % against the /24 at 0 %.
 *
 * <p>Besides JMH's mean it prints the best measurement iteration: on a machine shared with
 * other work, interference only ever makes an iteration slower, so the best iteration is the
 * closer estimate of the code's own cost. Both are in the table; the ratios use the best.
 */
public final class JmhFigures {
    private JmhFigures() {}

    public static void main(String[] args) throws Exception {
        Double smallest = null;
        Double largest = null;
        for (String file : args) {
            for (JsonNode run : new ObjectMapper().readTree(new File(file))) {
                String benchmark = run.get("benchmark").asText();
                JsonNode metric = run.get("primaryMetric");
                double mean = metric.get("score").asDouble();
                double error = metric.get("scoreError").asDouble();
                boolean throughput = run.get("mode").asText().equals("thrpt");
                double best = throughput ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                for (JsonNode fork : metric.get("rawData")) {
                    for (JsonNode iteration : fork) {
                        best = throughput ? Math.max(best, iteration.asDouble()) : Math.min(best, iteration.asDouble());
                    }
                }
                String section = "in-memory (JMH)";
                if (benchmark.endsWith("AllocateReleaseBenchmark.allocateRelease")) {
                    // the JDK's default collector (G1) unless the run chose another
                    String collector = run.get("jvmArgs").toString().contains("-XX:+UseParallelGC") ? "ParallelGC" : "G1";
                    String what = "allocate+release pairs on a /16, 1 thread, " + collector;
                    Figures.print(section, what + ", mean (± " + Math.round(error) + ")", mean, "pairs/s");
                    Figures.print(section, what + ", best iteration", best, "pairs/s");
                    Figures.print(section, "best pairs/s ÷ 2,000,000 target, " + collector, best / 2_000_000, "ratio");
                    Figures.print(section, "best pairs/s ÷ go-ipam's 196,687, " + collector, best / 196_687, "ratio");
                } else if (benchmark.endsWith("AllocationCostBenchmark.allocateRelease")) {
                    JsonNode params = run.get("params");
                    String shape = params.get("shape").asText();
                    String full = params.get("full").asText();
                    String fill = params.get("fill").asText();
                    String what = "allocate+release on " + shape + " at " + full + " % (" + fill + ")";
                    Figures.print(section, what + ", mean (± " + Math.round(error) + ")", mean, "ns per pair");
                    Figures.print(section, what + ", best iteration", best, "ns per pair");
                    if (shape.equals("v4-24") && full.equals("0")) {
                        smallest = best;
                    }
                    if (shape.equals("v4-8") && full.equals("99") && fill.equals("packed")) {
                        largest = best;
                    }
                }
            }
        }
        if (smallest != null && largest != null) {
            Figures.print("in-memory (JMH)", "/8 at 99 % ÷ /24 at 0 %, best iterations (target ≤ 1.25)", largest / smallest, "ratio");
        }
    }
}
