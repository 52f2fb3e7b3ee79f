package dev.vane.lab.gact;

/** Validation and slicing of paired activation caches {@code float[N][L][D]}. */
final class Pairs {

    private Pairs() {}

    /** Checks that both caches are non-empty, rectangular and of one shape; returns L. */
    static int check(float[][][] neutral, float[][][] explicit) {
        if (neutral == null || neutral.length == 0) throw new IllegalArgumentException("neutral must be non-empty");
        if (explicit == null || explicit.length != neutral.length)
            throw new IllegalArgumentException("explicit must have one entry per neutral prompt (" + neutral.length + ")");
        int layers = neutral[0].length;
        if (layers == 0) throw new IllegalArgumentException("neutral must have at least one layer");
        int d = neutral[0][0].length;
        if (d == 0) throw new IllegalArgumentException("neutral activations must be non-empty");
        for (int i = 0; i < neutral.length; i++) {
            if (neutral[i].length != layers || explicit[i].length != layers)
                throw new IllegalArgumentException("neutral and explicit must have " + layers + " layers for every prompt");
            for (int l = 0; l < layers; l++)
                if (neutral[i][l].length != d || explicit[i][l].length != d)
                    throw new IllegalArgumentException("neutral and explicit activations must all have length " + d);
        }
        return layers;
    }

    static void checkLayers(int[] layers, int numLayers) {
        if (layers == null || layers.length == 0) throw new IllegalArgumentException("layers must be non-empty");
        for (int l : layers)
            if (l < 0 || l >= numLayers) throw new IllegalArgumentException("layers must be in [0, " + numLayers + "), got " + l);
    }

    /** {@code x[:, l, :]}, rows shared. */
    static float[][] layer(float[][][] x, int l) {
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) out[i] = x[i][l];
        return out;
    }
}
