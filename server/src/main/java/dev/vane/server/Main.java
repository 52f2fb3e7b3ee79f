package dev.vane.server;

import dev.vane.engine.generate.Generator;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import io.helidon.webserver.WebServer;

import java.nio.file.Files;

/** Wires settings, model, generator and HTTP routes; nothing else. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        String[] rest = args.length > 0 && args[0].equals("serve") ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
        ServerSettings s;
        try {
            s = ServerSettings.parse(rest, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("vane: " + e.getMessage());
            System.exit(2);
            return;
        }
        WebServer server = start(s);
        System.out.println("vane: serving " + s.model() + " on http://" + s.host() + ":" + server.port());
    }

    /** Loads the model and starts the server; returns once it listens. */
    public static WebServer start(ServerSettings s) {
        if (!Files.isDirectory(s.model())) throw new IllegalArgumentException("model directory not found: " + s.model());
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(s.threads()));
        CausalLM model = ModelLoader.load(s.model(), s.dtype(), s.context());
        Tokenizer tokenizer = Tokenizer.load(s.model());
        Generator generator = new Generator(model, tokenizer, s.slots(), s.context());
        String id = s.model().toAbsolutePath().normalize().getFileName().toString();
        return WebServer.builder()
                .host(s.host())
                .port(s.port())
                .routing(r -> r.register(new GenerateService(generator, id)))
                .build()
                .start();
    }
}
