package net.allocator.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Instant;
import net.allocator.core.store.KeyValueStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RecentClaimsTest {
    private static RecentClaims.Claim claim(long number, String record) {
        BigInteger value = BigInteger.valueOf(number);
        return new RecentClaims.Claim(value, new String("k/" + number), record,
                AddressState.used(IpAddresses.fromNumber(value, false), new Owner("c", "n"), Instant.EPOCH), "o/c/n", 1);
    }

    @Test
    @DisplayName("a claim is recalled by its address until a newer one takes its slot")
    void recall() {
        RecentClaims claims = new RecentClaims();
        RecentClaims.Claim first = claim(7, "r7");
        claims.remember(first);
        assertThat(claims.recall(BigInteger.valueOf(7))).isSameAs(first);
        assertThat(claims.recall(BigInteger.valueOf(8))).isNull();

        RecentClaims.Claim sameSlot = claim(7 + RecentClaims.CAPACITY, "r7'");
        claims.remember(sameSlot);
        assertThat(claims.recall(BigInteger.valueOf(7))).isNull();
        assertThat(claims.recall(BigInteger.valueOf(7 + RecentClaims.CAPACITY))).isSameAs(sameSlot);
        assertThat(claims.recall(IpAddresses.fromNumber(BigInteger.valueOf(7 + RecentClaims.CAPACITY), false))).isSameAs(sameSlot);
        assertThat(claims.recall(IpAddresses.fromNumber(BigInteger.valueOf(7), false))).isNull();
    }

    @Test
    @DisplayName("by address, an IPv4 claim is recalled, and an IPv6 one is left to the recall by number")
    void recallByAddress() {
        RecentClaims claims = new RecentClaims();
        for (long number : new long[] {0, 7, 1023, 1024, 0xffff_ffffL}) {
            RecentClaims.Claim claim = claim(number, "r");
            claims.remember(claim);
            assertThat(claims.recall(IpAddresses.parse(IpAddresses.format(claim.state().address()), "a"))).isSameAs(claim);
        }
        BigInteger v6 = BigInteger.ONE.shiftLeft(100).add(BigInteger.valueOf(5));
        RecentClaims.Claim claim = new RecentClaims.Claim(v6, "k/v6", "r",
                AddressState.used(IpAddresses.fromNumber(v6, true), new Owner("c", "n"), Instant.EPOCH), "o/c/n", 1);
        claims.remember(claim);
        assertThat(claims.recall(v6)).isSameAs(claim);
        assertThat(claims.recall(IpAddresses.fromNumber(v6, true))).isNull();
    }

    @Test
    @DisplayName("a claim stands for the store's record only while the record is its exact text")
    void isStored() {
        RecentClaims.Claim claim = claim(7, "{\"address\":\"0.0.0.7\"}");
        assertThat(claim.isStored(new String("{\"address\":\"0.0.0.7\"}"))).isTrue();
        assertThat(claim.isStored("{\"address\":\"0.0.0.7\" }")).isFalse();
    }

    @Test
    @DisplayName("a change is taken for this allocator's own only at a revision it noted, until a later noted revision takes the slot or a reload forgets them")
    void ownCommits() {
        RecentClaims claims = new RecentClaims();
        assertThat(claims.isOwnCommit(9)).isFalse();
        claims.committedAt(9);
        assertThat(claims.isOwnCommit(9)).isTrue();
        assertThat(claims.isOwnCommit(10)).isFalse();
        assertThat(claims.isOwnCommit(9 + RecentClaims.CAPACITY)).isFalse();

        claims.committedAt(9 + RecentClaims.CAPACITY);
        assertThat(claims.isOwnCommit(9)).isFalse();
        assertThat(claims.isOwnCommit(9 + RecentClaims.CAPACITY)).isTrue();

        claims.committedAt(KeyValueStore.VERSION_UNKNOWN);
        assertThat(claims.isOwnCommit(KeyValueStore.VERSION_UNKNOWN)).isFalse();

        claims.forgetOwnCommits();
        assertThat(claims.isOwnCommit(9 + RecentClaims.CAPACITY)).isFalse();
    }
}
