package dev.vane.lab.vector;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How a steering direction is fitted from positive/negative activations (methods.md §0). */
public enum FitMethod {
    /** Mean of the positive activations minus mean of the negative ones. */
    MEAN_DIFF("mean-diff"),
    /** First principal component of the paired differences, scaled by their mean projection. */
    PCA("pca");

    private final String cliName;

    FitMethod(String cliName) { this.cliName = cliName; }

    /** The name used on the command line and in manifests. */
    public String cliName() { return cliName; }

    /** @throws IllegalArgumentException naming the accepted values */
    public static FitMethod parse(String s) {
        return Arrays.stream(values()).filter(m -> m.cliName.equals(s)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--method: unknown method '" + s + "' ("
                        + Arrays.stream(values()).map(FitMethod::cliName).collect(Collectors.joining(", ")) + ")"));
    }
}
