package net.allocator.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class KeyOrderTest {
    private static final Random RANDOM = new Random(20261206);

    @Test
    @DisplayName("keys compare as their UTF-8 bytes do, also beyond U+FFFF where String.compareTo differs")
    void ordersAsUtf8Bytes() {
        assertThat(KeyOrder.compare("\uFFFF", "\uD83D\uDE00")).isNegative(); // U+FFFF < U+1F600
        assertThat("\uFFFF".compareTo("\uD83D\uDE00")).isPositive(); // what KeyOrder exists to avoid
        for (int n = 0; n < 20_000; n++) {
            String a = randomKey();
            String b = RANDOM.nextInt(4) == 0 ? a + randomKey() : randomKey();
            int bytes = Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
            assertThat(Integer.signum(KeyOrder.compare(a, b))).as("%s vs %s", a, b).isEqualTo(Integer.signum(bytes));
        }
    }

    @Test
    @DisplayName("the first key after a prefix is greater than every key with the prefix and no greater than any other")
    void firstAfterPrefix() {
        assertThat(KeyOrder.firstAfterPrefix("a/b/")).isEqualTo("a/b0");
        assertThat(KeyOrder.firstAfterPrefix("")).isNull();
        assertThat(KeyOrder.firstAfterPrefix("a" + Character.toString(Character.MAX_CODE_POINT))).isEqualTo("b");
        assertThat(KeyOrder.firstAfterPrefix("a\uD7FF")).isEqualTo("a\uE000"); // skips the surrogates
        for (int n = 0; n < 5_000; n++) {
            String prefix = randomKey();
            String after = KeyOrder.firstAfterPrefix(prefix);
            String within = prefix + randomKey();
            String other = randomKey();
            if (after != null) {
                assertThat(KeyOrder.compare(within, after)).isNegative();
                if (!other.startsWith(prefix) && KeyOrder.compare(other, prefix) > 0) {
                    assertThat(KeyOrder.compare(other, after)).isNotNegative();
                }
            }
        }
    }

    private static String randomKey() {
        StringBuilder key = new StringBuilder();
        int length = RANDOM.nextInt(5);
        for (int i = 0; i < length; i++) {
            int kind = RANDOM.nextInt(4);
            int codePoint = switch (kind) {
                case 0 -> 'a' + RANDOM.nextInt(3);
                case 1 -> 0x7F + RANDOM.nextInt(0x800);
                case 2 -> 0xE000 + RANDOM.nextInt(0x2000);
                default -> 0x10000 + RANDOM.nextInt(0x100);
            };
            key.appendCodePoint(codePoint);
        }
        return key.toString();
    }
}
