package dev.vane.steering.control;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.schedule.Scheduler;
import dev.vane.engine.schedule.SchedulerConfig;
import dev.vane.engine.schedule.StepObserver;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.DemoModelDir;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.control.ProbeRefinement.Example;
import dev.vane.steering.control.ProbeRefinement.Options;
import dev.vane.steering.gact.GactWeights;
import dev.vane.steering.gact.SoftmaxProbe;
import dev.vane.steering.plan.ModelShape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** G-ACT probes refined from labelled prompts that run through a real scheduler on the demo model. */
class ProbeRefinementTest {

    private static CausalLM model;
    private static Tokenizer tokenizer;
    private static Scheduler scheduler;
    private static ModelFingerprint fp;
    private static RegistryArtifacts artifacts;
    private static ProbeRefinement refinement;
    private static final List<SteeringControl.Change> changes = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        Path demo = DemoModelDir.path();
        model = ModelLoader.loadTensor(demo, ComputeDType.F32, 256);
        tokenizer = Tokenizer.load(demo);
        scheduler = new Scheduler(model, tokenizer, new SchedulerConfig(4, 256, 16, 256), StepObserver.NONE);
        fp = ModelFingerprint.of(model.config());
        ArtifactRegistry registry = new ArtifactRegistry(Files.createTempDirectory("vane-refine"), 64 << 20);
        artifacts = new RegistryArtifacts(registry, fp);
        SteeringControl steering = new SteeringControl(artifacts, ModelShape.of(model.config()), changes::add);
        ArtifactAdmin admin = new ArtifactAdmin(artifacts, steering, changes::add);
        refinement = new ProbeRefinement(admin, scheduler, model.config().numLayers());
        int d = fp.hiddenSize();
        SplittableRandom r = new SplittableRandom(4);
        TreeMap<Integer, GactWeights.Layer> layers = new TreeMap<>();
        for (int l : new int[] {2, 4}) {
            float[][] mu = new float[2][d], w = new float[2][d];
            for (int c = 0; c < 2; c++) for (int i = 0; i < d; i++) { mu[c][i] = (float) r.nextGaussian(); w[c][i] = (float) r.nextGaussian(); }
            layers.put(l, new GactWeights.Layer(mu, SoftmaxProbe.of(w, new float[2])));
        }
        GactWeights g = new GactWeights(d, 2, layers);
        registry.save(new Artifact(new Manifest("probe", ArtifactKind.GACT, fp, Component.RESID_POST, List.of(2, 4),
                JsonNodeFactory.instance.objectNode(), Map.of(), Provenance.now("test", "0".repeat(64))),
                MethodArtifacts.tensors(g.tensors(), g.shapes())));
        registry.save(new Artifact(new Manifest("chat-probe", ArtifactKind.GACT, fp, Component.RESID_POST, List.of(2, 4),
                JsonNodeFactory.instance.objectNode().put("chat", true), Map.of(), Provenance.now("test", "0".repeat(64))),
                MethodArtifacts.tensors(g.tensors(), g.shapes())));
        float[][] dirs = new float[fp.numLayers()][];
        dirs[1] = new float[d];
        registry.save(new dev.vane.steering.artifact.VectorSet(Component.RESID_POST, d, dirs).toArtifact("vec", fp,
                JsonNodeFactory.instance.objectNode(), Map.of(), Provenance.now("test", "0".repeat(64))));
    }

    @AfterAll
    static void tearDown() {
        scheduler.close();
        tokenizer.close();
        model.close();
    }

    private static List<Example> feedback() {
        String[] stories = {"Once upon a time there was a king", "The old woman walked into the forest", "She told him a story",
                "The dragon slept in the cave"};
        String[] numbers = {"1 2 3 4 5 6", "10 20 30 40", "7 8 9 10 11", "100 200 300"};
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            out.add(new Example(stories[i], 0));
            out.add(new Example(numbers[i], 1));
        }
        return out;
    }

    private static ControlException.Problem problem(Throwable t) { return ((ControlException) t).problem(); }

    @Test
    void refinedProbesSeparateTheLabelledPromptsAndAreStoredWithTheirProvenance() {
        SoftmaxProbe before = MethodArtifacts.gact(artifacts.registry().load("probe", fp)).layers().get(2).probe();
        ProbeRefinement.Result r = refinement.refine("probe", feedback(), List.of(), new Options(300, 1.0), "tester");
        assertThat(r.examples()).isEqualTo(8);
        assertThat(r.encoding()).isEqualTo(ProbeRefinement.PromptEncoding.PLAIN); // the artifact has no params.chat
        assertThat(r.layers()).containsOnlyKeys(2, 4);
        r.layers().values().forEach(a -> {
            assertThat(a.after()).isGreaterThanOrEqualTo(a.before());
            assertThat(a.after()).isEqualTo(1.0);
        });
        Artifact stored = artifacts.registry().load("probe", fp);
        assertThat(stored.manifest().metrics()).containsEntry("refined_examples", 8.0);
        assertThat(stored.manifest().provenance().command()).contains("tester").contains("8 plain examples").contains("300 steps");
        assertThat(MethodArtifacts.gact(stored).layers().get(2).probe().weight()).isNotEqualTo(before.weight());
        assertThat(changes.getLast().kind()).isEqualTo("artifact");
        assertThat(changes.getLast().what()).contains("probe").contains("8 examples");
        // the plans' view follows the stored artifact
        assertThat(artifacts.gact("probe").layers()).containsExactlyInAnyOrder(2, 4);
    }

    @Test
    void anArtifactCalibratedOnChatPromptsIsRefinedOnChatRenderedPrompts() {
        ProbeRefinement.Result chat = refinement.refine("chat-probe", feedback(), List.of(), new Options(1, 0.1), "tester");
        assertThat(chat.encoding()).isEqualTo(ProbeRefinement.PromptEncoding.CHAT);
        assertThat(artifacts.registry().load("chat-probe", fp).manifest().provenance().command()).contains("8 chat examples");
    }

    @Test
    void theStoredHeldOutAccuracyIsRecomputedOnHeldOutExamplesOrRemoved() {
        Artifact stored = artifacts.registry().load("probe", fp);
        Map<String, Double> stale = new TreeMap<>(Map.of("valid.gact.accuracy.layer.2", 0.99, "valid.gact.accuracy.layer.4", 0.99,
                "valid.gact.accuracy.mean", 0.99, "valid.accuracy.best", 0.99, "valid.best_layer", 2.0, "valid.pairs", 50.0,
                "valid.act.accuracy.mean", 0.7));
        Manifest m = stored.manifest();
        for (String name : List.of("held", "unheld"))
            artifacts.registry().save(new Artifact(new Manifest(name, m.kind(), m.fingerprint(), m.site(), m.layers(), m.params(), stale,
                    m.provenance()), stored.tensors()));
        List<Example> all = feedback();
        // held out: one story and one number the steps never see
        List<Example> train = all.subList(0, 6), held = all.subList(6, 8);
        ProbeRefinement.Result r = refinement.refine("held", train, held, new Options(300, 1.0), "tester");
        assertThat(r.heldOut()).containsOnlyKeys(2, 4);
        Map<String, Double> metrics = artifacts.registry().load("held", fp).manifest().metrics();
        double sum = 0;
        for (int l : new int[] {2, 4}) {
            assertThat(metrics.get("valid.gact.accuracy.layer." + l)).isEqualTo(r.heldOut().get(l).after());
            sum += r.heldOut().get(l).after();
        }
        assertThat(metrics.get("valid.gact.accuracy.mean")).isEqualTo(sum / 2);
        assertThat(metrics).containsEntry("valid.pairs", 2.0).containsEntry("valid.act.accuracy.mean", 0.7); // ACT is not refined
        assertThat(metrics.get("valid.accuracy.best")).isEqualTo(Math.max(r.heldOut().get(2).after(), r.heldOut().get(4).after()));
        // without held-out examples the stale figures go: they described the probes before
        ProbeRefinement.Result none = refinement.refine("unheld", train, List.of(), new Options(10, 0.5), "tester");
        assertThat(none.heldOut()).isEmpty();
        assertThat(artifacts.registry().load("unheld", fp).manifest().metrics()).doesNotContainKeys("valid.gact.accuracy.layer.2",
                "valid.gact.accuracy.mean", "valid.accuracy.best", "valid.best_layer", "valid.pairs").containsKey("valid.act.accuracy.mean");
    }

    @Test
    void refusalsNameTheInputAtFault() {
        List<Example> one = List.of(new Example("x", 0));
        assertThatThrownBy(() -> refinement.refine("ghost", one, List.of(), Options.DEFAULT, "t"))
                .satisfies(e -> assertThat(problem(e)).isEqualTo(ControlException.Problem.NOT_FOUND))
                .satisfies(e -> assertThat(((ControlException) e).field()).contains("name"));
        assertThatThrownBy(() -> refinement.refine("vec", one, List.of(), Options.DEFAULT, "t"))
                .satisfies(e -> assertThat(problem(e)).isEqualTo(ControlException.Problem.INVALID))
                .satisfies(e -> assertThat(((ControlException) e).field()).contains("name"));
        assertThatThrownBy(() -> refinement.refine("../x", one, List.of(), Options.DEFAULT, "t"))
                .satisfies(e -> assertThat(((ControlException) e).field()).contains("name"));
        assertThatThrownBy(() -> refinement.refine("probe", List.of(), List.of(), Options.DEFAULT, "t"))
                .satisfies(e -> assertThat(((ControlException) e).field()).contains("examples"));
        assertThatThrownBy(() -> refinement.refine("probe", List.of(new Example("x", 0), new Example("y", 2)), List.of(), Options.DEFAULT, "t"))
                .hasMessageContaining("[0, 1]")
                .satisfies(e -> assertThat(((ControlException) e).field()).contains("examples[1].cluster"));
        assertThatThrownBy(() -> refinement.refine("probe", List.of(new Example("word ".repeat(400), 0)), List.of(), Options.DEFAULT, "t"))
                .satisfies(e -> assertThat(((ControlException) e).field()).contains("examples[0].prompt"));
        assertThatThrownBy(() -> refinement.refine("probe", one, List.of(new Example("y", 7)), Options.DEFAULT, "t"))
                .satisfies(e -> assertThat(((ControlException) e).field()).contains("held_out[0].cluster"));
        assertThatThrownBy(() -> new Options(0, 0.5)).satisfies(e -> assertThat(((ControlException) e).field()).contains("steps"));
        assertThatThrownBy(() -> new Options(10, 0)).satisfies(e -> assertThat(((ControlException) e).field()).contains("lr"));
        assertThatThrownBy(() -> new Options(10, Double.NaN)).satisfies(e -> assertThat(((ControlException) e).field()).contains("lr"));
    }
}
