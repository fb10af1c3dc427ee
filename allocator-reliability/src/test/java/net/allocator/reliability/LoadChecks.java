package net.allocator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.allocator.reliability.LoadLog.Attempt;
import net.allocator.reliability.LoadLog.ClientOperation;
import net.allocator.reliability.LoadLog.Kind;
import net.allocator.reliability.LoadLog.Outcome;

/**
 * The checks on a {@link LoadLog} and the store afterwards. Each adds what it finds to a list of
 * violations; {@link #assertNone()} fails with all of them. None of them trusts the service: they
 * use what the clients were told, with their own clocks, and the store's keys read directly.
 */
final class LoadChecks {
    private static final int SHOWN = 25;

    /**
     * Library bugs these checks have found and that are reported in docs/reliability.md ("Known
     * bugs"). While {@code ALLOCATOR_RELIABILITY_STRICT} is unset, their occurrences are printed
     * and recorded but do not fail the test, so that CI stays a signal for new problems; set it
     * to {@code true} (scripts/soak.sh --strict) to fail on them too. Everything else always fails.
     */
    enum KnownBug {
        /**
         * An answer later than three times what the store may take: a request's several store
         * calls in a row, each near the timeout, or a loaded machine. (Its earlier causes and
         * their fixes are in docs/reliability.md, "Bugs these tests found, and their fixes".)
         */
        SLOW_ANSWER,
        /**
         * A release retried after a 503 answered 409 "used by another owner": the first attempt's
         * delete had landed and another owner claimed the address before the retry. The retry
         * changed nothing, as the contract says of a 409, but the client cannot tell this from a
         * conflict. (The same answer to a first attempt, when the service's own read-back met the
         * new owner, is a violation: that release took effect.)
         */
        RELEASE_REFUSED_AFTER_APPLYING
    }

    static final boolean STRICT = Boolean.parseBoolean(System.getenv("ALLOCATOR_RELIABILITY_STRICT"));

    private final LoadLog log;
    private final List<String> violations = new ArrayList<>();
    private final Map<KnownBug, List<String>> knownBugs = new java.util.EnumMap<>(KnownBug.class);

    LoadChecks(LoadLog log) {
        this.log = log;
    }

    List<String> violations() {
        return violations;
    }

    /** How often each known bug showed, for the measurements. */
    Map<KnownBug, Integer> knownBugCounts() {
        Map<KnownBug, Integer> counts = new java.util.EnumMap<>(KnownBug.class);
        knownBugs.forEach((bug, seen) -> counts.put(bug, seen.size()));
        return counts;
    }

    /**
     * Fails with every violation found, the first {@value #SHOWN} spelled out; prints the known
     * bugs seen, and fails on them too when {@link #STRICT}.
     */
    void assertNone() {
        List<String> failing = new ArrayList<>(violations);
        knownBugs.forEach((bug, seen) -> {
            System.out.println("KNOWN LIBRARY BUG " + bug + " seen " + seen.size() + " time(s), e.g. " + seen.get(0));
            ServiceEnvironment.recordMeasurement("known bug " + bug + " seen " + seen.size() + " time(s); first: " + seen.get(0));
            if (STRICT) {
                seen.forEach(text -> failing.add("[" + bug + "] " + text));
            }
        });
        StringBuilder message = new StringBuilder(failing.size() + " violation(s) in " + log.operationCount()
                + " operations:\n");
        failing.stream().limit(SHOWN).forEach(v -> message.append("  ").append(v).append('\n'));
        assertThat(failing).as(message.toString()).isEmpty();
    }

    private void violation(String text) {
        synchronized (violations) {
            violations.add(text);
        }
    }

    private void knownBug(KnownBug bug, String text) {
        synchronized (violations) {
            knownBugs.computeIfAbsent(bug, b -> new ArrayList<>()).add(text);
        }
    }

    /** A 409 to a release naming its owner that says another owner holds the address now. */
    static boolean isReleaseRefused(ServiceClient.Reply reply) {
        return reply.status() == 409 && reply.body() != null
                && String.valueOf(reply.text("message")).matches("(?s).* is used by .*, not by .*");
    }

    // ------------------------------------------------------------------ every answer

    /**
     * Every answer is a 200, a 409 "no free address" to an allocation, or (when {@code
     * unavailableAllowed}) a 503 with the API's JSON error body; none is missing, none took
     * longer than {@code slowBound} (three times what the store may take: the known bug {@link
     * KnownBug#SLOW_ANSWER}) and none longer than {@code hangBound} (a hang: always a violation).
     */
    LoadChecks answers(boolean unavailableAllowed, Duration slowBound, Duration hangBound) {
        for (Attempt attempt : log.attempts()) {
            ServiceClient.Reply reply = attempt.reply();
            String where = attempt.kind() + " " + attempt.owner() + (attempt.address() == null ? "" : " " + attempt.address())
                    + " via service " + attempt.service() + " at " + log.millis(reply.sentNanos()) + " ms: ";
            if (reply.status() == -1) {
                violation("no answer to " + where + reply);
                continue;
            }
            if (reply.millis() > hangBound.toMillis()) {
                violation("answer slower than " + hangBound.toMillis() + " ms to " + where + reply);
            } else if (reply.millis() > slowBound.toMillis()) {
                knownBug(KnownBug.SLOW_ANSWER, "answer later than " + slowBound.toMillis() + " ms to " + where + reply);
            }
            switch (reply.status()) {
                case 200 -> {
                    if (attempt.kind() != Kind.RELEASE && (reply.text("address") == null)) {
                        violation("200 without an address to " + where + reply);
                    }
                }
                case 409 -> {
                    if (attempt.kind() == Kind.RELEASE && attempt.retry() && isReleaseRefused(reply)) {
                        // The owner does not hold it now, whatever happened before: the other checks
                        // find a real second holder; the answer itself is the known bug.
                        knownBug(KnownBug.RELEASE_REFUSED_AFTER_APPLYING, where + reply);
                    } else if (attempt.kind() == Kind.RELEASE) {
                        violation("a release of an address the client holds was refused: " + where + reply);
                    } else if (reply.body() == null || !String.valueOf(reply.text("message")).contains("no free address")) {
                        violation("409 that is not 'no free address' to " + where + reply);
                    }
                }
                case 503 -> {
                    if (!unavailableAllowed) {
                        violation("503 while the store was healthy: " + where + reply);
                    } else if (!reply.isJsonUnavailable()) {
                        violation("503 without the JSON error body: " + where + reply);
                    }
                }
                default -> violation("unexpected status " + reply.status() + " to " + where + reply);
            }
        }
        for (ClientOperation op : log.operations()) {
            boolean refusedRetry = op.kind() == Kind.RELEASE && op.attempts() > 1 && op.detail().startsWith("409 ")
                    && op.detail().matches("(?s).* is used by .*, not by .*"); // counted above as the known bug
            if (op.outcome() == Outcome.UNRESOLVED || (op.outcome() == Outcome.REJECTED && !refusedRetry)) {
                violation(op.outcome() + " " + op.kind() + " of " + op.owner() + ": " + op.detail());
            }
            if (op.kind() == Kind.REALLOCATE && op.outcome() == Outcome.OK && !op.detail().isEmpty()) {
                violation("re-allocation for " + op.owner() + " returned " + op.address() + ", " + op.detail());
            }
            if (op.kind() == Kind.REALLOCATE && op.outcome() == Outcome.EXHAUSTED) {
                violation("re-allocation for " + op.owner() + ", which holds " + op.address() + ", got 'exhausted'");
            }
        }
        return this;
    }

    // ------------------------------------------------------------------ holding intervals

    /**
     * One owner's hold of one address as the clients saw it. It surely covers [definiteStart,
     * definiteEnd] (from the allocation's answer to the release's sending) and at most
     * [possibleStart, possibleEnd] (from the allocation's sending to the release's answer).
     */
    record Hold(String address, String owner, long possibleStart, long definiteStart, long definiteEnd, long possibleEnd) {}

    List<Hold> holds() {
        List<Hold> holds = new ArrayList<>();
        Map<String, ClientOperation> open = new HashMap<>();
        for (ClientOperation op : log.operations()) {
            ClientOperation opened = open.get(op.owner());
            switch (op.kind()) {
                case ALLOCATE -> {
                    if (op.outcome() == Outcome.OK) {
                        if (opened != null) {
                            violation(op.owner() + " was given " + op.address() + " while it held " + opened.address());
                        }
                        open.put(op.owner(), op);
                    } else if (op.outcome() == Outcome.UNRESOLVED || op.outcome() == Outcome.REJECTED) {
                        // unknown: it may hold some address from now on; only 'possible' counts
                        holds.add(new Hold("?", op.owner(), op.firstSentNanos(), Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE));
                    }
                }
                case REALLOCATE -> {
                    if (op.outcome() == Outcome.OK && opened == null) {
                        violation("re-allocation for " + op.owner() + " which held nothing");
                    }
                }
                case RELEASE -> {
                    if (opened == null || !opened.address().equals(op.address())) {
                        violation("release of " + op.address() + " by " + op.owner() + " which did not hold it");
                        continue;
                    }
                    if (op.outcome() == Outcome.OK) {
                        holds.add(new Hold(op.address(), op.owner(), opened.firstSentNanos(), opened.doneNanos(), op.firstSentNanos(),
                                op.doneNanos()));
                        open.remove(op.owner());
                    } else {
                        // refused (the owner does not hold it after the answer) or unresolved (it may hold it for ever)
                        holds.add(new Hold(op.address(), op.owner(), opened.firstSentNanos(), opened.doneNanos(), op.firstSentNanos(),
                                op.outcome() == Outcome.UNRESOLVED ? Long.MAX_VALUE : op.doneNanos()));
                        open.remove(op.owner());
                    }
                }
            }
        }
        for (ClientOperation opened : open.values()) {
            holds.add(new Hold(opened.address(), opened.owner(), opened.firstSentNanos(), opened.doneNanos(), Long.MAX_VALUE,
                    Long.MAX_VALUE));
        }
        return holds;
    }

    /** No address was surely held by two owners at one instant. */
    LoadChecks noAddressHeldTwice() {
        Map<String, List<Hold>> byAddress = new HashMap<>();
        for (Hold hold : holds()) {
            if (!hold.address().equals("?")) {
                byAddress.computeIfAbsent(hold.address(), a -> new ArrayList<>()).add(hold);
            }
        }
        for (List<Hold> holds : byAddress.values()) {
            holds.sort(Comparator.comparingLong(Hold::definiteStart));
            Hold latest = null;
            for (Hold hold : holds) {
                if (latest != null && hold.definiteStart() < latest.definiteEnd()) {
                    violation("address " + hold.address() + " held by " + latest.owner() + " (acknowledged at "
                            + log.millis(latest.definiteStart()) + " ms, released from " + endMillis(latest.definiteEnd())
                            + ") and by " + hold.owner() + " (acknowledged at " + log.millis(hold.definiteStart()) + " ms)");
                }
                if (latest == null || hold.definiteEnd() > latest.definiteEnd()) {
                    latest = hold;
                }
            }
        }
        return this;
    }

    /**
     * Every "no free address" answer came while every address of the pool may have been held:
     * the service only says so after an authoritative read, at some instant between the
     * request's sending and its answer, when all {@code poolSize} addresses were used.
     */
    LoadChecks exhaustionOnlyWhenFull(int poolSize) {
        Map<String, List<Hold>> byAddress = new HashMap<>();
        int unknown = 0;
        for (Hold hold : holds()) {
            if (hold.address().equals("?")) {
                unknown++;
            } else {
                byAddress.computeIfAbsent(hold.address(), a -> new ArrayList<>()).add(hold);
            }
        }
        List<long[]> starts = new ArrayList<>();
        List<long[]> maxEnds = new ArrayList<>();
        for (List<Hold> holds : byAddress.values()) {
            holds.sort(Comparator.comparingLong(Hold::possibleStart));
            long[] s = new long[holds.size()];
            long[] m = new long[holds.size()];
            long max = Long.MIN_VALUE;
            for (int i = 0; i < holds.size(); i++) {
                s[i] = holds.get(i).possibleStart();
                max = Math.max(max, holds.get(i).possibleEnd());
                m[i] = max;
            }
            starts.add(s);
            maxEnds.add(m);
        }
        for (ClientOperation op : log.operations()) {
            if (op.outcome() != Outcome.EXHAUSTED) {
                continue;
            }
            int possiblyHeld = unknown;
            for (int a = 0; a < starts.size(); a++) {
                int index = upperBound(starts.get(a), op.doneNanos()) - 1;
                if (index >= 0 && maxEnds.get(a)[index] >= op.firstSentNanos()) {
                    possiblyHeld++;
                }
            }
            if (possiblyHeld < poolSize) {
                violation("'no free address' to " + op.owner() + " between " + log.millis(op.firstSentNanos()) + " and "
                        + log.millis(op.doneNanos()) + " ms, when at most " + possiblyHeld + " of " + poolSize
                        + " addresses can have been held");
            }
        }
        return this;
    }

    private static int upperBound(long[] sorted, long value) {
        int low = 0;
        int high = sorted.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (sorted[mid] <= value) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** The number of times the network went from allocating to exhausted, in answer order. */
    long exhaustionEpisodes() {
        List<ClientOperation> allocations = new ArrayList<>();
        for (ClientOperation op : log.operations()) {
            if (op.kind() == Kind.ALLOCATE && (op.outcome() == Outcome.OK || op.outcome() == Outcome.EXHAUSTED)) {
                allocations.add(op);
            }
        }
        allocations.sort(Comparator.comparingLong(ClientOperation::doneNanos));
        long episodes = 0;
        Outcome previous = Outcome.OK;
        for (ClientOperation op : allocations) {
            if (op.outcome() == Outcome.EXHAUSTED && previous == Outcome.OK) {
                episodes++;
            }
            previous = op.outcome();
        }
        return episodes;
    }

    // ------------------------------------------------------------------ the store afterwards

    /**
     * The store holds exactly what the clients were told: every acknowledged allocation that was
     * not released is there with its owner, and nothing else (every acknowledged release is
     * free, no address leaked). Checked on the service's listing and on the keys read directly.
     *
     * @param holdings (owner "cluster/node", address) pairs the clients hold in the end
     * @param listings address → "cluster/node" from {@code GET ?used&full} of each service
     * @param keys every key and value under {@code <prefix>/}, read from the store itself
     */
    LoadChecks storeMatches(List<Map.Entry<String, String>> holdings, List<Map<String, String>> listings,
            Map<String, String> keys, String prefix, String network) {
        Map<String, String> expected = new TreeMap<>();
        for (Map.Entry<String, String> holding : holdings) {
            String other = expected.put(holding.getValue(), holding.getKey());
            if (other != null) {
                violation("two clients believe they hold " + holding.getValue() + ": " + other + " and " + holding.getKey());
            }
        }
        for (int i = 0; i < listings.size(); i++) {
            compare("the listing of service " + i, expected, listings.get(i));
        }

        String addressPrefix = prefix + "/addresses/" + network + "/";
        String ownerPrefix = prefix + "/owners/" + network + "/";
        Map<String, String> byAddressKey = new TreeMap<>();
        Map<String, String> byOwnerKey = new TreeMap<>();
        for (Map.Entry<String, String> kv : keys.entrySet()) {
            JsonNode record;
            try {
                record = ServiceClient.JSON.readTree(kv.getValue());
            } catch (IOException e) {
                violation("key " + kv.getKey() + " holds no JSON: " + kv.getValue());
                continue;
            }
            String owner = record.path("cluster").asText() + "/" + record.path("node").asText();
            String address = record.path("address").asText();
            if (kv.getKey().startsWith(addressPrefix)) {
                String fromKey = dotted(kv.getKey().substring(addressPrefix.length()));
                if (!fromKey.equals(address)) {
                    violation("key " + kv.getKey() + " (" + fromKey + ") holds the record of " + address);
                }
                byAddressKey.put(fromKey, owner);
            } else if (kv.getKey().startsWith(ownerPrefix)) {
                String fromKey = kv.getKey().substring(ownerPrefix.length());
                if (!fromKey.equals(owner)) {
                    violation("owner key " + kv.getKey() + " holds the record of " + owner);
                }
                String other = byOwnerKey.put(address, owner);
                if (other != null) {
                    violation("owner keys of " + other + " and " + owner + " both name " + address);
                }
            }
        }
        compare("the address keys in the store", expected, byAddressKey);
        compare("the owner keys in the store", expected, byOwnerKey);
        return this;
    }

    private void compare(String what, Map<String, String> expected, Map<String, String> actual) {
        Set<String> addresses = new TreeSet<>(expected.keySet());
        addresses.addAll(actual.keySet());
        for (String address : addresses) {
            String want = expected.get(address);
            String got = actual.get(address);
            if (want == null) {
                violation(what + ": " + address + " is used by " + got + ", but no client holds it (leaked, or a release was lost)");
            } else if (got == null) {
                violation(what + ": " + address + " is free, but " + want + " was told it holds it (a lost allocation)");
            } else if (!want.equals(got)) {
                violation(what + ": " + address + " is used by " + got + ", but " + want + " was told it holds it");
            }
        }
    }

    private static String dotted(String hex) {
        try {
            byte[] bytes = new byte[hex.length() / 2];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
            }
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException | NumberFormatException e) {
            return "(bad key " + hex + ")";
        }
    }

    private String endMillis(long nanos) {
        return nanos == Long.MAX_VALUE ? "never" : log.millis(nanos) + " ms";
    }

    // ------------------------------------------------------------------ outages

    /**
     * What clients saw around a fault: the requests sent and answered from {@code from} to
     * {@code to} (a request answered later belongs to whatever happened next), their errors
     * (503s, missing answers), and the longest time in that window in which no allocation
     * succeeded.
     */
    record Outage(String fault, long errors, long attempts, long firstErrorMillis, long lastErrorMillis, long longestGapMillis,
                  long successes) {
        @Override
        public String toString() {
            return fault + ": " + errors + " errors in " + attempts + " requests"
                    + (errors == 0 ? "" : ", from +" + firstErrorMillis + " ms to +" + lastErrorMillis + " ms after the fault")
                    + "; longest time without a successful allocation " + longestGapMillis + " ms; " + successes
                    + " successful allocations";
        }
    }

    Outage outage(String fault, long from, long to) {
        long errors = 0;
        long requests = 0;
        long firstError = -1;
        long lastError = -1;
        List<Long> successes = new ArrayList<>();
        for (Attempt attempt : log.attempts()) {
            ServiceClient.Reply reply = attempt.reply();
            if (reply.sentNanos() < from || reply.doneNanos() > to) {
                continue;
            }
            requests++;
            if (reply.status() == 503 || reply.status() == -1) {
                errors++;
                long at = (reply.doneNanos() - from) / 1_000_000;
                firstError = firstError < 0 ? (reply.sentNanos() - from) / 1_000_000 : firstError;
                lastError = Math.max(lastError, at);
            } else if (reply.status() == 200 && attempt.kind() == Kind.ALLOCATE) {
                successes.add(reply.doneNanos());
            }
        }
        successes.sort(null);
        long gap = 0;
        long previous = from;
        for (long done : successes) {
            gap = Math.max(gap, done - previous);
            previous = done;
        }
        gap = Math.max(gap, to - previous);
        return new Outage(fault, errors, requests, firstError, lastError, gap / 1_000_000, successes.size());
    }

    /**
     * Milliseconds from {@code from} to the answer of the last error both sent and answered
     * between {@code from} and {@code to}; 0 when there was none. An error answered after {@code
     * to} belongs to whatever happened next.
     */
    long lastErrorBetween(long from, long to) {
        long last = from;
        for (Attempt attempt : log.attempts()) {
            ServiceClient.Reply reply = attempt.reply();
            if ((reply.status() == 503 || reply.status() == -1) && reply.sentNanos() >= from && reply.doneNanos() <= to) {
                last = Math.max(last, reply.doneNanos());
            }
        }
        return (last - from) / 1_000_000;
    }

    /** 503s (and missing answers) that came between {@code from} and {@code to}, whenever they were sent. */
    long errorsAnsweredBetween(long from, long to) {
        return log.attempts().stream().filter(a -> (a.reply().status() == 503 || a.reply().status() == -1)
                && a.reply().doneNanos() >= from && a.reply().doneNanos() <= to).count();
    }

    /** Allocations answered 200 between {@code from} and {@code to}, whenever they were sent. */
    long allocationsAnsweredBetween(long from, long to) {
        return log.attempts().stream().filter(a -> a.kind() == Kind.ALLOCATE && a.reply().status() == 200
                && a.reply().doneNanos() >= from && a.reply().doneNanos() <= to).count();
    }

    /** Milliseconds from {@code after} to the first allocation answered 200 that was sent after it; -1 if none. */
    long firstAllocationAfter(long after) {
        long first = Long.MAX_VALUE;
        for (Attempt attempt : log.attempts()) {
            ServiceClient.Reply reply = attempt.reply();
            if (attempt.kind() == Kind.ALLOCATE && reply.status() == 200 && reply.sentNanos() >= after) {
                first = Math.min(first, reply.doneNanos());
            }
        }
        return first == Long.MAX_VALUE ? -1 : (first - after) / 1_000_000;
    }

    /** Median, 99th percentile and maximum answer time of each kind of request, in milliseconds. */
    String latencySummary() {
        StringBuilder out = new StringBuilder();
        for (Kind kind : Kind.values()) {
            long[] millis = log.attempts().stream().filter(a -> a.kind() == kind && a.reply().status() != -1)
                    .mapToLong(a -> a.reply().millis()).sorted().toArray();
            if (millis.length == 0) {
                continue;
            }
            out.append(out.length() == 0 ? "" : ", ").append(kind.name().toLowerCase(java.util.Locale.ROOT))
                    .append(" p50 ").append(millis[millis.length / 2])
                    .append(" p99 ").append(millis[(int) Math.min(millis.length - 1, Math.ceil(millis.length * 0.99) - 1)])
                    .append(" max ").append(millis[millis.length - 1]).append(" ms");
        }
        return out.toString();
    }
}
