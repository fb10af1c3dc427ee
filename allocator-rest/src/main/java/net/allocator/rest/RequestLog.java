package net.allocator.rest;

import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request log: one INFO line per request on the logger {@code net.allocator.rest.requests}
 * ({@code 127.0.0.1 POST /v1/networks/admin 200 3ms}), written by one background thread.
 *
 * <p>slf4j-simple formats and writes every line under one global lock and flushes it, so with
 * the request threads writing their own lines they queued on that lock (on 2 cores, 5,800
 * allocations a second with the log against 12,300 without). Here a request thread only queues
 * its line (without a lock: a locked queue made them wait for the writer's drain), and the writer wakes every few milliseconds to write what has come, rather than once
 * per line, which would cost every request a thread wake-up. When the queue is full (the output
 * cannot keep up) a request thread writes its line itself, as before, so no line is lost and
 * memory stays bounded. {@link #close()} writes what is queued. Lines show the thread {@code
 * allocator-request-log} and are written at most {@value #PAUSE_MILLIS} ms after the request.
 */
final class RequestLog implements AutoCloseable {
    private static final Logger REQUESTS = LoggerFactory.getLogger("net.allocator.rest.requests");
    private static final int CAPACITY = 16_384;
    private static final long PAUSE_MILLIS = 20;

    /** One request as it is logged. */
    private record Line(InetSocketAddress remote, String requestLine, int status, long millis) {}

    private final Logger logger;
    private final Queue<Line> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Thread writer;
    private volatile boolean closed;

    /** A log to {@code logger} when it is at INFO; off otherwise. */
    RequestLog(Logger logger) {
        this.logger = logger;
        if (logger.isInfoEnabled()) {
            writer = new Thread(this::run, "allocator-request-log");
            writer.setDaemon(true);
            writer.start();
        } else {
            writer = null;
        }
    }

    /** A log that writes when the request logger is at INFO, and is off otherwise. */
    static RequestLog start() {
        return new RequestLog(REQUESTS);
    }

    /** Whether lines are logged at all; when not, {@link #log} does nothing. */
    boolean enabled() {
        return writer != null;
    }

    /** Logs one request; {@code remote} may be null. */
    void log(InetSocketAddress remote, String requestLine, int status, long millis) {
        if (writer == null) {
            return;
        }
        Line line = new Line(remote, requestLine, status, millis);
        if (!closed) {
            if (queued.incrementAndGet() <= CAPACITY) {
                queue.add(line);
                if (closed) {
                    drain(); // close() may have seen the queue empty before this line arrived
                }
                return;
            }
            queued.decrementAndGet();
        }
        write(line);
    }

    /** Writes what is queued; returns whether it wrote anything. Safe from several threads. */
    private boolean drain() {
        boolean wrote = false;
        Line line;
        while ((line = queue.poll()) != null) {
            queued.decrementAndGet();
            write(line);
            wrote = true;
        }
        return wrote;
    }

    private void run() {
        while (true) {
            boolean last = closed;
            boolean wrote = drain();
            if (!wrote) {
                if (last) {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS));
            }
        }
    }

    private void write(Line line) {
        try {
            logger.info("{} {} {} {}ms", line.remote() == null ? "-" : line.remote().getAddress().getHostAddress(),
                    line.requestLine(), line.status(), line.millis());
        } catch (RuntimeException e) {
            // a log line must never end the writer or fail a request
        }
    }

    /** Writes every queued line (waiting up to a few seconds) and stops the writer. Idempotent. */
    @Override
    public void close() {
        if (writer == null || closed) {
            return;
        }
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!writer.isAlive()) {
            drain(); // what came while the writer finished (if it is stuck on its output, so would this be)
        }
    }
}
