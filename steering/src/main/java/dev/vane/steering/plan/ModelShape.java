package dev.vane.steering.plan;

/** What a plan is checked against: the served model's layer count and hidden size. */
public record ModelShape(int numLayers, int hiddenSize) {
    public ModelShape {
        if (numLayers < 1 || hiddenSize < 1) throw new IllegalArgumentException("bad model shape " + numLayers + "x" + hiddenSize);
    }
}
