package net.allocator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IpAddressesTest {

    @Test
    @DisplayName("literals are read as Guava reads them, and refused where Guava refuses them")
    void sameAsGuava() {
        Random random = new Random(11);
        List<String> accepted = new java.util.ArrayList<>(List.of("0.0.0.0", "255.255.255.255", "10.0.0.1", " 10.0.0.1 ",
                "1.2.3.4", "192.168.100.200", "::1", "fd00::1", "::ffff:10.0.0.1", "2001:db8::10.0.0.1"));
        for (int i = 0; i < 1000; i++) {
            accepted.add(random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256));
        }
        for (String literal : accepted) {
            assertThat(IpAddresses.parse(literal, "a")).as(literal).isEqualTo(InetAddresses.forString(literal.strip()));
        }
        for (String literal : List.of("010.0.0.1", "10.0.0.01", "00.0.0.0", "256.0.0.1", "10.0.0.256", "1.2.3", "1.2.3.4.",
                ".1.2.3.4", "1..2.3", "1.2.3.4.5", "1000.2.3.4", "1.2.3.-4", "+1.2.3.4", "1.2.3.4x", "10.0.0.1/24",
                "１０.0.0.1", "10.0.0.１", "fe80::1%eth0", "example.com", "")) {
            assertThatThrownBy(() -> IpAddresses.parse(literal, "a")).as(literal).isInstanceOf(InvalidInputException.class);
        }
    }

    @Test
    @DisplayName("keys and numbers of addresses agree with BigInteger's arithmetic, both ways, for both families")
    void keysAndNumbers() throws java.net.UnknownHostException {
        Random random = new Random(12);
        for (int i = 0; i < 2000; i++) {
            boolean ipv6 = i % 2 == 1;
            byte[] raw = new byte[ipv6 ? 16 : 4];
            random.nextBytes(raw);
            if (i < 4) {
                java.util.Arrays.fill(raw, (byte) (i < 2 ? 0 : 0xff)); // the family's lowest and highest
            }
            java.net.InetAddress address = java.net.InetAddress.getByAddress(raw);
            BigInteger number = new BigInteger(1, raw);
            String hex = String.format(ipv6 ? "%032x" : "%08x", number);

            assertThat(IpAddresses.toNumber(address)).isEqualTo(number);
            assertThat(IpAddresses.fromNumber(number, ipv6)).isEqualTo(address);
            assertThat(IpAddresses.toKey(address)).isEqualTo(hex);
            assertThat(IpAddresses.keyAfter("p/addresses/n/", address)).isEqualTo("p/addresses/n/" + hex);
            assertThat(IpAddresses.fromKey(hex)).isEqualTo(address);
            if (!ipv6) {
                char[] text = "x".repeat(17).toCharArray();
                int length = IpAddresses.formatIpv4(raw, text, 1);
                assertThat(new String(text, 0, length + 2)).isEqualTo("x" + InetAddresses.toAddrString(address) + "x");
            }
        }
    }

    @Test
    @DisplayName("one number follows another exactly when it is one more, small or IPv6-sized")
    void successor() {
        BigInteger top = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
        BigInteger edge = BigInteger.ONE.shiftLeft(63); // where the long shortcut stops
        for (BigInteger b : List.of(BigInteger.ZERO, BigInteger.valueOf(167_772_161L),
                edge.subtract(BigInteger.TWO), edge.subtract(BigInteger.ONE), edge, top.subtract(BigInteger.ONE))) {
            assertThat(IpAddresses.isSuccessor(b.add(BigInteger.ONE), b)).as("%s + 1", b).isTrue();
            assertThat(IpAddresses.isSuccessor(b, b)).as("%s itself", b).isFalse();
            assertThat(IpAddresses.isSuccessor(b.add(BigInteger.TWO), b)).as("%s + 2", b).isFalse();
            assertThat(IpAddresses.isSuccessor(b, b.add(BigInteger.ONE))).as("%s - 1", b).isFalse();
        }
        assertThat(IpAddresses.isSuccessor(edge.add(BigInteger.ONE), BigInteger.ONE)).isFalse();
        // equal in their low 64 bits, which is all a long keeps
        assertThat(IpAddresses.isSuccessor(BigInteger.ONE.shiftLeft(64).add(BigInteger.ONE), BigInteger.ZERO)).isFalse();
        assertThat(IpAddresses.isSuccessor(top, top.subtract(BigInteger.ONE.shiftLeft(64)).subtract(BigInteger.ONE))).isFalse();
    }
}
