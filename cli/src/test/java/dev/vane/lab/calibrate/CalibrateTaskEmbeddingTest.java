package dev.vane.lab.calibrate;

import dev.vane.cli.CliRun;
import dev.vane.cli.CliRun.Result;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.lab.tokenizer.BpeTrainer;
import dev.vane.lab.tokenizer.BpeTrainerConfig;
import dev.vane.engine.weights.FileDType;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.control.RegistryArtifacts;
import dev.vane.steering.plan.ArtifactResolver;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.ModelShape;
import dev.vane.steering.plan.SteeringPlan;
import dev.vane.steering.plan.SteeringRow;
import dev.vane.lab.task.HeadSelection;
import dev.vane.lab.task.TaskCalibration;
import dev.vane.lab.task.TaskEval;
import dev.vane.lab.task.TaskFile;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CalibrateTaskEmbeddingTest {

    static Path model;
    static final List<String> LINES = new ArrayList<>();

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    /** A tiny random Llama with a BPE tokenizer trained on the task's own prompts (an uppercase task). */
    @BeforeAll
    static void fixture() throws Exception {
        String[] words = {"day", "song", "meal", "book", "walk", "film", "trip", "game", "tree", "road", "lamp", "ship"};
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < words.length; i++) {
            String split = i < 8 ? "train" : i < 10 ? "valid" : "test";
            String up = words[i].toUpperCase(Locale.ROOT);
            LINES.add("{\"input\":\"" + words[i] + "\",\"output\":\"" + up + "\",\"split\":\"" + split + "\"}");
            corpus.add("Q: " + words[i] + "\nA: " + up + "\n\n");
        }
        model = shared.resolve("model");
        FixtureWriter.write(Preset.TINY_LLAMA.config(), FileDType.F32, 23, model);
        BpeTrainer.train(corpus, BpeTrainerConfig.of(300)).write(model);
    }

    private Path task(List<String> lines) throws Exception {
        Path f = tmp.resolve("upper.jsonl");
        Files.write(f, lines);
        return f;
    }

    private Result run(String... args) {
        return CliRun.run(CliRun.concat(new String[] {"calibrate", "task-embedding"}, args));
    }

    @Test
    void writesATaskEmbeddingArtifactThatAPlanInjectsAtTheLastPromptTokenOnly() throws Exception {
        Path registry = tmp.resolve("registry");
        Result r = run("--model", model.toString(), "--task", task(LINES).toString(), "--name", "upper",
                "--registry", registry.toString(), "--prompts", "3", "--shots", "2", "--steps", "4",
                "--valid-every", "2", "--valid-size", "2");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote upper (2 layers x 4 heads)").contains("| 4 |").contains("kept step");

        ArtifactRegistry reg = new ArtifactRegistry(registry);
        Artifact a = Artifact.read(registry.resolve("upper"), Long.MAX_VALUE);
        assertThat(a.manifest().kind()).isEqualTo(ArtifactKind.TASK_EMBEDDING);
        assertThat(a.manifest().site().name()).isEqualTo("ATTN_HEADS");
        assertThat(a.tensor("embedding").shape()).containsExactly(2, 4, 16);
        assertThat(a.tensor("logits").shape()).containsExactly(2, 4);
        assertThat(a.manifest().metrics()).containsKeys("valid.loss.no_injection", "valid.loss.step_0",
                "valid.loss.step_2", "valid.loss.step_4", "valid.loss.best", "valid.best_step", "alpha.mean");
        assertThat(a.manifest().metrics().get("valid.loss.best"))
                .isLessThanOrEqualTo(a.manifest().metrics().get("valid.loss.step_0"));
        assertThat(a.manifest().params().get("shots").asInt()).isEqualTo(2);
        assertThat(a.manifest().provenance().command()).startsWith("vane calibrate task-embedding --model");

        try (TensorDecoder m = ModelLoader.loadTensor(model, ComputeDType.F32, 64); Tokenizer tok = Tokenizer.load(model);
             NDManager manager = NDManager.newBaseManager(); Generator gen = new Generator(m, tok, 2, 64)) {
            RegistryArtifacts artifacts = new RegistryArtifacts(reg, ModelFingerprint.of(m.config()));
            ArtifactResolver.TaskEmbedding view = artifacts.taskEmbedding("upper");
            float[] logits = a.tensor("logits").data();
            for (int i = 0; i < logits.length; i++)
                assertThat(view.alpha()[i]).isCloseTo((float) (1 / (1 + Math.exp(-logits[i]))),
                        org.assertj.core.data.Offset.offset(1e-6f));
            SteeringPlan plan = SteeringPlan.resolve(List.of(new SteeringPlan.Entry(new InterventionSpec.Task("upper"),
                    "inline", "vane.interventions[0]")), artifacts, new ModelShape(2, m.config().hiddenSize()));
            SteeringRow row = plan.bind();
            Sequence s = gen.newSequence(tok.encode("Q: tree\nA:", true), SamplingParams.greedy(6), TokenListener.NONE, row);
            gen.run(List.of(s));
            assertThat(s.result().tokens().length).as("decode steps ran").isGreaterThan(2);
            assertThat(row.trace().get(0).positions()).as("one position, whatever the tokens generated").isEqualTo(1);
        }
    }

    @Test
    void badTaskFilesNameTheFileLineAndField() throws Exception {
        List<String> missing = new ArrayList<>(LINES);
        missing.set(1, "{\"input\":\"song\",\"split\":\"train\"}");
        Result r = run("--model", model.toString(), "--task", task(missing).toString(), "--name", "x",
                "--registry", tmp.resolve("reg").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("upper.jsonl:2: output: missing");

        List<String> noValid = LINES.stream().map(l -> l.replace("\"valid\"", "\"test\"")).toList();
        r = run("--model", model.toString(), "--task", task(noValid).toString(), "--name", "x",
                "--registry", tmp.resolve("reg").toString(), "--shots", "2");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("upper.jsonl: split \"valid\" has 0 examples");

        r = run("--model", model.toString(), "--task", task(LINES).toString(), "--name", "x",
                "--registry", tmp.resolve("reg").toString(), "--shots", "8");
        assertThat(r.err()).contains("split \"train\" has 8 examples, --shots 8 (demonstrations plus a query) needs at least 9");

        assertThatThrownBy(() -> TaskFile.read(task(List.of(LINES.get(0), "", "{\"input\":\"a\",\"output\":\"A\",\"split\":\"dev\"}"))))
                .hasMessageContaining("upper.jsonl:3: split: must be train, valid or test, got 'dev'");
        assertThatThrownBy(() -> TaskFile.read(task(List.of("{\"input\":\"a\",\"output\":7,\"split\":\"train\"}"))))
                .hasMessageContaining("upper.jsonl:1: output: expected a string, got 7");
        assertThatThrownBy(() -> TaskFile.read(task(List.of("{\"input\":\"a\",\"output\":\"A\",\"split\":\"train\",\"x\":1}"))))
                .hasMessageContaining("upper.jsonl:1: x: unknown field");
        assertThatThrownBy(() -> TaskFile.read(task(List.of("{\"input\":\"a\",\"output\":\"A\""))))
                .hasMessageContaining("upper.jsonl:1: malformed JSON");
        assertThatThrownBy(() -> TaskFile.read(task(List.of("{\"input\":\"a\",\"output\":\"A\\nB\",\"split\":\"train\"}"))))
                .hasMessageContaining("upper.jsonl:1: output: must be one line");
        assertThatThrownBy(() -> TaskFile.read(task(List.of("", " "))))
                .hasMessageContaining("upper.jsonl: no examples");
    }

    @Test
    void calibrationPromptsFollowTheIclFormatAndAnswersEndWithTheDemonstrationSeparator() throws Exception {
        TaskCalibration.Settings s = new TaskCalibration.Settings(5, 3, 1, 2,
                new HeadSelection.Options(1, 0.2, 1, HeadSelection.Loss.ANSWER, 4));
        try (Tokenizer tok = Tokenizer.load(model)) {
            TaskCalibration.Encoded e = TaskCalibration.encode(tok, TaskFile.read(task(LINES)), s, 256);
            assertThat(e.fewShot()).hasSize(5);
            for (int[] p : e.fewShot()) {
                String text = tok.decode(p, true);
                assertThat(text.split("\n\n", -1)).as(text).hasSize(4);
                assertThat(text).startsWith("Q: ").endsWith("\nA:");
            }
            assertThat(e.train()).hasSize(8);
            assertThat(e.valid()).as("--valid-size 1").hasSize(1);
            assertThat(tok.decode(e.train().get(0).prompt(), true)).isEqualTo("Q: day\nA:");
            HeadSelection.Query q = e.train().get(0);
            assertThat(tok.decode(q.answer(), true)).isEqualTo(" DAY\n\n");
            assertThat(tok.decode(Arrays.copyOf(q.answer(), q.firstTokens()), true).trim())
                    .as("first-token loss scores up to the first token with text").isNotEmpty();
            assertThat(tok.decode(Arrays.copyOf(q.answer(), q.firstTokens() - 1), true)).isBlank();
            assertThatThrownBy(() -> TaskCalibration.encode(tok, TaskFile.read(task(LINES)), s, 12))
                    .hasMessageContaining("upper.jsonl: a 3-shot prompt has").hasMessageContaining("lower --shots");
        }
    }

    @Test
    void evalScoresTheThreeArmsOnTheTestSplit() throws Exception {
        Path data = tmp.resolve("tasks");
        Files.createDirectories(data);
        Files.write(data.resolve("upper.jsonl"), LINES);
        TaskCalibration.Settings s = new TaskCalibration.Settings(2, 2, 2, 2,
                new HeadSelection.Options(2, 0.2, 1, HeadSelection.Loss.ANSWER, 0));
        List<TaskEval.Row> rows = TaskEval.evaluate(model, List.of(data.resolve("upper.jsonl")), s, 2, 3,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(rows).hasSize(1);
        TaskEval.Row row = rows.get(0);
        assertThat(row.task()).isEqualTo("upper");
        assertThat(row.queries()).isEqualTo(2);
        assertThat(row.injected().promptTokens()).as("injection adds no prompt tokens").isEqualTo(row.zeroShot().promptTokens());
        assertThat(row.fewShot().promptTokens()).isGreaterThan(row.zeroShot().promptTokens() + 8);
        assertThat(row.selection().curve()).hasSize(3);
        assertThat(row.fewShotBySeed()).hasSize(3); // ICL under 3 seeds, each drawing every query's demonstrations
        assertThat(row.fewShot().accuracy()).isEqualTo(row.fewShotInterval().mean());

        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = CliRun.run(new String[] {"eval", "task-embedding", "--model", model.toString(), "--data", data.toString(), "--tasks", "upper",
                "--per-task", "2", "--shots", "2", "--prompts", "2", "--steps", "2", "--valid-every", "1", "--valid-size", "2",
                "--icl-seeds", "2"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("| task | test queries | 0-shot | 0-shot + injection | 2-shot ICL, mean over seeds (95%)")
                .contains("under 2 seeds").contains("loss first-token")
                .contains("| upper | 2 |");
        err.reset();
        status = CliRun.run(new String[] {"eval", "task-embedding", "--model", model.toString(), "--data", data.toString(), "--tasks", "lower"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--tasks: no task file").contains("lower.jsonl");
    }

    @Test
    void usageErrorsNameTheFlag() {
        Result r = run("--model", "m", "--task", "t", "--name", "x");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--registry: required");
        r = run("--model", "m", "--task", "t", "--name", "x", "--registry", "r", "--loss", "all");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--loss: must be answer or first-token, got 'all'");
        r = run("--model", "m", "--task", "t", "--name", "x", "--registry", "r", "--steps", "many");
        assertThat(r.err()).contains("--steps: not a number: 'many'");
    }
}
