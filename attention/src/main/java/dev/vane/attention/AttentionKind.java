package dev.vane.attention;

/**
 * The attention function a model was trained with, as its {@code config.json} records it
 * ({@code vane_attention}; absent means softmax). A model runs well only with its own kind: the
 * engine refuses another unless forced.
 */
public sealed interface AttentionKind {

    /** The name in configs, flags and metrics: {@code softmax}, {@code lssa}, {@code lssar}, {@code sigmoid}. */
    String id();

    /** Softmax, every Hugging Face model's. */
    record Softmax() implements AttentionKind {
        @Override
        public String id() { return "softmax"; }
    }

    /**
     * Softplus with the length scale, LSSA ({@code power = 1}) or re-weighted, LSSAR
     * ({@code power > 1}) ({@link SoftplusAttention}).
     *
     * @param trainLength the sequence length of training, where the length scale is 1
     */
    record Softplus(int trainLength, double power) implements AttentionKind {
        public Softplus {
            if (trainLength < 2) throw new IllegalArgumentException("train_length must be ≥ 2, got " + trainLength);
            if (!(power >= 1) || !Double.isFinite(power)) throw new IllegalArgumentException("power must be ≥ 1, got " + power);
        }

        @Override
        public String id() { return power == 1 ? "lssa" : "lssar"; }
    }

    /** Sigmoid with a fixed bias ({@link SigmoidAttention}). */
    record Sigmoid(double bias) implements AttentionKind {
        public Sigmoid {
            if (!Double.isFinite(bias)) throw new IllegalArgumentException("bias must be finite, got " + bias);
        }

        /** The paper's bias for a training length: {@code −ln L}. */
        public static Sigmoid forLength(int trainLength) {
            if (trainLength < 1) throw new IllegalArgumentException("train_length must be ≥ 1, got " + trainLength);
            return new Sigmoid(-Math.log(trainLength));
        }

        @Override
        public String id() { return "sigmoid"; }
    }

    AttentionKind SOFTMAX = new Softmax();

    /**
     * The kind named {@code id} for a model trained at {@code trainLength}: {@code softmax},
     * {@code lssa}, {@code lssar} (re-weighting {@code power} > 1) or {@code sigmoid} (bias −ln L).
     * The one place where these names become kinds ({@link #parse}, the trainer, the config reader).
     */
    static AttentionKind named(String id, int trainLength, double power) {
        return switch (id) {
            case "softmax" -> SOFTMAX;
            case "lssa" -> new Softplus(trainLength, 1);
            case "lssar" -> {
                if (!(power > 1)) throw new IllegalArgumentException("lssar's power must be > 1 (1 is lssa), got " + power);
                yield new Softplus(trainLength, power);
            }
            case "sigmoid" -> Sigmoid.forLength(trainLength);
            default -> throw new IllegalArgumentException("the attention kind must be softmax, lssa, lssar or sigmoid, got '" + id + "'");
        };
    }

    /**
     * A kind written as a flag value: {@code softmax}, {@code lssa:L}, {@code lssar:L:P} or
     * {@code sigmoid:B} (L the training length, P the re-weighting power, B the bias).
     */
    static AttentionKind parse(String spec) {
        String[] p = spec.trim().split(":");
        try {
            return switch (p[0]) {
                case "softmax" -> { arity(p, 1); yield SOFTMAX; }
                case "lssa" -> { arity(p, 2); yield named("lssa", Integer.parseInt(p[1]), 1); }
                case "lssar" -> { arity(p, 3); yield named("lssar", Integer.parseInt(p[1]), Double.parseDouble(p[2])); }
                case "sigmoid" -> { arity(p, 2); yield new Sigmoid(Double.parseDouble(p[1])); }
                default -> throw new IllegalArgumentException("unknown attention kind '" + p[0] + "'");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number in '" + spec + "'");
        }
    }

    private static void arity(String[] parts, int n) {
        if (parts.length != n)
            throw new IllegalArgumentException("expected softmax, lssa:LENGTH, lssar:LENGTH:POWER or sigmoid:BIAS, got '" + String.join(":", parts) + "'");
    }

    /**
     * The kernel that runs this kind with {@code options}; a kind other than softmax refuses
     * the softmax options (an algorithm other than the reference, a log-n scale).
     */
    default Attention kernel(int headDim, AttentionOptions options) {
        if (this instanceof Softmax) {
            return switch (options.algorithm()) {
                case REFERENCE -> new SoftmaxAttention(headDim, options.length());
                case ONLINE -> new OnlineSoftmaxAttention(headDim, OnlineSoftmaxAttention.SERVING_BLOCK, options.length());
                case TWO_PASS -> new TwoPassSoftmaxAttention(headDim, OnlineSoftmaxAttention.DEFAULT_BLOCK, options.length());
            };
        }
        if (!(options.length() instanceof LengthScale.None))
            throw new IllegalArgumentException("log-n scaling applies to softmax models; this model's attention is " + id());
        if (options.algorithm() == SoftmaxAlgorithm.TWO_PASS)
            throw new IllegalArgumentException("the two-pass algorithm computes softmax; this model's attention is " + id());
        return switch (this) {
            case Softplus s -> new SoftplusAttention(headDim, s.trainLength(), s.power());
            case Sigmoid s -> new SigmoidAttention(headDim, s.bias());
            case Softmax s -> throw new AssertionError();
        };
    }
}
