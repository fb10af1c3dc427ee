package net.allocator.core;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Where everything lives in the store, for every backend:
 *
 * <pre>
 * {prefix}/networks/{name}                      the network's definition (JSON)
 * {prefix}/addresses/{name}/{hex address}       one key per USED address: its owner (JSON)
 * {prefix}/owners/{name}/{cluster}/{node}       the address the owner holds: the same record (JSON)
 * </pre>
 *
 * <p>The owner's key holds the very record written at its address's key, in the same commit, so
 * that finding an owner's address is one read.
 *
 * A free address has no key. Address keys are fixed-width hex ({@link IpAddresses#toKey}), so
 * byte order is numeric order. Names are restricted ({@link Network#checkName}) and owner parts
 * escaped, so nothing a caller sends can reach outside its network's keys.
 */
final class KeyLayout {
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");

    private final String networks;
    private final String addresses;
    private final String owners;

    KeyLayout(String prefix) {
        if (prefix == null || prefix.length() > 128 || !PREFIX.matcher(prefix).matches()) {
            throw new InvalidInputException("key prefix " + (prefix == null ? "null" : UserText.quote(prefix))
                    + " must be segments of A-Z a-z 0-9 . _ - separated by single '/', not starting with '.'");
        }
        this.networks = prefix + "/networks/";
        this.addresses = prefix + "/addresses/";
        this.owners = prefix + "/owners/";
    }

    String networksPrefix() {
        return networks;
    }

    String networkKey(String name) {
        return networks + name;
    }

    String nameOfNetworkKey(String key) {
        return key.substring(networks.length());
    }

    String addressesPrefix(String network) {
        return addresses + network + "/";
    }

    String addressKey(String network, InetAddress address) {
        return of(network).address(address);
    }

    String ownersPrefix(String network) {
        return owners + network + "/";
    }

    /**
     * The prefix of the owner keys of one cluster in one network: what a cluster holds there is
     * one prefix read, never a read of the network's addresses.
     */
    String clusterOwnersPrefix(String network, String cluster) {
        return owners + network + "/" + escape(cluster) + "/";
    }

    String ownerKey(String network, Owner owner) {
        return of(network).owner(owner);
    }

    /** The keys of one network. */
    NetworkKeys of(String network) {
        return new NetworkKeys(networkKey(network), addressesPrefix(network), ownersPrefix(network));
    }

    /**
     * The keys of one network, with its prefixes built once: an allocator keeps one per network
     * rather than concatenating (and hashing) them anew on every allocation.
     */
    record NetworkKeys(String network, String addresses, String owners) {
        String address(InetAddress address) {
            return IpAddresses.keyAfter(addresses, address);
        }

        String owner(Owner owner) {
            String plain = plainConcat(owners, owner.cluster(), owner.node());
            return plain != null ? plain : concat(owners, escape(owner.cluster()), escape(owner.node()));
        }
    }

    /**
     * {@code prefix + cluster + "/" + node}, all ASCII, in one buffer: on every allocation, where
     * the compiled string concatenation profiled at a sixteenth of an in-memory allocate+release.
     */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exact for ASCII, and copies nothing else
    private static String concat(String prefix, String cluster, String node) {
        byte[] key = new byte[prefix.length() + cluster.length() + 1 + node.length()];
        prefix.getBytes(0, prefix.length(), key, 0);
        cluster.getBytes(0, cluster.length(), key, prefix.length());
        key[prefix.length() + cluster.length()] = '/';
        node.getBytes(0, node.length(), key, prefix.length() + cluster.length() + 1);
        return new String(key, StandardCharsets.ISO_8859_1);
    }

    /**
     * {@link #concat} of parts that need no {@link #escape escaping}, checked while they are
     * copied (on every allocation), or null when one does.
     */
    @SuppressWarnings("deprecation") // as in concat
    private static String plainConcat(String prefix, String cluster, String node) {
        byte[] key = new byte[prefix.length() + cluster.length() + 1 + node.length()];
        prefix.getBytes(0, prefix.length(), key, 0);
        int at = copyPlain(cluster, key, prefix.length());
        if (at < 0) {
            return null;
        }
        key[at] = '/';
        return copyPlain(node, key, at + 1) < 0 ? null : new String(key, StandardCharsets.ISO_8859_1);
    }

    /** Copies a part that needs no escaping and returns where it ends, or -1 when it needs escaping. */
    private static int copyPlain(String part, byte[] into, int at) {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (!isPlain(c, i)) {
                return -1;
            }
            into[at + i] = (byte) c;
        }
        return at + part.length();
    }

    /**
     * Keeps {@code A-Z a-z 0-9 . _ -} and writes every other byte as {@code ~XX}, and a leading
     * dot too, so that a part is never {@code .} or {@code ..}, never holds {@code /}, and stays
     * readable for the usual cluster and node names. {@code ~} needs no escaping in a URL, and
     * {@code %} never appears in a key.
     */
    static String escape(String part) {
        if (isPlain(part)) {
            return part;
        }
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            if (isPlain((char) b, i)) {
                out.append((char) b);
            } else {
                out.append('~').append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            }
        }
        return out.toString();
    }

    private static boolean isPlain(String part) {
        for (int i = 0; i < part.length(); i++) {
            if (!isPlain(part.charAt(i), i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a part's character at {@code index} is kept as it is. */
    private static boolean isPlain(char c, int index) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '-' || (c == '.' && index > 0);
    }
}
