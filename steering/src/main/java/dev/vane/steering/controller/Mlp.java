package dev.vane.steering.controller;

/**
 * Plain-Java forward of the controller MLP {@code 4D → H (ReLU) → 1 + L}, for the engine thread:
 * no autograd, no native arrays, one allocation for the hidden layer. Weights in HF
 * {@code [out, in]} layout, flattened row-major.
 */
public final class Mlp {

    private final int in, width, out;
    private final float[] w1; // [H, 4D]
    private final float[] b1; // [H]
    private final float[] w2; // [1+L, H]
    private final float[] b2; // [1+L]

    public Mlp(int in, int width, int out, float[] w1, float[] b1, float[] w2, float[] b2) {
        this.in = in;
        this.width = width;
        this.out = out;
        this.w1 = w1;
        this.b1 = b1;
        this.w2 = w2;
        this.b2 = b2;
    }

    public ControllerOutput evaluate(float[] features) {
        if (features == null || features.length != in)
            throw new IllegalArgumentException("features must have length 4D=" + in);
        float[] h = new float[width];
        for (int i = 0; i < width; i++) {
            double acc = b1[i];
            int row = i * in;
            for (int j = 0; j < in; j++) acc += (double) w1[row + j] * features[j];
            h[i] = acc > 0 ? (float) acc : 0f;
        }
        float s = 0;
        float[] w = new float[out - 1];
        for (int o = 0; o < out; o++) {
            double acc = b2[o];
            int row = o * width;
            for (int j = 0; j < width; j++) acc += (double) w2[row + j] * h[j];
            if (o == 0) s = (float) acc;
            else w[o - 1] = (float) (1 / (1 + Math.exp(-acc)));
        }
        return new ControllerOutput(s, w);
    }
}
