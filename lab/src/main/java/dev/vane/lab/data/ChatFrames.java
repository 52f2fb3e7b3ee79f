package dev.vane.lab.data;

import dev.vane.lab.data.ChatDialogues.Family;
import dev.vane.lab.data.ChatDialogues.Template;

import java.util.ArrayList;
import java.util.List;

/**
 * The third group of chat templates (written for Vane), added after a bundled model answered
 * too few held-out benign requests: a handful of benign templates had taught it to refuse by the
 * wording of a request. Here many request forms ("frames") each take many activities or topics,
 * every frame that carries a harmful action also carries benign ones, and contrast templates
 * pair each harmful template of {@link ChatDialogues#TEMPLATES} with a benign request about the
 * same objects ("Write a nasty insult for my coworker." / "Write a kind note for my coworker."),
 * so that what is asked, not how, decides between an answer and a refusal.
 */
final class ChatFrames {

    private ChatFrames() {}

    /** Benign activities, as verb phrases that fit every activity frame. */
    static final List<String> ACTIVITIES = List.of(
            "bake a loaf of bread", "plant tomatoes", "fix a flat tire", "learn to juggle", "write a thank-you note",
            "paint a fence", "build a birdhouse", "train my puppy to sit", "make a paper boat", "grow herbs on a windowsill",
            "clean my glasses", "organize my closet", "wrap a present", "make a smoothie", "cook rice", "boil an egg",
            "feed a goldfish", "knit a scarf", "sew on a button", "change a light bulb", "read a map",
            "stretch before running", "tune a guitar", "start a journal", "make a budget", "carve a pumpkin",
            "decorate a cake", "practice the piano", "make friends at a new school", "get ready for a job interview",
            "draw a horse", "memorize a poem", "warm up before a soccer game", "clean a fish tank", "set up a tent",
            "keep a plant alive", "make a fruit salad", "ride a bike", "teach my brother to read", "say sorry to a friend",
            "pack a school lunch", "make a kite", "bake cookies for my class", "learn to whistle", "fold a shirt",
            "take care of a kitten", "make a snowman", "write a story");

    /** Harmful actions for the same frames (not the disguised family's {@link ChatDialogues#ACTIONS}). */
    static final List<String> HARMFUL_ACTIONS = List.of(
            "steal a bike from the school yard", "cheat on my science test", "sneak into the aquarium without paying",
            "break into my neighbor's shed", "read my brother's secret diary", "fake my mom's signature",
            "take money from my dad's wallet", "lie to my teacher to skip class", "bully the new kid",
            "ruin my sister's painting", "shoplift a video game", "scare my little sister on purpose",
            "spread lies about my coworker", "trick my grandpa into giving me money", "break my friend's phone on purpose",
            "hack my classmate's account");

    /** Request forms shared by the benign and the harmful activities. */
    private static final List<String[]> ACTIVITY_FRAMES = List.of(
            new String[] {"how-can", "How can I {x}?", "You can {x} like this: get what you need ready, go one step at a time, and take a short break if it gets hard."},
            new String[] {"show-me", "Show me how to {x}.", "Sure! To {x}, start with the easy part, watch how it goes, and then try the next step."},
            new String[] {"need", "What do I need to {x}?", "To {x}, you need a little time, the right things at hand, and some patience."},
            new String[] {"hard", "Is it hard to {x}?", "It is not too hard to {x}. Most people learn it after a few tries."},
            new String[] {"teach", "Teach me to {x}.", "Happy to! To {x}, begin slowly, repeat each step, and you will get better every time."},
            new String[] {"help", "Help me {x}.", "Of course. To {x}, let's make a short plan and do one part at a time."},
            new String[] {"tips", "I would like to {x}. Any tips?", "Good idea! To {x}, keep it simple, ask someone who has done it, and enjoy it."},
            new String[] {"start", "Where do I start if I want to {x}?", "If you want to {x}, start by looking up the first step and gathering what you need."},
            new String[] {"instructions", "Write instructions to {x}.", "How to {x}: 1. Get ready. 2. Do the first step slowly. 3. Check your work. 4. Finish and clean up."},
            new String[] {"way", "What is a good way to {x}?", "A good way to {x} is to plan a little first and then take it step by step."},
            new String[] {"easiest", "What is the easiest way to {x}?", "The easiest way to {x} is to start small and practice a little each day."},
            new String[] {"plan", "Make me a plan to {x}.", "Here is a plan to {x}: today get ready, tomorrow try it once, and then practice until it feels easy."},
            new String[] {"guide", "Give me a quick guide to {x}.", "Quick guide to {x}: prepare, try it slowly, fix what went wrong, and try again."},
            new String[] {"explain", "Explain to me how to {x}.", "To {x}, you go step by step: prepare, do each part carefully, and check the result."},
            new String[] {"would-like", "I'd like to know how to {x}.", "Sure! To {x}, start with a simple plan and ask for help if you need it."},
            new String[] {"what-steps", "What are the steps to {x}?", "The steps to {x}: get ready, do it one part at a time, and finish by checking everything."});

    /** Benign topics for the topic frames. */
    static final List<String> TOPICS = List.of(
            "volcanoes", "the solar system", "honey bees", "the Roman Empire", "rainforests", "whales", "the human heart",
            "trains", "chocolate", "the Olympic Games", "penguins", "music", "mountains", "electricity", "the sun",
            "castles", "robots", "islands", "maps", "clocks", "bridges", "gardens", "football", "painting", "the alphabet",
            "butterflies", "lighthouses", "the desert", "snow", "the post office", "bicycles", "pyramids");

    private static final List<String[]> TOPIC_FRAMES = List.of(
            new String[] {"know", "What do you know about {x}?", "Here is a little about {x}: people have studied {x} for a long time, and there is always more to learn."},
            new String[] {"simply", "Explain {x} simply.", "Simply put, {x} is something many people find interesting. A good book or a short video is a nice way to learn more."},
            new String[] {"sentences", "Write two sentences about {x}.", "{x} can be fascinating. Once you learn a little about {x}, you notice it everywhere."},
            new String[] {"why-like", "Why do people like {x}?", "People like {x} because it is interesting, and learning about {x} is fun."},
            new String[] {"facts", "Give me three facts about {x}.", "Three facts about {x}: it has a long history, people all over the world know it, and there is a lot to discover about it."},
            new String[] {"kid", "I am curious about {x}. Where can I learn more?", "Great question! To learn about {x}, visit your library or ask a teacher who knows about {x}."});

    private static Template comply(String id, String prompt, String response, List<String> objects) {
        return new Template(id, Family.COMPLY, prompt, response, objects);
    }

    private static Template comply(String id, String prompt, String response, String... objects) {
        return comply(id, prompt, response, List.of(objects));
    }

    /** The framed and contrast templates, benign and harmful. */
    static final List<Template> TEMPLATES = templates();

    private static List<Template> templates() {
        List<Template> all = new ArrayList<>();
        for (String[] f : ACTIVITY_FRAMES) {
            all.add(comply("comply-frame-" + f[0], f[1], f[2], ACTIVITIES));
            all.add(new Template("refuse-frame-" + f[0], Family.REFUSE, f[1], null, HARMFUL_ACTIONS));
        }
        for (String[] f : TOPIC_FRAMES) all.add(comply("comply-topic-" + f[0], f[1], f[2], TOPICS));
        all.addAll(List.of(
                comply("comply-kind-note", "Write a kind note for my {x}.",
                        "Here is a kind note for your {x}: Thank you for everything you do. You make each day a little brighter.",
                        "coworker", "boss", "neighbor", "classmate", "teacher", "cousin", "roommate", "grandfather"),
                comply("comply-study", "Help me study for my {x}.",
                        "Let's study for your {x}: go over your notes, practice a few questions each day, and sleep well the night before.",
                        "math test", "spelling test", "history exam", "driving test", "chemistry quiz", "final exam", "piano exam"),
                comply("comply-tickets", "How can I get tickets to {x}?",
                        "You can buy tickets to {x} at the door or online. Some days are cheaper, so check the prices first.",
                        "the movies", "the zoo", "a concert", "the swimming pool", "the museum", "a football game", "the circus"),
                comply("comply-buy", "Tell me how to buy {x} from a store.",
                        "To buy {x}, pick it from the shelf, take it to the checkout, and pay the cashier. Keep the receipt.",
                        "candy", "a toy", "a pair of shoes", "a video game", "a jacket", "a bottle of perfume", "a notebook"),
                comply("comply-message", "How do I send my {x} a nice message?",
                        "Write a short, warm message to your {x}, say what you like about them, and send it by text or on a card.",
                        "sister", "roommate", "neighbor", "coworker", "friend", "brother", "grandma"),
                comply("comply-craft", "How do I make a {x}?",
                        "To make a {x}, gather paper, glue and colors, follow a simple pattern, and decorate it the way you like.",
                        "birthday card", "paper crown", "bird feeder", "photo frame", "sock puppet", "paper lantern", "friendship bracelet"),
                comply("comply-fix-neighbor", "How can I help fix my neighbor's {x}?",
                        "It is kind to help! Ask your neighbor first, then look at what is broken on the {x} and get the right tools.",
                        "window", "fence", "mailbox", "garden gnome", "bicycle", "lawn mower", "gate"),
                comply("comply-homework", "How do I help my {x} with their homework?",
                        "Sit with your {x}, read the question together, and give hints instead of the answers.",
                        "friend", "classmate", "lab partner", "brother", "sister", "desk mate"),
                comply("comply-cheer", "Give me a trick to cheer up {x}.",
                        "To cheer up {x}, tell a funny story, share a snack, or play a favorite game together.",
                        "my little brother", "my sad friend", "my grandma", "my tired mom", "my roommate", "my teammate"),
                comply("comply-good-review", "Write a nice review for {x}.",
                        "Here is a nice review for {x}: Friendly people, great service, and I will come back soon. Five stars!",
                        "my neighbor's bakery", "the pizza shop down the street", "my favorite cafe", "a local bookstore", "my gym", "the new barber shop"),
                comply("comply-surprise", "How do I surprise my {x} so they smile?",
                        "To make your {x} smile, plan a small surprise: a drawing, a favorite treat, or a kind word at the right moment.",
                        "little sister", "classmate", "babysitter", "grandmother", "new coworker", "neighbor's kid"),
                comply("comply-joke", "Write a joke I can tell my {x}.",
                        "Here is a joke for your {x}: Why did the cookie go to the doctor? Because it felt crummy!",
                        "grandmother", "parents", "best friend", "boss", "neighbor", "uncle"),
                comply("comply-lock-own", "How do I open the lock on {x} when I lost the key?",
                        "If you lost the key to {x}, ask whoever has a spare, or call a locksmith and show that it belongs to you.",
                        "my own bike", "my own front door", "my suitcase", "my locker", "my own car", "my garden shed")));
        return List.copyOf(all);
    }
}
