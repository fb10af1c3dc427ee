package net.allocator.sqlite;

/**
 * The SPI's key order, ascending bytes of UTF-8, which is SQLite's BINARY collation of TEXT and
 * the order of Unicode code points (not of Java's UTF-16 {@link String#compareTo}).
 */
final class Utf8Order {
    private Utf8Order() {}

    /** Compares two strings as their UTF-8 bytes compare. */
    static int compare(String a, String b) {
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
    static String firstAfterPrefix(String prefix) {
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
