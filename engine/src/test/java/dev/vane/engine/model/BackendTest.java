package dev.vane.engine.model;

import ai.djl.ndarray.NDScope;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.weights.FileDType;
import dev.vane.engine.weights.SafetensorsFile;
import dev.vane.engine.weights.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one place that chooses how a model runs, and why; no silent fallback. */
class BackendTest {

    private static final ModelConfig FITS = Preset.TINY_LLAMA.config(); // hidden 64, MLP 128, 4 heads of 16

    /** TINY_LLAMA with an MLP width the kernels' 16-wide input blocks do not divide. */
    private static ModelConfig unfit() {
        ModelConfig c = FITS;
        return new ModelConfig(c.architecture(), c.vocabSize(), c.hiddenSize(), 136 + 4, c.numLayers(), c.numHeads(),
                c.numKvHeads(), c.headDim(), c.rmsNormEps(), c.ropeTheta(), c.ropeScaling(), c.maxPositionEmbeddings(),
                c.tieWordEmbeddings(), c.attentionBias(), c.slidingWindow(), c.slidingWindowFromLayer(), c.bosTokenId(),
                c.eosTokenIds());
    }

    @Test
    void f16ModelsTheKernelsCanRunGoToTheJavaDecoder() {
        Backend b = Backend.choose(FITS, ComputeDType.F16, Backend.Request.AUTO, 2);
        assertThat(b.kind()).isEqualTo(Backend.Kind.JAVA);
        assertThat(b.threads()).isEqualTo(2);
        assertThat(b.torchThreads()).isEqualTo(1);
        assertThat(b.toString()).contains("java kernels on 2 threads", "f16 weights");
    }

    @Test
    void f32ModelsAndUnfitShapesGoToTheTensorDecoderAtFullThreadsSayingWhy() {
        Backend f32 = Backend.choose(FITS, ComputeDType.F32, Backend.Request.AUTO, 2);
        assertThat(f32.kind()).isEqualTo(Backend.Kind.TENSOR);
        assertThat(f32.torchThreads()).isEqualTo(2);
        assertThat(f32.reason()).contains("f32");
        Backend odd = Backend.choose(unfit(), ComputeDType.F16, Backend.Request.AUTO, 2);
        assertThat(odd.kind()).isEqualTo(Backend.Kind.TENSOR);
        assertThat(odd.reason()).contains("intermediate size 140 is not a multiple of 16");
    }

    @Test
    void anExplicitJavaRequestTheKernelsCannotServeFailsWithTheReason() {
        assertThatThrownBy(() -> Backend.choose(unfit(), ComputeDType.F16, Backend.Request.JAVA, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("intermediate size 140");
        assertThatThrownBy(() -> Backend.choose(FITS, ComputeDType.F32, Backend.Request.JAVA, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("f16");
        assertThat(Backend.choose(FITS, ComputeDType.F16, Backend.Request.TENSOR, 3).kind()).isEqualTo(Backend.Kind.TENSOR);
        assertThatThrownBy(() -> Backend.Request.parse("gpu")).hasMessageContaining("auto, java or tensor");
        assertThatThrownBy(() -> Backend.choose(FITS, ComputeDType.F16, Backend.Request.AUTO, 0)).hasMessageContaining("threads");
    }

    @Test
    void theLoaderTakesTheCheckpointsDtypeAndRunsTheChosenDecoder() {
        Path f16 = Fixtures.of(Preset.TINY_LLAMA, FileDType.F16, 2), f32 = Fixtures.of(Preset.TINY_LLAMA, FileDType.F32, 2);
        try (CausalLM a = ModelLoader.load(f16, LoadOptions.auto(32, 1)); CausalLM b = ModelLoader.load(f32, LoadOptions.auto(32, 1))) {
            assertThat(a).isInstanceOf(JavaDecoder.class);
            assertThat(b).isInstanceOf(TensorDecoder.class);
            assertThat(b.backend().reason()).contains("f32");
            try (SafetensorsFile file = SafetensorsFile.open(f16.resolve("model.safetensors"))) {
                long matrices = 0, vectors = 0;
                for (TensorInfo t : file.tensors().values())
                    if (t.shape().length == 2) matrices += t.elementCount(); else vectors += t.elementCount();
                assertThat(a.weightBytes()).as("packed f16 matrices, f32 vectors").isEqualTo(2 * matrices + 4 * vectors);
                assertThat(b.weightBytes()).as("f32 tensors").isEqualTo(4 * (matrices + vectors));
            }
        }
        try (CausalLM c = ModelLoader.load(f32, new LoadOptions(Optional.of(ComputeDType.F16), 32, Backend.Request.AUTO, 1, WeightCache.OFF))) {
            assertThat(c).isInstanceOf(JavaDecoder.class); // f32 weights rounded to f16 on request
        }
    }

    @Test
    void anF16ModelTheKernelsCannotRunServesOnTheTensorDecoder(@TempDir Path dir) throws Exception {
        FixtureWriter.write(unfit(), FileDType.F16, 4, dir);
        try (CausalLM model = ModelLoader.load(dir, LoadOptions.auto(32, 2));
             KvCache cache = model.newCache(1, 32);
             NDScope scope = new NDScope()) {
            assertThat(model).isInstanceOf(TensorDecoder.class);
            assertThat(model.backend().threads()).isEqualTo(2);
            float[] logits = model.forwardLogits(StepInput.prompt(new int[] {1, 2, 3}, 0), cache, StepHooks.NONE, LogitsMode.LAST);
            assertThat(logits).hasSize(model.config().vocabSize());
        }
    }
}
