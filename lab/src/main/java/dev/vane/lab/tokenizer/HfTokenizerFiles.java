package dev.vane.lab.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Builds the Hugging Face files of a {@link BpeModel}.
 *
 * <p>{@code tokenizer.json}: a {@code BPE} model (vocab and merges, no unknown token), no normalizer,
 * a pre-tokenizer that splits with {@link PreTokenizer#regex} and maps bytes with {@code ByteLevel}
 * ({@code use_regex: false}, as Llama 3), a {@code ByteLevel} decoder, the special tokens as
 * {@code added_tokens}, and a {@code TemplateProcessing} post-processor that prepends the BOS token
 * (to single texts and to each text of a pair), as current Llama 3 releases do.
 *
 * <p>{@code tokenizer_config.json}: bos, eos and pad tokens, the chat markers as additional special
 * tokens, the {@link SimpleChatTemplate}, {@code clean_up_tokenization_spaces: false} (decoding is
 * lossless) and {@code tokenizer_class: PreTrainedTokenizerFast}.
 *
 * <p>Output is deterministic: fields in a fixed order, two-space indentation, {@code \n} line ends.
 */
final class HfTokenizerFiles {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectWriter WRITER;

    static {
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        printer.indentArraysWith(indenter);
        printer.indentObjectsWith(indenter);
        WRITER = new ObjectMapper().writer(printer);
    }

    private HfTokenizerFiles() {}

    static String tokenizerJson(BpeModel model) {
        SpecialTokens specials = model.specialTokens();
        ObjectNode root = F.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        List<String> all = specials.all();
        for (int id = 0; id < all.size(); id++) {
            ObjectNode t = added.addObject();
            t.put("id", id);
            t.put("content", all.get(id));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");

        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", PreTokenizer.regex(model.digits()));
        split.put("behavior", "Isolated");
        split.put("invert", false);
        ObjectNode byteLevel = steps.addObject();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", false);
        byteLevel.put("trim_offsets", true);
        byteLevel.put("use_regex", false);

        root.set("post_processor", bosProcessor(specials.bos()));

        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "ByteLevel");
        decoder.put("add_prefix_space", true);
        decoder.put("trim_offsets", true);
        decoder.put("use_regex", true);

        ObjectNode bpe = root.putObject("model");
        bpe.put("type", "BPE");
        bpe.putNull("dropout");
        bpe.putNull("unk_token");
        bpe.putNull("continuing_subword_prefix");
        bpe.putNull("end_of_word_suffix");
        bpe.put("fuse_unk", false);
        bpe.put("byte_fallback", false);
        bpe.put("ignore_merges", false);
        ObjectNode vocab = bpe.putObject("vocab");
        List<String> strings = model.vocab();
        for (int id = 0; id < strings.size(); id++) {
            vocab.put(strings.get(id), id);
        }
        ArrayNode merges = bpe.putArray("merges");
        for (BpeModel.Merge m : model.merges()) {
            // Byte-level token strings never hold a space (it is written 'Ġ'), so "left right" is unambiguous.
            merges.add(strings.get(m.left()) + " " + strings.get(m.right()));
        }
        return write(root);
    }

    private static ObjectNode bosProcessor(String bos) {
        ObjectNode p = F.objectNode();
        p.put("type", "TemplateProcessing");
        ArrayNode single = p.putArray("single");
        single.add(specialPiece(bos));
        single.add(sequencePiece("A", 0));
        ArrayNode pair = p.putArray("pair");
        pair.add(specialPiece(bos));
        pair.add(sequencePiece("A", 0));
        pair.add(specialPiece(bos));
        pair.add(sequencePiece("B", 1));
        ObjectNode special = p.putObject("special_tokens").putObject(bos);
        special.put("id", bos);
        special.putArray("ids").add(0);
        special.putArray("tokens").add(bos);
        return p;
    }

    private static ObjectNode specialPiece(String token) {
        ObjectNode n = F.objectNode();
        ObjectNode s = n.putObject("SpecialToken");
        s.put("id", token);
        s.put("type_id", 0);
        return n;
    }

    private static ObjectNode sequencePiece(String id, int typeId) {
        ObjectNode n = F.objectNode();
        ObjectNode s = n.putObject("Sequence");
        s.put("id", id);
        s.put("type_id", typeId);
        return n;
    }

    static String tokenizerConfigJson(SpecialTokens specials) {
        ObjectNode root = F.objectNode();
        ObjectNode decoder = root.putObject("added_tokens_decoder");
        List<String> all = specials.all();
        for (int id = 0; id < all.size(); id++) {
            ObjectNode t = decoder.putObject(Integer.toString(id));
            t.put("content", all.get(id));
            t.put("lstrip", false);
            t.put("normalized", false);
            t.put("rstrip", false);
            t.put("single_word", false);
            t.put("special", true);
        }
        ArrayNode extra = root.putArray("additional_special_tokens");
        for (String s : all.subList(3, all.size())) {
            extra.add(s);
        }
        root.put("bos_token", specials.bos());
        root.put("chat_template", SimpleChatTemplate.source(specials));
        root.put("clean_up_tokenization_spaces", false);
        root.put("eos_token", specials.eos());
        root.putArray("model_input_names").add("input_ids").add("attention_mask");
        root.put("pad_token", specials.pad());
        root.put("tokenizer_class", "PreTrainedTokenizerFast");
        return write(root);
    }

    private static String write(ObjectNode root) {
        try {
            return WRITER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
