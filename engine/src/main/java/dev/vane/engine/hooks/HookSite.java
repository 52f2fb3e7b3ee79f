package dev.vane.engine.hooks;

/** A named point of the forward pass: a layer and a component ({@code layer = -1} for LOGITS). */
public record HookSite(int layer, Component component) {

    public HookSite {
        if (component == Component.LOGITS ? layer != -1 : layer < 0)
            throw new IllegalArgumentException("bad hook site: layer " + layer + " for " + component);
    }

    public static HookSite of(int layer, Component component) {
        return new HookSite(layer, component);
    }

    public static final HookSite LOGITS = new HookSite(-1, Component.LOGITS);

    @Override
    public String toString() {
        return component == Component.LOGITS ? "logits" : component.name().toLowerCase() + "[" + layer + "]";
    }
}
