package net.allocator.reliability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Everything the load's clients sent and were told, with monotonic timestamps ({@link
 * System#nanoTime()}, one clock for all threads): every HTTP attempt, and every operation as the
 * client saw it in the end (an operation retried after 503s is one {@link ClientOperation} of several
 * {@link Attempt}s). The checks work on this log alone plus a read of the store afterwards.
 */
final class LoadLog {
    /** What a client asked for. */
    enum Kind {
        /** allocate for an owner that holds nothing (as far as the client knows) */
        ALLOCATE,
        /** allocate again for an owner that holds an address: must return that address */
        REALLOCATE,
        /** free an address only if the owner holds it */
        RELEASE
    }

    /** How an operation ended. */
    enum Outcome {
        /** 200: allocated (or the held address returned), or released */
        OK,
        /** 409 to an allocation: no free address */
        EXHAUSTED,
        /** any other definite answer: a violation the checks report */
        REJECTED,
        /** still no definite answer when the load stopped */
        UNRESOLVED
    }

    /**
     * One HTTP request and its answer ({@code reply.status()} is -1 when none came). {@code
     * retry}: an earlier attempt of the same operation got no definite answer (a 503 or none),
     * so it may have taken effect already.
     */
    record Attempt(int client, int service, Kind kind, String owner, String address, boolean retry, ServiceClient.Reply reply) {}

    /**
     * One operation of one client, from the first attempt's sending to the final answer.
     *
     * @param sequence the client's own count, which orders an owner's operations
     * @param address the address allocated (or expected back, or released)
     */
    record ClientOperation(int client, long sequence, Kind kind, String owner, String address, Outcome outcome,
                     long firstSentNanos, long doneNanos, int attempts, String detail) {}

    /** A fault injected while the load ran: from its start to when it was undone. */
    record Fault(String name, long startNanos, long endNanos) {}

    private final long origin = System.nanoTime();
    private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ClientOperation> operations = new ConcurrentLinkedQueue<>();

    void add(Attempt attempt) {
        attempts.add(attempt);
    }

    void add(ClientOperation operation) {
        operations.add(operation);
    }

    /** Attempts in the order they were sent. */
    List<Attempt> attempts() {
        List<Attempt> out = new ArrayList<>(attempts);
        out.sort(Comparator.comparingLong(a -> a.reply().sentNanos()));
        return out;
    }

    /** Operations ordered by client, then by each client's sequence. */
    List<ClientOperation> operations() {
        List<ClientOperation> out = new ArrayList<>(operations);
        out.sort(Comparator.comparingInt(ClientOperation::client).thenComparingLong(ClientOperation::sequence));
        return out;
    }

    int operationCount() {
        return operations.size();
    }

    /**
     * Writes every attempt, one per line, to {@code file}: client, service, kind, owner, address
     * asked for, sent and answered (ms since the log began), status and body. For a failed check,
     * this is the evidence.
     */
    void writeTo(java.nio.file.Path file) {
        List<String> lines = new ArrayList<>();
        lines.add("client\tservice\tkind\towner\taddress\tsent_ms\tdone_ms\tstatus\tanswer\tretry");
        for (Attempt attempt : attempts()) {
            ServiceClient.Reply reply = attempt.reply();
            lines.add(attempt.client() + "\t" + attempt.service() + "\t" + attempt.kind() + "\t" + attempt.owner() + "\t"
                    + attempt.address() + "\t" + millis(reply.sentNanos()) + "\t" + millis(reply.doneNanos()) + "\t"
                    + reply.status() + "\t" + (reply.status() == -1 ? reply.transport() : reply.raw().replace('\n', ' '))
                    + "\t" + attempt.retry());
        }
        try {
            java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
            java.nio.file.Files.write(file, lines);
        } catch (java.io.IOException e) {
            System.err.println("cannot write " + file + ": " + e);
        }
    }

    /** Milliseconds since the log was made, for messages. */
    long millis(long nanos) {
        return (nanos - origin) / 1_000_000;
    }
}
