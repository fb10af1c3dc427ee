package net.allocator.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CandidateViewTest {
    private static BigInteger n(long value) {
        return BigInteger.valueOf(value);
    }

    private static CandidateView view(long first, long last) {
        return new CandidateView(AddressPool.of(List.of(new AddressRange(n(first), n(last), false)), List.of()));
    }

    @Test
    @DisplayName("the lowest address not used or reserved comes first")
    void lowest() {
        CandidateView view = view(10, 20);
        view.markUsed(n(10));
        view.markUsed(n(11));
        assertThat(view.reserveLowestFree()).contains(n(12));
        assertThat(view.reserveLowestFree()).contains(n(13));
        view.unreserve(n(12));
        assertThat(view.reserveLowestFree()).contains(n(12));
    }

    @Test
    @DisplayName("an address marked used is no longer reserved: freed again, it is a candidate")
    void markUsedEndsReservation() {
        CandidateView view = view(10, 20);
        assertThat(view.reserveLowestFree()).contains(n(10));
        view.markUsed(n(10));
        view.markFree(n(10));
        assertThat(view.reserveLowestFree()).contains(n(10));
    }

    @Test
    @DisplayName("used addresses merge into runs and split again on release")
    void runs() {
        CandidateView view = view(0, 100);
        for (long i = 0; i <= 100; i += 2) {
            view.markUsed(n(i));
        }
        assertThat(view.runs()).isEqualTo(51);
        for (long i = 1; i < 100; i += 2) {
            view.markUsed(n(i));
        }
        assertThat(view.runs()).isEqualTo(1);
        assertThat(view.reserveLowestFree()).isEmpty();
        view.markFree(n(50));
        assertThat(view.runs()).isEqualTo(2);
        assertThat(view.reserveLowestFree()).contains(n(50));
        assertThat(view.anyNotUsed()).isTrue();
    }

    @Test
    @DisplayName("marking twice, or freeing what is free, changes nothing")
    void idempotent() {
        CandidateView view = view(0, 10);
        view.markUsed(n(3));
        view.markUsed(n(3));
        view.markFree(n(7));
        assertThat(view.runs()).isEqualTo(1);
    }

    @Test
    @DisplayName("after a lost race a candidate comes from among the lowest free, never a used or reserved one")
    void spreadAmongLowest() {
        CandidateView view = view(0, 1000);
        for (long i = 0; i < 10; i++) {
            view.markUsed(n(i));
        }
        java.util.Set<BigInteger> seen = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            BigInteger got = view.reserveOneOfLowest(8).orElseThrow();
            assertThat(got).isBetween(n(10), n(17));
            seen.add(got);
            view.unreserve(got);
        }
        assertThat(seen).hasSizeGreaterThan(1);
        CandidateView nearlyFull = view(0, 3);
        nearlyFull.markUsed(n(0));
        nearlyFull.markUsed(n(2));
        assertThat(nearlyFull.reserveOneOfLowest(8)).get().isIn(n(1), n(3));
    }

    @Test
    @DisplayName("random marks, frees, reservations and reloads agree with a plain set of used addresses, across pool gaps")
    void agreesWithModel() {
        AddressPool pool = AddressPool.of(List.of(new AddressRange(n(10), n(60), false), new AddressRange(n(64), n(64), false),
                new AddressRange(n(70), n(120), false)), List.of(n(30)));
        java.util.Random random = new java.util.Random(11);
        for (int trial = 0; trial < 50; trial++) {
            CandidateView view = new CandidateView(pool);
            java.util.BitSet used = new java.util.BitSet();
            java.util.Set<Integer> reserved = new java.util.HashSet<>();
            for (int step = 0; step < 2_000; step++) {
                int address = 5 + random.nextInt(120);
                switch (random.nextInt(random.nextInt(50) == 0 ? 7 : 6)) {
                    case 0, 1 -> {
                        view.markUsed(n(address));
                        used.set(address);
                        reserved.remove(address);
                    }
                    case 2 -> {
                        view.markFree(n(address));
                        used.clear(address);
                    }
                    case 3 -> {
                        Integer expected = lowest(pool, used, reserved, true);
                        assertThat(view.reserveLowestFree()).isEqualTo(Optional.ofNullable(expected).map(CandidateViewTest::n));
                        if (expected != null) {
                            reserved.add(expected);
                        }
                    }
                    case 4 -> {
                        if (!reserved.isEmpty()) {
                            int gone = reserved.iterator().next();
                            view.unreserve(n(gone));
                            reserved.remove(gone);
                        }
                    }
                    case 5 -> {
                        // after lost races: one of the few lowest, never used or reserved
                        int among = 1 + random.nextInt(4);
                        List<Integer> lowest = new java.util.ArrayList<>();
                        for (int a = 0; a < 200 && lowest.size() < among; a++) {
                            if (pool.contains(n(a)) && !used.get(a) && !reserved.contains(a)) {
                                lowest.add(a);
                            }
                        }
                        Optional<BigInteger> chosen = view.reserveOneOfLowest(among);
                        assertThat(chosen.isPresent()).isEqualTo(!lowest.isEmpty());
                        chosen.ifPresent(c -> {
                            assertThat(lowest).contains(c.intValueExact());
                            reserved.add(c.intValueExact());
                        });
                    }
                    default -> {
                        // a reload: what is used now, with some low addresses freed meanwhile
                        used.clear(0, random.nextInt(60));
                        CandidateView loaded = new CandidateView(pool);
                        used.stream().forEach(a -> loaded.markUsed(n(a)));
                        view.replaceUsed(loaded);
                    }
                }
                assertThat(view.lowestNotUsed()).isEqualTo(Optional.ofNullable(lowest(pool, used, reserved, false)).map(CandidateViewTest::n));
                assertThat(view.isUsed(n(address))).isEqualTo(used.get(address));
                int runs = 0;
                for (int a = used.nextSetBit(0); a >= 0; a = used.nextSetBit(used.nextClearBit(a))) {
                    runs++;
                }
                assertThat(view.runs()).as("trial %d step %d", trial, step).isEqualTo(runs);
            }
        }
    }

    private static Integer lowest(AddressPool pool, java.util.BitSet used, java.util.Set<Integer> reserved, boolean skipReserved) {
        for (int a = 0; a < 200; a++) {
            if (pool.contains(n(a)) && !used.get(a) && !(skipReserved && reserved.contains(a))) {
                return a;
            }
        }
        return null;
    }
}
