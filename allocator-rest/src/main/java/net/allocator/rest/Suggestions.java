package net.allocator.rest;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** "Did you mean": the known name closest to a misspelt flag or variable. */
final class Suggestions {
    private Suggestions() {}

    /** The known name closest to {@code name}, if it is close enough to be a slip of the keyboard. */
    static Optional<String> closest(String name, List<String> known) {
        return known.stream()
                .filter(candidate -> editDistance(name, candidate) <= 2)
                .min(Comparator.comparingInt(candidate -> editDistance(name, candidate)));
    }

    /**
     * Edits (insert, delete, replace, swap two neighbours) between two names: {@code STOER} is
     * one from {@code STORE}. Names are short, so the whole table is fine.
     */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
