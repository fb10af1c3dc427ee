package net.allocator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NetworkValidationTest {

    private static Network.Builder seedAdmin() {
        return Network.builder().name("admin").description("Internal administration network using virbrPRIVATE")
                .bridge("virbrPRIVATE").network("10.112.0.0").netmask("16").gateway("10.112.0.1")
                .addresses(List.of("10.112.1.101", "10.112.1.102", "10.112.1.103"));
    }

    @Test
    @DisplayName("the seed's registration body builds a network")
    void seedNetwork() {
        Network admin = seedAdmin().build();
        assertThat(admin.prefixLength()).isEqualTo(16);
        assertThat(admin.pool().toSpecs()).containsExactly("10.112.1.101-10.112.1.103");
        assertThat(admin.pool().size()).isEqualTo(BigInteger.valueOf(3));
    }

    @Test
    @DisplayName("a dotted netmask and a CIDR network are accepted")
    void netmaskForms() {
        assertThat(seedAdmin().netmask("255.255.0.0").build().prefixLength()).isEqualTo(16);
        assertThat(seedAdmin().network("10.112.0.0/16").netmask(null).build().prefixLength()).isEqualTo(16);
        assertThatThrownBy(() -> seedAdmin().netmask("255.0.255.0").build()).hasMessageContaining("not contiguous");
        assertThatThrownBy(() -> seedAdmin().netmask("33").build()).hasMessageContaining("longer than 32");
        assertThatThrownBy(() -> seedAdmin().netmask("sixteen").build()).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> seedAdmin().network("10.112.0.0/16").netmask("16").build()).hasMessageContaining("not both");
    }

    @Test
    @DisplayName("ranges and CIDR blocks make pools without one object per address")
    void rangesAndBlocks() {
        Network big = seedAdmin().network("10.0.0.0").netmask("8").gateway("10.0.0.1").addresses(List.of("10.0.0.0/8")).build();
        assertThat(big.pool().size()).isEqualTo(BigInteger.valueOf((1L << 24) - 3));
        assertThat(big.pool().toSpecs()).containsExactly("10.0.0.2-10.255.255.254");
        Network range = seedAdmin().addresses(List.of("10.112.243.1-10.112.243.254")).build();
        assertThat(range.pool().size()).isEqualTo(BigInteger.valueOf(254));
        Network v6 = Network.builder().name("v6").network("2001:db8::").netmask("64").addresses(List.of("2001:db8::/64")).build();
        assertThat(v6.pool().size()).isEqualTo(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));
    }

    @Test
    @DisplayName("the network, broadcast and gateway addresses are left out of ranges and refused when listed alone")
    void reserved() {
        Network block = seedAdmin().network("10.0.0.0").netmask("24").gateway("10.0.0.1").addresses(List.of("10.0.0.0/24")).build();
        assertThat(block.pool().toSpecs()).containsExactly("10.0.0.2-10.0.0.254");
        assertThatThrownBy(() -> seedAdmin().addresses(List.of("10.112.0.1")).build()).hasMessageContaining("gateway");
        assertThatThrownBy(() -> seedAdmin().addresses(List.of("10.112.255.255")).build()).hasMessageContaining("broadcast");
        Network p2p = Network.builder().name("p2p").network("10.0.0.0").netmask("31").addresses(List.of("10.0.0.0/31")).build();
        assertThat(p2p.pool().size()).isEqualTo(BigInteger.TWO);
    }

    @Test
    @DisplayName("addresses outside the network, duplicates and overlaps are refused with clear messages")
    void badPools() {
        assertThatThrownBy(() -> seedAdmin().addresses(List.of("10.113.0.5")).build()).hasMessageContaining("outside the network");
        assertThatThrownBy(() -> seedAdmin().addresses(List.of("10.112.1.5", "10.112.1.5")).build()).hasMessageContaining("twice");
        assertThatThrownBy(() -> seedAdmin().addresses(List.of("10.112.1.0/24", "10.112.1.200-10.112.2.3")).build()).hasMessageContaining("overlaps");
        assertThatThrownBy(() -> seedAdmin().addresses(List.of("10.112.1.9-10.112.1.3")).build()).hasMessageContaining("starts after");
        assertThatThrownBy(() -> seedAdmin().addresses(List.of("10.112.1.1/16")).build()).hasMessageContaining("host bits");
        assertThatThrownBy(() -> seedAdmin().addresses(List.of("10.0.0.0/8")).build()).hasMessageContaining("outside");
        assertThatThrownBy(() -> seedAdmin().addresses(List.of()).build()).hasMessageContaining("empty");
        assertThatThrownBy(() -> seedAdmin().addresses(List.of("2001:db8::1")).build()).hasMessageContaining("outside");
        assertThatThrownBy(() -> seedAdmin().gateway("10.113.0.1").build()).hasMessageContaining("gateway");
        assertThatThrownBy(() -> seedAdmin().network("10.112.0.5").build()).hasMessageContaining("10.112.0.0");
    }

    @Test
    @DisplayName("IP literals are parsed without DNS, and host names, zone ids and junk are refused")
    void literals() {
        for (String bad : List.of("localhost", "example.com", "fe80::1%eth0", "10.0.0", "10.0.0.256", "", " ", "1.2.3.4.5", "::g",
                "\uff11\uff10.0.0.1", "\u0661\u0660.0.0.1", "2001:db8::\uff11")) {
            assertThatThrownBy(() -> IpAddresses.parse(bad, "address")).as(bad).isInstanceOf(InvalidInputException.class);
        }
        assertThat(IpAddresses.format(IpAddresses.parse("2001:DB8:0:0::1", "address"))).isEqualTo("2001:db8::1");
    }

    @Test
    @DisplayName("address keys are fixed width, so byte order is numeric order")
    void keys() {
        assertThat(IpAddresses.toKey(IpAddresses.parse("10.0.0.2", "a"))).isEqualTo("0a000002");
        assertThat(IpAddresses.toKey(IpAddresses.parse("10.0.0.10", "a"))).isGreaterThan("0a000002");
        assertThat(IpAddresses.toKey(IpAddresses.parse("::1", "a"))).hasSize(32);
        assertThat(IpAddresses.fromKey("0a00000a")).isEqualTo(IpAddresses.parse("10.0.0.10", "a"));
    }

    @Test
    @DisplayName("owner parts are escaped so they never make path segments")
    void ownerEscaping() {
        assertThat(KeyLayout.escape("gluster-3.7.11-8")).isEqualTo("gluster-3.7.11-8");
        assertThat(KeyLayout.escape("..")).isEqualTo("~2e.");
        assertThat(KeyLayout.escape("a/b")).isEqualTo("a~2fb");
        assertThat(KeyLayout.escape("ü")).isEqualTo("~c3~bc");
        KeyLayout.NetworkKeys keys = new KeyLayout("p").of("n");
        assertThat(keys.owner(new Owner("gluster-3.7", "node_1"))).isEqualTo("p/owners/n/gluster-3.7/node_1");
        assertThat(keys.owner(new Owner("..", "a/b"))).isEqualTo("p/owners/n/~2e./a~2fb");
        assertThat(keys.owner(new Owner("c", ".x"))).isEqualTo("p/owners/n/c/~2ex");
        assertThat(keys.owner(new Owner("ü", "n"))).isEqualTo("p/owners/n/~c3~bc/n");
    }

    @Test
    @DisplayName("descriptions and bridges are bounded and free of control characters")
    void textFields() {
        assertThatThrownBy(() -> seedAdmin().description("x".repeat(1025)).build()).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> seedAdmin().description("a\u0007").build()).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> seedAdmin().bridge("br/../x").build()).isInstanceOf(InvalidInputException.class);
    }

    @Test
    @DisplayName("netmasks and owners take no look-alikes: non-ASCII digits and unpaired surrogates are refused")
    void lookAlikes() {
        assertThatThrownBy(() -> seedAdmin().netmask("\uff11\uff16").build()).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new Owner("\ud800", "n")).isInstanceOf(InvalidInputException.class).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> new Owner("c", "x\udfff")).isInstanceOf(InvalidInputException.class);
        assertThat(new Owner("\ud83d\ude00", "n").cluster()).isEqualTo("\ud83d\ude00");
        assertThatThrownBy(() -> seedAdmin().description("\ud800").build()).isInstanceOf(InvalidInputException.class);
    }

    @Test
    @DisplayName("the canonical constructor refuses what the builder would: a bad name, host bits, a gateway outside or in the pool, a pool outside the network")
    void canonicalConstructorChecksInvariants() {
        Network admin = seedAdmin().build();
        assertThat(new Network(admin.name(), admin.description(), admin.bridge(), admin.address(), admin.prefixLength(),
                admin.gateway(), admin.pool())).isEqualTo(admin);
        InetAddress gateway = admin.gateway().orElseThrow();
        AddressPool elsewhere = AddressPool.of(List.of(AddressRange.of(IpAddresses.parse("10.113.0.5", "a"))), List.of());
        AddressPool withGateway = AddressPool.of(List.of(AddressRange.of(gateway)), List.of());
        AddressPool ipv6 = AddressPool.of(List.of(AddressRange.of(IpAddresses.parse("2001:db8::1", "a"))), List.of());

        assertThatThrownBy(() -> new Network("../x", "", "", admin.address(), 16, admin.gateway(), admin.pool()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("network name");
        assertThatThrownBy(() -> new Network("admin", "", "", IpAddresses.parse("10.112.0.1", "a"), 16, Optional.empty(), admin.pool()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("not a network address");
        assertThatThrownBy(() -> new Network("admin", "", "", admin.address(), 33, Optional.empty(), admin.pool()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("not a network address");
        assertThatThrownBy(() -> new Network("admin", "", "", admin.address(), 16, Optional.of(IpAddresses.parse("10.113.0.1", "a")), admin.pool()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("gateway");
        assertThatThrownBy(() -> new Network("admin", "", "", admin.address(), 16, Optional.of(gateway), withGateway))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("gateway");
        assertThatThrownBy(() -> new Network("admin", "", "", admin.address(), 16, admin.gateway(), elsewhere))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("10.113.0.5 is outside the network");
        assertThatThrownBy(() -> new Network("admin", "", "", admin.address(), 16, admin.gateway(), ipv6))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("2001:db8::1 is outside the network");
    }
}
