package net.allocator.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;

/**
 * Turns JMH's JSON results ({@code -rf json}) into figure lines, with the ratios the targets are
 * stated in: pairs per second against 2,000,000, and the /8 at 99 % against the /24 at 0 %
 * (over every JVM that measured those two points: the size grid's one and the focused run's).
 *
 * <p>Besides JMH's mean it prints the best measurement iteration: on a machine shared with
 * other work, interference only ever makes an iteration slower, so the best iteration is the
 * closer estimate of the code's own cost. Both are in the table; the ratios use the best.
 */
public final class JmhFigures {
    private JmhFigures() {}

    public static void main(String[] args) throws Exception {
        // the two points of the flat-cost target, over every JVM that measured them
        double smallestBest = Double.POSITIVE_INFINITY;
        double largestBest = Double.POSITIVE_INFINITY;
        java.util.List<Double> smallestForkMeans = new java.util.ArrayList<>();
        java.util.List<Double> largestForkMeans = new java.util.ArrayList<>();
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
                    int forks = metric.get("rawData").size();
                    String what = "allocate+release on " + shape + " at " + full + " % (" + fill + ")" + (forks > 1 ? ", " + forks + " JVMs" : "");
                    Figures.print(section, what + ", mean (± " + Math.round(error) + ")", mean, "ns per pair");
                    Figures.print(section, what + ", best iteration", best, "ns per pair");
                    if (shape.equals("v4-24") && full.equals("0")) {
                        smallestBest = Math.min(smallestBest, best);
                        metric.get("rawData").forEach(fork -> smallestForkMeans.add(forkMean(fork)));
                    }
                    if (shape.equals("v4-8") && full.equals("99") && fill.equals("packed")) {
                        largestBest = Math.min(largestBest, best);
                        metric.get("rawData").forEach(fork -> largestForkMeans.add(forkMean(fork)));
                    }
                }
            }
        }
        if (!smallestForkMeans.isEmpty() && !largestForkMeans.isEmpty()) {
            String jvms = " (" + smallestForkMeans.size() + " and " + largestForkMeans.size() + " JVMs)";
            Figures.print("in-memory (JMH)", "/8 at 99 % ÷ /24 at 0 %, best iterations" + jvms + " (target ≤ 1.25)",
                    largestBest / smallestBest, "ratio");
            Figures.print("in-memory (JMH)", "/8 at 99 % ÷ /24 at 0 %, means" + jvms,
                    average(largestForkMeans) / average(smallestForkMeans), "ratio");
        }
    }

    private static double forkMean(JsonNode fork) {
        double sum = 0;
        for (JsonNode iteration : fork) {
            sum += iteration.asDouble();
        }
        return sum / fork.size();
    }

    private static double average(java.util.List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
