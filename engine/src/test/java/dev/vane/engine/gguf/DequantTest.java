package dev.vane.engine.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Dequantisation equals llama.cpp's own: the goldens are ggml's {@code dequantize_row_*} of random
 * blocks (tools/ggml-dequant-golden.py, run against the libggml-base.so that node-llama-cpp ships).
 */
class DequantTest {

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void blocksDequantiseAsGgmlDoesBitForBit(GgmlType type) throws Exception {
        JsonNode golden;
        try (InputStream in = DequantTest.class.getResourceAsStream("/gguf/dequant-golden.json")) {
            golden = new ObjectMapper().readTree(in).get(type.name());
        }
        byte[] blocks = HexFormat.of().parseHex(golden.get("blocks").asText());
        int n = golden.get("values").size();
        float[] y = new float[n];
        Dequant.dequantize(type, ByteBuffer.wrap(blocks).order(ByteOrder.LITTLE_ENDIAN), 0, n, y, 0);
        for (int i = 0; i < n; i++)
            assertEquals(golden.get("values").get(i).asLong(), Integer.toUnsignedLong(Float.floatToRawIntBits(y[i])), type + " value " + i);
    }
}
