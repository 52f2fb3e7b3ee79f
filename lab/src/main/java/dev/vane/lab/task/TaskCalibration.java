package dev.vane.lab.task;

import dev.vane.steering.task.TaskEmbeddingWeights;

import dev.vane.lab.data.IclTasks.Example;
import dev.vane.lab.eval.IclPrompt;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.lab.harvest.HarvestProgress;
import dev.vane.lab.task.HeadSelection.Query;
import dev.vane.lab.task.TaskFile.Split;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds a task embedding from a task file (arXiv 2507.20906 §3): ē from {@code M} prompts of
 * {@code N} random training demonstrations plus a training query, then θ by
 * {@link HeadSelection} on zero-shot training queries, validated on the first {@code validSize}
 * examples of the {@code valid} split. Shared by {@code calibrate task-embedding} and
 * {@code eval task-embedding}.
 */
public final class TaskCalibration {

    private TaskCalibration() {}

    /**
     * @param prompts   M, few-shot prompts averaged into ē
     * @param shots     N, demonstrations per few-shot prompt
     * @param validSize held-out queries scored at each validation
     * @param batch     rows per forward while averaging ē
     */
    public record Settings(int prompts, int shots, int validSize, int batch, HeadSelection.Options optimiser) {
        public Settings {
            if (prompts < 1) throw new IllegalArgumentException("--prompts: must be >= 1, got " + prompts);
            if (shots < 0) throw new IllegalArgumentException("--shots: must be >= 0, got " + shots);
            if (validSize < 1) throw new IllegalArgumentException("--valid-size: must be >= 1, got " + validSize);
            if (batch < 1) throw new IllegalArgumentException("--batch: must be >= 1, got " + batch);
        }
    }

    /** A calibration's token sequences, made before the model is loaded so its RoPE tables fit the longest. */
    public record Encoded(List<int[]> fewShot, List<Query> train, List<Query> valid) {
        public int longest() {
            int n = 0;
            for (int[] p : fewShot) n = Math.max(n, p.length);
            for (List<Query> qs : List.of(train, valid))
                for (Query q : qs) n = Math.max(n, q.prompt().length + q.answer().length);
            return n;
        }
    }

    /** What a calibration produced. */
    public record Outcome(TaskEmbeddingWeights weights, HeadSelection.Result selection, long embeddingNanos, long trainingNanos) {}

    /**
     * @param maxPositions the model's position limit; longer sequences are errors naming the line
     * @throws IllegalArgumentException naming the file, line or split at fault
     */
    public static Encoded encode(Tokenizer tok, TaskFile file, Settings s, int maxPositions) {
        List<TaskFile.Row> train = rows(file, Split.TRAIN), valid = rows(file, Split.VALID);
        file.require(Split.TRAIN, s.shots() + 1, "--shots " + s.shots() + " (demonstrations plus a query)");
        file.require(Split.VALID, 1, "validation");
        SplittableRandom r = new SplittableRandom(s.optimiser().seed());
        List<int[]> fewShot = new ArrayList<>(s.prompts());
        for (int m = 0; m < s.prompts(); m++) {
            int[] pick = distinct(r, train.size(), s.shots() + 1);
            List<Example> demos = new ArrayList<>(s.shots());
            for (int k = 0; k < s.shots(); k++) demos.add(train.get(pick[k]).example());
            String text = IclPrompt.demonstrations(demos) + IclPrompt.query(train.get(pick[s.shots()]).example().input());
            int[] ids = tok.encode(text, true);
            if (ids.length > maxPositions)
                throw new IllegalArgumentException(file.path() + ": a " + s.shots() + "-shot prompt has " + ids.length
                        + " tokens, more than the model's " + maxPositions + " positions (lower --shots)");
            fewShot.add(ids);
        }
        List<Query> trainQueries = new ArrayList<>();
        for (TaskFile.Row row : train) trainQueries.add(query(tok, file, row, maxPositions));
        List<Query> validQueries = new ArrayList<>();
        for (TaskFile.Row row : valid.subList(0, Math.min(valid.size(), s.validSize())))
            validQueries.add(query(tok, file, row, maxPositions));
        return new Encoded(fewShot, trainQueries, validQueries);
    }

    /** ē, then θ. */
    public static Outcome run(TensorDecoder model, Encoded e, Settings s, HarvestProgress meanProgress,
                              HeadSelection.Listener trainProgress) {
        long t0 = System.nanoTime();
        float[] embedding = HeadMeans.lastToken(model, e.fewShot(), s.batch(), meanProgress);
        long t1 = System.nanoTime();
        int l = model.config().numLayers(), h = model.config().numHeads();
        try (HeadSelection hs = new HeadSelection(model, embedding, new float[l * h], s.optimiser().loss())) {
            HeadSelection.Result res = hs.optimise(e.train(), e.valid(), s.optimiser(), trainProgress);
            long t2 = System.nanoTime();
            return new Outcome(new TaskEmbeddingWeights(l, h, model.config().headDim(), embedding, res.logits()), res,
                    t1 - t0, t2 - t1);
        }
    }

    /**
     * The zero-shot prompt and its answer tokens: the answer, then the blank line that ends each
     * demonstration ({@code "\n\n"}, one token in BPE vocabularies that learnt the format), so the
     * model learns to close the answer line as the N-shot prompt would have it do. Tokens are
     * those of the whole {@code prompt + " " + output + "\n\n"} when it extends the prompt's own
     * tokens, else the answer encoded on its own.
     */
    static Query query(Tokenizer tok, TaskFile file, TaskFile.Row row, int maxPositions) {
        String prompt = IclPrompt.query(row.example().input());
        int[] p = tok.encode(prompt, true);
        int[] full = tok.encode(prompt + " " + row.example().output() + "\n\n", true);
        int[] answer = full.length > p.length && Arrays.equals(p, 0, p.length, full, 0, p.length)
                ? Arrays.copyOfRange(full, p.length, full.length)
                : tok.encode(" " + row.example().output() + "\n\n", false);
        if (answer.length == 0) throw new IllegalArgumentException(file.path() + ":" + row.line() + ": output encodes to no tokens");
        if (p.length + answer.length > maxPositions)
            throw new IllegalArgumentException(file.path() + ":" + row.line() + ": query and answer take "
                    + (p.length + answer.length) + " tokens, more than the model's " + maxPositions + " positions");
        int first = 1;
        while (first < answer.length && tok.decode(Arrays.copyOf(answer, first), true).isBlank()) first++;
        return new Query(p, answer, first);
    }

    private static List<TaskFile.Row> rows(TaskFile f, Split s) {
        return f.rows().stream().filter(r -> r.split() == s).toList();
    }

    /** {@code k} distinct indices in {@code [0, n)}, in random order (partial Fisher–Yates). */
    private static int[] distinct(SplittableRandom r, int n, int k) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        for (int i = 0; i < k; i++) {
            int j = i + r.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return Arrays.copyOf(all, k);
    }
}
