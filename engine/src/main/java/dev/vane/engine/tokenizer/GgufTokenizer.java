package dev.vane.engine.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.gguf.GgufException;
import dev.vane.engine.gguf.GgufFile;
import dev.vane.engine.gguf.GgufValue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A GGUF file's tokenizer ({@code tokenizer.ggml.*}) as the {@code tokenizer.json} and
 * {@code tokenizer_config.json} it stands for: the one place where GGUF tokenizer keys become
 * Hugging Face tokenizer fields.
 *
 * <ul>
 *   <li>{@code tokenizer.ggml.model = gpt2} (byte-level BPE) is read; SentencePiece ({@code llama})
 *       files are refused naming the model.</li>
 *   <li>{@code tokens}, {@code merges} → the BPE vocabulary and merges; {@code token_type} 3
 *       (control) and 4 (user-defined) → added tokens, special and not.</li>
 *   <li>{@code pre} → the pre-tokeniser: {@code llama-bpe} (Llama 3's split, digits in runs of up
 *       to three, merges ignored for whole-vocabulary words), {@code qwen2} (single digits),
 *       {@code smollm} (single digits, then GPT-2's split), {@code gpt2}/{@code default} (GPT-2's split).
 *       Any other name is refused naming it.</li>
 *   <li>{@code bos_token_id}, {@code eos_token_id}, {@code eot_token_id}, {@code eom_token_id}, {@code padding_token_id}
 *       and {@code add_bos_token} → the special tokens and the BOS post-processor;
 *       {@code tokenizer.chat_template} → the chat template.</li>
 * </ul>
 */
record GgufTokenizer(String tokenizerJson, ObjectNode config, ObjectNode generation, String chatTemplate) {

    private static final String LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN2_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final int CONTROL = 3, USER_DEFINED = 4;

    static GgufTokenizer of(GgufFile g) {
        try {
            return build(g);
        } catch (GgufException | IllegalArgumentException e) {
            throw new TokenizerException(g.path() + ": " + e.getMessage(), e);
        }
    }

    private static GgufTokenizer build(GgufFile g) {
        String model = g.string("tokenizer.ggml.model");
        if (!model.equals("gpt2"))
            throw new IllegalArgumentException("tokenizer.ggml.model '" + model + "' is not read (byte-level BPE, 'gpt2', is)");
        List<GgufValue> tokens = g.array("tokenizer.ggml.tokens");
        List<GgufValue> types = g.metadata().containsKey("tokenizer.ggml.token_type") ? g.array("tokenizer.ggml.token_type") : List.of();
        if (!types.isEmpty() && types.size() != tokens.size())
            throw new IllegalArgumentException("tokenizer.ggml.token_type has " + types.size() + " entries for " + tokens.size() + " tokens");
        String pre = g.metadata().containsKey("tokenizer.ggml.pre") ? g.string("tokenizer.ggml.pre") : "default";

        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        root.putNull("normalizer");
        root.set("pre_tokenizer", preTokenizer(f, pre));
        // absent, llama.cpp adds BOS for Llama 3's pre-tokeniser and not for the others
        boolean addBos = g.metadata().containsKey("tokenizer.ggml.add_bos_token")
                ? Boolean.TRUE.equals(g.metadata().get("tokenizer.ggml.add_bos_token").value())
                : pre.equals("llama-bpe") || pre.equals("llama3");
        Integer bos = id(g, "tokenizer.ggml.bos_token_id", tokens.size());
        ObjectNode post;
        if (addBos && bos != null) {
            String b = tokens.get(bos).asString();
            post = f.objectNode().put("type", "TemplateProcessing");
            post.putArray("single").add(special(f, b)).add(sequence(f, "A"));
            post.putArray("pair").add(special(f, b)).add(sequence(f, "A")).add(special(f, b)).add(sequence(f, "B"));
            ObjectNode st = post.putObject("special_tokens").putObject(b);
            st.put("id", b);
            st.putArray("ids").add(bos);
            st.putArray("tokens").add(b);
        } else {
            post = byteLevel(f, false).put("trim_offsets", false);
        }
        root.set("post_processor", post);
        root.set("decoder", byteLevel(f, true));
        ObjectNode bpe = root.putObject("model");
        bpe.put("type", "BPE");
        bpe.putNull("dropout");
        bpe.putNull("unk_token");
        bpe.putNull("continuing_subword_prefix");
        bpe.putNull("end_of_word_suffix");
        bpe.put("fuse_unk", false);
        bpe.put("byte_fallback", false);
        bpe.put("ignore_merges", pre.equals("llama-bpe") || pre.equals("llama3"));
        ObjectNode vocab = bpe.putObject("vocab");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i).asString();
            int type = types.isEmpty() ? 1 : (int) types.get(i).asLong();
            if (seen.add(t)) vocab.put(t, i);
            if (type == CONTROL || type == USER_DEFINED)
                added.addObject().put("id", i).put("content", t).put("single_word", false).put("lstrip", false)
                        .put("rstrip", false).put("normalized", type == USER_DEFINED).put("special", type == CONTROL);
        }
        ArrayNode merges = bpe.putArray("merges");
        if (g.metadata().containsKey("tokenizer.ggml.merges"))
            for (GgufValue m : g.array("tokenizer.ggml.merges")) merges.add(m.asString());

        ObjectNode config = f.objectNode();
        ObjectNode generation = f.objectNode();
        if (bos != null) config.put("bos_token", tokens.get(bos).asString());
        Integer eos = id(g, "tokenizer.ggml.eos_token_id", tokens.size());
        ArrayNode eosIds = generation.putArray("eos_token_id");
        if (eos != null) {
            config.put("eos_token", tokens.get(eos).asString());
            eosIds.add(eos);
        }
        for (String key : List.of("tokenizer.ggml.eom_token_id", "tokenizer.ggml.eot_token_id")) {
            Integer end = id(g, key, tokens.size());
            if (end != null && !end.equals(eos)) eosIds.add(end);
        }
        Integer pad = id(g, "tokenizer.ggml.padding_token_id", tokens.size());
        if (pad != null) config.put("pad_token", tokens.get(pad).asString());
        String template = g.metadata().containsKey("tokenizer.chat_template") ? g.string("tokenizer.chat_template") : null;
        try {
            return new GgufTokenizer(Tokenizer.JSON.writeValueAsString(root), config, generation, template);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode preTokenizer(JsonNodeFactory f, String pre) {
        ObjectNode seq = f.objectNode().put("type", "Sequence");
        ArrayNode steps = seq.putArray("pretokenizers");
        switch (pre) {
            case "llama-bpe", "llama3" -> steps.add(split(f, LLAMA3_SPLIT)).add(byteLevel(f, false));
            case "qwen2" -> steps.add(split(f, QWEN2_SPLIT)).add(byteLevel(f, false));
            case "smollm" -> steps.add(f.objectNode().put("type", "Digits").put("individual_digits", true)).add(byteLevel(f, true));
            case "default", "gpt2", "gpt-2" -> steps.add(byteLevel(f, true));
            default -> throw new IllegalArgumentException("tokenizer.ggml.pre '" + pre
                    + "' is not read (llama-bpe, qwen2, smollm, gpt2 and default are)");
        }
        return seq;
    }

    private static ObjectNode split(JsonNodeFactory f, String regex) {
        ObjectNode s = f.objectNode().put("type", "Split");
        s.putObject("pattern").put("Regex", regex);
        return s.put("behavior", "Isolated").put("invert", false);
    }

    private static ObjectNode byteLevel(JsonNodeFactory f, boolean useRegex) {
        return f.objectNode().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", useRegex);
    }

    private static ObjectNode special(JsonNodeFactory f, String token) {
        ObjectNode n = f.objectNode();
        n.putObject("SpecialToken").put("id", token).put("type_id", 0);
        return n;
    }

    private static ObjectNode sequence(JsonNodeFactory f, String which) {
        ObjectNode n = f.objectNode();
        n.putObject("Sequence").put("id", which).put("type_id", 0);
        return n;
    }

    /** A token id key, checked against the vocabulary; null when absent. */
    private static Integer id(GgufFile g, String key, int vocab) {
        GgufValue v = g.metadata().get(key);
        if (v == null) return null;
        if (!v.isInteger()) throw new IllegalArgumentException("'" + key + "' must be an integer, got " + v.type());
        long id = v.asLong();
        if (id < 0 || id >= vocab) throw new IllegalArgumentException("'" + key + "' = " + id + " is outside the vocabulary of " + vocab);
        return (int) id;
    }
}
