package dev.vane.server;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The playground's files as served (no browser: {@link PlaygroundPageTest} drives the page): every
 * file the page loads is in the jar with its content type and the content security policy, and
 * nothing in them reaches beyond the server or needs an inline script or style.
 */
class PlaygroundFilesTest {

    private static final Pattern LOADED = Pattern.compile("(?:src|href)=\"(/playground/[^\"]+)\"");
    private static final Pattern IMPORTED = Pattern.compile("from '\\./([^']+)'");

    @Test
    void thePageAndEveryFileItLoadsAreServedUnderThePolicy() {
        TestServer t = TestServer.shared();
        HttpResponse<String> page = t.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("content-security-policy")).hasValue(PlaygroundService.CONTENT_SECURITY_POLICY);
        String html = page.body();
        assertThat(html).doesNotContainPattern("<script(?![^>]*\\bsrc=)").doesNotContain("<style").doesNotContain(" style=")
                .doesNotContainPattern("\\son[a-z]+=");

        Set<String> files = new LinkedHashSet<>();
        for (Matcher m = LOADED.matcher(html); m.find(); ) files.add(m.group(1));
        assertThat(files).contains("/playground/app.js", "/playground/style.css");
        for (Matcher m = IMPORTED.matcher(t.get("/playground/app.js").body()); m.find(); ) files.add("/playground/" + m.group(1));
        assertThat(files).contains("/playground/api.js");
        String all = html;
        for (String f : files) {
            HttpResponse<String> r = t.get(f);
            assertThat(r.statusCode()).as(f).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).as(f)
                    .hasValue(f.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
            assertThat(r.headers().firstValue("content-security-policy")).as(f).isPresent();
            all += r.body();
        }
        assertThat(all).as("no address outside the server").doesNotContainPattern("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}/")
                .doesNotContain("EventSource").doesNotContain("console.");
    }

    @Test
    void anyOtherFileIsA404InTheErrorShape() {
        HttpResponse<String> r = TestServer.shared().get("/playground/secret.js");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(TestServer.read(r.body()).get("error").get("message").asText()).contains("secret.js");
        assertThat(TestServer.shared().get("/playground/..%2Fopenapi.yaml").statusCode()).isEqualTo(404);
    }
}
