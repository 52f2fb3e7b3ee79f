package dev.vane.lab.calibrate;

import ai.djl.ndarray.NDManager;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.plan.ArtifactResolver;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.ModelShape;
import dev.vane.steering.plan.SteeringPlan;
import dev.vane.steering.plan.SteeringRow;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Helpers for the calibrate tests that run on the bundled demo model. */
final class DemoCalibration {

    private DemoCalibration() {}

    /** {@code models/demo} of the repository, found upwards from the working directory. */
    static Path demoModel() {
        return dev.vane.steering.DemoModelDir.path();
    }

    record Run(int status, String out, String err) {}

    /** Runs a command's {@code run(args, out, err)} capturing both streams. */
    static Run run(Command command, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = command.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @FunctionalInterface
    interface Command {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    /** Greedy generation of a few tokens under one intervention resolved through {@code artifacts}; returns the row. */
    static SteeringRow steer(CausalLM model, Tokenizer tok, ArtifactResolver artifacts, InterventionSpec spec, String prompt) {
        SteeringPlan plan = SteeringPlan.resolve(List.of(new SteeringPlan.Entry(spec, "inline", "vane.interventions[0]")),
                artifacts, new ModelShape(model.config().numLayers(), model.config().hiddenSize()));
        try (NDManager manager = NDManager.newBaseManager(); Generator generator = new Generator(model, tok, 1, 256)) {
            SteeringRow row = plan.bind();
            Sequence s = generator.newSequence(tok.encode(prompt, true),
                    SamplingParams.builder().temperature(0).maxTokens(4).ignoreEos(true).build(), TokenListener.NONE, row);
            generator.run(List.of(s));
            return row;
        }
    }
}
