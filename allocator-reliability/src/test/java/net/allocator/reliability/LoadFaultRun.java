package net.allocator.reliability;

import java.time.Duration;

/**
 * A load on a fresh network of a {@link ServiceFleet}, during which a test injects faults: it
 * marks instants ({@link #now()}), lets the load run between them, and in the end stops the
 * load and runs every check of {@link ServiceFleet#verify}.
 */
final class LoadFaultRun implements AutoCloseable {
    private final ServiceFleet fleet;
    private final String network;
    private final int poolSize;
    private final LoadDriver load;

    private LoadFaultRun(ServiceFleet fleet, String network, int poolSize, LoadDriver load) {
        this.fleet = fleet;
        this.network = network;
        this.poolSize = poolSize;
        this.load = load;
    }

    /** Registers {@code network} (a /24 at {@code base}) and starts the load on it. */
    static LoadFaultRun start(ServiceFleet fleet, String network, String base, LoadDriver.Settings settings) {
        int poolSize = fleet.register(network, base);
        LoadDriver load = fleet.load(network, new LoadLog(), settings).start();
        return new LoadFaultRun(fleet, network, poolSize, load);
    }

    long now() {
        return System.nanoTime();
    }

    void runFor(Duration duration) {
        load.runFor(duration);
    }

    LoadLog log() {
        return load.log();
    }

    /** Stops the load (operations in progress get 60 s to settle) and checks everything; asserts nothing yet. */
    LoadChecks finish(Duration slowBound, Duration hangBound) {
        load.stop(Duration.ofSeconds(60));
        load.log().writeTo(fleet.logDir().resolve(network + "-attempts.tsv"));
        return fleet.verify(load, network, poolSize, true, slowBound, hangBound);
    }

    @Override
    public void close() {
        load.close();
    }
}
