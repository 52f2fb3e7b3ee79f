package dev.vane.steering.artifact;

import java.util.List;
import java.util.stream.IntStream;

/**
 * An inclusive range of layers, written {@code A-B} (or {@code A} for one layer) on the command
 * line and {@code [A, B]} in requests, as design.md §5 specifies.
 */
public record LayerRange(int first, int last) {

    public LayerRange {
        if (first < 0 || last < first)
            throw new IllegalArgumentException("layers: bad range " + first + "-" + last + " (need 0 <= A <= B)");
    }

    /** @throws IllegalArgumentException naming {@code field} when {@code s} is not {@code A-B} or {@code A} */
    public static LayerRange parse(String s, String field) {
        String[] parts = s.split("-", -1);
        try {
            if (parts.length == 1) {
                int a = Integer.parseInt(parts[0].trim());
                return new LayerRange(a, a);
            }
            if (parts.length == 2) return new LayerRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            // fall through to the message below
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage());
        }
        throw new IllegalArgumentException(field + ": expected A-B or A (inclusive layer numbers), got '" + s + "'");
    }

    /** Every layer of a model with {@code numLayers} layers. */
    public static LayerRange all(int numLayers) { return new LayerRange(0, numLayers - 1); }

    /** @throws IllegalArgumentException naming {@code field} when the range exceeds the model */
    public LayerRange within(int numLayers, String field) {
        if (last >= numLayers)
            throw new IllegalArgumentException(field + ": " + this + " exceeds the model's layers 0-" + (numLayers - 1));
        return this;
    }

    public List<Integer> toList() { return IntStream.rangeClosed(first, last).boxed().toList(); }

    @Override
    public String toString() { return first + "-" + last; }
}
