package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment files agree with each other and with the server: {@code docker-compose.yml},
 * {@code deploy/Dockerfile}, {@code deploy/prometheus/}, {@code deploy/grafana/} and the
 * Kubernetes manifests of {@code deploy/k8s/} are parsed; every service, port, volume path,
 * {@code VANE_*} setting, probe path and metric name they reference exists (routes and metrics on
 * a running server).
 */
class DeployFilesTest {

    private static final Path ROOT = Path.of("..");
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern VANE_VAR = Pattern.compile("\\bVANE_([A-Z_]+)\\b");

    private final TestServer server = TestServer.shared();

    @Test
    void composeRunsVaneBesidePrometheusAndGrafanaWithTheProjectsFiles() throws IOException {
        JsonNode compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
        JsonNode services = compose.get("services");
        assertThat(names(services)).contains("vane", "prometheus", "grafana");
        JsonNode vane = services.get("vane");
        assertThat(ROOT.resolve(vane.get("build").get("context").asText()).resolve(vane.get("build").get("dockerfile").asText())).isRegularFile();
        assertThat(texts(vane.get("ports"))).anyMatch(p -> p.endsWith(":8080")).anyMatch(p -> p.endsWith(":8081"));
        for (String service : List.of("prometheus", "grafana"))
            for (JsonNode v : services.get(service).get("volumes")) {
                String source = v.asText().split(":")[0];
                if (source.startsWith("./")) assertThat(ROOT.resolve(source)).as("%s mounts %s", service, source).exists();
            }
        for (JsonNode dependsOn : List.of(services.get("prometheus").get("depends_on"), services.get("grafana").get("depends_on")))
            assertThat(names(services)).containsAll(texts(dependsOn));
        Set<String> volumes = names(compose.get("volumes"));
        for (JsonNode v : vane.get("volumes")) assertThat(volumes).contains(v.asText().split(":")[0]);
        assertKnownSettings(names(vane.get("environment")), "docker-compose.yml");

        // Prometheus scrapes the compose service on the port the image serves
        JsonNode prom = YAML.readTree(DEPLOY.resolve("prometheus/prometheus.yml").toFile());
        JsonNode job = prom.get("scrape_configs").get(0);
        assertThat(job.get("metrics_path").asText()).isEqualTo("/metrics");
        assertThat(texts(job.get("static_configs").get(0).get("targets"))).containsExactly("vane:8080");
        for (JsonNode rules : prom.get("rule_files")) assertThat(DEPLOY.resolve("prometheus").resolve(rules.asText())).isRegularFile();
        // Grafana's provisioning names the data source the dashboards use, and the folder compose mounts them at
        JsonNode ds = YAML.readTree(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yml").toFile()).get("datasources").get(0);
        assertThat(ds.get("url").asText()).isEqualTo("http://prometheus:9090");
        for (JsonNode panel : TestServer.read(Files.readString(DEPLOY.resolve("grafana/dashboards/vane.json"))).get("panels"))
            assertThat(panel.get("datasource").get("uid").asText()).isEqualTo(ds.get("uid").asText());
        String dashboards = YAML.readTree(DEPLOY.resolve("grafana/provisioning/dashboards/vane.yml").toFile())
                .get("providers").get(0).get("options").get("path").asText();
        assertThat(texts(services.get("grafana").get("volumes"))).contains("./deploy/grafana/dashboards:" + dashboards + ":ro");
    }

    @Test
    void theDockerfileServesWhatComposeAndKubernetesExpect() throws IOException {
        String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
        assertThat(dockerfile).contains("ARG JDK_IMAGE=", "ARG BASE_IMAGE=", "jlink", "USER 10001", "HEALTHCHECK", "EXPOSE 8080 8081",
                "/health/ready", "STOPSIGNAL SIGTERM");
        assertThat(dockerfile).doesNotContainPattern("(?m)^USER root");
        Set<String> vars = new HashSet<>();
        for (Matcher m = VANE_VAR.matcher(dockerfile); m.find(); ) vars.add("VANE_" + m.group(1));
        assertKnownSettings(vars, "deploy/Dockerfile");
        assertThat(dockerfile).contains("VANE_PORT=8080", "VANE_ADMIN_PORT=8081");
        assertThat(server.get("/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void kubernetesManifestsReferToEachOtherAndToWhatTheServerServes() throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var files = Files.list(DEPLOY.resolve("k8s"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList())
                try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(f.toFile())) {
                    while (it.hasNext()) {
                        JsonNode d = it.next();
                        if (d.has("kind")) docs.add(d); // the adapter's rules and kustomization.yaml are checked below
                    }
                }
        }
        JsonNode deployment = kind(docs, "Deployment", "vane");
        JsonNode pod = deployment.get("spec").get("template");
        assertThat(deployment.get("spec").get("selector").get("matchLabels")).isEqualTo(pod.get("metadata").get("labels"));
        JsonNode container = pod.get("spec").get("containers").get(0);
        Set<String> portNames = new HashSet<>();
        for (JsonNode p : container.get("ports")) portNames.add(p.get("name").asText());
        assertThat(portNames).contains("http", "admin");
        // probes: paths the server answers, on a named port
        for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
            JsonNode get = container.get(probe).get("httpGet");
            assertThat(portNames).contains(get.get("port").asText());
            assertThat(server.get(get.get("path").asText()).statusCode()).as("%s %s", probe, get.get("path").asText()).isEqualTo(200);
        }
        assertThat(pod.get("spec").get("terminationGracePeriodSeconds").asInt())
                .as("the grace period outlasts the drain").isGreaterThan(kind(docs, "ConfigMap", "vane").get("data").get("VANE_DRAIN_TIMEOUT").asInt());
        // settings: the ConfigMap's keys and the container's env are settings the server knows
        assertKnownSettings(names(kind(docs, "ConfigMap", "vane").get("data")), "configmap.yaml");
        Set<String> env = new HashSet<>();
        for (JsonNode e : container.get("env")) env.add(e.get("name").asText());
        assertKnownSettings(env, "deployment.yaml");
        assertThat(container.get("envFrom").get(0).get("configMapRef").get("name").asText()).isEqualTo("vane");
        for (JsonNode e : container.get("env"))
            if (e.has("valueFrom")) assertThat(kind(docs, "Secret", e.get("valueFrom").get("secretKeyRef").get("name").asText())
                    .get("stringData").has(e.get("valueFrom").get("secretKeyRef").get("key").asText())).isTrue();
        assertThat(kind(docs, "PersistentVolumeClaim", pod.get("spec").get("volumes").get(0).get("persistentVolumeClaim").get("claimName").asText()))
                .isNotNull();
        // Services select the pods and target named ports
        for (JsonNode svc : docs.stream().filter(d -> d.get("kind").asText().equals("Service")).toList()) {
            assertThat(svc.get("spec").get("selector")).isEqualTo(pod.get("metadata").get("labels"));
            for (JsonNode p : svc.get("spec").get("ports")) assertThat(portNames).contains(p.get("targetPort").asText());
        }
        // the ServiceMonitor scrapes /metrics on a Service port; the HPA scales the Deployment on an exported metric
        JsonNode endpoint = kind(docs, "ServiceMonitor", "vane").get("spec").get("endpoints").get(0);
        assertThat(endpoint.get("path").asText()).isEqualTo("/metrics");
        assertThat(kind(docs, "Service", "vane").get("spec").get("ports").get(0).get("name").asText()).isEqualTo(endpoint.get("port").asText());
        JsonNode hpa = kind(docs, "HorizontalPodAutoscaler", "vane").get("spec");
        assertThat(hpa.get("scaleTargetRef").get("name").asText()).isEqualTo("vane");
        String metric = hpa.get("metrics").get(0).get("pods").get("metric").get("name").asText();
        String exposition = server.get("/metrics").body();
        assertThat(exposition).containsPattern("(?m)^" + metric + "\\{");
        JsonNode adapterRule = YAML.readTree(DEPLOY.resolve("k8s/prometheus-adapter-rules.yaml").toFile()).get("rules").get(0);
        assertThat(adapterRule.get("name").get("as").asText()).isEqualTo(metric);
        assertThat(adapterRule.get("seriesQuery").asText()).startsWith(metric + "{");
        // kustomization lists files that exist
        for (JsonNode r : YAML.readTree(DEPLOY.resolve("k8s/kustomization.yaml").toFile()).get("resources"))
            assertThat(DEPLOY.resolve("k8s").resolve(r.asText())).isRegularFile();
    }

    private static void assertKnownSettings(Set<String> variables, String file) {
        for (String v : variables) {
            assertThat(v).as("%s: %s", file, v).startsWith("VANE_");
            String setting = v.substring(5).toLowerCase(Locale.ROOT).replace('_', '-');
            assertThat(ServerSettings.NAMES).as("%s: %s is a setting", file, v).contains(setting);
        }
    }

    private static JsonNode kind(List<JsonNode> docs, String kind, String name) {
        return docs.stream().filter(d -> d.get("kind").asText().equals(kind) && d.get("metadata").get("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static Set<String> names(JsonNode object) {
        Set<String> out = new HashSet<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
