package dev.vane.lab.train;

import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training process stopped by SIGTERM (what {@code kill} and a container stop send; Ctrl-C runs
 * the same shutdown) ends cleanly: no JVM crash, and a checkpoint at the step where it stopped, from
 * which a new run resumes.
 */
class TrainerStopTest {

    static final TrainConfig LONG = new TrainConfig(100_000, 4, 32, 1e-3, 0.1, 2, 0.01, 1.0, 0, 1, 0, 7);

    /** The stopped process: trains the fixture in {@code args[0]} for far longer than the test waits. */
    public static void main(String[] args) throws Exception {
        new Trainer(LONG, Path.of(args[0]), System.out).run(data(), data(), LONG.steps());
    }

    private static TokenDataset data() {
        SplittableRandom r = new SplittableRandom(1);
        int[] t = new int[20_000];
        for (int i = 0; i < t.length; i++) t[i] = 3 + r.nextInt(500);
        return new TokenDataset(t);
    }

    @Test
    void sigtermEndsTheRunWithACheckpointAndNoCrash(@TempDir Path tmp) throws Exception {
        Path dir = FixtureWriter.write(Preset.TINY_LLAMA.config(), FileDType.F32, 3, tmp.resolve("model"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent")).toList());
        cmd.add("-XX:ErrorFile=" + tmp.resolve("hs_err_%p.log"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TrainerStopTest.class.getName());
        cmd.add(dir.toString());
        Path log = tmp.resolve("run.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Pattern stepPattern = Pattern.compile("step (\\d+)/");
        int seen = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (seen < 20 && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            Matcher m = stepPattern.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
            while (m.find()) seen = Math.max(seen, Integer.parseInt(m.group(1)));
        }
        assertThat(seen).as("steps before the stop; output: %s", Files.readString(log, StandardCharsets.ISO_8859_1)).isGreaterThanOrEqualTo(20);
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process ends after SIGTERM");
        String output = Files.readString(log, StandardCharsets.ISO_8859_1);
        assertEquals(143, p.exitValue(), "128 + SIGTERM, not a crash (134); output: " + output);
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(f -> f.startsWith("hs_err"));
        }
        String state = Files.readString(dir.resolve("trainer_state.json"));
        Matcher m = Pattern.compile("\"step\" : (\\d+)").matcher(state);
        assertTrue(m.find(), state);
        int saved = Integer.parseInt(m.group(1));
        assertThat(saved).as("the checkpoint is at the step where the run stopped").isGreaterThanOrEqualTo(seen);
        assertThat(dir.resolve(".checkpoint-partial")).doesNotExist();
        // and a new run resumes from it
        List<Trainer.Point> resumed = new Trainer(LONG, dir, null).run(data(), data(), saved + 2);
        assertEquals(List.of(saved + 1, saved + 2), resumed.stream().map(Trainer.Point::step).toList());
    }
}
