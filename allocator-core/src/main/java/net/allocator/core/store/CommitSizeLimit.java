package net.allocator.core.store;

/**
 * The most conditions and operations a store applies in one {@link KeyValueStore#commit}, so that
 * the allocator can split a cluster's claims or its teardown into as many commits as needed
 * rather than have the store refuse one large commit. etcd limits each list of a {@code Txn} on
 * its own ({@code --max-txn-ops}, 128 by default); Consul limits their sum (64 operations per
 * {@code /v1/txn}, where a condition is an operation too).
 *
 * @param conditions the most conditions of one commit
 * @param operations the most operations of one commit
 * @param combined the most conditions and operations of one commit taken together
 */
public record CommitSizeLimit(int conditions, int operations, int combined) {
    /** A store that applies commits of any size, such as a map in memory. */
    public static final CommitSizeLimit UNBOUNDED =
            new CommitSizeLimit(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);

    public CommitSizeLimit {
        if (conditions < 1 || operations < 1 || combined < 2) {
            throw new IllegalArgumentException("a commit must admit at least one condition and one operation: "
                    + conditions + ", " + operations + ", " + combined);
        }
    }

    /** Each list of a commit may hold up to {@code most} entries (etcd's {@code --max-txn-ops}). */
    public static CommitSizeLimit eachList(int most) {
        return new CommitSizeLimit(most, most, Integer.MAX_VALUE);
    }

    /** Conditions and operations together may number up to {@code most} (Consul's {@code /v1/txn}). */
    public static CommitSizeLimit together(int most) {
        return new CommitSizeLimit(most, most, most);
    }

    /** Whether one commit of that many conditions and operations is within the limit. */
    public boolean admits(int conditionCount, int operationCount) {
        return conditionCount <= conditions && operationCount <= operations
                && (long) conditionCount + operationCount <= combined;
    }
}
