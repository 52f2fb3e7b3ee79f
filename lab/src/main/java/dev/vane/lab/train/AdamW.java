package dev.vane.lab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.util.ArrayList;
import java.util.List;

/**
 * AdamW (Loshchilov &amp; Hutter) over a fixed list of f32 parameters, updated in place:
 * <pre>
 *   m = β₁m + (1-β₁)g        v = β₂v + (1-β₂)g²
 *   p = p - lr·( m/(1-β₁ᵗ) / (sqrt(v/(1-β₂ᵗ)) + ε) + λ·p )
 * </pre>
 * Gradients are read from the parameters and zeroed after each step.
 */
public final class AdamW {

    private final List<NDArray> params;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private int step;

    public AdamW(NDList params, double beta1, double beta2, double eps, double weightDecay) {
        this.params = List.copyOf(params);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        for (NDArray p : this.params) {
            m.add(p.zerosLike());
            v.add(p.zerosLike());
        }
    }

    public static AdamW of(NDList params, double weightDecay) {
        return new AdamW(params, 0.9, 0.999, 1e-8, weightDecay);
    }

    public int steps() { return step; }

    /** One update at learning rate {@code lr}; returns the global gradient norm before clipping. */
    public double step(double lr, double clipNorm) {
        step++;
        double sq = 0;
        List<NDArray> grads = new ArrayList<>(params.size());
        for (NDArray p : params) {
            NDArray g = p.getGradient();
            grads.add(g);
            sq += g.square().sum().getFloat();
        }
        double norm = Math.sqrt(sq);
        float clip = clipNorm > 0 && norm > clipNorm ? (float) (clipNorm / norm) : 1f;
        float bc1 = (float) (1 - Math.pow(beta1, step));
        float bc2 = (float) (1 - Math.pow(beta2, step));
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            NDArray g = clip == 1f ? grads.get(i) : grads.get(i).mul(clip);
            m.get(i).muli((float) beta1).addi(g.mul((float) (1 - beta1)));
            v.get(i).muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
            NDArray update = m.get(i).div(bc1).divi(v.get(i).div(bc2).sqrt().addi((float) eps));
            if (weightDecay > 0) update.addi(p.mul((float) weightDecay));
            p.subi(update.muli((float) lr));
            grads.get(i).subi(grads.get(i)); // zero the accumulated gradient
        }
        return norm;
    }

    /** Optimiser state, for checkpoints: first then second moments, in parameter order. */
    public NDList state() {
        NDList s = new NDList();
        s.addAll(m);
        s.addAll(v);
        return s;
    }

    /** Restores {@link #state()} and the step count. */
    public void restore(NDList state, int steps) {
        for (int i = 0; i < params.size(); i++) {
            state.get(i).copyTo(m.get(i));
            state.get(params.size() + i).copyTo(v.get(i));
        }
        this.step = steps;
    }
}
