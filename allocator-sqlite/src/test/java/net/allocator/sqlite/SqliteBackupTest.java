package net.allocator.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.allocator.core.AddressState;
import net.allocator.core.Allocator;
import net.allocator.core.ConcurrentHarness;
import net.allocator.core.IpAddresses;
import net.allocator.core.Network;
import net.allocator.core.Owner;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteBackupTest {
    @TempDir
    Path directory;


    @Test
    @DisplayName("a backup taken under load holds every allocation acknowledged before it began")
    void backupUnderLoad() throws Exception {
        Path backup = directory.resolve("backups/allocator-backup.db");
        Map<String, String> acknowledgedBefore = new ConcurrentHashMap<>();
        AtomicBoolean backingUp = new AtomicBoolean();
        CountDownLatch loadRunning = new CountDownLatch(200);
        try (SqliteKeyValueStore store = SqliteKeyValueStore.open(directory.resolve("live.db")); Allocator allocator = Allocator.create(store)) {
            allocator.register(Network.builder().name("lab").description("backed up").bridge("br0").network("10.8.0.0")
                    .netmask("16").gateway("10.8.0.1").addresses(List.of("10.8.0.2-10.8.15.254")).build());
            List<Throwable> failures = ConcurrentHarness.run(9, thread -> {
                if (thread == 0) {
                    assertThat(loadRunning.await(60, TimeUnit.SECONDS)).isTrue();
                    backingUp.set(true); // what is acknowledged from here on may or may not be in the copy
                    store.backupTo(backup);
                    return;
                }
                for (int i = 0; i < 150; i++) {
                    Owner owner = new Owner("backup", thread + "-" + i);
                    AddressState state = allocator.allocate("lab", owner);
                    if (!backingUp.get()) {
                        acknowledgedBefore.put(owner.node(), IpAddresses.format(state.address()));
                    }
                    loadRunning.countDown();
                }
            });
            assertThat(failures).isEmpty();
        }
        assertThat(acknowledgedBefore).hasSizeGreaterThanOrEqualTo(200);
        try (SqliteKeyValueStore restored = SqliteKeyValueStore.open(backup); Allocator allocator = Allocator.create(restored)) {
            for (Map.Entry<String, String> held : acknowledgedBefore.entrySet()) {
                assertThat(allocator.show("lab", InetAddresses.forString(held.getValue())).owner())
                        .as(held.getValue()).contains(new Owner("backup", held.getKey()));
            }
        }
    }

    @Test
    @DisplayName("a backup never overwrites a file")
    void neverOverwrites() throws Exception {
        Path existing = Files.writeString(directory.resolve("taken.db"), "keep me");
        try (SqliteKeyValueStore store = SqliteKeyValueStore.open(directory.resolve("live.db"))) {
            assertThatThrownBy(() -> store.backupTo(existing)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(existing.toString());
        }
        assertThat(existing).hasContent("keep me");
    }
}
