package net.allocator.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Makes a real file or directory refuse writes for a while: its permission bits, and when this
 * process ignores those (root does), the immutable attribute ({@code chattr +i}), which binds root
 * too, including writes through a file already open.
 */
final class Unwritable implements AutoCloseable {
    private final Path path;
    private final Set<PosixFilePermission> permissions;
    private final boolean immutable;

    private Unwritable(Path path) throws IOException, InterruptedException {
        this.path = path;
        this.permissions = Files.getPosixFilePermissions(path);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "r-xr-xr-x" : "r--r--r--"));
        this.immutable = Files.isWritable(path);
        if (immutable) {
            chattr("+i");
        }
    }

    static Unwritable make(Path path) throws IOException, InterruptedException {
        return new Unwritable(path);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (immutable) {
            chattr("-i");
        }
        Files.setPosixFilePermissions(path, permissions);
    }

    private void chattr(String flag) throws IOException, InterruptedException {
        Process chattr = new ProcessBuilder("chattr", flag, path.toString()).inheritIO().start();
        if (chattr.waitFor() != 0) {
            throw new IOException("chattr " + flag + " " + path + " failed: the test needs a file system with the immutable attribute");
        }
    }
}
