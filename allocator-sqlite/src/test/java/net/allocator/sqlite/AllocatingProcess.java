package net.allocator.sqlite;

import java.nio.file.Path;
import net.allocator.core.Allocator;
import net.allocator.core.IpAddresses;
import net.allocator.core.Owner;

/**
 * Another process on the same database file: allocates an address for each of {@code count}
 * owners named {@code <name>-<i>} in {@code network}, and prints {@code owner address} per line.
 * Arguments: database file, network, name, count.
 */
public final class AllocatingProcess {
    private AllocatingProcess() {}

    public static void main(String[] args) {
        try (SqliteKeyValueStore store = SqliteKeyValueStore.open(Path.of(args[0])); Allocator allocator = Allocator.create(store)) {
            int count = Integer.parseInt(args[3]);
            for (int i = 0; i < count; i++) {
                Owner owner = new Owner(args[2], "node-" + i);
                System.out.println(owner.node() + " " + IpAddresses.format(allocator.allocate(args[1], owner).address()));
            }
        }
        System.out.flush();
    }
}
