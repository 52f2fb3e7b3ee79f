package dev.vane.engine;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The two native libraries the engine stands on load and compute: PyTorch through DJL, and HF tokenizers. */
class DjlSmokeTest {

    @Test
    void pytorchComputes() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals("PyTorch", m.getEngine().getEngineName());
            var a = m.arange(6f).reshape(new Shape(2, 3));
            assertEquals(15f, a.sum().getFloat(), 1e-6);
            assertThat(a.sum(new int[] {0}).toFloatArray()).containsExactly(3f, 5f, 7f);
        }
    }

    @Test
    void huggingFaceTokenizersEncodeAndDecodeTheLlama3Vocabulary() throws Exception {
        // the repository's copy of the Llama 3 tokenizer, the one the engine's tests use
        Path file = Path.of("src", "test", "resources", "tokenizers", "llama3", "tokenizer.json");
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(file)) {
            Encoding plain = tok.encode("Hello world", false, false);
            assertThat(plain.getIds()).containsExactly(9906L, 1917L);
            String text = "Hello world 😀";
            long[] ids = tok.encode(text, false, false).getIds();
            assertThat(ids).startsWith(9906L, 1917L).hasSizeGreaterThan(2);
            assertEquals(text, tok.decode(ids, true), "byte-level BPE round-trips an emoji");
        }
    }
}
