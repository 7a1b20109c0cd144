package io.warden.policies;

import java.util.Collection;
import java.util.Locale;

/**
 * "Did you mean" for misspelt keys and names: a typo in a policy file should cost one look at the error, not a trip
 * to the documentation.
 */
final class NearestName {

    private static final int MAX_DISTANCE = 2;

    private NearestName() {
    }

    /** {@code " (did you mean X?)"} for the closest candidate, or "" when none is close. */
    static String hint(String given, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String g = given.toLowerCase(Locale.ROOT);
        for (String candidate : candidates) {
            int d = distance(g, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        boolean close = bestDistance <= Math.min(MAX_DISTANCE, given.length() / 3);
        return best != null && (close || bestDistance == 0) ? " (did you mean " + best + "?)" : "";
    }

    /** Edit distance where swapping two neighbouring letters counts as one edit (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
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
