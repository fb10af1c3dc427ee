package net.allocator.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.options.OptionsUtil;
import java.util.Arrays;

/** The store SPI's keys and values are UTF-8 text; etcd's are bytes, ordered as unsigned bytes. */
final class EtcdKeys {
    private EtcdKeys() {}

    /** etcd's range end meaning "every key from the start key on". */
    static final byte[] TO_THE_END = {0};

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, UTF_8);
    }

    static ByteSequence bytes(byte[] bytes) {
        return ByteSequence.from(bytes);
    }

    static String text(ByteSequence bytes) {
        return bytes.toString(UTF_8);
    }

    /** The smallest key after every key that starts with {@code prefix}, or {@link #TO_THE_END}. */
    static byte[] rangeEnd(byte[] prefix) {
        return OptionsUtil.prefixEndOf(ByteSequence.from(prefix)).getBytes();
    }

    /** The smallest key after {@code key}: the key followed by a zero byte. */
    static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    /** Whether {@code key} lies in {@code [from, end)}, where {@code end} may be {@link #TO_THE_END}. */
    static boolean inRange(byte[] key, byte[] from, byte[] end) {
        return compare(from, key) <= 0 && (Arrays.equals(end, TO_THE_END) || compare(key, end) < 0);
    }
}
