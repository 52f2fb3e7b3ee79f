package dev.vane.lab.steering;

import dev.vane.engine.generate.Generator;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.control.RegistryArtifacts;
import dev.vane.lab.harvest.ProgressBar;
import dev.vane.steering.plan.InterventionSpec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code vane eval steering classifier|genre|refusal|probes}: the measurements of docs/results/steering.md,
 * each printing Markdown (progress goes to stderr). {@code data} is a demo corpus build
 * (tools/build-demo-corpus.sh).
 */
public final class SteeringEvalCommand {

    private SteeringEvalCommand() {}

    /** The genre classifier's held-out table. */
    public static void classifier(Path data, GenreClassifier.Options opt, PrintStream out) {
        String prior = opt.uniformPrior() ? "uniform" : "empirical";
        GenreClassifier.Trained t = GenreClassifier.fromBrown(BrownDocument.ofCorpus(data), opt);
        out.printf("Genre classifier (Naive Bayes, %s, alpha %s, %s prior) trained on %d-word chunks of the valid split, "
                + "features in >= %d documents, tested on the test split:%n%n%s", opt.bigrams() ? "unigrams + bigrams" : "unigrams", GenreEval.num(opt.alpha()),
                prior, GenreClassifier.CHUNK_WORDS, opt.minSources(), t.heldOut().table());
    }

    /** What {@code genre} measures: {@code spec} (a vector or G-ACT intervention) on prompts of the corpus. */
    public record Genre(Path data, Path model, Path registry, InterventionSpec spec, GenreEval.Options options, boolean header) {}

    /** What {@code refusal} measures: {@code spec} (a controller or vector intervention) on the chat requests. */
    public record Refusal(Path data, Path model, Path registry, InterventionSpec spec, RefusalEval.Options options) {}

    /** What {@code probes} measures. */
    public record Probes(Path data, Path model, ProbeEval.Options options) {}

    public static void genre(Genre a, PrintStream out, PrintStream err) {
        InterventionSpec spec = a.spec();
        GenreEval.Options o = a.options();
        List<BrownDocument> docs = BrownDocument.ofCorpus(a.data());
        SteeringSets.checkTarget(docs, o.target());
        GenreClassifier classifier = GenreClassifier.fromBrown(docs, GenreClassifier.Options.defaults()).classifier();
        Path modelDir = a.model();
        try (TensorDecoder model = ModelLoader.loadTensor(modelDir, ComputeDType.F32, 0);
             Tokenizer tok = Tokenizer.load(modelDir);
             Generator gen = new Generator(model, tok, 8, model.maxPositions())) {
            err.printf("eval steering genre: %d prompts × %d tokens, two arms, then %d perplexity windows%n",
                    o.prompts(), o.maxTokens(), o.pplWindows());
            GenreEval.Result r = GenreEval.run(gen, registry(a.registry(), model), spec, docs, classifier, o);
            if (a.header()) out.println(GenreEval.Result.HEADER);
            out.println(r.row());
        }
    }

    public static void refusal(Refusal a, PrintStream out) {
        InterventionSpec spec = a.spec();
        RefusalEval.Options o = a.options();
        List<Dialogue> dialogues = Dialogue.ofCorpus(a.data());
        Path modelDir = a.model();
        try (TensorDecoder model = ModelLoader.loadTensor(modelDir, ComputeDType.F32, 0);
             Tokenizer tok = Tokenizer.load(modelDir);
             Generator gen = new Generator(model, tok, 8, model.maxPositions())) {
            RegistryArtifacts artifacts = registry(a.registry(), model);
            String defaulted = "";
            if (spec instanceof InterventionSpec.Controller c && c.alpha().isEmpty()) { // the artifact's, stated in the label
                spec = c.withAlpha(artifacts.controller(c.artifact()).alpha());
                defaulted = ", the artifact's alpha";
            }
            List<RefusalEval.Row> rows = RefusalEval.run(gen, artifacts, spec, dialogues, o);
            out.println(RefusalEval.Row.HEADER);
            String label = spec.artifact() + " (" + GenreEval.params(spec) + defaulted + ")";
            rows.forEach(r -> out.println(r.markdown(label)));
            out.println();
            out.println(RefusalEval.Change.HEADER);
            RefusalEval.changes(rows).forEach(c -> out.println(c.markdown()));
        }
    }

    public static void probes(Probes a, PrintStream out, PrintStream err) {
        ProbeEval.Options o = a.options();
        List<BrownDocument> docs = BrownDocument.ofCorpus(a.data());
        Path modelDir = a.model();
        try (TensorDecoder model = ModelLoader.loadTensor(modelDir, ComputeDType.F32, 0);
             Tokenizer tok = Tokenizer.load(modelDir)) {
            ProbeEval.Result r = ProbeEval.run(model, tok, docs, o, new ProgressBar(err, "harvest"));
            out.print(r.table());
        }
    }

    private static RegistryArtifacts registry(Path registry, CausalLM model) {
        return new RegistryArtifacts(new ArtifactRegistry(registry, ArtifactRegistry.DEFAULT_MAX_BYTES),
                ModelFingerprint.of(model.config()));
    }
}
