package dev.vane.steering.plan;

/** An inclusive range of decoder layers, {@code [first, last]}. */
public record LayerRange(int first, int last) {

    public LayerRange {
        if (first < 0 || last < first)
            throw new PlanException("layers", "layers must be [first, last] with 0 <= first <= last, got [" + first + ", " + last + "]");
    }

    public static LayerRange all(int numLayers) { return new LayerRange(0, numLayers - 1); }

    public boolean contains(int layer) { return layer >= first && layer <= last; }

    public int size() { return last - first + 1; }

    /** This range, checked against a model of {@code numLayers} layers. */
    public LayerRange within(int numLayers) {
        if (last >= numLayers)
            throw new PlanException("layers", "layers [" + first + ", " + last + "] out of range: the model has "
                    + numLayers + " layers (0.." + (numLayers - 1) + ")");
        return this;
    }

    @Override
    public String toString() { return "[" + first + ", " + last + "]"; }
}
