package dev.vane.lab.eval;

import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.hooks.RowHooks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Runs many prompts through a {@link Generator} in batches of its slot count, each prompt with
 * its own sampling parameters and row hooks; results come back in prompt order. The generator
 * closes each row's hooks when its sequence leaves.
 */
public final class BatchGeneration {

    private BatchGeneration() {}

    /**
     * @param prompts token ids per prompt
     * @param params  sampling parameters of prompt i
     * @param hooks   row hooks of prompt i (a fresh binding per call)
     */
    public static List<GenerationResult> run(Generator gen, List<int[]> prompts, IntFunction<SamplingParams> params,
                                             IntFunction<RowHooks> hooks) {
        return run(gen, prompts, params, hooks, java.util.OptionalInt.empty());
    }

    /** Every prompt compressed by Activation Beacon at {@code beaconRatio} (empty: not). */
    public static List<GenerationResult> run(Generator gen, List<int[]> prompts, IntFunction<SamplingParams> params,
                                             IntFunction<RowHooks> hooks, java.util.OptionalInt beaconRatio) {
        List<GenerationResult> out = new ArrayList<>(prompts.size());
        int slots = gen.slots();
        for (int from = 0; from < prompts.size(); from += slots) {
            List<Sequence> batch = new ArrayList<>();
            for (int i = from; i < Math.min(prompts.size(), from + slots); i++)
                batch.add(gen.newSequence(prompts.get(i), params.apply(i), TokenListener.NONE, hooks.apply(i), beaconRatio));
            gen.run(batch);
            batch.forEach(s -> out.add(s.result()));
        }
        return out;
    }

    /** Every prompt with the same parameters and no hooks. */
    public static List<GenerationResult> run(Generator gen, List<int[]> prompts, SamplingParams params) {
        return run(gen, prompts, i -> params, i -> RowHooks.NONE);
    }
}
