package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.LoadOptions;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.DemoModelDir;
import dev.vane.steering.control.LastTokenCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code POST /v1/embeddings} on the bundled demo model: pooled last-layer residuals, unit length, steered by the request's {@code vane}. */
class EmbeddingsApiTest {

    @TempDir
    static Path tmp;
    private static VaneServer server;
    private static TestServer t;
    private static final String TEXT = "The old town was quiet that evening";

    @BeforeAll
    static void start() {
        ServerSettings s = TestServer.demo(tmp.resolve("registry"));
        server = Main.start(s);
        t = TestServer.wrap(server, s);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static float[] vector(JsonNode item) {
        JsonNode e = item.get("embedding");
        float[] v = new float[e.size()];
        for (int i = 0; i < v.length; i++) v[i] = e.get(i).floatValue();
        return v;
    }

    private static float[] embed(String extra) {
        return vector(t.ok("/v1/embeddings", "{\"input\": \"" + TEXT + "\"" + extra + "}").get("data").get(0));
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }

    @Test
    void lastPoolingIsTheUnitResidualLeavingTheLastLayerAtTheLastToken() {
        JsonNode r = t.ok("/v1/embeddings", "{\"input\": \"" + TEXT + "\", \"model\": \"demo\"}");
        assertEquals("list", r.get("object").textValue());
        assertEquals("embedding", r.get("data").get(0).get("object").textValue());
        float[] got = vector(r.get("data").get(0));
        assertEquals(256, got.length);
        assertEquals(1.0, norm(got), 1e-5);

        // the reference: the engine alone, the same prompt, the residual read at the last layer's output
        Path dir = DemoModelDir.path();
        float[] expected;
        int promptTokens;
        try (CausalLM model = ModelLoader.load(dir, LoadOptions.auto(1024, Runtime.getRuntime().availableProcessors()));
             Tokenizer tok = Tokenizer.load(dir); Generator g = new Generator(model, tok, 1, 1024)) {
            int[] ids = tok.encode(TEXT, true);
            promptTokens = ids.length;
            LastTokenCapture capture = new LastTokenCapture(6, new int[] {5});
            Sequence s = g.newSequence(ids, SamplingParams.greedy(1), TokenListener.NONE, capture);
            g.run(List.of(s));
            expected = EmbeddingsService.unit(capture.at(5));
        }
        for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 1e-5, "dimension " + i);
        assertEquals(promptTokens, r.get("usage").get("prompt_tokens").intValue());
    }

    @Test
    void poolingBatchesAndEncodings() {
        float[] last = embed(""), mean = embed(", \"pooling\": \"mean\"");
        assertThat(mean).isNotEqualTo(last);
        assertEquals(1.0, norm(mean), 1e-5);
        // one token: its mean is itself
        float[] oneLast = vector(t.ok("/v1/embeddings", "{\"input\": [17]}").get("data").get(0));
        float[] oneMean = vector(t.ok("/v1/embeddings", "{\"input\": [17], \"pooling\": \"mean\"}").get("data").get(0));
        assertThat(oneMean).containsExactly(oneLast);
        // a batch of inputs: each as alone, in order
        JsonNode batch = t.ok("/v1/embeddings", "{\"input\": [\"" + TEXT + "\", \"Another line\", \"" + TEXT + "\"]}");
        assertEquals(3, batch.get("data").size());
        for (int i = 0; i < 3; i++) assertEquals(i, batch.get("data").get(i).get("index").intValue());
        float[] first = vector(batch.get("data").get(0)), third = vector(batch.get("data").get(2));
        for (int i = 0; i < last.length; i++) {
            assertEquals(last[i], first[i], 1e-5);
            assertEquals(last[i], third[i], 1e-5);
        }
        // base64: little-endian float32, as the OpenAI SDKs decode it
        String b64 = t.ok("/v1/embeddings", "{\"input\": \"" + TEXT + "\", \"encoding_format\": \"base64\"}")
                .get("data").get(0).get("embedding").textValue();
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : last) assertEquals(x, b.getFloat());
    }

    @Test
    void theRequestsSteeringShapesTheEmbedding() {
        float[] plain = embed(", \"vane\": {\"profile\": \"none\"}");
        JsonNode steered = t.ok("/v1/embeddings", "{\"input\": \"" + TEXT + "\", \"vane\": {\"interventions\": "
                + "[{\"kind\": \"vector\", \"artifact\": \"romance\", \"scale\": 4, \"layers\": [2, 2]}]}}");
        float[] v = vector(steered.get("data").get(0));
        double cos = 0;
        for (int i = 0; i < v.length; i++) cos += (double) v[i] * plain[i];
        assertThat(cos).as("the steered embedding moved").isLessThan(0.999);
        assertEquals("romance", steered.get("vane").get("applied").get(0).get("artifact").textValue());
        float[] zero = embed(", \"vane\": {\"interventions\": [{\"kind\": \"vector\", \"artifact\": \"romance\", \"scale\": 0, \"layers\": [2, 2]}]}");
        for (int i = 0; i < v.length; i++) assertEquals(plain[i], zero[i], 1e-6);
    }

    @Test
    void rejectsEachInvalidFieldByName() {
        String[][] cases = {
                {"{}", "input"}, {"{\"input\": []}", "input"}, {"{\"input\": 5}", "input"}, {"{\"input\": [-1]}", "input"},
                {"{\"input\": \"a\", \"encoding_format\": \"hex\"}", "encoding_format"},
                {"{\"input\": \"a\", \"dimensions\": 3}", "dimensions"},
                {"{\"input\": \"a\", \"pooling\": \"max\"}", "pooling"},
                {"{\"input\": \"a\", \"nope\": 1}", "nope"},
                {"{\"input\": \"a\", \"vane\": {\"beacon\": {\"ratio\": 8}}}", "vane.beacon"},
                {"{\"input\": \"a\", \"vane\": {\"profile\": \"missing\"}}", "vane.profile"},
        };
        for (String[] c : cases) {
            var r = t.post("/v1/embeddings", c[0]);
            assertThat(r.statusCode()).as(c[0]).isIn(400, 404);
            TestServer.assertError(r, r.statusCode(), c[1]);
        }
        TestServer.assertError(t.post("/v1/embeddings", "{\"input\": \"a\", \"model\": \"other\"}"), 404, "model");
        assertEquals(200, t.post("/v1/embeddings", "{\"input\": \"a\", \"dimensions\": 256}").statusCode());
    }
}
