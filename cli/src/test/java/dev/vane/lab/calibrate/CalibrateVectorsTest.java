package dev.vane.lab.calibrate;

import dev.vane.cli.CliRun;
import dev.vane.cli.CliRun.Result;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.lab.tokenizer.BpeTrainer;
import dev.vane.lab.tokenizer.BpeTrainerConfig;
import dev.vane.engine.weights.FileDType;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.lab.harvest.ActivationHarvester;
import dev.vane.lab.vector.FitMethod;
import dev.vane.lab.vector.VectorFitter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** {@code vane calibrate vectors} end to end through the command line. */
class CalibrateVectorsTest {

    static Path model;
    static final List<String> POS = new ArrayList<>(), NEG = new ArrayList<>();

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    /** A tiny random Llama with a BPE tokenizer trained on the prompts themselves. */
    @BeforeAll
    static void fixture() throws Exception {
        String[] things = {"day", "song", "meal", "book", "walk", "film", "trip", "game"};
        for (int i = 0; i < 16; i++) {
            POS.add("I love this wonderful " + things[i % 8] + " number " + i + ".");
            NEG.add("I hate this terrible " + things[i % 8] + " number " + i + ".");
        }
        model = shared.resolve("model");
        FixtureWriter.write(Preset.TINY_LLAMA.config(), FileDType.F32, 21, model);
        List<String> corpus = new ArrayList<>(POS);
        corpus.addAll(NEG);
        BpeTrainer.train(corpus, BpeTrainerConfig.of(400)).write(model);
    }

    private Path prompts(boolean withSplit, String... extraLines) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < POS.size(); i++) {
            b.append("{\"positive\": \"").append(POS.get(i)).append("\", \"negative\": \"").append(NEG.get(i)).append('"');
            if (withSplit) b.append(", \"split\": \"").append(i % 4 == 3 ? "valid" : "train").append('"');
            b.append("}\n");
            if (i == 5) b.append("\n"); // blank lines are allowed
        }
        for (String l : extraLines) b.append(l).append('\n');
        Path f = tmp.resolve("prompts.jsonl");
        Files.writeString(f, b);
        return f;
    }

    private static Result run(String... args) {
        return CliRun.run(CliRun.concat(new String[] {"calibrate", "vectors"}, args));
    }

    @Test
    void writesALoadableArtifactMatchingADirectFit() throws Exception {
        Path file = prompts(true);
        Path registry = tmp.resolve("registry");

        Result r = run("--model", model.toString(), "--prompts", file.toString(), "--name", "e2e",
                "--registry", registry.toString(), "--method", "pca", "--batch", "5");

        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote e2e (pca, 12 train / 4 held-out pairs)", "| layer | held-out accuracy |");
        assertThat(r.err()).contains("harvest [").contains("32/32");
        try (TensorDecoder m = ModelLoader.loadTensor(model, ComputeDType.F32, 0); Tokenizer tok = Tokenizer.load(model)) {
            ModelFingerprint fp = ModelFingerprint.of(m.config());
            Artifact a = new ArtifactRegistry(registry).load("e2e", fp);
            VectorSet v = VectorSet.from(a);
            assertThat(v.layers()).containsExactly(0, 1);

            // the same fit done by hand on the 12 training pairs (every line but each fourth)
            List<int[]> pos = new ArrayList<>(), neg = new ArrayList<>();
            for (int i = 0; i < 16; i++)
                if (i % 4 != 3) {
                    pos.add(tok.encode(POS.get(i), true));
                    neg.add(tok.encode(NEG.get(i), true));
                }
            ActivationHarvester h = new ActivationHarvester(m);
            float[][] expected = VectorFitter.fit(h.harvest(pos, 4), h.harvest(neg, 4), FitMethod.PCA);
            for (int l = 0; l < 2; l++) {
                float[] got = v.direction(l);
                for (int j = 0; j < got.length; j++) assertThat(got[j]).isCloseTo(expected[l][j], offset(1e-5f));
            }

            var meta = a.manifest();
            assertThat(meta.metrics()).containsEntry("valid.pairs", 4.0).containsEntry("train.pairs", 12.0)
                    .containsKeys("valid.accuracy.layer.0", "valid.accuracy.layer.1", "valid.best_layer");
            assertThat(meta.metrics().get("valid.accuracy.best")).isBetween(0.0, 1.0);
            assertThat(meta.params().get("method").asText()).isEqualTo("pca");
            assertThat(meta.params().get("split").asText()).isEqualTo("field");
            assertThat(meta.provenance().datasetSha256()).isEqualTo(Provenance.sha256(file));
            assertThat(meta.provenance().command()).startsWith("vane calibrate vectors --model ")
                    .contains("--name e2e", "--method pca");
        }
    }

    @Test
    void randomSplitChatTemplateLayerRangeAndReplace() throws Exception {
        Path file = prompts(false);
        Path registry = tmp.resolve("registry");
        String[] args = {"--model", model.toString(), "--prompts", file.toString(), "--name", "chat-vec",
                "--registry", registry.toString(), "--layers", "1-1", "--chat", "--valid-fraction", "0.25"};

        Result first = run(args);
        assertThat(first.status()).as(first.err()).isZero();
        Artifact a = Artifact.read(registry.resolve("chat-vec"), 1 << 20);
        assertThat(a.manifest().layers()).containsExactly(1);
        assertThat(a.manifest().params().get("valid_pairs").asInt()).isEqualTo(4);
        assertThat(a.manifest().params().get("split").asText()).isEqualTo("random");
        assertThat(a.manifest().params().get("chat").asBoolean()).isTrue();

        Result again = run(args);
        assertThat(again.status()).isEqualTo(1);
        assertThat(again.err()).contains("'chat-vec' already exists").contains("--replace");

        String[] replace = java.util.Arrays.copyOf(args, args.length + 1);
        replace[args.length] = "--replace";
        assertThat(run(replace).status()).isZero();
        // the same seed gives the same split and so the same vector
        assertThat(Artifact.read(registry.resolve("chat-vec"), 1 << 20).tensors()).isEqualTo(a.tensors());
    }

    @Test
    void badPromptLinesAreNamedByLine() throws Exception {
        Path registry = tmp.resolve("registry");
        String[][] cases = {
                {"{\"positive\": \"a\", \"negtive\": \"b\"}", ":18: unknown key 'negtive'"},
                {"{\"positive\": \"a\"}", ":18: negative: missing"},
                {"{\"positive\": \"a\", \"negative\": \"\"}", ":18: negative: expected a non-empty string"},
                {"[1]", ":18: expected a JSON object"},
                {"{\"positive\": ", ":18: malformed JSON"},
                {"{\"positive\": \"a\", \"negative\": \"b\", \"split\": \"train\"}", ":18: 'split' must be on every line or on none"},
                {"{\"positive\": \"a\", \"negative\": \"" + "zq ".repeat(300) + "\"}", ":18: negative has "},
        };
        for (String[] c : cases) {
            Path file = prompts(false, c[0]);
            Result r = run("--model", model.toString(), "--prompts", file.toString(), "--name", "bad",
                    "--registry", registry.toString());
            assertThat(r.status()).as(c[0]).isEqualTo(1);
            assertThat(r.err()).as(c[0]).contains("prompts.jsonl" + c[1]);
            if (c[1].contains("negative has")) assertThat(r.err()).contains("more than the model's 256 positions");
        }
        assertThat(new ArtifactRegistry(registry).names()).isEmpty();
    }

    @Test
    void usageErrorsNameTheFlag() throws Exception {
        Path file = prompts(true);
        String m = model.toString(), p = file.toString(), reg = tmp.resolve("r").toString();
        assertThat(run("--model", m, "--prompts", p, "--name", "../x", "--registry", reg).err())
                .contains("--name: invalid artifact name '../x'");
        assertThat(run("--model", m, "--prompts", p, "--name", "x", "--registry", reg, "--layers", "a-b").err())
                .contains("--layers: expected A-B");
        assertThat(run("--model", m, "--prompts", p, "--name", "x", "--registry", reg, "--method", "svd").status())
                .isEqualTo(2);
        assertThat(run("--model", m, "--prompts", p, "--name", "x").err()).contains("--registry: required");
        Result tooDeep = run("--model", m, "--prompts", p, "--name", "x", "--registry", reg, "--layers", "0-5");
        assertThat(tooDeep.status()).isEqualTo(1);
        assertThat(tooDeep.err()).contains("--layers: 0-5 exceeds the model's layers 0-1");
        Result noModel = run("--model", tmp.resolve("nowhere").toString(), "--prompts", p, "--name", "x", "--registry", reg);
        assertThat(noModel.status()).isEqualTo(1);
        assertThat(noModel.err()).contains("config.json: file not found");
    }
}
