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

    /** Exact match of the first line of {@code generated}, trimmed, with {@code expected}. */
    public static boolean firstLineMatches(String generated, String expected) {
        return generated.split("\n", 2)[0].trim().equals(expected);
    }
}
