package dev.vane.engine.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Hand assembly of GGUF bytes, independent of {@link GgufWriter}, so the reader is checked on its own. */
public final class GgufBytes {

    private GgufBytes() {}

    public static ByteBuffer header(long tensors, long kvs) {
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(tensors).putLong(kvs);
        return b;
    }

    public static void string(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putLong(bytes.length).put(bytes);
    }

    public static void padTo(ByteBuffer b, int alignment) {
        while (b.position() % alignment != 0) b.put((byte) 0);
    }

    /** The bytes written so far. */
    public static ByteBuffer done(ByteBuffer b) {
        b.flip();
        ByteBuffer out = ByteBuffer.allocate(b.remaining());
        out.put(b).flip();
        return out;
    }
}
