package net.allocator.core;

/**
 * Text that a user or client gave, made safe to show in an error message: the allocator's
 * exceptions and the REST service's own answers quote it the same way.
 */
public final class UserText {
    private static final int MAX_QUOTED = 64;

    private UserText() {}

    /**
     * {@code text} in single quotes, cut to its first 64 characters (then followed by "…"), with
     * control characters and the JavaScript line separators U+2028 and U+2029 written as {@code
     * \\uXXXX}, so that a quoted value can never break a message, a log line or a script that
     * embeds a JSON body.
     */
    public static String quote(String text) {
        String shown = text.length() > MAX_QUOTED ? text.substring(0, MAX_QUOTED) + "…" : text;
        StringBuilder out = new StringBuilder(shown.length() + 2).append('\'');
        shown.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append('\'').toString();
    }
}
