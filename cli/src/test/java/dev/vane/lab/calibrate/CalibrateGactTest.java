package dev.vane.lab.calibrate;

import dev.vane.cli.CliRun;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.control.MethodArtifacts;
import dev.vane.steering.control.RegistryArtifacts;
import dev.vane.steering.gact.GactWeights;
import dev.vane.lab.harvest.ActivationHarvester;
import dev.vane.lab.harvest.HarvestProgress;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.PhaseScope;
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
import java.util.Optional;

import static dev.vane.lab.calibrate.DemoCalibration.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** {@code calibrate gact} end to end on the bundled demo model, with a 16-pair prompt file. */
class CalibrateGactTest {

    /** {@code vane calibrate gact ARGS} through the command line. */
    private static final DemoCalibration.Command GACT =
            (args, out, err) -> CliRun.run(CliRun.concat(new String[] {"calibrate", "gact"}, args), out, err);


    /** Sentences of three flavours; the explicit side names the flavour, the neutral side does not. */
    static final String[][] SENTENCES = {
            {"news", "The mayor said on Friday that the new bridge will open next spring."},
            {"news", "Officials reported that the election drew a record number of voters."},
            {"news", "The county board voted to raise the school budget by ten percent."},
            {"news", "Police said the road will stay closed until Monday morning."},
            {"news", "The governor signed the bill after a long debate in the senate."},
            {"romance", "She smiled at him across the room and her heart began to race."},
            {"romance", "He held her hand and promised that he would never leave again."},
            {"romance", "Their eyes met under the summer moon and neither of them spoke."},
            {"romance", "She read his letter twice before she let herself cry."},
            {"romance", "He kissed her gently as the music faded away."},
            {"religion", "The faithful gathered in the church to pray for peace."},
            {"religion", "The preacher spoke of grace and the love of God for all men."},
            {"religion", "They sang a hymn of praise as the bells rang out."},
            {"religion", "The scripture teaches that mercy is greater than judgment."},
            {"religion", "The monks kept silence and prayed through the night."},
            {"news", "The city council approved a plan to repair the old market."},
    };

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

    /** Every fourth pair held out when {@code withSplit}. */
    private Path prompts(boolean withSplit, String... extra) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < SENTENCES.length; i++) {
            b.append("{\"neutral\": \"A passage: ").append(SENTENCES[i][1]).append("\", \"explicit\": \"A ")
                    .append(SENTENCES[i][0]).append(" passage: ").append(SENTENCES[i][1]).append('"');
            if (withSplit) b.append(", \"split\": \"").append(i % 4 == 3 ? "valid" : "train").append('"');
            b.append("}\n");
        }
        for (String l : extra) b.append(l).append('\n');
        Path f = tmp.resolve("genre.jsonl");
        Files.writeString(f, b);
        return f;
    }

    @Test
    void fitsTheChosenLayersComparesWithActAndTheArtifactSteers() throws Exception {
        Path file = prompts(true);
        Path registry = tmp.resolve("registry"), table = tmp.resolve("table.md");

        DemoCalibration.Run r = run(GACT, "--model", model.toString(), "--prompts", file.toString(),
                "--name", "genre-gact", "--registry", registry.toString(), "--layers", "2-3", "--clusters", "3",
                "--table", table.toString());

        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote genre-gact (gact, k=3, layers 2-3, 12 train / 4 held-out pairs)",
                "G-ACT (k=3)", "ACT > chance", "mean", "table written to");
        assertThat(r.err()).contains("harvest [").contains("32/32");
        String md = Files.readString(table);
        assertThat(md).startsWith("# G-ACT vs ACT held-out probe accuracy: genre-gact").contains("```text\n")
                .contains("vane calibrate gact --model ");
        assertThat(md.lines().filter(l -> l.matches("\\s+[23]\\s.*")).count()).isEqualTo(2);

        ModelFingerprint fp = ModelFingerprint.of(lm.config());
        Artifact a = new ArtifactRegistry(registry).load("genre-gact", fp);
        var m = a.manifest();
        assertThat(m.kind()).isEqualTo(ArtifactKind.GACT);
        assertThat(m.layers()).containsExactly(2, 3);
        for (int l : new int[] {2, 3}) {
            assertThat(m.metrics().get("valid.gact.accuracy.layer." + l)).isIn(0.0, 0.25, 0.5, 0.75, 1.0);
            // ACT scores both sides of each held-out pair: eighths
            assertThat(m.metrics().get("valid.act.accuracy.layer." + l) * 8).isCloseTo(
                    Math.rint(m.metrics().get("valid.act.accuracy.layer." + l) * 8), offset(1e-9));
        }
        assertThat(m.metrics()).doesNotContainKey("valid.gact.accuracy.layer.1").containsEntry("valid.pairs", 4.0)
                .containsEntry("train.pairs", 12.0).containsKeys("valid.accuracy.best", "valid.best_layer",
                        "valid.gact.accuracy.mean", "valid.act.accuracy.mean");
        assertThat(m.params().get("clusters").asInt()).isEqualTo(3);
        assertThat(m.params().get("split").asText()).isEqualTo("field");
        assertThat(m.provenance().datasetSha256()).isEqualTo(Provenance.sha256(file));
        assertThat(m.provenance().command()).contains("--layers 2-3", "--clusters 3");

        // the stored directions are cluster means of explicit − neutral: their size-weighted mean is
        // the mean difference over the 12 training pairs
        GactWeights w = MethodArtifacts.gact(a);
        List<int[]> explicit = new ArrayList<>(), neutral = new ArrayList<>();
        for (int i = 0; i < SENTENCES.length; i++)
            if (i % 4 != 3) {
                explicit.add(tok.encode("A " + SENTENCES[i][0] + " passage: " + SENTENCES[i][1], true));
                neutral.add(tok.encode("A passage: " + SENTENCES[i][1], true));
            }
        ActivationHarvester h = new ActivationHarvester(lm);
        float[][][] e = h.harvest(explicit, List.of(2), 8, HarvestProgress.NONE), n = h.harvest(neutral, List.of(2), 8, HarvestProgress.NONE);
        int[] sizes = new int[3];
        var reportSizes = m.params().get("cluster_sizes").get(0);
        for (int c = 0; c < 3; c++) sizes[c] = reportSizes.get(c).asInt();
        assertThat(Arrays.stream(sizes).sum()).isEqualTo(12);
        float[][] mu = w.layers().get(2).directions();
        for (int j = 0; j < lm.config().hiddenSize(); j += 17) {
            double expected = 0, weighted = 0;
            for (int i = 0; i < 12; i++) expected += (e[i][0][j] - n[i][0][j]) / 12.0;
            for (int c = 0; c < 3; c++) weighted += sizes[c] * mu[c][j] / 12.0;
            assertThat(weighted).as("dimension %d", j).isCloseTo(expected, offset(1e-3 * (1 + Math.abs(expected))));
        }

        // loaded for a request plan, its probes choose at the fitted layers and the patch is applied
        SteeringRow row = DemoCalibration.steer(lm, tok, new RegistryArtifacts(new ArtifactRegistry(registry), fp),
                new InterventionSpec.Gact("genre-gact", 2, InterventionSpec.GactSelect.ARGMAX, Optional.empty(), PhaseScope.BOTH),
                "A passage: The mayor opened the new library.");
        var trace = row.trace().get(0);
        assertThat(trace.applied()).isTrue();
        assertThat(trace.choices().keySet()).containsExactly(2, 3);
    }

    @Test
    void withoutASplitFieldASeededShareIsHeldOut() throws Exception {
        Path file = prompts(false);
        Path registry = tmp.resolve("registry");
        DemoCalibration.Run r = run(GACT, "--model", model.toString(), "--prompts", file.toString(),
                "--name", "g", "--registry", registry.toString(), "--layers", "4", "--clusters", "2",
                "--valid-fraction", "0.25", "--seed", "7");
        assertThat(r.status()).as(r.err()).isZero();
        var m = Artifact.read(registry.resolve("g"), 1 << 24).manifest();
        assertThat(m.layers()).containsExactly(4);
        assertThat(m.params().get("split").asText()).isEqualTo("random");
        assertThat(m.params().get("valid_fraction").asDouble()).isEqualTo(0.25);
        assertThat(m.metrics()).containsEntry("valid.pairs", 4.0).containsEntry("train.pairs", 12.0);
    }

    @Test
    void badPromptFilesAreNamedByFileLineAndField() throws Exception {
        Path registry = tmp.resolve("registry");
        String[][] cases = {
                {"{\"explicit\": \"a\", \"split\": \"train\"}", ":17: neutral: missing"},
                {"{\"neutral\": \"a\", \"explicit\": \"b\", \"split\": \"\"}", ":17: split: expected a non-empty string"},
                {"{\"neutral\": \"a\", \"explicit\": \"b\", \"split\": \"dev\"}", ":17: split: expected 'train' or 'valid', got 'dev'"},
                {"{\"neutral\": \"a\", \"explicit\": \"b\"}", ":17: 'split' must be on every line or on none"},
                {"{\"neutral\": \"a\", \"positive\": \"b\", \"split\": \"train\"}", ":17: unknown key 'positive' (explicit, neutral, split)"},
                {"{\"neutral\": 3, \"explicit\": \"b\", \"split\": \"train\"}", ":17: neutral: expected a non-empty string"},
        };
        for (String[] c : cases) {
            DemoCalibration.Run r = run(GACT, "--model", model.toString(), "--prompts",
                    prompts(true, c[0]).toString(), "--name", "bad", "--registry", registry.toString());
            assertThat(r.status()).as(c[0]).isEqualTo(1);
            assertThat(r.err()).as(c[0]).contains("genre.jsonl" + c[1]);
        }
        Path allTrain = tmp.resolve("genre.jsonl");
        Files.writeString(allTrain, Files.readString(prompts(true)).replace("\"valid\"", "\"train\""));
        DemoCalibration.Run r = run(GACT, "--model", model.toString(), "--prompts", allTrain.toString(),
                "--name", "bad", "--registry", registry.toString());
        assertThat(r.err()).contains("genre.jsonl: no held-out pairs (split: valid)");
        r = run(GACT, "--model", model.toString(), "--prompts", prompts(true).toString(),
                "--name", "bad", "--registry", registry.toString(), "--clusters", "13");
        assertThat(r.err()).contains("genre.jsonl: 12 training pairs, fewer than --clusters 13");
        assertThat(run(GACT, "--model", model.toString(), "--prompts", prompts(true).toString(),
                "--name", "bad", "--registry", registry.toString(), "--clusters", "1").err()).contains("--clusters: must be >= 2");
        assertThat(run(GACT, "--model", model.toString(), "--prompts", prompts(true).toString(),
                "--name", "bad", "--registry", registry.toString(), "--layers", "3-9").err())
                .contains("--layers: 3-9 exceeds the model's layers 0-5");
        assertThat(new ArtifactRegistry(registry).names()).isEmpty();
    }
}
