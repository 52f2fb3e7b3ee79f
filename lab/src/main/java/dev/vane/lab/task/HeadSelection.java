package dev.vane.lab.task;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.hooks.HookRegistry;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.StepInput;
import dev.vane.lab.train.AdamW;
import dev.vane.lab.train.Losses;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Head selection of arXiv 2507.20906 (§3.2): the logits θ {@code [L, H]} of the mixing weights
 * α = sigmoid(θ), trained with Adam through the frozen model (its forward runs under DJL
 * autograd) to minimise the cross-entropy of a query's answer given the zero-shot prompt with
 * ē injected at the prompt's last token. Validation every {@code validEvery} steps keeps the best
 * θ (the released code keeps the last one).
 *
 * <p>Each layer's θ is its own parameter {@code [H]}; the model's weights never require gradients.
 */
public final class HeadSelection implements AutoCloseable {

    /** Which answer tokens the loss scores. */
    public enum Loss {
        /** Only the first answer token with visible text, as in the paper and its code (the default). */
        FIRST_TOKEN("first-token"),
        /** Every answer token and the blank line that ends a demonstration. */
        ANSWER("answer");

        private final String cliName;

        Loss(String cliName) { this.cliName = cliName; }

        public String cliName() { return cliName; }

        public static Loss parse(String s) {
            for (Loss l : values()) if (l.cliName.equals(s)) return l;
            throw new IllegalArgumentException("--loss: must be answer or first-token, got '" + s + "'");
        }
    }

    /**
     * A zero-shot prompt and the answer tokens it should be followed by (at least one).
     *
     * @param firstTokens how many answer tokens {@link Loss#FIRST_TOKEN} scores: up to and
     *                    including the first with visible text (a tokenizer that splits the
     *                    leading space off {@code " 4"} would otherwise score only the space)
     */
    public record Query(int[] prompt, int[] answer, int firstTokens) {
        public Query {
            if (prompt.length == 0) throw new IllegalArgumentException("empty prompt");
            if (answer.length == 0) throw new IllegalArgumentException("empty answer");
            if (firstTokens < 1 || firstTokens > answer.length)
                throw new IllegalArgumentException("firstTokens " + firstTokens + " outside [1, " + answer.length + "]");
        }

        /** A query whose first answer token carries text. */
        public Query(int[] prompt, int[] answer) {
            this(prompt, answer, 1);
        }

        private int scored(Loss loss) {
            return loss == Loss.FIRST_TOKEN ? firstTokens : answer.length;
        }

        /** Tokens fed: the prompt and every scored answer token but the last. */
        int[] input(Loss loss) {
            int n = scored(loss);
            int[] in = new int[prompt.length + n - 1];
            System.arraycopy(prompt, 0, in, 0, prompt.length);
            System.arraycopy(answer, 0, in, prompt.length, n - 1);
            return in;
        }

        /** Next-token targets of {@link #input}: the answer from the last prompt position, -1 before. */
        int[][] targets(Loss loss) {
            int n = scored(loss);
            int[] t = new int[prompt.length + n - 1];
            java.util.Arrays.fill(t, -1);
            System.arraycopy(answer, 0, t, prompt.length - 1, n);
            return new int[][] {t};
        }
    }

    public record Options(int steps, double learningRate, int validEvery, Loss loss, long seed) {
        public Options {
            if (steps < 0) throw new IllegalArgumentException("--steps: must be >= 0, got " + steps);
            if (!(learningRate > 0)) throw new IllegalArgumentException("--lr: must be > 0, got " + learningRate);
            if (validEvery < 1) throw new IllegalArgumentException("--valid-every: must be >= 1, got " + validEvery);
        }

        /** The paper's settings: 400 steps of Adam at lr 0.2, validating every 50. */
        public static Options paper(Loss loss, long seed) { return new Options(400, 0.2, 50, loss, seed); }
    }

    /** One validation: the step (0 = before training) and the mean held-out loss. */
    public record Point(int step, double validLoss) {}

    /**
     * @param logits          the best θ {@code [L, H]}
     * @param noInjectionLoss mean held-out loss of the plain zero-shot prompt
     * @param diverged        the step whose training or held-out loss was not finite, where the
     *                        optimisation stopped (keeping the best θ validated before it)
     */
    public record Result(float[] logits, int bestStep, double bestLoss, double noInjectionLoss, List<Point> curve,
                         java.util.OptionalInt diverged) {
        public double initialLoss() { return curve.get(0).validLoss(); }
    }

    /** Told after each step; {@code validLoss} is NaN except at validation steps. */
    @FunctionalInterface
    public interface Listener {
        void step(int step, int steps, double trainLoss, double validLoss);

        Listener NONE = (step, steps, train, valid) -> {};
    }

    private final TensorDecoder model;
    private final Loss loss;
    private final int layers;
    private final int heads;
    private final NDManager manager;
    private final NDList theta;         // L × [H], requires gradient
    private final NDArray[] embedding;  // L × [H, Dh]

    /**
     * @param embedding ē {@code [L, H, Dh]} flattened
     * @param logits    initial θ {@code [L, H]} flattened (the paper starts from 0)
     */
    public HeadSelection(TensorDecoder model, float[] embedding, float[] logits, Loss loss) {
        ModelConfig c = model.config();
        this.model = model;
        this.loss = loss;
        this.layers = c.numLayers();
        this.heads = c.numHeads();
        int dh = c.headDim();
        if (embedding.length != layers * heads * dh)
            throw new IllegalArgumentException("embedding has " + embedding.length + " values, the model needs "
                    + layers + "x" + heads + "x" + dh);
        if (logits.length != layers * heads)
            throw new IllegalArgumentException("logits have " + logits.length + " values, the model needs " + layers + "x" + heads);
        this.manager = NDManager.newBaseManager();
        this.theta = new NDList(layers);
        this.embedding = new NDArray[layers];
        for (int l = 0; l < layers; l++) {
            float[] t = new float[heads], e = new float[heads * dh];
            System.arraycopy(logits, l * heads, t, 0, heads);
            System.arraycopy(embedding, l * heads * dh, e, 0, heads * dh);
            NDArray p = manager.create(t, new Shape(heads));
            p.setRequiresGradient(true);
            theta.add(p);
            this.embedding[l] = manager.create(e, new Shape(heads, dh));
        }
        NDScope.unregister(theta);
        NDScope.unregister(this.embedding);
    }

    /** The current θ {@code [L, H]}. */
    public float[] logits() {
        float[] out = new float[layers * heads];
        for (int l = 0; l < layers; l++) System.arraycopy(theta.get(l).toFloatArray(), 0, out, l * heads, heads);
        return out;
    }

    /** Sets θ {@code [L, H]}. */
    public void setLogits(float[] logits) {
        for (int l = 0; l < layers; l++) {
            float[] t = new float[heads];
            System.arraycopy(logits, l * heads, t, 0, heads);
            theta.get(l).set(t);
        }
    }

    /** The answer's cross-entropy with (or without) injection, as a graph node in the current scope. */
    NDArray loss(Query q, boolean inject) {
        int at = q.prompt().length - 1; // the last prompt token, where inference injects
        HookRegistry hooks = new HookRegistry(layers);
        if (inject)
            for (int l = 0; l < layers; l++) {
                NDArray t = theta.get(l), e = embedding[l];
                hooks.add(HookSite.of(l, Component.ATTN_HEADS),
                        (site, x, ctx) -> TensorSoftInjection.at(x, at, Activation.sigmoid(t).reshape(heads, 1), e));
            }
        NDArray logits = model.forward(StepInput.prompt(q.input(loss), 0), inject ? hooks : TensorHooks.NONE,
                LogitsMode.ALL);                                                                   // [1, T, V]
        return Losses.crossEntropy(logits, q.targets(loss));
    }

    /** Mean loss over {@code queries}, no gradient. */
    public double meanLoss(List<Query> queries, boolean inject) {
        if (queries.isEmpty()) throw new IllegalArgumentException("no queries to score");
        double sum = 0;
        for (Query q : queries)
            try (NDScope s = new NDScope()) {
                sum += loss(q, inject).getFloat();
            }
        return sum / queries.size();
    }

    /** ∂loss/∂θ {@code [L, H]} for one query (gradients are cleared afterwards). */
    public float[] gradient(Query q) {
        try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(loss(q, true));
        }
        float[] g = new float[layers * heads];
        for (int l = 0; l < layers; l++) {
            NDArray grad = theta.get(l).getGradient();
            System.arraycopy(grad.toFloatArray(), 0, g, l * heads, heads);
            grad.subi(grad);
        }
        return g;
    }

    /**
     * Adam on θ over {@code train} (batch 1, queries drawn with replacement from {@code seed}),
     * validating on {@code valid} before training and every {@code validEvery} steps; θ ends at
     * the best validated value, which {@link Result#logits} also holds. A training or held-out
     * loss that is not finite stops the optimisation there ({@link Result#diverged}).
     */
    public Result optimise(List<Query> train, List<Query> valid, Options o, Listener listener) {
        if (train.isEmpty()) throw new IllegalArgumentException("no training queries");
        if (o.loss() != loss) throw new IllegalArgumentException("options ask for loss " + o.loss() + ", built for " + loss);
        AdamW adam = AdamW.of(theta, 0.0); // Adam: no weight decay
        SplittableRandom random = new SplittableRandom(o.seed());
        List<Point> curve = new ArrayList<>();
        double none = meanLoss(valid, false);
        double best = meanLoss(valid, true);
        float[] bestLogits = logits();
        int bestStep = 0;
        curve.add(new Point(0, best));
        listener.step(0, o.steps(), Double.NaN, best);
        java.util.OptionalInt diverged = java.util.OptionalInt.empty();
        for (int step = 1; step <= o.steps(); step++) {
            Query q = train.get(random.nextInt(train.size()));
            double trainLoss;
            try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = loss(q, true);
                gc.backward(l);
                trainLoss = l.getFloat();
            }
            try (NDScope s = new NDScope()) {
                adam.step(o.learningRate(), 0);
            }
            if (!Double.isFinite(trainLoss)) {
                diverged = java.util.OptionalInt.of(step);
                break;
            }
            double v = Double.NaN;
            if (step % o.validEvery() == 0 || step == o.steps()) {
                v = meanLoss(valid, true);
                if (!Double.isFinite(v)) {
                    diverged = java.util.OptionalInt.of(step);
                    break;
                }
                curve.add(new Point(step, v));
                if (v < best) {
                    best = v;
                    bestStep = step;
                    bestLogits = logits();
                }
            }
            listener.step(step, o.steps(), trainLoss, v);
        }
        setLogits(bestLogits);
        return new Result(bestLogits, bestStep, best, none, List.copyOf(curve), diverged);
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "HeadSelection[%d layers x %d heads, loss %s]", layers, heads, loss.cliName());
    }
}
