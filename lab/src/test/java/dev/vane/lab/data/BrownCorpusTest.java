package dev.vane.lab.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrownCorpusTest {

    private static String detok(String taggedLine) {
        return BrownCorpus.detokenize(Arrays.stream(taggedLine.trim().split("\\s+")).map(BrownCorpus::word).filter(w -> !w.isEmpty()).toList());
    }

    @Test
    void stripsTagsAndJoinsPunctuation() {
        assertThat(detok("The/at Fulton/np-tl County/nn-tl Grand/jj-tl Jury/nn-tl said/vbd Friday/nr an/at investigation/nn "
                + "of/in Atlanta's/np$ recent/jj primary/nn election/nn produced/vbd ``/`` no/at evidence/nn ''/'' that/cs "
                + "any/dti irregularities/nns took/vbd place/nn ./."))
                .isEqualTo("The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election "
                        + "produced \"no evidence\" that any irregularities took place.");
        assertThat(detok("However/wrb ,/, the/at jury/nn said/vbd ;/. it/pps is/bez (/( very/ql )/) good/jj ?/. yes/rb !/. now/rb :/: go/vb"))
                .isEqualTo("However, the jury said; it is (very) good? yes! now: go");
        assertThat(detok("Teachers/nns --/-- men/nns --/-- came/vbd ./.")).isEqualTo("Teachers -- men -- came.");
        assertThat(detok("the/at counts/nns //in minute/nn and/cc 1/2/cd inch/nn")).isEqualTo("the counts/minute and 1/2 inch");
    }

    @Test
    void keepsContractionsAndPossessivesAsTheCorpusSpellsThem() {
        assertThat(detok("Scotty/np did/dod not/* go/vb ,/, I/ppss didn't/dod* and/cc I'm/ppss+bem sure/jj "
                + "the/at taxpayers'/nns$ money/nn won't/md* last/vb ./."))
                .isEqualTo("Scotty did not go, I didn't and I'm sure the taxpayers' money won't last.");
    }

    @Test
    void quotesMovePunctuationInsideAndSingleQuotesAlternate() {
        assertThat(detok("``/`` Only/rb a/at handful/nn ''/'' ,/, the/at jury/nn said/vbd ,/, ``/`` of/in this/dt city/nn ''/'' ./."))
                .isEqualTo("\"Only a handful,\" the jury said, \"of this city.\"");
        assertThat(detok("he/pps said/vbd ,/, '/' Don't/do* worry/vb '/' and/cc left/vbd ./."))
                .isEqualTo("he said, 'Don't worry' and left.");
        assertThat(detok("won/vbn by/in Ivan/np Allen/np Jr./np ./.")).isEqualTo("won by Ivan Allen Jr.");
        assertThat(detok("let/vb **zg/nn be/be a/at curve/nn ./.")).isEqualTo("let be a curve.");
    }

    @Test
    void paragraphsAndHeadlinesSurvive() {
        String tagged = "\n\n\tThe/at jury/nn said/vbd ./.\nIt/pps left/vbd ./.\n\n\n"
                + "Merger/nn-hl proposed/vbn-hl \nHowever/wrb ,/, it/pps ended/vbd ./.\n\n";
        assertThat(BrownCorpus.detokenizeFile(tagged))
                .isEqualTo("The jury said. It left.\n\nMerger proposed\n\nHowever, it ended.");
    }

    @Test
    void genreComesFromTheFileName() {
        assertThat(BrownCorpus.genreOf("ca01")).isEqualTo("news");
        assertThat(BrownCorpus.genreOf("cb27")).isEqualTo("editorial");
        assertThat(BrownCorpus.genreOf("cj80")).isEqualTo("learned");
        assertThat(BrownCorpus.genreOf("ck29")).isEqualTo("fiction");
        assertThat(BrownCorpus.genreOf("cm06")).isEqualTo("science_fiction");
        assertThat(BrownCorpus.genreOf("cr09")).isEqualTo("humor");
        assertThat(BrownCorpus.GENRES).hasSize(15);
        assertThat(BrownCorpus.isTextFile("README")).isFalse();
        assertThat(BrownCorpus.isTextFile("ci01")).isFalse(); // no genre i in Brown
        assertThatThrownBy(() -> BrownCorpus.genreOf("cats.txt")).hasMessageContaining("cats.txt");
    }

    @Test
    void readsEveryTextSortedAndSkipsOtherFiles(@TempDir Path tmp) throws IOException {
        Path dir = BrownSample.write(tmp.resolve("package"), 2, 1);
        List<BrownCorpus.Document> docs = BrownCorpus.read(dir);
        assertThat(docs).hasSize(30);
        assertThat(docs.get(0).id()).isEqualTo("ca01");
        assertThat(docs.get(0).genre()).isEqualTo("news");
        assertThat(docs.get(29).id()).isEqualTo("cr02");
        assertThat(docs.get(0).text()).doesNotContain("/jj", "``", "''").contains("\n\n").startsWith("The ");
        assertThat(BrownCorpus.genreCounts(docs)).hasSize(15).containsEntry("humor", 2);
    }

    @Test
    void missingOrEmptyDirectoryIsAClearError(@TempDir Path tmp) throws IOException {
        assertThatThrownBy(() -> BrownCorpus.read(tmp.resolve("nope")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("nope").hasMessageContaining("fetch-brown.sh");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> BrownCorpus.read(empty)).isInstanceOf(IOException.class).hasMessageContaining("no Brown corpus text files");
        Files.writeString(empty.resolve("README"), "not a text");
        assertThatThrownBy(() -> BrownCorpus.read(empty)).hasMessageContaining("no Brown corpus text files");
    }
}
