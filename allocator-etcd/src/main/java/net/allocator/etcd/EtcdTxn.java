package net.allocator.etcd;

import static net.allocator.etcd.EtcdKeys.bytes;

import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.allocator.core.store.Condition;
import net.allocator.core.store.Operation;

/**
 * Translates a {@link net.allocator.core.store.KeyValueStore#commit} to the compares and
 * operations of one etcd {@code Txn}.
 *
 * <p>etcd refuses a {@code Txn} that puts one key twice, or puts a key that one of its deletes
 * also covers ("duplicate key given in txn request"), while a list of operations naturally means
 * "apply them in order". So the operations are first reduced to their net effect in order: a
 * later write of a key replaces earlier ones, and a prefix deletion followed by a put of a key
 * under it deletes the rest of the prefix around that key. Only then do they become etcd
 * operations, which no longer overlap, so etcd's own order does not matter.
 */
final class EtcdTxn {
    private EtcdTxn() {}

    /** {@code Absent} is "never created or deleted since" (createRevision 0); {@code AtVersion} compares the mod revision. */
    static Cmp[] compares(List<Condition> conditions) {
        Cmp[] compares = new Cmp[conditions.size()];
        for (int i = 0; i < compares.length; i++) {
            Condition condition = conditions.get(i);
            if (condition instanceof Condition.Absent absent) {
                compares[i] = new Cmp(bytes(absent.key()), Cmp.Op.EQUAL, CmpTarget.createRevision(0));
            } else if (condition instanceof Condition.AtVersion atVersion) {
                compares[i] = new Cmp(bytes(atVersion.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(atVersion.version()));
            } else {
                throw new IllegalArgumentException("unknown condition: " + condition);
            }
        }
        return compares;
    }

    static Op[] operations(List<Operation> operations) {
        List<Write> writes = new ArrayList<>();
        for (Operation operation : operations) {
            if (operation instanceof Operation.Put put) {
                byte[] key = utf8(put.key());
                writes.removeIf(w -> w.isOneKey() && Arrays.equals(w.from, key));
                List<Write> kept = new ArrayList<>();
                for (Write w : writes) {
                    kept.addAll(w.isOneKey() ? List.of(w) : w.without(key));
                }
                writes = kept;
                writes.add(Write.put(key, utf8(put.value())));
            } else if (operation instanceof Operation.Delete delete) {
                byte[] key = utf8(delete.key());
                writes.removeIf(w -> w.isOneKey() && Arrays.equals(w.from, key));
                writes.add(Write.deleteKey(key));
            } else if (operation instanceof Operation.DeletePrefix deletePrefix) {
                byte[] from = utf8(deletePrefix.prefix());
                byte[] end = EtcdKeys.rangeEnd(from);
                writes.removeIf(w -> w.isOneKey() && EtcdKeys.inRange(w.from, from, end));
                writes.add(Write.deleteRange(from, end));
            } else {
                throw new IllegalArgumentException("unknown operation: " + operation);
            }
        }
        return writes.stream().map(Write::toOp).toArray(Op[]::new);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A put of one key ({@code value} set), a delete of one key ({@code end} null), or a delete of {@code [from, end)}. */
    private record Write(byte[] from, byte[] end, byte[] value) {
        static Write put(byte[] key, byte[] value) {
            return new Write(key, null, value);
        }

        static Write deleteKey(byte[] key) {
            return new Write(key, null, null);
        }

        static Write deleteRange(byte[] from, byte[] end) {
            return new Write(from, end, null);
        }

        boolean isOneKey() {
            return end == null;
        }

        /** This range deletion with {@code key} left out: up to two ranges. */
        List<Write> without(byte[] key) {
            if (!EtcdKeys.inRange(key, from, end)) {
                return List.of(this);
            }
            List<Write> parts = new ArrayList<>(2);
            if (EtcdKeys.compare(from, key) < 0) {
                parts.add(deleteRange(from, key));
            }
            byte[] after = EtcdKeys.successor(key);
            if (EtcdKeys.inRange(after, from, end)) {
                parts.add(deleteRange(after, end));
            }
            return parts;
        }

        Op toOp() {
            if (value != null) {
                return Op.put(bytes(from), bytes(value), PutOption.DEFAULT);
            }
            if (end == null) {
                return Op.delete(bytes(from), DeleteOption.DEFAULT);
            }
            return Op.delete(bytes(from), DeleteOption.builder().withRange(bytes(end)).build());
        }
    }
}
