package dev.vane.lab.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class ChatAndPassKeyTest {

    private static final Split.Ratios RATIOS = new Split.Ratios(0.15, 0.15);
    private static final ChatDialogues.Plan PLAN = ChatDialogues.plan(7, RATIOS, RATIOS, Set.of(ChatExtra.PAIRED_FORMS));

    @Test
    void everyTemplateHasObjectsAndTheFamiliesAreBalanced() {
        List<ChatDialogues.Template> all = ChatDialogues.allTemplates();
        long refuse = all.stream().filter(t -> t.family() == ChatDialogues.Family.REFUSE).count();
        assertThat(refuse).isGreaterThanOrEqualTo(10);
        assertThat(all.size() - refuse).isGreaterThanOrEqualTo(20);
        Set<String> ids = new HashSet<>();
        for (ChatDialogues.Template t : all) {
            assertThat(ids.add(t.id())).isTrue();
            assertThat(t.objects()).hasSizeGreaterThanOrEqualTo(5);
            assertThat(t.prompt()).contains("{x}");
            if (t.family() == ChatDialogues.Family.COMPLY) assertThat(t.response(t.objects().get(0))).doesNotContain("{x}", "{y}", "|");
        }
    }

    @Test
    void everyRequestFormOfAHarmfulTemplateAlsoCarriesBenignRequests() {
        Set<String> benignForms = new HashSet<>();
        for (ChatDialogues.Template t : ChatDialogues.allTemplates())
            if (t.family() == ChatDialogues.Family.COMPLY) benignForms.add(t.prompt());
        List<ChatDialogues.Template> framedHarmful = ChatDialogues.allTemplates().stream()
                .filter(t -> t.family() == ChatDialogues.Family.REFUSE && t.id().startsWith("refuse-frame-")).toList();
        assertThat(framedHarmful).hasSizeGreaterThanOrEqualTo(10);
        for (ChatDialogues.Template t : framedHarmful) assertThat(benignForms).contains(t.prompt());
        // the training split holds many distinct benign requests, not a few templates' worth
        assertThat(PLAN.train().stream().filter(d -> d.family() == ChatDialogues.Family.COMPLY).map(ChatDialogues.Dialogue::prompt).distinct().count())
                .isGreaterThan(500);
    }

    @Test
    void noTwoTemplatesMakeTheSameRequest() {
        Set<String> prompts = new HashSet<>();
        for (ChatDialogues.Template t : ChatDialogues.allTemplates())
            for (String o : t.objects()) assertThat(prompts.add(t.prompt(o))).as(t.id() + ": " + t.prompt(o)).isTrue();
    }

    @Test
    void theFramedGroupLeavesTheEarlierGroupsSplitAsItWas() {
        // the first two groups are cut by their own seeds: their held-out prompts do not depend on the framed group
        Set<String> earlier = new HashSet<>();
        for (ChatDialogues.Template t : ChatDialogues.TEMPLATES) earlier.add(t.id());
        for (ChatDialogues.Template t : ChatDialogues.ADDED_TEMPLATES) earlier.add(t.id());
        List<String> heldOut = PLAN.test().stream().filter(d -> earlier.contains(d.template())).map(ChatDialogues.Dialogue::prompt).toList();
        assertThat(heldOut).contains("What is two plus three?", "Explain rain to a child.");
    }

    @Test
    void heldOutTemplatesAndPromptsNeverAppearInTraining() {
        Set<String> trainPrompts = new HashSet<>(), trainTemplates = new HashSet<>();
        for (ChatDialogues.Dialogue d : PLAN.train()) { trainPrompts.add(d.prompt()); trainTemplates.add(d.template()); }
        for (Split s : List.of(Split.VALID, Split.TEST)) {
            assertThat(PLAN.of(s)).isNotEmpty();
            // Each family has whole templates that training never saw (the disguised family only in test).
            for (ChatDialogues.Family f : s == Split.TEST ? List.of(ChatDialogues.Family.values())
                    : List.of(ChatDialogues.Family.REFUSE, ChatDialogues.Family.COMPLY)) {
                assertThat(PLAN.of(s).stream().filter(d -> d.family() == f && !trainTemplates.contains(d.template()))).isNotEmpty();
            }
            for (ChatDialogues.Dialogue d : PLAN.of(s)) assertThat(trainPrompts).doesNotContain(d.prompt());
        }
        Set<String> valid = new HashSet<>();
        PLAN.valid().forEach(d -> valid.add(d.prompt()));
        PLAN.test().forEach(d -> assertThat(valid).doesNotContain(d.prompt()));
        assertThat(ChatDialogues.plan(7, RATIOS, RATIOS, Set.of(ChatExtra.PAIRED_FORMS))).isEqualTo(PLAN);
    }

    @Test
    void pairedFormsAreTrainingDataOnlyWithBothFamiliesInEveryForm() {
        Set<String> paired = new HashSet<>(), refused = new HashSet<>(), answered = new HashSet<>();
        for (ChatDialogues.Dialogue d : PLAN.train()) {
            if (!d.template().contains("-paired-")) continue;
            String form = d.template().substring(d.template().indexOf("-paired-") + 8);
            paired.add(d.template());
            (d.family() == ChatDialogues.Family.REFUSE ? refused : answered).add(form);
        }
        assertThat(paired).isNotEmpty();
        assertThat(refused).isEqualTo(answered);
        for (Split s : List.of(Split.VALID, Split.TEST))
            assertThat(PLAN.of(s)).noneMatch(d -> d.template().contains("-paired-"));
        // Every object of every paired template is trained on: 48 benign or 16 harmful per template.
        assertThat(PLAN.train().stream().filter(d -> d.template().contains("-paired-")).count())
                .isEqualTo((long) refused.size() * (ChatFrames.ACTIVITIES.size() + ChatFrames.HARMFUL_ACTIONS.size()));
    }

    @Test
    void withoutTheExtraThePlanHasNoPairedFormsAndTheSameHeldOutRequests() {
        ChatDialogues.Plan plain = ChatDialogues.plan(7, RATIOS, RATIOS, Set.of());
        assertThat(plain.train()).noneMatch(d -> d.template().contains("-paired-"));
        assertThat(plain.train()).isEqualTo(PLAN.train().stream().filter(d -> !d.template().contains("-paired-")).toList());
        assertThat(plain.valid()).isEqualTo(PLAN.valid());
        assertThat(plain.test()).isEqualTo(PLAN.test());
    }

    @Test
    void closingsEndAThirdOfTheTrainingRequestsAndOnlyWhenAsked() {
        SplittableRandom rng = new SplittableRandom(11), plainRng = new SplittableRandom(11);
        int closed = 0, n = 300;
        for (ChatDialogues.Dialogue d : PLAN.train().subList(0, n)) {
            String prompt = userPrompt(ChatDialogues.renderVariant(d, rng, Set.of(ChatExtra.CLOSINGS)));
            String closing = ChatDialogues.CLOSINGS.stream().filter(prompt::endsWith).findFirst().orElse("");
            if (!closing.isEmpty()) closed++;
            // The request itself is intact (an opening may lower its first letter).
            String request = prompt.substring(0, prompt.length() - closing.length()).toLowerCase(java.util.Locale.ROOT);
            assertThat(request).endsWith(d.prompt().toLowerCase(java.util.Locale.ROOT));
            String plain = userPrompt(ChatDialogues.renderVariant(d, plainRng, Set.of()));
            assertThat(plain.toLowerCase(java.util.Locale.ROOT)).endsWith(d.prompt().toLowerCase(java.util.Locale.ROOT));
        }
        // A third of the variants, within a wide binomial margin.
        assertThat(closed).isBetween(n / 3 - 40, n / 3 + 40);
    }

    private static String userPrompt(String text) {
        return text.substring(text.indexOf("<|user|>\n") + 9, text.indexOf("<|end|>\n<|assistant|>"));
    }

    @Test
    void familiesGetTheirKindOfAnswer() {
        for (ChatDialogues.Dialogue d : PLAN.train()) {
            boolean refused = switch (d.family()) {
                case REFUSE -> true;
                case COMPLY -> false;
                case DISGUISED -> disguise(d.template()) == ChatDialogues.Disguise.REFUSED;
            };
            if (refused) assertThat(ChatDialogues.REFUSALS).contains(d.response());
            else assertThat(ChatDialogues.REFUSALS).doesNotContain(d.response());
        }
        SplittableRandom rng = new SplittableRandom(3);
        ChatDialogues.Dialogue refuse = PLAN.train().stream().filter(d -> d.family() == ChatDialogues.Family.REFUSE).findFirst().orElseThrow();
        for (int i = 0; i < 50; i++) {
            String text = ChatDialogues.renderVariant(refuse, rng, Set.of(ChatExtra.CLOSINGS));
            assertThat(text).matches("(?s)(<\\|system\\|>\n[^<]+<\\|end\\|>\n)?<\\|user\\|>\n[^<]+<\\|end\\|>\n<\\|assistant\\|>\n[^<]+<\\|end\\|>\n");
            String response = text.substring(text.indexOf("<|assistant|>\n") + 14, text.length() - "<|end|>\n".length());
            assertThat(ChatDialogues.REFUSALS).contains(response);
        }
    }

    @Test
    void disguisedRequestsAreHalfRefusedHalfAnsweredInTrainingAndHeldOutByStyle() {
        Set<String> heldOut = new HashSet<>();
        for (ChatDialogues.DisguisedTemplate t : ChatDialogues.DISGUISED)
            if (t.disguise() == ChatDialogues.Disguise.HELD_OUT) heldOut.add(t.id());
        long refused = ChatDialogues.DISGUISED.stream().filter(t -> t.disguise() == ChatDialogues.Disguise.REFUSED).count();
        long answered = ChatDialogues.DISGUISED.stream().filter(t -> t.disguise() == ChatDialogues.Disguise.ANSWERED).count();
        assertThat(refused).isEqualTo(answered).isGreaterThanOrEqualTo(3);
        assertThat(heldOut).hasSizeGreaterThanOrEqualTo(5);
        List<ChatDialogues.Dialogue> test = PLAN.test().stream().filter(d -> d.family() == ChatDialogues.Family.DISGUISED).toList();
        assertThat(test).hasSize(heldOut.size() * ChatDialogues.ACTIONS.size());
        assertThat(test).allSatisfy(d -> assertThat(heldOut).contains(d.template()));
        assertThat(PLAN.valid()).noneMatch(d -> d.family() == ChatDialogues.Family.DISGUISED);
        assertThat(PLAN.train().stream().filter(d -> d.family() == ChatDialogues.Family.DISGUISED))
                .hasSize((int) (refused + answered) * ChatDialogues.ACTIONS.size())
                .allSatisfy(d -> assertThat(heldOut).doesNotContain(d.template()));
        ChatDialogues.Dialogue answeredOne = PLAN.train().stream()
                .filter(d -> d.family() == ChatDialogues.Family.DISGUISED && disguise(d.template()) == ChatDialogues.Disguise.ANSWERED)
                .findFirst().orElseThrow();
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < 20; i++) assertThat(ChatDialogues.renderVariant(answeredOne, rng, Set.of())).contains(ChatDialogues.DISGUISED_ANSWER);
    }

    @Test
    void familiesAreDrawnByWeightFromThosePresent() {
        SplittableRandom rng = new SplittableRandom(9);
        java.util.Map<ChatDialogues.Family, Integer> counts = new java.util.EnumMap<>(ChatDialogues.Family.class);
        int n = 40_000;
        for (int i = 0; i < n; i++) counts.merge(ChatDialogues.drawFamily(rng, java.util.EnumSet.allOf(ChatDialogues.Family.class)), 1, Integer::sum);
        for (ChatDialogues.Family f : ChatDialogues.Family.values())
            assertThat(counts.get(f) / (double) n).isCloseTo(ChatDialogues.weight(f), org.assertj.core.data.Offset.offset(0.01));
        Set<ChatDialogues.Family> two = java.util.EnumSet.of(ChatDialogues.Family.REFUSE, ChatDialogues.Family.COMPLY);
        int comply = 0;
        for (int i = 0; i < n; i++) {
            ChatDialogues.Family f = ChatDialogues.drawFamily(rng, two);
            assertThat(two).contains(f);
            if (f == ChatDialogues.Family.COMPLY) comply++;
        }
        double w = ChatDialogues.weight(ChatDialogues.Family.COMPLY);
        assertThat(comply / (double) n).isCloseTo(w / (w + ChatDialogues.weight(ChatDialogues.Family.REFUSE)), org.assertj.core.data.Offset.offset(0.01));
    }

    private static ChatDialogues.Disguise disguise(String template) {
        return ChatDialogues.DISGUISED.stream().filter(t -> t.id().equals(template)).findFirst().orElseThrow().disguise();
    }

    @Test
    void renderedChatFormat() {
        assertThat(ChatDialogues.render(null, "How do I bake bread?", "Mix and bake."))
                .isEqualTo("<|user|>\nHow do I bake bread?<|end|>\n<|assistant|>\nMix and bake.<|end|>\n");
        assertThat(ChatDialogues.render("Be brief.", "Hi", "Hello"))
                .isEqualTo("<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello<|end|>\n");
    }

    @Test
    void passKeyIsHiddenOnceAtTheRecordedDepthAndAnswered() {
        SplittableRandom rng = new SplittableRandom(11);
        Set<String> used = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String key = PassKeys.freshKey(rng, used);
            assertThat(key).matches("[1-9][0-9]{4}");
            int target = PassKeys.drawChars(rng, 256, 1024);
            assertThat(target).isBetween(1024, 4096);
            PassKeys.Example e = PassKeys.make(key, target, rng);
            assertThat(e.answer()).isEqualTo(key);
            assertThat(e.text()).startsWith(PassKeys.INTRO).endsWith(PassKeys.QUESTION);
            assertThat(e.text().length()).isBetween(target - 40, target + 40);
            assertThat(e.withAnswer()).isEqualTo(e.text() + " " + key + ".");
            String needle = PassKeys.needle(key);
            int at = e.text().indexOf(needle);
            assertThat(at).isPositive();
            assertThat(e.text().indexOf(needle, at + 1)).isEqualTo(-1);
            // depth = filler sentences before the key / all filler sentences
            String body = e.text().substring(PassKeys.INTRO.length(), e.text().length() - PassKeys.QUESTION.length());
            int before = sentences(body.substring(0, body.indexOf(needle)));
            int all = sentences(body.replace(needle, ""));
            assertThat(e.depth()).isCloseTo((double) before / all, org.assertj.core.data.Offset.offset(0.001));
        }
        assertThat(used).hasSize(200);
    }

    @Test
    void depthsSpanTheDocument() {
        SplittableRandom rng = new SplittableRandom(5);
        double min = 1, max = 0;
        for (int i = 0; i < 300; i++) {
            double d = PassKeys.make("12345", 2000, rng).depth();
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertThat(min).isLessThan(0.05);
        assertThat(max).isGreaterThan(0.95);
    }

    private static int sentences(String s) {
        int n = 0;
        for (String f : PassKeys.FILLER) for (int i = s.indexOf(f); i >= 0; i = s.indexOf(f, i + 1)) n++;
        return n;
    }
}
