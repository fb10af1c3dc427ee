package net.allocator.core;

import net.allocator.core.store.CommitSizeLimit;

/**
 * How many items of a cluster operation fit in one commit of a store, each item bringing the same
 * number of conditions and operations: etcd refuses a {@code Txn} of more than {@code
 * --max-txn-ops} compares or operations, Consul a {@code /v1/txn} of more than 64 entries.
 */
final class CommitChunks {
    private CommitChunks() {}

    /**
     * The most items, up to {@code remaining}, that one commit holds beside {@code
     * fixedConditions}.
     *
     * @throws IllegalStateException when not even one item fits (a store declaring a limit that
     *     small cannot carry the operation at all)
     */
    static int fitting(CommitSizeLimit limit, int fixedConditions, int conditionsEach, int operationsEach, int remaining) {
        long byConditions = conditionsEach == 0 ? Long.MAX_VALUE : ((long) limit.conditions() - fixedConditions) / conditionsEach;
        long byOperations = (long) limit.operations() / operationsEach;
        long byBoth = ((long) limit.combined() - fixedConditions) / (conditionsEach + operationsEach);
        long most = Math.min(remaining, Math.min(byConditions, Math.min(byOperations, byBoth)));
        if (most < 1) {
            throw new IllegalStateException("the store's commit limit " + limit + " cannot hold one item of "
                    + fixedConditions + "+" + conditionsEach + " conditions and " + operationsEach + " operations");
        }
        return (int) most;
    }
}
