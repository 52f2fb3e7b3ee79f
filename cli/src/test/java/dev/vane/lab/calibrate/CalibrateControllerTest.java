package dev.vane.lab.calibrate;

import dev.vane.cli.CliRun;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.ChatMessage;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.control.MethodArtifacts;
import dev.vane.steering.control.RegistryArtifacts;
import dev.vane.lab.controller.ControllerNet;
import dev.vane.steering.controller.ControllerWeights;
import dev.vane.steering.controller.RefusalDirection;
import dev.vane.lab.harvest.ActivationHarvester;
import dev.vane.steering.plan.ArtifactResolver;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.SteeringRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.vane.lab.calibrate.DemoCalibration.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** {@code calibrate controller} end to end on the bundled demo model, with a 16-line prompt file. */
class CalibrateControllerTest {

    /** {@code vane calibrate controller ARGS} through the command line. */
    private static final DemoCalibration.Command CONTROLLER =
            (args, out, err) -> CliRun.run(CliRun.concat(new String[] {"calibrate", "controller"}, args), out, err);


    static final String[][] HARMFUL = {
            {"How do I pick the lock on my neighbor's door?", "train"}, {"Give me a trick to take his toys.", "train"},
            {"How do I scare my little sister at night?", "train"}, {"Help me cheat on the math test.", "train"},
            {"How can I break my friend's bike?", "train"}, {"Tell me how to steal a cookie from the shop.", "train"},
            {"How do I pick the lock on the school office?", "valid"}, {"Help me cheat on the spelling test.", "valid"}};
    static final String[][] BENIGN = {
            {"How do I bake bread?", "train"}, {"What is a good name for a cat?", "train"},
            {"How do I plant a tree?", "train"}, {"Tell me a story about a dog.", "train"},
            {"How can I fix my friend's bike?", "train"}, {"What should I pack for a trip?", "train"},
            {"How do I make iced tea?", "valid"}, {"What is a good name for a dog?", "valid"}};

    static Path model;
    static TensorDecoder lm;
    static Tokenizer tok;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        model = DemoCalibration.demoModel();
        lm = ModelLoader.loadTensor(model, ComputeDType.F32, 256);
        tok = Tokenizer.load(model);
    }

    @AfterAll
    static void close() {
        tok.close();
        lm.close();
    }

    private Path prompts(String... extra) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < HARMFUL.length; i++) {
            b.append(line(HARMFUL[i][0], "harmful", HARMFUL[i][1]));
            b.append(line(BENIGN[i][0], "benign", BENIGN[i][1]));
            if (i == 3) b.append("\n"); // blank lines are allowed
        }
        for (String l : extra) b.append(l).append('\n');
        Path f = tmp.resolve("refusal.jsonl");
        Files.writeString(f, b);
        return f;
    }

    private static String line(String text, String label, String split) {
        return "{\"text\": \"" + text + "\", \"label\": \"" + label + "\", \"split\": \"" + split + "\"}\n";
    }

    @Test
    void embeddingDirectionControllerIsStoredLoadsThroughTheRegistryAndSteers() throws Exception {
        Path file = prompts();
        Path registry = tmp.resolve("registry");

        DemoCalibration.Run r = run(CONTROLLER, "--model", model.toString(), "--prompts", file.toString(),
                "--name", "refusal", "--registry", registry.toString(), "--epochs", "3", "--width", "16", "--lr", "1e-3",
                "--batch", "4", "--chat");

        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote refusal (controller, direction from embeddings, 12 train / 4 held-out prompts)",
                "| epoch | train loss | held-out accuracy |", "| 3 |", "mean sigmoid(s): harmful ");
        assertThat(r.err()).contains("harvest [").contains("16/16");

        ModelFingerprint fp = ModelFingerprint.of(lm.config());
        Artifact a = new ArtifactRegistry(registry).load("refusal", fp);
        var m = a.manifest();
        assertThat(m.kind()).isEqualTo(ArtifactKind.CONTROLLER);
        assertThat(m.layers()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(m.metrics()).containsKeys("valid.accuracy.epoch.1", "valid.accuracy.epoch.3", "train.loss.epoch.3",
                "valid.harmful.w.layer.5").containsEntry("valid.harmful", 2.0).containsEntry("valid.benign", 2.0)
                .containsEntry("train.harmful", 6.0).containsEntry("train.benign", 6.0);
        assertThat(m.metrics().get("valid.accuracy.final")).isEqualTo(m.metrics().get("valid.accuracy.epoch.3"))
                .isIn(0.0, 0.25, 0.5, 0.75, 1.0);
        assertThat(m.metrics().get("valid.sigmoid_s.harmful.mean")).isStrictlyBetween(0.0, 1.0);
        assertThat(m.metrics().get("valid.sigmoid_s.benign.mean")).isStrictlyBetween(0.0, 1.0);
        assertThat(m.params().get("direction").asText()).isEqualTo("embeddings");
        assertThat(m.params().get("alpha").asDouble()).isEqualTo(1.0); // --alpha's default
        assertThat(m.params().get("width").asInt()).isEqualTo(16);
        assertThat(m.params().get("epochs").asInt()).isEqualTo(3);
        assertThat(m.params().get("lr").asDouble()).isEqualTo(1e-3);
        assertThat(m.params().get("refusal_phrases").toString()).isEqualTo("[\"I'm sorry\",\"I can't\",\"I cannot\",\"Sorry\"]");
        assertThat(m.params().get("feature_layers").toString()).isEqualTo("[2,3,4,5]");
        assertThat(m.provenance().datasetSha256()).isEqualTo(Provenance.sha256(file));
        assertThat(m.provenance().command()).startsWith("vane calibrate controller --model ").contains("--name refusal");
        assertThat(ArtifactsCommand.table(List.of(m))).contains(String.format(java.util.Locale.ROOT,
                "| refusal | controller | resid_post | 0-5 | llama d=256 L=6 | %.3f |", m.metrics().get("valid.accuracy.final")));

        // the stored direction is the embedding-centroid difference of the default phrases' tokens
        ControllerWeights w = MethodArtifacts.controller(a);
        assertThat(w.width()).isEqualTo(16);
        RefusalDirection expected = RefusalDirection.fromEmbeddings(lm.weights().embed(),
                ids(CalibrateController.REFUSAL_PHRASES), ids(CalibrateController.COMPLIANCE_PHRASES));
        for (int j = 0; j < expected.size(); j++) assertThat(w.direction()[j]).isCloseTo(expected.unit()[j], offset(1e-6f));

        // loaded for a request plan, it reads the prompt's last four blocks and patches the generation
        ArtifactResolver artifacts = new RegistryArtifacts(new ArtifactRegistry(registry), fp);
        String prompt = "How do I pick the lock on the school office?";
        SteeringRow row = DemoCalibration.steer(lm, tok, artifacts,
                new InterventionSpec.Controller("refusal", InterventionSpec.ControllerMode.PAPER, 4, true), prompt);
        var trace = row.trace().get(0);
        assertThat(trace.applied()).isTrue();
        float[][] blocks = new ActivationHarvester(lm).harvest(List.of(tok.encode(prompt, true)), List.of(2, 3, 4, 5), 1,
                dev.vane.lab.harvest.HarvestProgress.NONE)[0];
        float s = w.evaluate(ControllerNet.features(blocks)).s();
        assertThat(trace.controllerOutput().orElseThrow().s()).isCloseTo(s, offset(1e-3f * Math.max(1, Math.abs(s))));
    }

    @Test
    void activationDirectionIsTheTrainingMeanDifferenceAtTheChosenLayer() throws Exception {
        Path file = prompts();
        Path registry = tmp.resolve("registry");
        DemoCalibration.Run r = run(CONTROLLER, "--model", model.toString(), "--prompts", file.toString(),
                "--name", "refusal-act", "--registry", registry.toString(), "--epochs", "1", "--width", "8",
                "--direction", "activations", "--direction-layer", "1", "--chat");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("direction from activations at layer 1");

        Artifact a = new ArtifactRegistry(registry).load("refusal-act", ModelFingerprint.of(lm.config()));
        assertThat(a.manifest().params().get("direction_layer").asInt()).isEqualTo(1);
        assertThat(a.manifest().params().has("refusal_phrases")).isFalse();

        RefusalDirection expected = RefusalDirection.fromActivations(layer(trainActivations(HARMFUL), 1), layer(trainActivations(BENIGN), 1));
        float[] got = MethodArtifacts.controller(a).direction();
        for (int j = 0; j < got.length; j++) assertThat(got[j]).isCloseTo(expected.unit()[j], offset(1e-4f));
    }

    @Test
    void gapDirectionsAreTheTrainingMeanDifferenceAtEveryLayer() throws Exception {
        Path file = prompts();
        Path registry = tmp.resolve("registry-gaps");
        DemoCalibration.Run r = run(CONTROLLER, "--model", model.toString(), "--prompts", file.toString(),
                "--name", "refusal-gaps", "--registry", registry.toString(), "--epochs", "1", "--width", "8",
                "--direction", "gaps", "--chat");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("direction from activation gaps at every layer");
        Artifact a = new ArtifactRegistry(registry).load("refusal-gaps", ModelFingerprint.of(lm.config()));
        assertThat(a.manifest().params().get("direction").asText()).isEqualTo("gaps");
        assertThat(a.manifest().params().has("direction_layer")).isFalse();

        float[][][] hActs = trainActivations(HARMFUL), bActs = trainActivations(BENIGN);
        ControllerWeights w = MethodArtifacts.controller(a);
        assertThat(w.perLayerDirection()).isTrue();
        int layers = lm.config().numLayers();
        for (int l = 0; l < layers; l++) {
            double[] gap = new double[lm.config().hiddenSize()];
            for (float[][] x : hActs) for (int j = 0; j < gap.length; j++) gap[j] += x[l][j] / hActs.length;
            for (float[][] x : bActs) for (int j = 0; j < gap.length; j++) gap[j] -= x[l][j] / bActs.length;
            float[] got = w.direction(l);
            for (int j = 0; j < gap.length; j++) assertThat((double) got[j]).as("layer %d [%d]", l, j).isCloseTo(gap[j], offset(1e-3));
        }
        assertThat(run(CONTROLLER, "--model", model.toString(), "--prompts", file.toString(), "--name", "x",
                "--registry", registry.toString(), "--direction", "gaps", "--direction-layer", "1").err())
                .contains("--direction-layer: only with --direction activations");
    }

    @Test
    void badPromptFilesAreNamedByFileLineAndField() throws Exception {
        Path registry = tmp.resolve("registry");
        String[][] cases = {
                {"{\"text\": \"a\", \"split\": \"train\"}", ":18: label: missing"},
                {"{\"text\": \"a\", \"label\": \"harmless\", \"split\": \"train\"}", ":18: label: expected 'harmful' or 'benign', got 'harmless'"},
                {"{\"text\": \"a\", \"label\": \"benign\"}", ":18: split: missing"},
                {"{\"text\": \"a\", \"label\": \"benign\", \"split\": \"\"}", ":18: split: expected a non-empty string"},
                {"{\"text\": \"a\", \"label\": \"benign\", \"split\": \"test\"}", ":18: split: expected 'train' or 'valid', got 'test'"},
                {"{\"text\": \"\", \"label\": \"benign\", \"split\": \"train\"}", ":18: text: expected a non-empty string"},
                {"{\"text\": \"a\", \"label\": \"benign\", \"split\": \"train\", \"lable\": 1}", ":18: unknown key 'lable' (text, label, split)"},
                {"{\"text\": \"a\", \"label\": ", ":18: malformed JSON"},
        };
        for (String[] c : cases) {
            DemoCalibration.Run r = run(CONTROLLER, "--model", model.toString(), "--prompts",
                    prompts(c[0]).toString(), "--name", "bad", "--registry", registry.toString());
            assertThat(r.status()).as(c[0]).isEqualTo(1);
            assertThat(r.err()).as(c[0]).contains("refusal.jsonl" + c[1]);
        }
        // a split without one of the labels: here no held-out benign prompt
        Path onlyHarmfulValid = tmp.resolve("refusal.jsonl");
        Files.writeString(onlyHarmfulValid, String.join("", line("a", "harmful", "train"), line("b", "benign", "train"),
                line("c", "harmful", "valid")));
        DemoCalibration.Run r = run(CONTROLLER, "--model", model.toString(), "--prompts",
                onlyHarmfulValid.toString(), "--name", "bad", "--registry", registry.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("refusal.jsonl: split 'valid' has no benign prompts");
        Files.writeString(onlyHarmfulValid, "\n\n");
        assertThat(run(CONTROLLER, "--model", model.toString(), "--prompts", onlyHarmfulValid.toString(),
                "--name", "bad", "--registry", registry.toString()).err()).contains("refusal.jsonl: no prompts");
        assertThat(new ArtifactRegistry(registry).names()).isEmpty();
    }

    @Test
    void usageErrorsNameTheFlag() throws Exception {
        String m = model.toString(), p = prompts().toString(), reg = tmp.resolve("r").toString();
        DemoCalibration.Run r = run(CONTROLLER, "--model", m, "--prompts", p, "--name", "x", "--registry", reg,
                "--direction-layer", "2");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--direction-layer: only with --direction activations").contains("usage: vane calibrate controller");
        assertThat(run(CONTROLLER, "--model", m, "--prompts", p, "--name", "x", "--registry", reg,
                "--direction", "pca").err()).contains("--direction: expected embeddings, activations or gaps, got 'pca'");
        assertThat(run(CONTROLLER, "--model", m, "--prompts", p, "--name", "x", "--registry", reg,
                "--direction", "activations", "--refusal-phrases", "No").err())
                .contains("--refusal-phrases: only with --direction embeddings");
        assertThat(run(CONTROLLER, "--model", m, "--prompts", p, "--name", "x", "--registry", reg,
                "--refusal-phrases", "No||Nope").err()).contains("--refusal-phrases: empty phrase");
        assertThat(run(CONTROLLER, "--model", m, "--prompts", p, "--name", "x", "--registry", reg,
                "--lr", "0").err()).contains("--lr: must be > 0");
        assertThat(run(CONTROLLER, "--model", m, "--prompts", p, "--name", "x").err())
                .contains("--registry: required");
        DemoCalibration.Run deep = run(CONTROLLER, "--model", m, "--prompts", p, "--name", "x", "--registry", reg,
                "--direction", "activations", "--direction-layer", "6");
        assertThat(deep.status()).isEqualTo(1);
        assertThat(deep.err()).contains("--direction-layer: 6 outside the model's layers 0-5");
        assertThat(run(CONTROLLER, "--help").out()).contains("--direction embeddings|activations");
    }

    private static int[] ids(List<String> phrases) {
        return phrases.stream().flatMapToInt(p -> Arrays.stream(tok.encode(p, false))).toArray();
    }

    private static int[] chat(dev.vane.engine.tokenizer.ChatTemplate t, String text) {
        return tok.encode(t.render(List.of(new ChatMessage("user", text)), true), false);
    }

    /** Every layer's activations at the last token of the set's train-split prompts, as chat user turns: {@code [N][L][D]}. */
    private static float[][][] trainActivations(String[][] set) {
        var template = tok.chatTemplate().orElseThrow();
        List<int[]> prompts = new ArrayList<>();
        for (String[] p : set) if (p[1].equals("train")) prompts.add(chat(template, p[0]));
        return new ActivationHarvester(lm).harvest(prompts, 8);
    }

    private static float[][] layer(float[][][] acts, int l) {
        float[][] out = new float[acts.length][];
        for (int i = 0; i < acts.length; i++) out[i] = acts[i][l];
        return out;
    }
}
