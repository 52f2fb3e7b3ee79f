package dev.vane.lab.eval;

import dev.vane.lab.data.IclTasks.Example;

import java.util.ArrayList;
import java.util.List;

/**
 * The in-context-learning prompt format and its scoring, shared by {@code eval demo} and the
 * task-embedding method (arXiv 2507.20906 uses the same format): {@code "Q: x\nA: y\n\n"} per
 * demonstration, then {@code "Q: x\nA:"}; an answer is right when the first line of the greedy
 * continuation, trimmed, equals the expected output.
 */
public final class IclPrompt {

    private IclPrompt() {}

    /** {@code Q: x\nA: y\n\n}. */
    public static String demonstration(Example e) {
        return "Q: " + e.input() + "\nA: " + e.output() + "\n\n";
    }

    /** The demonstrations in order. */
    public static String demonstrations(List<Example> shots) {
        StringBuilder b = new StringBuilder();
        for (Example e : shots) b.append(demonstration(e));
        return b.toString();
    }

    /** {@code Q: x\nA:}: the zero-shot prompt, and the end of every few-shot one. */
    public static String query(String input) {
        return "Q: " + input + "\nA:";
    }

    /** A fixed spread of {@code shots} training examples ({@code train[i·7 mod n]}), the same for every query. */
    public static List<Example> fixedShots(List<Example> train, int shots) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < shots && i < train.size(); i++) out.add(train.get(i * 7 % train.size()));
        return out;
    }

    /**
     * {@code shots} distinct training examples drawn uniformly for one query: the draw depends on
     * {@code seed} and {@code query} only, so a seed is one reproducible set of demonstrations per
     * query, and several seeds measure how much the choice of demonstrations matters.
     */
    public static List<Example> sampledShots(List<Example> train, int shots, long seed, int query) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L + query);
        List<Example> pool = new ArrayList<>(train);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < shots && !pool.isEmpty(); i++) out.add(pool.remove(r.nextInt(pool.size())));
        return out;
    }

    /** Exact match of the first line of {@code generated}, trimmed, with {@code expected}. */
    public static boolean firstLineMatches(String generated, String expected) {
        return generated.split("\n", 2)[0].trim().equals(expected);
    }
}
