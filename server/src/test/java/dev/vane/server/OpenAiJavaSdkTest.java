package dev.vane.server;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.StructuredChatCompletion;
import com.openai.models.chat.completions.StructuredChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The official OpenAI Java SDK, unmodified, against the real server. */
class OpenAiJavaSdkTest {

    private final TestServer s = TestServer.shared();
    private final OpenAIClient client = OpenAIOkHttpClient.builder()
            .baseUrl("http://127.0.0.1:" + s.server.port() + "/v1").apiKey("unused").maxRetries(0).build();

    @Test
    void completionsStreamingAndNot() {
        CompletionCreateParams params = CompletionCreateParams.builder().model(s.modelId).prompt("Hello there")
                .maxTokens(5).temperature(0.0).build();
        Completion c = client.completions().create(params);
        String text = c.choices().get(0).text();
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(ch -> streamed.append(ch.text())));
        }
        assertEquals(text, streamed.toString());
        assertThat(client.models().list().data()).anyMatch(m -> m.id().equals(s.modelId));
    }

    @Test
    void chatStreamingAndNotAndErrors() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(s.modelId)
                .addUserMessage("Hi!").maxCompletionTokens(6).temperature(0.0).build();
        ChatCompletion chat = client.chat().completions().create(params);
        String text = chat.choices().get(0).message().content().orElse("");
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
        }
        assertEquals(text, streamed.toString());
        BadRequestException e = assertThrows(BadRequestException.class, () -> client.completions().create(
                CompletionCreateParams.builder().model(s.modelId).prompt("x").temperature(-1.0).build()));
        assertThat(e.getMessage()).contains("temperature");
    }

    public enum Pet { CAT, DOG }

    /** An answer class for the SDK's structured output (its JSON schema is derived by the SDK; strict). */
    public static class Inner {
        public boolean ok;
        public Pet pet;
    }

    public static class Answer {
        public long count; // an unbounded integer: up to 15 digits, which a long holds (an int would not)
        public double ratio;
        public Pet pet;
        public Inner inner;
    }

    @Test
    void structuredOutputFromAClass() {
        for (long seed = 1; seed <= 3; seed++) {
            StructuredChatCompletionCreateParams<Answer> params = ChatCompletionCreateParams.builder().model(s.modelId)
                    .addUserMessage("An answer as JSON").maxCompletionTokens(120).temperature(1.0).seed(seed)
                    .responseFormat(Answer.class).build();
            StructuredChatCompletion<Answer> r = client.chat().completions().create(params);
            Answer a = r.choices().get(0).message().content().orElseThrow();
            assertThat(a.pet).isNotNull();
            assertThat(a.inner).isNotNull();
            assertThat(a.inner.pet).isNotNull();
            assertEquals(ChatCompletion.Choice.FinishReason.STOP, r.choices().get(0).finishReason());
        }
    }

    @Test
    void embeddings() {
        CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder().model(s.modelId)
                .input("Hello there").build());
        java.util.List<Float> v = r.data().get(0).embedding();
        assertThat(v).isNotEmpty();
        double sq = 0;
        for (float x : v) sq += (double) x * x;
        assertEquals(1.0, Math.sqrt(sq), 1e-4);
        CreateEmbeddingResponse f = client.embeddings().create(EmbeddingCreateParams.builder().model(s.modelId)
                .input("Hello there").encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());
        assertThat(f.data().get(0).embedding()).isEqualTo(v);
    }

    @Test
    void aForcedToolCallAndItsRoundTrip() {
        com.openai.models.FunctionDefinition weather = com.openai.models.FunctionDefinition.builder().name("get_weather")
                .description("The weather in a city")
                .parameters(com.openai.models.FunctionParameters.builder()
                        .putAdditionalProperty("type", com.openai.core.JsonValue.from("object"))
                        .putAdditionalProperty("properties", com.openai.core.JsonValue.from(java.util.Map.of("city",
                                java.util.Map.of("type", "string", "enum", java.util.List.of("Paris", "Rome")))))
                        .putAdditionalProperty("required", com.openai.core.JsonValue.from(java.util.List.of("city")))
                        .putAdditionalProperty("additionalProperties", com.openai.core.JsonValue.from(false)).build())
                .build();
        ChatCompletionCreateParams asked = ChatCompletionCreateParams.builder().model(s.modelId)
                .addUserMessage("What is the weather in Paris?").addFunctionTool(weather)
                .toolChoice(com.openai.models.chat.completions.ChatCompletionNamedToolChoice.builder()
                        .function(com.openai.models.chat.completions.ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build())
                        .build())
                .maxCompletionTokens(40).temperature(1.0).seed(5).build();
        ChatCompletion called = client.chat().completions().create(asked);
        var message = called.choices().get(0).message();
        var call = message.toolCalls().orElseThrow().get(0).asFunction();
        assertEquals("get_weather", call.function().name());
        assertThat(TestServer.read(call.function().arguments()).get("city").asText()).isIn("Paris", "Rome");
        ChatCompletion answered = client.chat().completions().create(asked.toBuilder().addMessage(message)
                .addMessage(com.openai.models.chat.completions.ChatCompletionToolMessageParam.builder().toolCallId(call.id())
                        .content("sunny, 21 C").build())
                .toolChoice(com.openai.models.chat.completions.ChatCompletionToolChoiceOption.Auto.NONE).maxCompletionTokens(5).build());
        assertThat(answered.choices().get(0).message().content()).isPresent();
    }
}
