package dev.vane.steering.control;

import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.schedule.GenerationRequest;
import dev.vane.engine.schedule.GenerationService;
import dev.vane.engine.schedule.QueueFullException;
import dev.vane.engine.schedule.RequestHandle;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.ArtifactRegistry.SaveMode;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.gact.GactWeights;
import dev.vane.steering.gact.SoftmaxProbe;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Online refinement of a stored G-ACT artifact's probes from labelled feedback (methods.md §2
 * step 5). Each example's prompt is encoded as the artifact's calibration encoded its prompts
 * (a user turn of the chat template when its {@code params.chat} is true, plain text otherwise)
 * and runs through the scheduler, batched with other traffic, with a read-only capture of its
 * last-token residual at the artifact's layers; a few gradient steps in the probe fit's
 * standardised feature space ({@link SoftmaxProbe#refine}) then move each layer's probe (never the
 * model), and the artifact is stored again. Requests admitted afterwards use the refined probes.
 */
public final class ProbeRefinement {

    /** One labelled example: a prompt and the cluster it belongs to. */
    public record Example(String prompt, int cluster) {}

    /**
     * The SGD settings.
     *
     * @param steps 1..1000
     * @param lr    in (0, 10]
     */
    public record Options(int steps, double lr) {
        public static final Options DEFAULT = new Options(10, 0.5);

        public Options {
            if (steps < 1 || steps > 1000) throw ControlException.invalid("steps", "steps must be in [1, 1000], got " + steps);
            if (!(lr > 0 && lr <= 10)) throw ControlException.invalid("lr", "lr must be in (0, 10], got " + lr);
        }
    }

    /** A layer probe's accuracy on the examples before and after refinement. */
    public record Accuracy(double before, double after) {}

    /** How the examples' prompts were encoded: as the artifact's calibration encoded its own. */
    public enum PromptEncoding {
        PLAIN, CHAT;

        public String jsonName() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /**
     * What a refinement did: how many examples, how their prompts were encoded, each refined
     * layer's accuracy on the examples, and on the held-out examples (empty without them).
     */
    public record Result(int examples, PromptEncoding encoding, SortedMap<Integer, Accuracy> layers,
                         SortedMap<Integer, Accuracy> heldOut) {
        public Result {
            layers = Collections.unmodifiableSortedMap(new TreeMap<>(layers));
            heldOut = Collections.unmodifiableSortedMap(new TreeMap<>(heldOut));
        }
    }

    /** The stored metrics that describe the probes on held-out data: recomputed or removed by a refinement. */
    private static boolean heldOutMetric(String key) {
        return key.startsWith("valid.gact.accuracy.") || key.equals("valid.accuracy.best") || key.equals("valid.best_layer")
                || key.equals("valid.pairs");
    }

    private final ArtifactAdmin artifacts;
    private final GenerationService engine;
    private final int numLayers;

    /** @param numLayers the served model's layer count (the capture's range) */
    public ProbeRefinement(ArtifactAdmin artifacts, GenerationService engine, int numLayers) {
        this.artifacts = artifacts;
        this.engine = engine;
        this.numLayers = numLayers;
    }

    /**
     * Refines the probes of the G-ACT artifact {@code name} and stores it again. The artifact's
     * held-out metrics ({@code valid.gact.accuracy.*}, {@code valid.accuracy.best},
     * {@code valid.best_layer}, {@code valid.pairs}) described the probes before; they are
     * recomputed on {@code heldOut} (examples the steps never see), or removed when there are none.
     *
     * @param heldOut labelled examples to score the refined probes on, or empty
     * @param who who asked, for the log and the artifact's provenance
     * @throws ControlException NOT_FOUND on {@code name}; INVALID on {@code name} (not a G-ACT
     *         artifact of this model), {@code examples} (none), {@code examples[i].cluster} (out of
     *         range) or {@code examples[i].prompt} (empty, or too long for the context), and the
     *         same of {@code held_out[i]}
     * @throws QueueFullException when the scheduler cannot take the examples now (none of them runs)
     */
    public Result refine(String name, List<Example> examples, List<Example> heldOut, Options options, String who) {
        artifacts.existing(name);
        Artifact artifact;
        GactWeights weights;
        try {
            artifact = artifacts.artifacts().registry().load(name, artifacts.artifacts().fingerprint());
            weights = MethodArtifacts.gact(artifact);
        } catch (ArtifactException e) {
            throw ControlException.invalid("name", e.getMessage());
        }
        if (examples.isEmpty()) throw ControlException.invalid("examples", "examples must not be empty");
        PromptEncoding encoding = artifact.manifest().params().path("chat").asBoolean(false) ? PromptEncoding.CHAT : PromptEncoding.PLAIN;
        java.util.function.Function<String, int[]> encode = encoder(encoding, name);
        int[] y = labels(examples, "examples", weights.clusters()), yHeld = labels(heldOut, "held_out", weights.clusters());
        List<int[]> prompts = new ArrayList<>();
        prompts.addAll(encode(examples, "examples", encode));
        prompts.addAll(encode(heldOut, "held_out", encode));
        int[] layers = weights.layers().keySet().stream().mapToInt(Integer::intValue).toArray();
        List<LastTokenCapture> captures = capture(prompts, layers);

        SortedMap<Integer, Accuracy> accuracy = new TreeMap<>(), heldAccuracy = new TreeMap<>();
        GactWeights refined = weights;
        int n = examples.size();
        for (int l : layers) {
            float[][] a = new float[n][], h = new float[heldOut.size()][];
            for (int i = 0; i < n; i++) a[i] = captures.get(i).at(l);
            for (int i = 0; i < h.length; i++) h[i] = captures.get(n + i).at(l);
            SoftmaxProbe before = refined.layers().get(l).probe();
            SoftmaxProbe after = before.refine(a, y, options.steps(), options.lr());
            refined = refined.withProbe(l, after);
            accuracy.put(l, new Accuracy(before.accuracy(a, y), after.accuracy(a, y)));
            if (h.length > 0) heldAccuracy.put(l, new Accuracy(before.accuracy(h, yHeld), after.accuracy(h, yHeld)));
        }
        Manifest m = artifact.manifest();
        Map<String, Double> metrics = new TreeMap<>(m.metrics());
        metrics.keySet().removeIf(ProbeRefinement::heldOutMetric);
        if (!heldAccuracy.isEmpty()) {
            double sum = 0, best = -1;
            int bestLayer = -1;
            for (var e : heldAccuracy.entrySet()) {
                double acc = e.getValue().after();
                metrics.put("valid.gact.accuracy.layer." + e.getKey(), acc);
                sum += acc;
                if (acc > best) {
                    best = acc;
                    bestLayer = e.getKey();
                }
            }
            metrics.put("valid.gact.accuracy.mean", sum / heldAccuracy.size());
            metrics.put("valid.accuracy.best", best);
            metrics.put("valid.best_layer", (double) bestLayer);
            metrics.put("valid.pairs", (double) heldOut.size());
        }
        metrics.merge("refined_examples", (double) examples.size(), Double::sum);
        Manifest nm = new Manifest(m.name(), m.kind(), m.fingerprint(), m.site(), m.layers(), m.params(), metrics,
                Provenance.now("admin refine by " + who + " (" + examples.size() + " " + encoding.jsonName() + " examples, " + options.steps()
                        + " steps, lr " + options.lr() + ")", sha256(examples)));
        artifacts.artifacts().registry().save(new Artifact(nm, MethodArtifacts.tensors(refined.tensors(), refined.shapes())),
                SaveMode.REPLACE);
        artifacts.artifacts().evict(name);
        artifacts.changed(who, "refined G-ACT probes of " + name + " with " + examples.size() + " examples");
        return new Result(examples.size(), encoding, accuracy, heldAccuracy);
    }

    /** The examples' clusters, each checked against the artifact's cluster count ({@code field[i].cluster}). */
    private static int[] labels(List<Example> examples, String field, int clusters) {
        int[] y = new int[examples.size()];
        for (int i = 0; i < y.length; i++) {
            int c = examples.get(i).cluster();
            String p = field + "[" + i + "].";
            if (c < 0 || c >= clusters)
                throw ControlException.invalid(p + "cluster", p + "cluster must be in [0, " + (clusters - 1) + "], got " + c);
            y[i] = c;
        }
        return y;
    }

    /** The examples' prompts encoded, each checked to fit the context ({@code field[i].prompt}). */
    private List<int[]> encode(List<Example> examples, String field, java.util.function.Function<String, int[]> encode) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            String p = field + "[" + i + "].";
            int[] ids = encode.apply(examples.get(i).prompt());
            if (ids.length == 0 || ids.length >= engine.contextLength())
                throw ControlException.invalid(p + "prompt", p + "prompt must have 1.." + (engine.contextLength() - 1) + " tokens");
            out.add(ids);
        }
        return out;
    }

    /** Plain text with the tokenizer's special tokens, or the user turn of the model's chat template with its generation prompt. */
    private java.util.function.Function<String, int[]> encoder(PromptEncoding encoding, String name) {
        var tok = engine.tokenizer();
        if (encoding == PromptEncoding.PLAIN) return text -> tok.encode(text, true);
        var template = tok.chatTemplate().orElseThrow(() -> ControlException.invalid("name", "G-ACT artifact '" + name
                + "' was calibrated on chat-rendered prompts (params.chat) but the served model has no chat template"));
        return text -> tok.encode(template.render(List.of(new dev.vane.engine.tokenizer.ChatMessage("user", text)), true), false);
    }

    /** Runs each prompt for one greedy token with a capture of the given layers; all or none are submitted. */
    private List<LastTokenCapture> capture(List<int[]> prompts, int[] layers) {
        List<LastTokenCapture> captures = new ArrayList<>();
        List<RequestHandle> handles = new ArrayList<>();
        try {
            for (int[] ids : prompts) {
                LastTokenCapture c = new LastTokenCapture(numLayers, layers);
                captures.add(c);
                handles.add(engine.submit(GenerationRequest.of(ids, SamplingParams.greedy(1)).withHooks(c), TokenListener.NONE));
            }
        } catch (QueueFullException e) {
            handles.forEach(RequestHandle::cancel);
            throw e;
        }
        for (RequestHandle h : handles) h.result().join();
        return captures;
    }

    /** The feedback's digest for the provenance: each example as its cluster, its prompt's length and its prompt. */
    private static String sha256(List<Example> examples) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Example e : examples) md.update((e.cluster() + "\t" + e.prompt().length() + "\t" + e.prompt()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
