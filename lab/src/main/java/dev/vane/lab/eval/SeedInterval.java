package dev.vane.lab.eval;

import org.apache.commons.math3.distribution.TDistribution;

import java.util.Locale;

/**
 * The mean of a measurement repeated over independent seeds, with its 95% interval:
 * {@code mean ± t(0.975, n − 1) · sd / √n} (Student's t, sample standard deviation). One value
 * has no interval ({@code low = high = mean}).
 */
public record SeedInterval(double mean, double low, double high, int seeds) {

    public static SeedInterval of(double[] values) {
        int n = values.length;
        if (n == 0) throw new IllegalArgumentException("no values");
        double sum = 0;
        for (double v : values) sum += v;
        double mean = sum / n;
        if (n == 1) return new SeedInterval(mean, mean, mean, 1);
        double ss = 0;
        for (double v : values) ss += (v - mean) * (v - mean);
        double half = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * Math.sqrt(ss / (n - 1) / n);
        return new SeedInterval(mean, mean - half, mean + half, n);
    }

    /** As a percentage: {@code 59% (55 – 63)}. */
    public String percent() {
        return seeds == 1 ? String.format(Locale.ROOT, "%.0f%%", 100 * mean)
                : String.format(Locale.ROOT, "%.0f%% (%.0f – %.0f)", 100 * mean, 100 * low, 100 * high);
    }
}
