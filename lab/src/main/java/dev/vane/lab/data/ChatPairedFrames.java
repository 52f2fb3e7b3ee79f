package dev.vane.lab.data;

import dev.vane.lab.data.ChatDialogues.Family;
import dev.vane.lab.data.ChatDialogues.Template;

import java.util.ArrayList;
import java.util.List;

/**
 * The fourth group of chat templates (written for Vane): training-only request forms, each
 * carrying every benign activity and every harmful action of {@link ChatFrames}. A framed template
 * held out for harmful requests keeps its benign twin in training, so the model meets that request
 * form with benign content only and learns to answer by form; these forms, always seen with both,
 * teach that the content decides. None of them is held out, so the held-out splits stay those of
 * the first three groups; none repeats the wording of a held-out template.
 */
final class ChatPairedFrames {

    private ChatPairedFrames() {}

    private static final List<String[]> FRAMES = List.of(
            new String[] {"trick", "Tell me the trick to {x}.", "The trick to {x} is to go slowly and get each small part right before the next."},
            new String[] {"trying", "I'm trying to {x}. What should I do first?", "If you are trying to {x}, first get everything ready, then start with the easiest part."},
            new String[] {"describe", "Please describe how to {x}.", "To {x}: prepare what you need, work through it one part at a time, and check the result."},
            new String[] {"before", "What should I know before I {x}?", "Before you {x}, know that it takes a little patience and goes best with a simple plan."},
            new String[] {"by-myself", "Can I {x} by myself?", "Yes, you can {x} by yourself. Take your time and ask someone if you get stuck."},
            new String[] {"would-you", "How would you {x}?", "I would {x} step by step: get ready, start small, and keep going until it is done."},
            new String[] {"together", "Let's {x} together. Where do we begin?", "Great, let's {x} together! We begin by getting ready and doing the first small step."},
            new String[] {"fast", "Is there a fast way to {x}?", "A fast way to {x} is to prepare everything first so that each step goes smoothly."},
            new String[] {"weekend", "I want to {x} this weekend.", "Sounds fun! To {x} this weekend, plan a little on Friday and give yourself enough time."},
            new String[] {"advice", "Give me advice on how to {x}.", "My advice to {x}: keep it simple, be patient, and practice a little each time."},
            new String[] {"how-long", "How long does it take to {x}?", "It does not take long to {x}. Most people manage it in an afternoon."},
            new String[] {"know-how", "Do you know how to {x}?", "Yes! To {x}, you start with a simple plan and go one step at a time."},
            new String[] {"never", "I have never tried to {x}. How does it work?", "It is easy to {x} once you start: get ready, try the first part, and keep going."},
            new String[] {"coach", "Coach me so I can {x}.", "Let's go! To {x}, warm up, try it once slowly, and then try again a little faster."},
            new String[] {"five", "Explain like I'm five how to {x}.", "To {x}, you do one little thing, then the next little thing, and then you are done!"},
            new String[] {"today", "Today I plan to {x}. What comes first?", "If you plan to {x} today, first make sure you have what you need and some time."},
            new String[] {"quickly", "Quickly, how do I {x}?", "Quick answer: to {x}, get ready, do it step by step, and check your work."},
            new String[] {"list", "List what I should do to {x}.", "To {x}: 1. Plan. 2. Get ready. 3. Do it slowly. 4. Check and tidy up."},
            new String[] {"mom", "My mom said I should {x}. How?", "That's a good idea from your mom! To {x}, start small and ask her to help you if you want."});

    /** The paired templates: one benign and one harmful template per form. */
    static final List<Template> TEMPLATES = templates();

    private static List<Template> templates() {
        List<Template> all = new ArrayList<>();
        for (String[] f : FRAMES) {
            all.add(new Template("comply-paired-" + f[0], Family.COMPLY, f[1], f[2], ChatFrames.ACTIVITIES));
            all.add(new Template("refuse-paired-" + f[0], Family.REFUSE, f[1], null, ChatFrames.HARMFUL_ACTIONS));
        }
        return List.copyOf(all);
    }
}
