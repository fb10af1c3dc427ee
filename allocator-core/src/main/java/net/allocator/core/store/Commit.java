package net.allocator.core.store;

import java.util.List;

/**
 * One member of a {@link KeyValueStore#commitBatch}: the conditions and operations of one {@link
 * KeyValueStore#commit}, decided on their own.
 *
 * @param conditions what must hold for the operations to apply
 * @param operations what to write when every condition holds
 */
public record Commit(List<Condition> conditions, List<Operation> operations) {
    public Commit {
        conditions = List.copyOf(conditions);
        operations = List.copyOf(operations);
    }

    /** How many conditions and operations the commit has: what {@link BatchLimits#maxOperations()} counts. */
    public int size() {
        return conditions.size() + operations.size();
    }
}
