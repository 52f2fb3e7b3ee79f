package dev.vane.engine.tokenizer;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * Locates the tokenizer fixtures under src/test/resources/tokenizers on the test classpath, and
 * shares one loaded instance of each fixture tokenizer across the test classes of a JVM (loading
 * one takes about a second). The shared instances are never closed.
 */
final class TestResources {
    private TestResources() {}

    private static final class Llama {
        static final Tokenizer INSTANCE = Tokenizer.load(llama3());
    }

    private static final class Qwen {
        static final Tokenizer INSTANCE = Tokenizer.load(qwen3());
    }

    /** @return the shared Llama 3 fixture tokenizer (do not close) */
    static Tokenizer llamaTokenizer() {
        return Llama.INSTANCE;
    }

    /** @return the shared Qwen3 fixture tokenizer (do not close) */
    static Tokenizer qwenTokenizer() {
        return Qwen.INSTANCE;
    }

    /** @return the directory of a resource folder, e.g. {@code tokenizers/llama3} */
    static Path dir(String name) {
        URL url = TestResources.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalStateException("Test resource not found: " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path llama3() {
        return dir("tokenizers/llama3");
    }

    static Path qwen3() {
        return dir("tokenizers/qwen3");
    }
}
