package dev.vane.lab.steering;

import dev.vane.lab.cli.Flags;

import dev.vane.engine.generate.Generator;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.control.RegistryArtifacts;
import dev.vane.lab.gact.GactFit;
import dev.vane.steering.gact.SoftmaxProbe;
import dev.vane.lab.harvest.ProgressBar;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.InterventionSpec.ControllerMode;
import dev.vane.steering.plan.InterventionSpec.GactSelect;
import dev.vane.steering.plan.LayerRange;
import dev.vane.steering.plan.PhaseScope;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code eval steering classifier|genre|refusal|probes}: the measurements of docs/results/steering.md, each
 * printing Markdown (progress goes to stderr). Usage in {@link #USAGE}.
 */
public final class SteeringEvalCommand {

    public static final String USAGE = """
            usage: vane eval steering classifier --data DIR [--bigrams true|false] [--alpha A] [--prior uniform|empirical] [--min-docs N]
                   vane eval steering genre --data DIR --target GENRE [--model DIR] --registry DIR
                        (--vector NAME [--scale 4] | --gact NAME [--alpha 4] [--select argmax|soft])
                        [--layers A-B] [--phase both|prompt|generation] [--prompts 40] [--max-tokens 48]
                        [--seed 1] [--temperature 0.8] [--ppl-windows 16] [--ppl-tokens 128] [--header true]
                   vane eval steering refusal --data DIR [--model DIR] --registry DIR
                        (--controller NAME [--alpha 4] [--mode paper|prompt|code] [--squash true|false]
                         | --vector NAME [--scale 4] [--layers A-B] [--phase both|prompt|generation])
                        [--prompts 60] [--max-tokens 12] [--temperature 0] [--seed 1] [--samples 1]
                   vane eval steering probes --data DIR --target GENRE [--model DIR] [--clusters 3]
                        [--held-out 0.2] [--seed 1] [--chunks-per-doc 4] [--max-pairs 0]
            --data is a demo corpus build (tools/build-demo-corpus.sh); --model defaults to models/demo.
            """;

    private SteeringEvalCommand() {}

    public static void main(String[] args) throws Exception {
        run(args, System.out, System.err);
    }

    public static void run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0) throw new IllegalArgumentException("eval steering needs classifier, genre, refusal or probes\n" + USAGE);
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "classifier" -> classifier(rest, out);
            case "genre" -> genre(rest, out, err);
            case "refusal" -> refusal(rest, out);
            case "probes" -> probes(rest, out, err);
            default -> throw new IllegalArgumentException("unknown eval steering command '" + args[0] + "'\n" + USAGE);
        }
    }

    private static void classifier(String[] args, PrintStream out) {
        Flags f = Flags.parse(List.of(args), Set.of("--data", "--bigrams", "--alpha", "--prior", "--min-docs"), Set.of());
        GenreClassifier.Options d = GenreClassifier.Options.defaults();
        String prior = f.opt("--prior").orElse(d.uniformPrior() ? "uniform" : "empirical");
        if (!prior.equals("uniform") && !prior.equals("empirical"))
            throw new IllegalArgumentException("--prior must be uniform or empirical, got '" + prior + "'");
        GenreClassifier.Options opt = new GenreClassifier.Options(f.bool("--bigrams", d.bigrams()), f.number("--alpha", d.alpha()),
                prior.equals("uniform"), f.atLeast("--min-docs", d.minSources(), 1));
        GenreClassifier.Trained t = GenreClassifier.fromBrown(BrownDocument.ofCorpus(f.path("--data")), opt);
        out.printf("Genre classifier (Naive Bayes, %s, alpha %s, %s prior) trained on %d-word chunks of the valid split, "
                + "features in >= %d documents, tested on the test split:%n%n%s", opt.bigrams() ? "unigrams + bigrams" : "unigrams", GenreEval.num(opt.alpha()),
                prior, GenreClassifier.CHUNK_WORDS, opt.minSources(), t.heldOut().table());
    }

    private static void genre(String[] args, PrintStream out, PrintStream err) throws Exception {
        Flags f = Flags.parse(List.of(args), Set.of("--data", "--target", "--model", "--registry", "--vector", "--scale", "--gact", "--alpha", "--select",
                "--layers", "--phase", "--prompts", "--max-tokens", "--seed", "--temperature", "--ppl-windows", "--ppl-tokens", "--header"), Set.of());
        if (f.has("--vector") == f.has("--gact")) throw new IllegalArgumentException("give exactly one of --vector NAME or --gact NAME");
        Optional<LayerRange> layers = f.opt("--layers").map(SteeringEvalCommand::layers);
        PhaseScope phase = PhaseScope.parse(f.opt("--phase").orElse("both"));
        InterventionSpec spec = f.has("--vector")
                ? new InterventionSpec.Vector(f.require("--vector"), f.number("--scale", 4), layers, Optional.empty(), phase)
                : new InterventionSpec.Gact(f.require("--gact"), f.number("--alpha", 4), GactSelect.parse(f.opt("--select").orElse("argmax")),
                        layers, phase);
        GenreEval.Options o = new GenreEval.Options(f.require("--target"), f.atLeast("--prompts", 40, 1), f.atLeast("--max-tokens", 48, 1),
                f.atLeast("--seed", 1, 0), f.number("--temperature", 0.8), f.atLeast("--ppl-windows", 16, 1), f.atLeast("--ppl-tokens", 128, 1));
        List<BrownDocument> docs = BrownDocument.ofCorpus(f.path("--data"));
        SteeringSets.checkTarget(docs, o.target());
        GenreClassifier classifier = GenreClassifier.fromBrown(docs, GenreClassifier.Options.defaults()).classifier();
        Path modelDir = f.path("--model", "models/demo");
        try (TensorDecoder model = ModelLoader.loadTensor(modelDir, ComputeDType.F32, 0);
             Tokenizer tok = Tokenizer.load(modelDir);
             Generator gen = new Generator(model, tok, 8, model.maxPositions())) {
            err.printf("eval steering genre: %d prompts × %d tokens, two arms, then %d perplexity windows%n",
                    o.prompts(), o.maxTokens(), o.pplWindows());
            GenreEval.Result r = GenreEval.run(gen, registry(f, model), spec, docs, classifier, o);
            if (f.bool("--header", false)) out.println(GenreEval.Result.HEADER);
            out.println(r.row());
        }
    }

    private static void refusal(String[] args, PrintStream out) throws Exception {
        Flags f = Flags.parse(List.of(args), Set.of("--data", "--model", "--registry", "--controller", "--alpha", "--mode", "--squash",
                "--vector", "--scale", "--layers", "--phase", "--prompts", "--max-tokens", "--temperature", "--seed", "--samples"), Set.of());
        if (f.has("--vector") == f.has("--controller")) throw new IllegalArgumentException("give exactly one of --controller NAME or --vector NAME");
        for (String flag : f.has("--vector") ? List.of("--alpha", "--mode", "--squash") : List.of("--scale", "--layers", "--phase"))
            if (f.has(flag)) throw new IllegalArgumentException(flag + ": only with --" + (f.has("--vector") ? "controller" : "vector"));
        InterventionSpec spec;
        if (f.has("--vector")) {
            spec = new InterventionSpec.Vector(f.require("--vector"), f.number("--scale", 4), f.opt("--layers").map(SteeringEvalCommand::layers),
                    Optional.empty(), PhaseScope.parse(f.opt("--phase").orElse("both")));
        } else {
            ControllerMode mode = ControllerMode.parse(f.opt("--mode").orElse("paper"));
            spec = new InterventionSpec.Controller(f.require("--controller"), mode, f.number("--alpha", 4),
                    f.bool("--squash", mode != ControllerMode.CODE));
        }
        RefusalEval.Options o = new RefusalEval.Options(f.atLeast("--prompts", 60, 1), f.atLeast("--max-tokens", 12, 1),
                f.number("--temperature", 0), f.atLeast("--seed", 1, 0), f.atLeast("--samples", 1, 1));
        List<Dialogue> dialogues = Dialogue.ofCorpus(f.path("--data"));
        Path modelDir = f.path("--model", "models/demo");
        try (TensorDecoder model = ModelLoader.loadTensor(modelDir, ComputeDType.F32, 0);
             Tokenizer tok = Tokenizer.load(modelDir);
             Generator gen = new Generator(model, tok, 8, model.maxPositions())) {
            List<RefusalEval.Row> rows = RefusalEval.run(gen, registry(f, model), spec, dialogues, o);
            out.println(RefusalEval.Row.HEADER);
            String label = spec.artifact() + " (" + GenreEval.params(spec) + ")";
            rows.forEach(r -> out.println(r.markdown(label)));
        }
    }

    private static void probes(String[] args, PrintStream out, PrintStream err) throws Exception {
        Flags f = Flags.parse(List.of(args), Set.of("--data", "--target", "--model", "--clusters", "--held-out", "--seed", "--chunks-per-doc", "--max-pairs"), Set.of());
        GactFit.Config fit = new GactFit.Config(f.atLeast("--clusters", 3, 2), f.number("--held-out", 0.2), f.atLeast("--seed", 1, 0), 4,
                SoftmaxProbe.Config.defaults());
        ProbeEval.Options o = new ProbeEval.Options(f.require("--target"), f.atLeast("--chunks-per-doc", 4, 1), f.atLeast("--max-pairs", 0, 0),
                fit, 16);
        List<BrownDocument> docs = BrownDocument.ofCorpus(f.path("--data"));
        Path modelDir = f.path("--model", "models/demo");
        try (TensorDecoder model = ModelLoader.loadTensor(modelDir, ComputeDType.F32, 0);
             Tokenizer tok = Tokenizer.load(modelDir)) {
            ProbeEval.Result r = ProbeEval.run(model, tok, docs, o, new ProgressBar(err, "harvest"));
            out.print(r.table());
        }
    }

    private static RegistryArtifacts registry(Flags f, CausalLM model) {
        return new RegistryArtifacts(new ArtifactRegistry(f.path("--registry"), ArtifactRegistry.DEFAULT_MAX_BYTES),
                ModelFingerprint.of(model.config()));
    }

    /** {@code A-B} or {@code A}. */
    static LayerRange layers(String s) {
        String[] p = s.split("-", -1);
        try {
            if (p.length == 1) return new LayerRange(Integer.parseInt(p[0].trim()), Integer.parseInt(p[0].trim()));
            if (p.length == 2) return new LayerRange(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("--layers must be A-B or A (layer indices), got '" + s + "'");
    }
}
