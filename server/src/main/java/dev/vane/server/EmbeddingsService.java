package dev.vane.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.steering.control.PooledCapture;
import dev.vane.steering.control.PooledCapture.Pooling;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /v1/embeddings} (OpenAI's shape): each input's residual stream leaving the model's
 * last layer, pooled over its tokens ({@code pooling}: {@code last}, the default, or {@code mean})
 * and scaled to unit length. The request's {@code vane} steering runs as in a generation, so the
 * vector is the steered model's: steering-aware embeddings. Each input runs through the scheduler
 * as a one-token generation that reads its prompt's activations ({@link PooledCapture}), batched
 * with other traffic. {@code encoding_format} {@code float} or {@code base64} (little-endian
 * float32, as the OpenAI SDKs decode it); {@code dimensions} only as the hidden size.
 */
final class EmbeddingsService implements HttpService {

    static final Set<String> FIELDS = Set.of("model", "input", "encoding_format", "dimensions", "user", "pooling", "vane");

    private final ServerContext ctx;

    EmbeddingsService(ServerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/embeddings", Responses.timed(ctx.metrics(), "embeddings", this::embed));
    }

    private void embed(ServerRequest req, ServerResponse res) {
        long received = System.nanoTime();
        Fields f = Fields.of(JsonBody.read(req, ctx.maxBodyBytes())).allowOnly(FIELDS);
        ctx.checkModel(f);
        f.string("user");
        boolean base64 = switch (f.string("encoding_format").orElse("float")) {
            case "float" -> false;
            case "base64" -> true;
            default -> throw ApiError.invalid("encoding_format", "encoding_format must be float or base64");
        };
        int hidden = ctx.steering().model().hiddenSize();
        f.integer("dimensions").ifPresent(d -> {
            if (d != hidden) throw ApiError.unsupported("dimensions", "dimensions other than the model's hidden size (" + hidden + ")");
        });
        Pooling pooling = switch (f.string("pooling").orElse("last")) {
            case "last" -> Pooling.LAST;
            case "mean" -> Pooling.MEAN;
            default -> throw ApiError.invalid("pooling", "pooling must be last or mean");
        };
        VaneOptions vane = VaneOptions.read(f);
        if (!(vane.beacon() instanceof BeaconRequest.Off))
            throw ApiError.invalid("vane.beacon", "vane.beacon compresses a generation's context; embeddings read every input token");
        List<int[]> inputs = Prompts.read(f, ctx, "input");
        if (inputs.size() > ctx.maxSequences())
            throw ApiError.invalid("input", "input holds " + inputs.size() + " items; this server runs at most " + ctx.maxSequences() + " at once");
        int context = ctx.engine().contextLength();
        List<ChoiceBatch.Spec> specs = new ArrayList<>();
        List<PooledCapture> captures = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            int[] ids = inputs.get(i);
            if (ids.length >= context)
                throw new ApiError(413, "invalid_request_error", "input", "context_length_exceeded", "input " + i + " has " + ids.length
                        + " tokens; the model's context length is " + context, 0);
            specs.add(new ChoiceBatch.Spec(i, i, ids, SamplingParams.greedy(1)));
            captures.add(new PooledCapture(pooling, ids.length, ctx.steering().model().numLayers()));
        }
        ChoiceBatch batch = ChoiceBatch.submit(ctx, specs, vane, captures::get);
        Optional<List<GenerationResult>> done = batch.awaitWhileConnected(ctx.connections(), req.localPeer().address(), req.remotePeer().address());
        if (done.isEmpty()) {
            Responses.clientGone(res);
            return;
        }
        ChoiceBatch.checkFinished(done.get());
        ObjectNode body = JsonBody.JSON.createObjectNode().put("object", "list");
        ArrayNode data = body.putArray("data");
        long tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            float[] v = unit(captures.get(i).pooled());
            ObjectNode e = data.addObject().put("object", "embedding").put("index", i);
            if (base64) e.put("embedding", base64(v));
            else {
                ArrayNode a = e.putArray("embedding");
                for (float x : v) a.add(x);
            }
            tokens += inputs.get(i).length;
        }
        body.put("model", ctx.modelId());
        body.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        Trace.of(batch, done.get(), received).ifPresent(t -> body.set("vane", t));
        Responses.json(res, body);
    }

    /** {@code v / ‖v‖₂} (a zero vector stays zero). */
    static float[] unit(float[] v) {
        double sq = 0;
        for (float x : v) sq += (double) x * x;
        double norm = Math.sqrt(sq);
        float[] out = new float[v.length];
        if (norm == 0) return out;
        for (int i = 0; i < v.length; i++) out[i] = (float) (v[i] / norm);
        return out;
    }

    private static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return Base64.getEncoder().encodeToString(b.array());
    }
}
