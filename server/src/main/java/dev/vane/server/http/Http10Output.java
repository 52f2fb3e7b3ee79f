package dev.vane.server.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * The connection's output. For a request that came as HTTP/1.0 (whose connection closes after
 * the response) a chunked response is sent close-delimited instead, as HTTP/1.0 clients know no
 * chunked coding: the {@code Transfer-Encoding} line leaves the head and the chunk framing the
 * body. Any other response passes through untouched.
 */
final class Http10Output implements DataWriter {

    private enum State { HEAD, PASS, SIZE, DATA, DATA_CRLF, TRAILERS, DONE }

    private final DataWriter out;
    private final BooleanSupplier http10;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private State state = State.HEAD;
    private boolean chunked;
    private long remaining;

    /** @param http10 whether the request being answered came as HTTP/1.0 */
    Http10Output(DataWriter out, BooleanSupplier http10) {
        this.out = out;
        this.http10 = http10;
    }

    @Override
    public void write(BufferData... buffers) {
        for (BufferData b : buffers) write(b);
    }

    @Override
    public void write(BufferData buffer) {
        if (!http10.getAsBoolean()) out.write(buffer);
        else send(buffer, false);
    }

    @Override
    public void writeNow(BufferData... buffers) {
        for (BufferData b : buffers) writeNow(b);
    }

    @Override
    public void writeNow(BufferData buffer) {
        if (!http10.getAsBoolean()) out.writeNow(buffer);
        else send(buffer, true);
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.close();
    }

    private synchronized void send(BufferData buffer, boolean now) {
        byte[] in = buffer.readBytes();
        ByteArrayOutputStream result = new ByteArrayOutputStream(in.length);
        int i = 0;
        while (i < in.length) {
            switch (state) {
                case PASS -> {
                    result.write(in, i, in.length - i);
                    i = in.length;
                }
                case DATA -> {
                    int take = (int) Math.min(remaining, in.length - i);
                    result.write(in, i, take);
                    i += take;
                    remaining -= take;
                    if (remaining == 0) state = State.DATA_CRLF;
                }
                case DONE -> i = in.length;
                default -> {
                    byte c = in[i++];
                    line.write(c);
                    if (c == '\n') endOfLine(result);
                }
            }
        }
        if (result.size() == 0) return;
        BufferData data = BufferData.create(result.toByteArray());
        if (now) out.writeNow(data);
        else out.write(data);
    }

    private void endOfLine(ByteArrayOutputStream result) {
        String text = line.toString(StandardCharsets.ISO_8859_1);
        line.reset();
        String bare = text.strip();
        switch (state) {
            case HEAD -> {
                if (bare.isEmpty()) {
                    result.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
                    state = chunked ? State.SIZE : State.PASS;
                } else if (bare.toLowerCase(Locale.ROOT).matches("transfer-encoding\\s*:\\s*chunked")) {
                    chunked = true;
                } else {
                    result.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
                }
            }
            case SIZE -> {
                int semicolon = bare.indexOf(';');
                remaining = Long.parseLong(semicolon < 0 ? bare : bare.substring(0, semicolon).strip(), 16);
                state = remaining == 0 ? State.TRAILERS : State.DATA;
            }
            case DATA_CRLF -> state = State.SIZE;
            case TRAILERS -> {
                if (bare.isEmpty()) state = State.DONE;
            }
            default -> throw new IllegalStateException(state.name());
        }
    }
}
