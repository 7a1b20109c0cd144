package io.warden.policies;

import java.util.Random;

/** Damages a text the way hand edits and bad copies do, for tests of what a parser makes of it. */
public final class TextMutations {

    /** What goes in: YAML's punctuation, whitespace, digits and non-ASCII letters. */
    private static final String SPECIALS = ":-*&!|>#{}[],'\"\t\n \\%@`0123456789\u00e9\u2603";

    private TextMutations() {
    }

    /** One to three edits: a character replaced, removed or inserted, or a run of up to 20 removed. */
    public static String mutate(String valid, Random random) {
        StringBuilder s = new StringBuilder(valid);
        for (int i = 1 + random.nextInt(3); i > 0 && s.length() > 0; i--) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(4)) {
                case 0 -> s.setCharAt(at, SPECIALS.charAt(random.nextInt(SPECIALS.length())));
                case 1 -> s.deleteCharAt(at);
                case 2 -> s.insert(at, SPECIALS.charAt(random.nextInt(SPECIALS.length())));
                default -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(20)));
            }
        }
        return s.toString();
    }
}
