package dev.vane.attention;

import java.util.Locale;

/** How a softmax model's attention is computed; all three give the same function up to rounding. */
public enum SoftmaxAlgorithm {
    /** The whole score row of a query at once ({@link SoftmaxAttention}). */
    REFERENCE,
    /** Blocks of keys with a running maximum ({@link OnlineSoftmaxAttention}). */
    ONLINE,
    /** Two passes over blocks of keys, exponentials as mantissa and power of two ({@link TwoPassSoftmaxAttention}). */
    TWO_PASS;

    /** The name in flags, requests and configs: {@code reference}, {@code online}, {@code two_pass}. */
    public String id() { return name().toLowerCase(Locale.ROOT); }

    /** The algorithm named {@code id} ({@code two-pass} is accepted for {@code two_pass}). */
    public static SoftmaxAlgorithm parse(String id) {
        for (SoftmaxAlgorithm a : values()) if (a.id().equals(id.replace('-', '_'))) return a;
        throw new IllegalArgumentException("unknown softmax algorithm '" + id + "' (reference, online, two_pass)");
    }
}
