package dev.vane.lab.steering;

import dev.vane.engine.generate.Generator;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.plan.ArtifactResolver;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.LayerRange;
import dev.vane.steering.plan.PhaseScope;
import dev.vane.steering.plan.PlanException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The genre evaluation end to end on the bundled demo model, with in-memory artifacts and tiny sizes. */
class GenreEvalTest {

    @TempDir
    static Path tmp;

    private static CausalLM model;
    private static Tokenizer tok;
    private static Generator gen;
    private static List<BrownDocument> docs;
    private static GenreClassifier classifier;
    private static final MapArtifacts artifacts = new MapArtifacts();
    private static final GenreEval.Options OPTIONS = new GenreEval.Options("sea", 2, 4, 7, 0.8, 1, 16);

    @BeforeAll
    static void setUp() throws Exception {
        model = ModelLoader.loadTensor(EvalFixtures.demoModel(), ComputeDType.F32, 256);
        tok = Tokenizer.load(EvalFixtures.demoModel());
        gen = new Generator(model, tok, 1, 256); // 1 slot: the 2 prompts run in two batches
        docs = BrownDocument.ofCorpus(EvalFixtures.corpus(tmp.resolve("corpus")));
        classifier = GenreClassifier.fromBrown(docs, GenreClassifier.Options.defaults()).classifier();
        int d = model.config().hiddenSize(), l = model.config().numLayers();
        artifacts.vectors.put("genre", new ArtifactResolver.SteeringVectors("genre", Component.RESID_POST, d, MapArtifacts.randomLayers(l, d, 5)));
        artifacts.gacts.put("probe", MapArtifacts.signProbe(d, Set.of(1, 2), 9));
    }

    @AfterAll
    static void tearDown() {
        gen.close();
        tok.close();
        model.close();
    }

    private static InterventionSpec.Vector vector(double scale) {
        return new InterventionSpec.Vector("genre", scale, Optional.of(new LayerRange(1, 3)), Optional.empty(), PhaseScope.BOTH);
    }

    @Test
    void aZeroScaleVectorGivesIdenticalArmsAndALargeOneChangesContinuationsAndPerplexity() {
        GenreEval.Result zero = GenreEval.run(gen, artifacts, vector(0), docs, classifier, OPTIONS);
        assertThat(zero.prompts()).hasSize(2);
        assertThat(zero.prompts()).allSatisfy(p -> assertThat(p.genre()).isNotEqualTo("sea"));
        // same seeds and sampling in both arms: a no-op intervention reproduces the unsteered arm
        assertThat(zero.steered().continuations()).isEqualTo(zero.unsteered().continuations());
        assertThat(zero.steered().genres()).isEqualTo(zero.unsteered().genres());
        assertThat(zero.steered().loss()).isEqualTo(zero.unsteered().loss());
        assertThat(zero.steeredPositions()).isZero();
        assertThat(zero.row()).startsWith("| vector | genre | scale 0, layers [1, 3], both | sea | ").endsWith(" | 2 × 4 |");
        assertThat(GenreEval.Result.HEADER.split("\n")[0].split("\\|").length).isEqualTo(zero.row().split("\\|").length);

        GenreEval.Result r = GenreEval.run(gen, artifacts, vector(12), docs, classifier, OPTIONS);
        assertThat(r.unsteered().continuations()).isEqualTo(zero.unsteered().continuations()); // seeded: reproducible
        assertThat(r.steered().continuations()).isNotEqualTo(r.unsteered().continuations());
        assertThat(r.steered().loss()).isNotEqualTo(r.unsteered().loss());
        assertThat(r.steeredPositions()).isPositive();
        int hits = (int) r.steered().genres().stream().filter("sea"::equals).count();
        assertThat(r.steered().targetHits()).isEqualTo(hits);
        assertThat(r.row()).contains(String.format("| %d%% (%d/2) |", Math.round(100.0 * hits / 2), hits));
    }

    @Test
    void gactRunsThroughTheSameEvaluation() {
        InterventionSpec.Gact g = new InterventionSpec.Gact("probe", 6, InterventionSpec.GactSelect.ARGMAX, Optional.empty(), PhaseScope.BOTH);
        GenreEval.Result r = GenreEval.run(gen, artifacts, g, docs, classifier, OPTIONS);
        assertThat(r.steeredPositions()).isPositive();
        assertThat(r.steered().loss()).isNotEqualTo(r.unsteered().loss());
        assertThat(r.row()).startsWith("| gact | probe | alpha 6, argmax, layers all probed, both | sea |");
    }

    @Test
    void badRequestsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> GenreEval.run(gen, artifacts, vector(1), docs, classifier,
                new GenreEval.Options("sea", 99, 4, 1, 0.8, 1, 8))).hasMessageContaining("--prompts 99").hasMessageContaining("only 8");
        assertThatThrownBy(() -> GenreEval.run(gen, artifacts, vector(1), docs, classifier,
                new GenreEval.Options("poetry", 1, 4, 1, 0.8, 1, 8))).hasMessageContaining("'poetry'");
        assertThatThrownBy(() -> GenreEval.run(gen, artifacts, new InterventionSpec.Vector("missing", 1, Optional.empty(),
                Optional.empty(), PhaseScope.BOTH), docs, classifier, OPTIONS))
                .isInstanceOf(PlanException.class).hasMessageContaining("'missing'");
    }
}
