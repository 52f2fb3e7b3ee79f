package dev.vane.lab.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ControllerLossTest {

    @Test
    void termsOnAHandCheckedBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            // row 0 harmful: s = 2,  w = (0.2, 0.9)
            // row 1 benign:  s = -1, w = (0.5, 0.5)
            ControllerLoss.Terms t = ControllerLoss.of(
                    m.create(new float[] {2f, -1f}),
                    m.create(new float[] {0.2f, 0.9f, 0.5f, 0.5f}, new Shape(2, 2)),
                    m.create(new float[] {1f, 0f}));
            // BCE(2, 1)  = log(1 + e^-2) = 0.126928011
            // BCE(-1, 0) = log(1 + e^-1) = 0.313261687
            double bce = (0.126928011 + 0.313261687) / 2;
            // harmful row: 0.1 · (mean(|0.2-0.5|, |0.9-0.5|) + 0.01 · mean(0.2, 0.9)) = 0.1 · (0.35 + 0.0055)
            // benign row: 0 — the regulariser is averaged over the whole batch
            double reg = 0.1 * (0.35 + 0.0055) / 2;
            assertThat(t.bce().getFloat()).isCloseTo((float) bce, within(1e-6f));
            assertThat(t.regulariser().getFloat()).isCloseTo((float) reg, within(1e-6f));
            assertThat(t.total().getFloat()).isCloseTo((float) (bce + reg), within(1e-6f));
        }
    }

    @Test
    void bceIsStableForLargeLogits() {
        try (NDManager m = NDManager.newBaseManager()) {
            ControllerLoss.Terms t = ControllerLoss.of(
                    m.create(new float[] {-200f}), m.create(new float[] {0.5f}, new Shape(1, 1)), m.create(new float[] {1f}));
            // BCE(-200, 1) = 200 + log(1 + e^-200) = 200; regulariser 0.1·(0 + 0.005)
            assertThat(t.bce().getFloat()).isCloseTo(200f, within(1e-4f));
            assertThat(t.total().getFloat()).isCloseTo(200.0005f, within(1e-4f));
        }
    }
}
