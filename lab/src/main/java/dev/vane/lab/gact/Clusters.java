package dev.vane.lab.gact;

import dev.vane.steering.gact.Vec;


/**
 * k-means of the training prompts' activation differences, with labels for both halves of the
 * split: training prompts keep their k-means assignment, held-out prompts take the nearest
 * training centroid (they never influence the centroids).
 */
record Clusters(KMeans.Result kmeans, int[] trainLabels, int[] heldOutLabels) {

    static Clusters fit(float[][] delta, Split split, int k, int restarts, long seed) {
        KMeans.Result km = KMeans.fit(Vec.rows(delta, split.train()), new KMeans.Config(k, 100, restarts, seed));
        int[] held = new int[split.heldOut().length];
        for (int i = 0; i < held.length; i++) held[i] = KMeans.nearest(km.centroids(), delta[split.heldOut()[i]]);
        return new Clusters(km, km.assignments(), held);
    }
}
