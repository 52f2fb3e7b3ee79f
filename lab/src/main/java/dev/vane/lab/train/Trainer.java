package dev.vane.lab.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.CheckpointWriter;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.weights.FileDType;
import dev.vane.engine.weights.SafetensorsFile;
import dev.vane.engine.weights.SafetensorsWriter;
import dev.vane.engine.weights.TensorInfo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Trains a decoder with the engine's own forward under DJL autograd (f32 master weights, AdamW,
 * warm-up + cosine, clipping), validating and checkpointing in Hugging Face layout. A run resumes
 * from {@code trainer_state.json} + {@code optimizer.safetensors} in its output directory and then
 * follows the same loss curve it would have followed uninterrupted.
 */
public final class Trainer {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One logged point of the loss curve. */
    public record Point(int step, double trainLoss, double valLoss, double lr) {}

    /**
     * What a run trains: which parameters, the loss of each step's batch, a validation loss.
     * A step's batch depends only on the step, so a resumed run sees the batches the
     * uninterrupted run would have.
     */
    public interface Objective {
        /** The parameters the optimiser updates; everything else stays as loaded. */
        NDList parameters(TensorDecoder model);

        /** The positions the model's RoPE tables must cover. */
        int positions();

        /** The training loss of step {@code step}'s batch, in the caller's scope and gradient collector. */
        Loss loss(TensorDecoder model, int step);

        /** The validation loss (no gradients). */
        double validate(TensorDecoder model);
    }

    /** A step's mean loss and the tokens it was taken over. */
    public record Loss(NDArray value, long tokens) {}

    private final TrainConfig cfg;
    private final Path out;
    private final PrintStream progress;

    public Trainer(TrainConfig cfg, Path out, PrintStream progress) {
        this.cfg = cfg;
        this.out = out;
        this.progress = progress;
    }

    /**
     * Trains the model in {@code out} (a HF checkpoint directory, f32 or f16 on disk) until
     * {@code untilStep} (≤ cfg.steps, so that a run may be split across several invocations).
     *
     * @return the points logged in this call
     */
    public List<Point> run(TokenDataset train, TokenDataset valid, int untilStep) throws IOException {
        return run(new LanguageModelling(train, valid), untilStep);
    }

    /** Trains {@code objective}'s parameters of the model in {@code out} until {@code untilStep}. */
    public List<Point> run(Objective objective, int untilStep) throws IOException {
        Stop stop = Stop.install();
        try {
            return run(objective, untilStep, stop);
        } finally {
            stop.release();
        }
    }

    /** How long a shutdown waits for the step in flight and the checkpoint after it. */
    static final long STOP_WAIT_SECONDS = 120;

    /**
     * A SIGTERM or Ctrl-C during a run: the JVM's exit tore libtorch's globals down under the
     * backward still running on the training thread, and the JVM crashed in native code (four of
     * ten demo-model runs stopped early left {@code hs_err} files, {@code at::accelerator::getAccelerator}
     * under {@code torchBackward}). The shutdown hook asks the loop to stop, which ends the step in
     * flight, checkpoints it and closes the model before the hook lets the exit proceed; the
     * stopped run resumes from there. After a stop, {@link #run} does not return: the JVM is
     * exiting, and any native call of the caller's would race its teardown again.
     */
    private static final class Stop {
        final AtomicBoolean requested = new AtomicBoolean();
        final CountDownLatch done = new CountDownLatch(1);
        Thread hook;

        static Stop install() {
            Stop s = new Stop();
            s.hook = new Thread(() -> {
                s.requested.set(true);
                try {
                    s.done.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "vane-trainer-stop");
            Runtime.getRuntime().addShutdownHook(s.hook);
            return s;
        }

        boolean requested() { return requested.get(); }

        /** Removes the hook; if the JVM is already exiting, lets the hook finish and never returns. */
        void release() {
            boolean exiting = requested.get();
            if (!exiting) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shutdownBegan) {
                    exiting = true;
                }
            }
            if (!exiting) return;
            done.countDown();
            while (true) LockSupport.park(this);
        }
    }

    private List<Point> run(Objective objective, int untilStep, Stop stop) throws IOException {
        List<Point> points = new ArrayList<>();
        try (TensorDecoder model = ModelLoader.loadTensor(out, ComputeDType.F32, objective.positions());
             NDManager scratch = NDManager.newBaseManager()) {
            NDList params = objective.parameters(model);
            params.forEach(p -> p.setRequiresGradient(true));
            AdamW opt = AdamW.of(params, cfg.weightDecay());
            int step = restore(opt);
            int firstStep = step;
            long t0 = System.nanoTime();
            long tokens = 0;
            int last = Math.min(untilStep, cfg.steps());
            double smoothed = Double.NaN;
            while (step < last && !stop.requested()) {
                double loss;
                try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    Loss l = objective.loss(model, step);
                    gc.backward(l.value());
                    loss = l.value().getFloat();
                    tokens += l.tokens();
                }
                double lr = cfg.learningRate(step);
                try (NDScope s = new NDScope()) {
                    opt.step(lr, cfg.clipNorm());
                }
                step++;
                smoothed = Double.isNaN(smoothed) ? loss : 0.9 * smoothed + 0.1 * loss;
                double val = Double.NaN;
                if (cfg.evalEvery() > 0 && (step % cfg.evalEvery() == 0 || step == cfg.steps()))
                    val = objective.validate(model);
                points.add(new Point(step, loss, val, lr));
                double secs = (System.nanoTime() - t0) / 1e9;
                report(step, last, smoothed, val, tokens / secs, secs / (step - firstStep));
                if (cfg.checkpointEvery() > 0 && step % cfg.checkpointEvery() == 0 && step < last)
                    save(model, opt, step, points);
            }
            save(model, opt, step, points);
            if (progress != null) progress.println();
        }
        return points;
    }

    /** Next-token prediction over windows of a token stream: every weight trained. */
    private final class LanguageModelling implements Objective {
        private final TokenDataset train, valid;

        LanguageModelling(TokenDataset train, TokenDataset valid) {
            this.train = train;
            this.valid = valid;
        }

        @Override public NDList parameters(TensorDecoder model) { return model.weights().all(); }

        @Override public int positions() { return cfg.seqLen(); }

        @Override
        public Loss loss(TensorDecoder model, int step) {
            TokenDataset.Batch batch = train.batch(cfg.seed(), step, cfg.batchSize(), cfg.seqLen());
            NDArray logits = model.forward(input(batch.inputs()), TensorHooks.NONE, LogitsMode.ALL);
            return new Loss(Losses.crossEntropy(logits, batch.targets()), batch.tokens());
        }

        /** Mean validation loss over {@code evalBatches} fixed windows of the validation set. */
        @Override
        public double validate(TensorDecoder model) {
            double sum = 0;
            for (int i = 0; i < cfg.evalBatches(); i++) {
                TokenDataset.Batch b = valid.batch(-1, i, cfg.batchSize(), cfg.seqLen());
                try (NDScope s = new NDScope()) {
                    sum += Losses.crossEntropy(model.forward(input(b.inputs()), TensorHooks.NONE, LogitsMode.ALL),
                            b.targets()).getFloat();
                }
            }
            return sum / cfg.evalBatches();
        }
    }

    private static StepInput input(int[][] tokens) {
        int b = tokens.length;
        int[] zeros = new int[b];
        int[] slots = new int[b];
        Phase[] phase = new Phase[b];
        Arrays.fill(phase, Phase.PROMPT);
        boolean[] last = new boolean[b];
        Arrays.fill(last, true);
        for (int i = 0; i < b; i++) slots[i] = i;
        return new StepInput(tokens, zeros, slots, phase, last);
    }

    private void report(int step, int last, double loss, double val, double tokPerSec, double secsPerStep) {
        if (progress == null) return;
        int width = 30;
        int filled = (int) ((long) width * step / Math.max(1, last));
        double eta = secsPerStep * (last - step);
        progress.printf(java.util.Locale.ROOT, "\r[%s%s] step %d/%d loss %.4f%s %.0f tok/s ETA %dm%02ds   ",
                "#".repeat(filled), ".".repeat(width - filled), step, last, loss,
                Double.isNaN(val) ? "" : String.format(java.util.Locale.ROOT, " val %.4f", val), tokPerSec,
                (long) eta / 60, (long) eta % 60);
        if (!Double.isNaN(val)) progress.println();
        progress.flush();
    }

    /**
     * Writes the checkpoint into a scratch folder inside {@code out}, then renames each file into
     * place (atomic per file) and {@code trainer_state.json} last: a run killed while saving leaves
     * every file whole, so the next start resumes instead of failing on a truncated
     * {@code model.safetensors}.
     */
    private void save(TensorDecoder model, AdamW opt, int step, List<Point> points) throws IOException {
        Path scratch = out.resolve(".checkpoint-partial");
        Files.createDirectories(scratch);
        CheckpointWriter.write(model.config(), model.weights(), model.beaconParameters(), scratch, FileDType.F32);
        NDList state = opt.state();
        try (SafetensorsWriter w = new SafetensorsWriter(scratch.resolve("optimizer.safetensors"))) {
            for (int i = 0; i < state.size(); i++) w.declare("state." + i, FileDType.F32, state.get(i).getShape().getShape());
            for (int i = 0; i < state.size(); i++) w.write("state." + i, state.get(i).toFloatArray());
        }
        try (var files = Files.list(scratch)) {
            for (Path f : files.toList())
                Files.move(f, out.resolve(f.getFileName().toString()), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        Files.delete(scratch);
        ObjectNode s = JSON.createObjectNode();
        Path statePath = out.resolve("trainer_state.json");
        ArrayNode log = Files.exists(statePath)
                ? (ArrayNode) JSON.readTree(statePath.toFile()).withArray("log") : JSON.createArrayNode();
        for (Point p : points) {
            if (p.step() <= lastLogged(log)) continue;
            ObjectNode e = log.addObject().put("step", p.step()).put("train_loss", p.trainLoss()).put("lr", p.lr());
            if (!Double.isNaN(p.valLoss())) e.put("val_loss", p.valLoss());
        }
        s.put("step", step);
        s.put("adam_steps", opt.steps());
        s.set("log", log);
        Path tmp = out.resolve("trainer_state.json.tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), s);
        Files.move(tmp, statePath, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static int lastLogged(ArrayNode log) {
        return log.isEmpty() ? 0 : log.get(log.size() - 1).path("step").asInt();
    }

    /** Loads the optimiser state of a previous run; returns the step to continue from. */
    private int restore(AdamW opt) throws IOException {
        Path statePath = out.resolve("trainer_state.json");
        Path optPath = out.resolve("optimizer.safetensors");
        if (!Files.exists(statePath) || !Files.exists(optPath)) return 0;
        var s = JSON.readTree(statePath.toFile());
        NDList state = new NDList();
        try (SafetensorsFile f = SafetensorsFile.open(optPath); NDManager m = NDManager.newBaseManager()) {
            int n = f.tensors().size();
            for (int i = 0; i < n; i++) {
                TensorInfo t = f.tensors().get("state." + i);
                float[] v = new float[(int) t.elementCount()];
                f.map(t).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                state.add(m.create(v, new Shape(t.shape())));
            }
            opt.restore(state, s.path("adam_steps").asInt());
        }
        return s.path("step").asInt();
    }
}
