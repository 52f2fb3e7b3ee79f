package dev.vane.cli;

import dev.vane.server.Main;

import dev.vane.server.Main;

import dev.vane.lab.data.DemoData;
import dev.vane.lab.tokenizer.TrainTokenizer;
import dev.vane.lab.train.TrainLm;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.lab.calibrate.ArtifactsCommand;
import dev.vane.lab.calibrate.CalibrateController;
import dev.vane.lab.calibrate.CalibrateGact;
import dev.vane.lab.calibrate.CalibrateVectors;
import dev.vane.lab.steering.SteeringEvalCommand;
import dev.vane.lab.steering.SteeringSets;
import dev.vane.steering.plan.PlanException;
import dev.vane.lab.calibrate.CalibrateTaskEmbedding;
import dev.vane.lab.task.TaskEval;

import java.util.Arrays;

/**
 * The {@code vane} command line: {@code serve} (default), {@code train lm}, {@code train tokenizer},
 * {@code calibrate vectors|controller|gact|task-embedding}, {@code artifacts}, {@code data demo},
 * {@code data steering}, {@code eval demo}, {@code eval layer-skip}, {@code eval steering ...},
 * {@code eval task-embedding}.
 * Each subcommand's flags are documented in its class.
 */
public final class Cli {

    private static final String USAGE = """
            usage: vane serve [--model DIR] [--port N] [--dtype f16|f32] [--threads N] [--slots N] [--context N]
                   vane train lm --tokenizer DIR --train FILE --valid FILE --out DIR [...]   (see TrainLm)
                   vane train tokenizer --input PATH [...] --vocab-size N --output DIR   (see TrainTokenizer)
                   vane calibrate vectors --model DIR --prompts FILE --name NAME --registry DIR [...]   (see CalibrateVectors)
                   vane calibrate controller --model DIR --prompts FILE --name NAME --registry DIR [...]   (see CalibrateController)
                   vane calibrate gact --model DIR --prompts FILE --name NAME --registry DIR [...]   (see CalibrateGact)
                   vane calibrate task-embedding --model DIR --task FILE --name NAME --registry DIR [...]   (see CalibrateTaskEmbedding)
                   vane artifacts list|import-gguf|export-gguf|delete --registry DIR [...]   (see ArtifactsCommand)
                   vane eval demo --model DIR --data DIR [--per-task N] [--shots N]
                   vane eval layer-skip --model DIR --data DIR [--mode none|trace|readout|exit|skip-set] [--alpha A] [--q Q] [--header]
                   vane eval steering classifier|genre|refusal|probes --data DIR [...]   (see SteeringEvalCommand)
                   vane eval task-embedding --model DIR --data DIR [--tasks a,b] [--per-task N] [--shots N] [...]   (see TaskEval)
                   vane convert --model IN --out OUT [--dtype f16|bf16|f32]
                   vane data demo --brown DIR --out DIR [--seed N] [...]   (see DemoData; tools/build-demo-corpus.sh)
                   vane data steering --data DIR --out DIR [--target GENRE ...] [--chunks-per-doc N]
            """;

    private Cli() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("--")) {
            Main.serve(args);
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "serve" -> Main.serve(rest);
            case "train" -> train(rest);
            case "calibrate" -> calibrate(rest);
            case "artifacts" -> {
                int status = ArtifactsCommand.run(rest, System.out, System.err);
                if (status != 0) System.exit(status);
            }
            case "data" -> {
                if (rest.length == 0) fail("data needs 'demo' or 'steering'");
                String[] sub = Arrays.copyOfRange(rest, 1, rest.length);
                switch (rest[0]) {
                    case "demo" -> DemoData.main(sub);
                    case "steering" -> usageErrors(() -> SteeringSets.main(sub));
                    default -> fail("data needs 'demo' or 'steering'");
                }
            }
            case "eval" -> {
                if (rest.length == 0) fail("eval needs 'demo', 'layer-skip', 'steering' or 'task-embedding'");
                String[] evalArgs = Arrays.copyOfRange(rest, 1, rest.length);
                switch (rest[0]) {
                    case "demo" -> usageErrors(() -> dev.vane.lab.eval.DemoEval.main(evalArgs));
                    case "layer-skip" -> usageErrors(() -> dev.vane.lab.eval.LayerSkipEval.main(evalArgs));
                    case "steering" -> usageErrors(() -> SteeringEvalCommand.main(evalArgs));
                    case "task-embedding" -> {
                        int status = TaskEval.run(evalArgs, System.out, System.err);
                        if (status != 0) System.exit(status);
                    }
                    default -> fail("eval needs 'demo', 'layer-skip', 'steering' or 'task-embedding'");
                }
            }
            case "convert" -> dev.vane.lab.convert.ConvertCheckpoint.main(rest);
            case "help", "-h" -> System.out.print(USAGE);
            default -> fail("unknown command '" + args[0] + "'");
        }
    }

    private static void train(String[] args) throws Exception {
        if (args.length == 0) fail("train needs 'lm' or 'tokenizer'");
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "lm" -> {
                try {
                    TrainLm.run(rest);
                } catch (IllegalArgumentException e) {
                    fail(e.getMessage());
                }
            }
            case "tokenizer" -> System.exit(TrainTokenizer.run(rest, System.out, System.err));
            default -> fail("unknown training target '" + args[0] + "' (lm, tokenizer)");
        }
    }

    private static void calibrate(String[] args) {
        if (args.length == 0) fail("calibrate needs 'vectors', 'controller', 'gact' or 'task-embedding'");
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        int status = switch (args[0]) {
            case "vectors" -> CalibrateVectors.run(rest, System.out, System.err);
            case "controller" -> CalibrateController.run(rest, System.out, System.err);
            case "gact" -> CalibrateGact.run(rest, System.out, System.err);
            case "task-embedding" -> CalibrateTaskEmbedding.run(rest, System.out, System.err);
            default -> {
                fail("unknown calibration target '" + args[0] + "' (vectors, controller, gact, task-embedding)");
                yield 2;
            }
        };
        if (status != 0) System.exit(status);
    }

    private interface Command {
        void run() throws Exception;
    }

    /**
     * Runs {@code c}; a bad flag or input file ({@link IllegalArgumentException}), a bad intervention
     * ({@link PlanException}, with its field) or an unusable artifact ({@link ArtifactException})
     * exits 2 with its message.
     */
    private static void usageErrors(Command c) throws Exception {
        try {
            c.run();
        } catch (IllegalArgumentException | ArtifactException e) {
            System.err.println("vane: " + e.getMessage());
            System.exit(2);
        } catch (PlanException e) {
            System.err.println("vane: " + e.field() + ": " + e.getMessage());
            System.exit(2);
        }
    }

    private static void fail(String message) {
        System.err.println("vane: " + message);
        System.err.print(USAGE);
        System.exit(2);
    }
}
