package net.allocator.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import net.allocator.core.AddressQuery;
import net.allocator.core.AddressStatus;
import net.allocator.core.Allocator;
import net.allocator.core.ConcurrentHarness;
import net.allocator.core.IpAddresses;
import net.allocator.core.Network;
import net.allocator.core.Owner;
import net.allocator.core.store.ChangeListener;
import net.allocator.core.store.Condition;
import net.allocator.core.store.Operation;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several store instances, and another JVM, on one database file: SQLite's locks decide. */
class SqliteSeveralProcessesTest {
    @TempDir
    Path directory;


    @Test
    @DisplayName("two instances in this process and another process, allocating at once on one file, never hand out an address twice")
    void noAddressTwice() throws Exception {
        Path file = directory.resolve("shared.db");
        int childOwners = 150;
        int threads = 8;
        int perThread = 25;
        try (SqliteKeyValueStore one = SqliteKeyValueStore.open(file); SqliteKeyValueStore two = SqliteKeyValueStore.open(file);
                Allocator first = Allocator.create(one); Allocator second = Allocator.create(two)) {
            first.register(Network.builder().name("lab").description("shared").bridge("br0").network("10.9.0.0")
                    .netmask("16").gateway("10.9.0.1").addresses(List.of("10.9.0.2-10.9.3.254")).build());
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), AllocatingProcess.class.getName(),
                    file.toString(), "lab", "child", Integer.toString(childOwners))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> handedOut = new CopyOnWriteArrayList<>();
            List<Throwable> failures = ConcurrentHarness.run(threads, thread -> {
                Allocator allocator = thread % 2 == 0 ? first : second;
                for (int i = 0; i < perThread; i++) {
                    handedOut.add(IpAddresses.format(allocator.allocate("lab", new Owner("here", thread + "-" + i)).address()));
                }
            });
            List<String> childLines = readAll(child);
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the other process ended").isTrue();
            assertThat(child.exitValue()).isZero();
            assertThat(failures).isEmpty();
            assertThat(childLines).hasSize(childOwners);
            childLines.forEach(line -> handedOut.add(line.split(" ")[1]));

            assertThat(handedOut).hasSize(threads * perThread + childOwners).doesNotHaveDuplicates();
            List<String> stored = first.list("lab", AddressQuery.only(AddressStatus.USED, 10_000)).addresses().stream()
                    .map(state -> IpAddresses.format(state.address())).toList();
            assertThat(stored).containsExactlyInAnyOrderElementsOf(handedOut);
        }
    }

    @Test
    @DisplayName("an instance's feed carries its own commits, and ends with one reset when another instance writes")
    void feedResetsOnOthersCommits() throws Exception {
        Path file = directory.resolve("feed.db");
        try (SqliteKeyValueStore mine = SqliteKeyValueStore.open(file); SqliteKeyValueStore other = SqliteKeyValueStore.open(file)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            long start = mine.scan("f/", null, 1).revision();
            mine.watch("f/", start, new ChangeListener() {
                @Override
                public void onPut(String key, String value, long revision) {
                    seen.add("put " + key + " by " + Thread.currentThread().getName().startsWith("sqlite-feed"));
                }

                @Override
                public void onDelete(String key, long revision) {
                    seen.add("delete " + key);
                }

                @Override
                public void onReset(Throwable cause) {
                    seen.add("reset");
                }
            });
            mine.commit(List.of(Condition.absent("f/a")), List.of(Operation.put("f/a", "1")));
            awaitSize(seen, 1);
            other.commit(List.of(), List.of(Operation.put("f/b", "2")));
            awaitSize(seen, 2);
            mine.commit(List.of(), List.of(Operation.put("f/c", "3")));
            Thread.sleep(300); // time for anything wrongly delivered after the reset
            assertThat(seen).containsExactly("put f/a by true", "reset");
        }
    }

    private static void awaitSize(List<String> seen, int size) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (seen.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static List<String> readAll(Process process) throws IOException {
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return out.isBlank() ? List.of() : new ArrayList<>(out.lines().toList());
    }
}
