package dev.vane.lab.steering;

import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.lab.gact.ActBaseline;
import dev.vane.lab.gact.GactFit;
import dev.vane.steering.gact.SoftmaxProbe;
import dev.vane.lab.harvest.ActivationHarvester;
import dev.vane.lab.harvest.HarvestProgress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** G-ACT vs ACT probe accuracy on the demo model's activations of a tiny synthetic genre set. */
class ProbeEvalTest {

    @TempDir
    Path tmp;

    @Test
    void fitsBothProbesOnTheNeutralAndExplicitActivationsOfEveryLayer() throws Exception {
        List<BrownDocument> docs = BrownDocument.ofCorpus(EvalFixtures.corpus(tmp.resolve("corpus")));
        GactFit.Config cfg = new GactFit.Config(2, 0.25, 5, 2, new SoftmaxProbe.Config(50, 0.5, 1e-3));
        try (TensorDecoder model = ModelLoader.loadTensor(EvalFixtures.demoModel(), ComputeDType.F32, 256);
             Tokenizer tok = Tokenizer.load(EvalFixtures.demoModel())) {
            ProbeEval.Result r = ProbeEval.run(model, tok, docs, new ProbeEval.Options("sea", 1, 0, cfg, 8), HarvestProgress.NONE);
            int layers = model.config().numLayers();
            assertThat(r.pairs()).isEqualTo(6); // 4 train + 2 valid sea documents, 1 chunk each
            assertThat(r.layers()).extracting(ProbeEval.LayerRow::layer).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, layers).boxed().toList());

            // the same numbers as fitting directly on neutral = other genre, explicit = target genre
            List<SteeringSets.Pair> pairs = SteeringSets.genrePairs(docs, "sea", 1);
            List<int[]> neutral = new ArrayList<>(), explicit = new ArrayList<>();
            for (SteeringSets.Pair p : pairs) {
                neutral.add(tok.encode(p.negative(), true));
                explicit.add(tok.encode(p.positive(), true));
            }
            ActivationHarvester h = new ActivationHarvester(model);
            float[][][] a = h.harvest(neutral, 4), e = h.harvest(explicit, 4);
            GactFit.Result g = GactFit.fit(a, e, cfg);
            List<ActBaseline.LayerFit> act = ActBaseline.fit(a, e, cfg);
            for (int l = 0; l < layers; l++) {
                assertThat(r.layers().get(l).gactHeldOut()).isEqualTo(g.reports().get(l).probeHeldOutAccuracy());
                assertThat(r.layers().get(l).actHeldOut()).isEqualTo(act.get(l).probeHeldOutAccuracy());
                assertThat(r.layers().get(l).actTrain()).isEqualTo(act.get(l).probeTrainAccuracy());
            }
            String table = r.table();
            assertThat(table.lines()).hasSize(2 + layers + 1);
            assertThat(table).contains("above chance (1/2)").contains("matched chance").contains("| sea | mean | ");
            for (int l = 0; l < layers; l++)
                assertThat(r.layers().get(l).gactChance()).isEqualTo(g.reports().get(l).heldOutChance());
        }
    }
}
