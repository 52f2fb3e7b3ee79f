package dev.vane.steering.plan;

import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.model.JavaDecoder;
import dev.vane.engine.model.LoadOptions;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.plan.InterventionSpec.SkipMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On the serving decoder, the layers a layer-skipping trace counts as executed are the layers
 * whose products ran: the trace's executed count (decided − skipped, prompt and generation)
 * equals the decoder's own count of positions handed to a layer's MLP products, for a batch
 * whose rows exit at different layers in the prompt and while generating.
 */
class ExecutedLayersTest {

    private static JavaDecoder model;
    private static Tokenizer tokenizer;
    private static Generator generator;
    private static int layers;

    @BeforeAll
    static void setUp() throws Exception {
        model = (JavaDecoder) ModelLoader.load(TestArtifacts.demoModel(), LoadOptions.java(128, 2));
        tokenizer = Tokenizer.load(TestArtifacts.demoModel());
        generator = new Generator(model, tokenizer, 4, 128);
        layers = model.config().numLayers();
    }

    @AfterAll
    static void tearDown() {
        generator.close();
        tokenizer.close();
        model.close();
    }

    private static SteeringRow row(SkipMode mode) {
        return SteeringPlan.resolve(List.of(new SteeringPlan.Entry(new InterventionSpec.LayerSkip(mode, 0.9, 0.5, PhaseScope.BOTH),
                "inline", "vane.layer_skip")), new TestArtifacts(), new ModelShape(layers, model.config().hiddenSize())).bind();
    }

    @ParameterizedTest
    @EnumSource(value = SkipMode.class, names = {"EXIT", "SKIP_SET", "READOUT"})
    void theTracesExecutedLayersAreTheLayersWhoseProductsRan(SkipMode mode) {
        // four prompts of one length, so a batched prefill has no padding positions
        String[] texts = {"The jury said it did find that the city", "Once upon a time there was a little girl who",
                "The results of the study show that the", "He had never seen anything like it in his"};
        int len = Arrays.stream(texts).mapToInt(s -> tokenizer.encode(s, true).length).min().orElseThrow();
        SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(8).ignoreEos(true).build();
        List<SteeringRow> rows = new ArrayList<>();
        List<Sequence> batch = new ArrayList<>();
        for (String text : texts) {
            SteeringRow r = row(mode);
            rows.add(r);
            batch.add(generator.newSequence(Arrays.copyOf(tokenizer.encode(text, true), len), greedy, TokenListener.NONE, r));
        }
        long before = model.positionLayersRun();
        generator.run(batch);
        long ran = model.positionLayersRun() - before;

        long executed = 0, skipped = 0, decided = 0;
        for (SteeringRow r : rows)
            for (Phase p : Phase.values()) {
                executed += r.trace().get(0).layersExecuted(p);
                skipped += r.trace().get(0).layersSkipped(p);
                decided += r.trace().get(0).layersDecided(p);
            }
        long positions = (long) texts.length * (len + 8 - 1);
        assertThat(executed + skipped).as("every layer of every position is executed or skipped").isEqualTo(positions * layers);
        assertThat(executed).as("executed per the trace vs layers whose products ran").isEqualTo(ran);
        // the rule decides every position, except skip-set's generated tokens (the set decides those)
        assertThat(decided).isEqualTo(mode == SkipMode.SKIP_SET ? (long) texts.length * len * layers : positions * layers);
        if (mode == SkipMode.READOUT) assertThat(skipped).isZero();
        else assertThat(skipped).as("alpha 0.9 skips something in " + mode).isPositive();
    }
}
