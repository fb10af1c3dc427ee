package net.allocator.rest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import net.allocator.core.UserText;

/** Small helpers that keep client-supplied text safe to echo in messages and logs. */
final class Messages {
    private Messages() {}

    /**
     * Quotes client text for a message: {@link UserText#quote}, the one quoting that core's
     * exception messages use too, so that both kinds of answer show client text alike.
     */
    static String quote(String text) {
        return UserText.quote(text);
    }

    /** Text for a log line: bounded and without control characters, so nobody can forge log lines. */
    static String forLog(String text, int max) {
        if (text.length() <= max && !hasControlCharacter(text)) {
            return text;
        }
        String shown = text.length() > max ? text.substring(0, max) + "…" : text;
        StringBuilder out = new StringBuilder(shown.length());
        shown.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.toString();
    }

    private static boolean hasControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Decodes UTF-8, refusing malformed input.
     *
     * @throws HttpError 400 with {@code errorMessage}
     */
    static String strictUtf8(byte[] bytes, String errorMessage) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw HttpError.badRequest(errorMessage);
        }
    }

    /**
     * Refuses the first of {@code sent} that is not {@code known}, naming it and the known ones
     * (sorted), or saying that none is known.
     *
     * @param what "field" or "query parameter"
     * @throws HttpError 400
     */
    static void refuseUnknown(String what, java.util.Collection<String> sent, java.util.Set<String> known) {
        for (String name : sent) {
            if (!known.contains(name)) {
                String knownText = known.isEmpty() ? "this request takes no " + what + "s"
                        : "known " + what + "s: " + String.join(", ", new java.util.TreeSet<>(known));
                throw HttpError.badRequest("unknown " + what + " " + quote(forLog(name, 64)) + "; " + knownText);
            }
        }
    }
}
