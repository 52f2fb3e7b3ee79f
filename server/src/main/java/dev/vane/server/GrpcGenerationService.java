package dev.vane.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.TokenLogprob;
import dev.vane.server.grpc.v1.ChatRequest;
import dev.vane.server.grpc.v1.Final;
import dev.vane.server.grpc.v1.GenerateRequest;
import dev.vane.server.grpc.v1.GenerateResponse;
import dev.vane.server.grpc.v1.GenerateStreamResponse;
import dev.vane.server.grpc.v1.GenerationGrpc;
import dev.vane.server.grpc.v1.ListModelsRequest;
import dev.vane.server.grpc.v1.ListModelsResponse;
import dev.vane.server.grpc.v1.Model;
import dev.vane.server.grpc.v1.Timings;
import dev.vane.server.grpc.v1.Token;
import dev.vane.server.grpc.v1.TokenLogprobs;
import dev.vane.server.grpc.v1.TokenizeRequest;
import dev.vane.server.grpc.v1.TokenizeResponse;
import dev.vane.server.grpc.v1.Usage;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code vane.v1.Generation} ({@code src/main/proto/vane/v1/generation.proto}). A request becomes
 * the REST request's JSON (the proto's field names are the REST names) and is read by the REST
 * route's reader ({@link NativeRequest}, {@link ChatFormat#parse}), so both transports accept and
 * refuse the same requests; errors become
 * gRPC statuses ({@link #status}). A cancelled call or an expired deadline cancels its sequence,
 * which stops and frees its KV slot at the scheduler's next step.
 */
final class GrpcGenerationService extends GenerationGrpc.GenerationImplBase {

    private static final long POLL_MILLIS = 500;
    private static final JsonFormat.Printer TO_JSON = JsonFormat.printer().preservingProtoFieldNames()
            .omittingInsignificantWhitespace();

    private final ServerContext ctx;

    GrpcGenerationService(ServerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void generate(GenerateRequest request, StreamObserver<GenerateResponse> call) {
        unary(call, "generate", () -> submit(request));
    }

    @Override
    public void generateStream(GenerateRequest request, StreamObserver<GenerateStreamResponse> call) {
        streamed(call, "generate_stream", () -> submit(request));
    }

    @Override
    public void chat(ChatRequest request, StreamObserver<GenerateResponse> call) {
        unary(call, "chat", () -> submit(request));
    }

    @Override
    public void chatStream(ChatRequest request, StreamObserver<GenerateStreamResponse> call) {
        streamed(call, "chat_stream", () -> submit(request));
    }

    private void unary(StreamObserver<GenerateResponse> call, String method, Supplier<ChoiceBatch> submit) {
        long received = System.nanoTime();
        answer(call, method, () -> {
            ChoiceBatch batch = submit.get();
            List<GenerationResult> results = batch.await();
            if (Context.current().isCancelled()) return;
            ChoiceBatch.checkFinished(results);
            GenerationResult r = results.get(0);
            GenerateResponse.Builder b = GenerateResponse.newBuilder().setModel(ctx.modelId()).setText(r.text())
                    .setFinishReason(r.finishReason().wireName()).setUsage(usage(r)).setTimings(timings(r));
            for (int t : r.tokens()) b.addTokenIds(t);
            r.logprobs().forEach(lp -> {
                TokenLogprobs.Builder e = TokenLogprobs.newBuilder().setToken(lp.chosen().token()).setLogprob(lp.chosen().logprob());
                for (TokenLogprob t : lp.top())
                    e.addTop(dev.vane.server.grpc.v1.TokenLogprob.newBuilder().setToken(t.token()).setLogprob(t.logprob()));
                b.addLogprobs(e);
            });
            Trace.of(batch, results, received).map(GrpcGenerationService::struct).ifPresent(b::setSteering);
            call.onNext(b.build());
            call.onCompleted();
        });
    }

    private void streamed(StreamObserver<GenerateStreamResponse> call, String method, Supplier<ChoiceBatch> submit) {
        long received = System.nanoTime();
        answer(call, method, () -> {
            ChoiceBatch batch = submit.get();
            while (!batch.allFinished()) {
                ChoiceBatch.Event event = batch.poll(POLL_MILLIS);
                if (Context.current().isCancelled()) return;
                switch (event) {
                    case null -> { }
                    case ChoiceBatch.Token t -> {
                        Token.Builder m = Token.newBuilder().setToken(t.token().token()).setText(t.token().text());
                        t.token().logprobs().ifPresent(lp -> m.setLogprob(lp.chosen().logprob()));
                        call.onNext(GenerateStreamResponse.newBuilder().setToken(m).build());
                    }
                    case ChoiceBatch.Finish fin -> {
                        Optional<ApiError> failure = fin.failure();
                        if (failure.isPresent()) throw failure.get();
                        List<GenerationResult> results = batch.await();
                        GenerationResult r = results.get(0);
                        Final.Builder m = Final.newBuilder().setText(fin.trailingText()).setFinishReason(fin.reason().wireName())
                                .setUsage(usage(r)).setTimings(timings(r));
                        Trace.of(batch, results, received).map(GrpcGenerationService::struct).ifPresent(m::setSteering);
                        call.onNext(GenerateStreamResponse.newBuilder().setFinal(m).build());
                    }
                }
            }
            call.onCompleted();
        });
    }

    @Override
    public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> observer) {
        answer(observer, "list_models", () -> {
            observer.onNext(ListModelsResponse.newBuilder().addModels(Model.newBuilder().setId(ctx.modelId())
                    .setContextLength(ctx.engine().contextLength()).setVocabSize(ctx.engine().vocabSize())).build());
            observer.onCompleted();
        });
    }

    @Override
    public void tokenize(TokenizeRequest request, StreamObserver<TokenizeResponse> observer) {
        answer(observer, "tokenize", () -> {
            if (request.hasModel() && !request.getModel().equals(ctx.modelId())) throw ApiError.modelNotFound(request.getModel());
            int[] ids = Prompts.encode(ctx, request.getText(), !request.hasAddSpecialTokens() || request.getAddSpecialTokens(), "text");
            TokenizeResponse.Builder b = TokenizeResponse.newBuilder();
            for (int id : ids) b.addTokenIds(id);
            observer.onNext(b.build());
            observer.onCompleted();
        });
    }

    /**
     * Submits the request's sequence, cancelled when the call is: the client cancels, its deadline
     * passes or its connection drops. (The call's own cancel handler would wait for the handler to
     * return; the call's {@link Context} is cancelled at once.)
     */
    private ChoiceBatch submit(GenerateRequest request) {
        NativeRequest r = NativeRequest.read(Fields.of(json(request)), ctx);
        return cancelledWithTheCall(ChoiceBatch.submit(ctx, List.of(new ChoiceBatch.Spec(0, 0, r.prompt(), r.params(), r.grammar())), r.vane()));
    }

    /** A chat request is read by the REST chat route's own reader ({@link ChatFormat#parse}): one choice. */
    private ChoiceBatch submit(ChatRequest request) {
        OpenAiRequest r = ChatFormat.parse(Fields.of(json(request)), ctx);
        return cancelledWithTheCall(ChoiceBatch.submit(ctx, r.specs(), r.vane()));
    }

    private static ChoiceBatch cancelledWithTheCall(ChoiceBatch batch) {
        Context.current().addListener(cancelled -> batch.cancel(), Runnable::run);
        return batch;
    }

    /**
     * The request as the REST request's JSON: the prompt's {@code text} or {@code token_ids} becomes
     * {@code prompt}.
     */
    static ObjectNode json(GenerateRequest request) {
        ObjectNode o = json((Message) request);
        JsonNode text = o.remove("text");
        JsonNode ids = o.remove("token_ids");
        if (text != null) o.set("prompt", text);
        else if (ids != null) o.set("prompt", ids.has("ids") ? ids.get("ids") : JsonBody.JSON.createArrayNode());
        return o;
    }

    /** A message as JSON with its proto field names; {@code seed}, which proto3's JSON writes as a string, a number again. */
    private static ObjectNode json(Message request) {
        ObjectNode o;
        try {
            o = (ObjectNode) JsonBody.JSON.readTree(TO_JSON.print(request));
        } catch (InvalidProtocolBufferException | JsonProcessingException e) {
            throw new IllegalStateException("a parsed message prints as JSON", e);
        }
        if (o.path("seed").isTextual()) o.put("seed", Long.parseLong(o.get("seed").asText()));
        if (o.path("vane").path("beacon").path("adapt").asBoolean(false)) { // the REST form: "ratio": "adapt"
            ObjectNode b = (ObjectNode) o.get("vane").get("beacon");
            if (b.has("ratio")) throw ApiError.invalid("vane.beacon.adapt", "vane.beacon sets ratio or adapt, not both");
            b.remove("adapt");
            b.put("ratio", "adapt");
        } else if (o.path("vane").path("beacon").has("adapt")) ((ObjectNode) o.get("vane").get("beacon")).remove("adapt");
        return o;
    }

    private static Struct struct(ObjectNode json) {
        Struct.Builder b = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(json.toString(), b);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a JSON object parses as a Struct", e);
        }
        return b.build();
    }

    private static Usage usage(GenerationResult r) {
        return Usage.newBuilder().setPromptTokens(r.promptTokens()).setCompletionTokens(r.tokens().length)
                .setTotalTokens(r.promptTokens() + r.tokens().length).build();
    }

    private static Timings timings(GenerationResult r) {
        return Timings.newBuilder().setQueueMs(r.timings().queueNanos() / 1e6)
                .setTimeToFirstTokenMs(r.timings().firstTokenNanos() / 1e6).setTotalMs(r.timings().totalNanos() / 1e6).build();
    }

    /** A call's body: an error it throws ends the call with its status, unless the call is gone. */
    private void answer(StreamObserver<?> call, String method, Body body) {
        long started = System.nanoTime();
        Status.Code outcome = Status.Code.OK;
        try {
            body.run();
        } catch (ApiError e) {
            outcome = end(call, status(e));
        } catch (StatusRuntimeException e) {
            outcome = e.getStatus().getCode(); // a message to a call that has ended (cancelled meanwhile)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = end(call, Status.CANCELLED.withDescription("interrupted"));
        } catch (RuntimeException e) {
            String ref = Long.toHexString(System.nanoTime());
            System.getLogger(GrpcGenerationService.class.getName()).log(System.Logger.Level.ERROR, "gRPC " + method + " failed (" + ref + ")", e);
            outcome = end(call, Status.INTERNAL.withDescription("internal error (reference " + ref + " in the server log)"));
        } finally {
            if (Context.current().isCancelled() && outcome == Status.Code.OK)
                outcome = Context.current().getDeadline() != null && Context.current().getDeadline().isExpired()
                        ? Status.Code.DEADLINE_EXCEEDED : Status.Code.CANCELLED;
            ctx.metrics().grpcCall(method, outcome.name(), System.nanoTime() - started);
        }
    }

    private static Status.Code end(StreamObserver<?> call, Status status) {
        if (!Context.current().isCancelled()) {
            try {
                call.onError(status.asRuntimeException());
            } catch (IllegalStateException alreadyEnded) {
                // the call was cancelled between the check and the error
            }
        }
        return status.getCode();
    }

    /**
     * The gRPC status of an error: a bad field is {@code INVALID_ARGUMENT} naming it, an unknown model
     * or artifact {@code NOT_FOUND}, a prompt over the context {@code OUT_OF_RANGE}, a full queue
     * {@code RESOURCE_EXHAUSTED}, a stopping server {@code UNAVAILABLE}.
     */
    static Status status(ApiError e) {
        Status s = switch (e.status()) {
            case 400, 413 -> switch (String.valueOf(e.code())) {
                case "context_length_exceeded" -> Status.OUT_OF_RANGE;
                case "not_found" -> Status.NOT_FOUND;
                default -> Status.INVALID_ARGUMENT;
            };
            case 404 -> Status.NOT_FOUND;
            case 429 -> Status.RESOURCE_EXHAUSTED;
            case 503 -> Status.UNAVAILABLE;
            case 401, 403 -> Status.UNAUTHENTICATED;
            default -> e.status() >= 500 ? Status.INTERNAL : Status.FAILED_PRECONDITION;
        };
        return s.withDescription(e.param() == null ? e.getMessage() : e.param() + ": " + e.getMessage());
    }

    @FunctionalInterface
    private interface Body {
        void run() throws InterruptedException;
    }
}
