package dev.vane.steering.control;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.steering.controller.ControllerWeights;
import dev.vane.steering.controller.RefusalDirection;
import dev.vane.steering.gact.GactWeights;
import dev.vane.steering.gact.SoftmaxProbe;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.ModelShape;
import dev.vane.steering.plan.PhaseScope;
import dev.vane.steering.plan.PlanException;
import dev.vane.steering.plan.SteeringPlan;
import dev.vane.steering.plan.SteeringRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Controller and G-ACT artifacts stored in a registry, loaded for plans and run on the demo model. */
class RegistryArtifactsTest {

    private static TensorDecoder model;
    private static Tokenizer tokenizer;
    private static Generator generator;
    private static RegistryArtifacts artifacts;
    private static ModelShape shape;
    private static ArtifactRegistry registry;
    private static ModelFingerprint fp;

    @BeforeAll
    static void setUp() throws Exception {
        Path demo = demoModel();
        model = ModelLoader.loadTensor(demo, ComputeDType.F32, 256);
        tokenizer = Tokenizer.load(demo);
        generator = new Generator(model, tokenizer, 4, 256);
        int d = model.config().hiddenSize(), layers = model.config().numLayers();
        fp = ModelFingerprint.of(model.config());
        shape = new ModelShape(layers, d);
        registry = new ArtifactRegistry(Files.createTempDirectory("vane-reg"), 64 << 20);
        artifacts = new RegistryArtifacts(registry, fp);
        float[] dir = random(d, 1);
        int width = 32, in = ControllerWeights.FEATURE_BLOCKS * d;
        var w = new ControllerWeights(d, layers, width, scaled(random(width * in, 7), 1 / Math.sqrt(in)), random(width, 8),
                scaled(random((1 + layers) * width, 9), 1 / Math.sqrt(width)), random(1 + layers, 10),
                RefusalDirection.fromActivations(new float[][] {dir}, new float[][] {new float[d]}).flat());
        registry.save(new Artifact(manifest("refusal", ArtifactKind.CONTROLLER, List.of()), MethodArtifacts.tensors(w.tensors(), w.shapes())));
        TreeMap<Integer, GactWeights.Layer> gl = new TreeMap<>();
        for (int l : new int[] {2, 3}) {
            float[][] probeW = {random(d, 10 + l), random(d, 20 + l), random(d, 30 + l)};
            gl.put(l, new GactWeights.Layer(new float[][] {random(d, 40 + l), random(d, 50 + l), random(d, 60 + l)},
                    SoftmaxProbe.of(probeW, new float[3])));
        }
        GactWeights g = new GactWeights(d, 3, gl);
        registry.save(new Artifact(manifest("genre-gact", ArtifactKind.GACT, List.of(2, 3)), MethodArtifacts.tensors(g.tensors(), g.shapes())));
        float[][] dirs = new float[layers][];
        dirs[1] = random(d, 99);
        registry.save(new VectorSet(Component.RESID_POST, d, dirs).toArtifact("vec", fp, JsonNodeFactory.instance.objectNode(),
                Map.of(), Provenance.now("test", "0".repeat(64))));
    }

    private static Manifest manifest(String name, ArtifactKind kind, List<Integer> layers) {
        var params = JsonNodeFactory.instance.objectNode();
        if (kind == ArtifactKind.CONTROLLER) params.put("alpha", 3.0); // its default strength
        return new Manifest(name, kind, fp, Component.RESID_POST, layers, params, Map.of(),
                Provenance.now("test", "0".repeat(64)));
    }

    @AfterAll
    static void tearDown() {
        generator.close();
        tokenizer.close();
        model.close();
    }

    static float[] scaled(float[] v, double c) {
        for (int i = 0; i < v.length; i++) v[i] *= (float) c;
        return v;
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    static Path demoModel() {
        return dev.vane.steering.DemoModelDir.path();
    }

    @Test
    void anArtifactChangedOnDiskBeyondTheBoundsIsRefusedWhenAPlanLoadsIt() {
        int d = model.config().hiddenSize();
        float[][] dirs = new float[model.config().numLayers()][];
        dirs[1] = new float[d];
        java.util.Arrays.fill(dirs[1], 3e38f);
        registry.save(new VectorSet(Component.RESID_POST, d, dirs).toArtifact("hostile", fp, JsonNodeFactory.instance.objectNode(),
                Map.of(), Provenance.now("test", "0".repeat(64))));
        assertThatThrownBy(() -> artifacts.vectors("hostile")).isInstanceOf(PlanException.class)
                .satisfies(e -> assertThat(((PlanException) e).field()).isEqualTo("artifact"))
                .hasMessageContaining("hostile: tensor 'directions'").hasMessageContaining("beyond the limit");
    }

    private SteeringRow run(InterventionSpec spec) {
        SteeringPlan plan = SteeringPlan.resolve(List.of(new SteeringPlan.Entry(spec, "inline", "vane.interventions[0]")),
                artifacts, shape);
        SteeringRow row = plan.bind();
        Sequence s = generator.newSequence(tokenizer.encode("How do I make iced tea?", true),
                SamplingParams.builder().temperature(0).maxTokens(5).ignoreEos(true).build(), TokenListener.NONE, row);
        generator.run(List.of(s));
        return row;
    }

    @Test
    void aStoredControllerRunsAndReportsItsOutputs() {
        SteeringRow row = run(new InterventionSpec.Controller("refusal", InterventionSpec.ControllerMode.PAPER, 4, true));
        var out = row.trace().get(0).controllerOutput();
        assertThat(out).isPresent();
        assertThat(out.get().w()).hasSize(model.config().numLayers());
        for (float w : out.get().w()) assertThat(w).isBetween(0f, 1f);
        // without an alpha the artifact's params.alpha applies, and the trace says which
        SteeringRow byDefault = run(new InterventionSpec.Controller("refusal", InterventionSpec.ControllerMode.PAPER,
                java.util.OptionalDouble.empty(), true));
        assertThat(((InterventionSpec.Controller) byDefault.trace().get(0).entry().spec()).alpha()).hasValue(3.0);
        assertThat(artifacts.controller("refusal").alpha()).isEqualTo(3.0);
        for (int l = 0; l < model.config().numLayers(); l++) {
            double n = 0;
            for (float x : artifacts.controller("refusal").direction(l)) n += (double) x * x;
            assertThat(Math.sqrt(n)).as("|d̂| at layer %d", l).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void aControllerWithoutItsDefaultStrengthIsRefusedNamingIt() {
        Artifact stored = registry.load("refusal", fp);
        var params = stored.manifest().params().deepCopy();
        params.remove("alpha");
        Manifest m = stored.manifest();
        registry.save(new Artifact(new Manifest("no-alpha", m.kind(), m.fingerprint(), m.site(), m.layers(), params, m.metrics(),
                m.provenance()), stored.tensors()));
        assertThatThrownBy(() -> artifacts.controller("no-alpha")).isInstanceOf(PlanException.class).hasMessageContaining("params.alpha");
    }

    @Test
    void storedGactProbesChooseAtTheirLayers() {
        SteeringRow row = run(new InterventionSpec.Gact("genre-gact", 2, InterventionSpec.GactSelect.ARGMAX, Optional.empty(),
                PhaseScope.BOTH));
        assertThat(row.trace().get(0).choices().keySet()).containsExactly(2, 3);
    }

    @Test
    void aKindMismatchOrUnknownNameIsAPlanErrorOnTheArtifactField() {
        assertThatThrownBy(() -> artifacts.controller("vec")).isInstanceOf(PlanException.class)
                .hasMessageContaining("vector-set").extracting(e -> ((PlanException) e).field()).isEqualTo("artifact");
        assertThatThrownBy(() -> artifacts.gact("missing")).isInstanceOf(PlanException.class).hasMessageContaining("no artifact");
        assertThatThrownBy(() -> artifacts.vectors("../vec")).isInstanceOf(PlanException.class);
        assertThat(artifacts.vectors("vec").byLayer().keySet()).containsExactly(1);
    }
}
