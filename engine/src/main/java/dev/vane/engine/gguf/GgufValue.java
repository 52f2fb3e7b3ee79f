package dev.vane.engine.gguf;

import java.util.List;

/**
 * One metadata value. The Java type of {@code value} follows {@code type}: {@code Long} for every
 * integer type (a UINT64 above 2^63 reads as negative), {@code Float} for FLOAT32, {@code Double}
 * for FLOAT64, {@code Boolean}, {@code String}, and {@code List<GgufValue>} for ARRAY.
 */
public record GgufValue(GgufValueType type, Object value) {

    public boolean isInteger() { return type.isInteger(); }

    /** @throws GgufException when the value is not an integer */
    public long asLong() {
        if (!type.isInteger()) throw new GgufException("expected an integer value, found " + type);
        return (Long) value;
    }

    /** @throws GgufException when the value is not a string */
    public String asString() {
        if (type != GgufValueType.STRING) throw new GgufException("expected a string value, found " + type);
        return (String) value;
    }

    @SuppressWarnings("unchecked")
    public List<GgufValue> asList() {
        if (type != GgufValueType.ARRAY) throw new GgufException("expected an array value, found " + type);
        return (List<GgufValue>) value;
    }
}
