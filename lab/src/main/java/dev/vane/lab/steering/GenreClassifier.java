package dev.vane.lab.steering;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Multinomial Naive Bayes over lower-cased word unigrams and the punctuation marks
 * {@code " ? ! ; : ( )} (optionally also adjacent-token bigrams) with add-α (Laplace) smoothing:
 * the genre judge of the steering evaluations. Features may be limited to those seen in several
 * training documents.
 *
 * <p>{@code score(g) = log prior(g) + Σ_f count(f) · log((n_g,f + α) / (N_g + α·V))} over the
 * features f of the text that occur in training (V = training vocabulary size, N_g = feature
 * tokens of genre g); probabilities are the softmax of the scores. The prior is uniform by
 * default, so rare genres are not out-voted by frequent ones. Training and classification are
 * deterministic: genres are kept sorted and ties go to the first genre in order.
 */
public final class GenreClassifier {

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+(?:'[\\p{L}]+)?|[\"?!;:()]");

    /**
     * @param bigrams      add adjacent-word bigrams as features
     * @param alpha        add-α smoothing, {@code > 0}
     * @param uniformPrior a uniform genre prior instead of the training chunk frequencies
     * @param minSources   keep only features seen in at least this many training sources (documents):
     *                     words of one document's topic say little about its genre
     */
    public record Options(boolean bigrams, double alpha, boolean uniformPrior, int minSources) {
        public Options {
            if (!(alpha > 0) || Double.isInfinite(alpha)) throw new IllegalArgumentException("alpha must be > 0, got " + alpha);
            if (minSources < 1) throw new IllegalArgumentException("minSources must be >= 1, got " + minSources);
        }

        /** Unigrams, α = 0.1, uniform prior, every feature: the best mean-over-genres accuracy on the demo corpus (docs/results/steering.md). */
        public static Options defaults() { return new Options(false, 0.1, true, 1); }
    }

    /** A text with its genre and the source (document) it was cut from. */
    public record Example(String genre, String text, String source) {
        public Example(String genre, String text) { this(genre, text, text); }
    }

    /**
     * @param genre         the most probable genre
     * @param probabilities every genre's posterior, in genre order
     * @param features      how many of the text's features the classifier knows (0: the prior decided)
     */
    public record Prediction(String genre, Map<String, Double> probabilities, int features) {}

    /**
     * Accuracy on labelled examples.
     *
     * @param perGenre per true genre: {@code [examples, correct]}
     */
    public record Evaluation(int examples, int correct, Map<String, int[]> perGenre) {
        public double accuracy() { return examples == 0 ? 0 : (double) correct / examples; }

        /** Mean over genres with examples of the per-genre accuracy (recall): chance is 1/genres. */
        public double balancedAccuracy() {
            double sum = 0;
            int n = 0;
            for (int[] c : perGenre.values())
                if (c[0] > 0) {
                    sum += (double) c[1] / c[0];
                    n++;
                }
            return n == 0 ? 0 : sum / n;
        }

        /** A Markdown table: genre, examples, correct, accuracy; then the total. */
        public String table() {
            StringBuilder sb = new StringBuilder("| genre | chunks | correct | accuracy |\n|---|---|---|---|\n");
            perGenre.forEach((g, c) -> sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %.0f%% |%n", g, c[0], c[1],
                    c[0] == 0 ? 0.0 : 100.0 * c[1] / c[0])));
            sb.append(String.format(Locale.ROOT, "| **all** | %d | %d | %.1f%% |%n", examples, correct, 100 * accuracy()));
            sb.append(String.format(Locale.ROOT, "| **mean over genres** | | | %.1f%% |%n", 100 * balancedAccuracy()));
            return sb.toString();
        }
    }

    private final Options options;
    private final List<String> genres;                  // sorted
    private final double[] logPrior;                    // [G]
    private final Map<String, double[]> logLikelihood;  // feature -> [G]

    private GenreClassifier(Options options, List<String> genres, double[] logPrior, Map<String, double[]> logLikelihood) {
        this.options = options;
        this.genres = genres;
        this.logPrior = logPrior;
        this.logLikelihood = logLikelihood;
    }

    /** Trains on {@code examples}; needs at least two genres. */
    public static GenreClassifier train(List<Example> examples, Options options) {
        List<String> genres = List.copyOf(new TreeSet<>(examples.stream().map(Example::genre).toList()));
        if (genres.size() < 2) throw new IllegalArgumentException("training needs at least two genres, got " + genres);
        int g = genres.size();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < g; i++) index.put(genres.get(i), i);
        Map<String, java.util.Set<String>> sources = new HashMap<>();
        if (options.minSources() > 1)
            for (Example e : examples)
                for (String f : features(e.text(), options.bigrams())) sources.computeIfAbsent(f, k -> new java.util.HashSet<>()).add(e.source());
        Map<String, long[]> counts = new TreeMap<>();   // feature -> [G]
        long[] totals = new long[g];
        int[] docs = new int[g];
        for (Example e : examples) {
            int c = index.get(e.genre());
            docs[c]++;
            for (String f : features(e.text(), options.bigrams())) {
                if (options.minSources() > 1 && sources.get(f).size() < options.minSources()) continue;
                counts.computeIfAbsent(f, k -> new long[g])[c]++;
                totals[c]++;
            }
        }
        int v = counts.size();
        if (v == 0) throw new IllegalArgumentException("the training examples hold no words"
                + (options.minSources() > 1 ? " seen in at least " + options.minSources() + " documents" : ""));
        double[] prior = new double[g];
        for (int c = 0; c < g; c++)
            prior[c] = options.uniformPrior() ? -Math.log(g) : Math.log((double) docs[c] / examples.size());
        Map<String, double[]> ll = new HashMap<>(v * 2);
        double[] denominator = new double[g];
        for (int c = 0; c < g; c++) denominator[c] = Math.log(totals[c] + options.alpha() * v);
        counts.forEach((f, n) -> {
            double[] x = new double[g];
            for (int c = 0; c < g; c++) x[c] = Math.log(n[c] + options.alpha()) - denominator[c];
            ll.put(f, x);
        });
        return new GenreClassifier(options, genres, prior, ll);
    }

    public List<String> genres() { return genres; }

    public Options options() { return options; }

    public Prediction classify(String text) {
        double[] score = logPrior.clone();
        int known = 0;
        for (String f : features(text, options.bigrams())) {
            double[] x = logLikelihood.get(f);
            if (x == null) continue;
            known++;
            for (int c = 0; c < score.length; c++) score[c] += x[c];
        }
        int best = 0;
        for (int c = 1; c < score.length; c++) if (score[c] > score[best]) best = c;
        double sum = 0;
        double[] p = new double[score.length];
        for (int c = 0; c < score.length; c++) sum += p[c] = Math.exp(score[c] - score[best]);
        Map<String, Double> probs = new LinkedHashMap<>();
        for (int c = 0; c < score.length; c++) probs.put(genres.get(c), p[c] / sum);
        return new Prediction(genres.get(best), Collections.unmodifiableMap(probs), known);
    }

    /** Accuracy on {@code examples}; per-genre rows for every genre seen in training or in the examples. */
    public Evaluation evaluate(List<Example> examples) {
        Map<String, int[]> per = new TreeMap<>();
        for (String g : genres) per.put(g, new int[2]);
        int correct = 0;
        for (Example e : examples) {
            int[] c = per.computeIfAbsent(e.genre(), k -> new int[2]);
            c[0]++;
            if (classify(e.text()).genre().equals(e.genre())) {
                c[1]++;
                correct++;
            }
        }
        return new Evaluation(examples.size(), correct, Collections.unmodifiableMap(per));
    }

    /** Lower-cased word unigrams, then (optionally) {@code "w1 w2"} bigrams of adjacent words. */
    static List<String> features(String text, boolean bigrams) {
        List<String> words = new ArrayList<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) words.add(m.group());
        if (!bigrams) return words;
        List<String> out = new ArrayList<>(words);
        for (int i = 0; i + 1 < words.size(); i++) out.add(words.get(i) + " " + words.get(i + 1));
        return out;
    }

    /** Brown text as classifier examples: each document of {@code split} cut into chunks of {@code words} words. */
    public static List<Example> brownChunks(List<BrownDocument> docs, String split, int words) {
        List<Example> out = new ArrayList<>();
        for (BrownDocument d : docs)
            if (d.split().equals(split))
                for (String c : Chunks.of(d.text(), words, Integer.MAX_VALUE)) out.add(new Example(d.genre(), c, d.id()));
        return out;
    }

    /** Chunk length (words) of the Brown training and test examples. */
    public static final int CHUNK_WORDS = 50;

    /**
     * The steering evaluations' judge: trained on the {@code valid} split of the demo corpus's
     * Brown documents (held out from LM training), evaluated on the {@code test} split, both cut
     * into {@value #CHUNK_WORDS}-word chunks.
     */
    public record Trained(GenreClassifier classifier, Evaluation heldOut) {}

    public static Trained fromBrown(List<BrownDocument> docs, Options options) {
        List<Example> train = brownChunks(docs, "valid", CHUNK_WORDS);
        if (train.isEmpty()) throw new IllegalArgumentException("the corpus has no Brown documents in the valid split");
        GenreClassifier c = train(train, options);
        List<Example> test = brownChunks(docs, "test", CHUNK_WORDS);
        return new Trained(c, c.evaluate(test));
    }

    /** The genre of {@code text}, if it has any known feature. */
    public Optional<String> genreOf(String text) {
        Prediction p = classify(text);
        return p.features() == 0 ? Optional.empty() : Optional.of(p.genre());
    }
}
