package net.allocator.core.store;

/**
 * The order of keys that {@link KeyValueStore#scan} promises: ascending bytes of their UTF-8,
 * which is the order of Unicode code points (SQLite's BINARY collation of TEXT, etcd's byte
 * order), not that of Java's UTF-16 {@link String#compareTo} beyond U+FFFF. For stores that sort
 * or bound keys themselves.
 */
public final class KeyOrder {
    private KeyOrder() {}

    /** Compares two strings as their UTF-8 bytes compare. */
    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /**
     * The least string greater than every string that starts with {@code prefix}: the prefix with
     * its last code point raised by one, or null when there is none (an empty prefix, or one made
     * only of U+10FFFF).
     */
    public static String firstAfterPrefix(String prefix) {
        String head = prefix;
        while (!head.isEmpty()) {
            int last = head.codePointBefore(head.length());
            head = head.substring(0, head.length() - Character.charCount(last));
            if (last < Character.MAX_CODE_POINT) {
                int next = last + 1 == Character.MIN_SURROGATE ? Character.MAX_SURROGATE + 1 : last + 1;
                return head + Character.toString(next);
            }
        }
        return null;
    }
}
