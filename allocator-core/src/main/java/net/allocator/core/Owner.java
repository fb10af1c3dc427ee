package net.allocator.core;

/**
 * Who holds an address: a cluster and a node of it. An owner holds at most one address per
 * network.
 *
 * @param cluster 1 to 253 printable characters, without control characters
 * @param node 1 to 253 printable characters, without control characters
 */
public record Owner(String cluster, String node) {
    private static final int MAX_LENGTH = 253;

    /**
     * @throws InvalidInputException when a part is missing, too long or holds control characters
     */
    public Owner {
        check(cluster, "cluster");
        check(node, "node");
    }

    /** The owner as error messages name it: {@code cluster 'c' node 'n'}. */
    String describe() {
        return "cluster '" + cluster + "' node '" + node + "'";
    }

    /**
     * Checks a cluster name as an owner's cluster part is checked.
     *
     * @throws InvalidInputException when it is missing, too long or holds control characters
     */
    static String checkCluster(String cluster) {
        check(cluster, "cluster");
        return cluster;
    }

    private static void check(String value, String what) {
        if (value == null || value.isEmpty()) {
            throw new InvalidInputException(what + " is missing");
        }
        if (value.length() > MAX_LENGTH) {
            throw new InvalidInputException(what + " is longer than " + MAX_LENGTH + " characters");
        }
        if (hasUnpairedSurrogate(value)) {
            // UTF-8 cannot carry them: "\ud800" and "\udfff" would both be stored as "?"
            throw new InvalidInputException(what + " contains an unpaired UTF-16 surrogate");
        }
        if (hasControlCharacter(value)) {
            throw new InvalidInputException(what + " " + UserText.quote(value) + " contains control characters");
        }
    }

    private static boolean hasControlCharacter(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    static boolean hasUnpairedSurrogate(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
