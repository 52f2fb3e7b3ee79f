package dev.vane.engine;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.api.Test;
import java.nio.file.Path;
import static org.junit.jupiter.api.Assertions.*;

class DjlSmokeTest {
    @Test
    void ptWorks() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            var a = m.arange(6f).reshape(new Shape(2, 3));
            assertEquals(15f, a.sum().getFloat(), 1e-6);
            System.out.println("engine=" + m.getEngine().getEngineName() + " " + m.getEngine().getVersion());
        }
        try (var tok = HuggingFaceTokenizer.newInstance(Path.of("/work/shared/fixtures/tokenizers/llama3/tokenizer.json"))) {
            var enc = tok.encode("Hello world 😀");
            System.out.println(java.util.Arrays.toString(enc.getIds()));
        }
    }
}
