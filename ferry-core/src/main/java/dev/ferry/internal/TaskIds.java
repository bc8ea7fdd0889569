package dev.ferry.internal;

import java.security.SecureRandom;

/**
 * Generated task ids: 26 characters, Crockford base32, time-ordered like ULIDs (48 bits of
 * milliseconds, then 80 random bits), so ids sort roughly by creation and index well.
 */
public final class TaskIds {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom SEED = new SecureRandom();
    private static final ThreadLocal<java.util.SplittableRandom> RANDOM =
            ThreadLocal.withInitial(() -> new java.util.SplittableRandom(SEED.nextLong()));

    private TaskIds() {
    }

    public static String next() {
        long time = System.currentTimeMillis();
        java.util.SplittableRandom r = RANDOM.get();
        long hi = r.nextLong();
        long lo = r.nextLong();
        char[] out = new char[26];
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        for (int i = 10; i < 26; i++) {
            long src = i < 18 ? hi : lo;
            out[i] = ALPHABET[(int) ((src >>> ((i % 8) * 5)) & 31)];
        }
        return new String(out);
    }
}
