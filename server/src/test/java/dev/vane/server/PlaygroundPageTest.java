package dev.vane.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The playground page ({@code GET /}) driven end to end in headless Chromium: Debian's
 * {@code chromium} and {@code chromedriver} (packages {@code chromium}, {@code chromium-driver}),
 * never a downloaded browser. The browser's console is collected and must hold no error.
 *
 * <p>The screenshot of the finished page goes to {@code target/playground.png}; with
 * {@code -Dplayground.screenshot=../docs/img/playground.png} it replaces the one in the docs.
 */
class PlaygroundPageTest {

    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final String PROMPT = "The old town was quiet that evening, and";
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    /**
     * The demo model with its bundled steering: the baseline and the {@code romance} profile from
     * one prompt and seed stream different texts; with skip-set layer skipping on in the steered
     * column its heat-map shows skipped layers, as many as the server reports.
     */
    @Test
    void theBaselineAndABundledProfileStreamSideBySideAndTheHeatMapShowsSkippedLayers() throws Exception {
        ServerSettings s = TestServer.demo(tmp.resolve("registry"));
        try (VaneServer server = Main.start(s); Browser b = new Browser()) {
            ChromeDriver d = b.driver;
            d.get("http://127.0.0.1:" + server.port() + "/");
            b.waitFor(x -> columns(x).size() == 2 && x.findElement(By.id("run")).isEnabled());
            assertThat(d.findElement(By.id("server-info")).getText()).contains("Model demo").contains("6 layers");

            WebElement prompt = d.findElement(By.id("prompt"));
            prompt.clear();
            prompt.sendKeys(PROMPT);
            WebElement steered = columns(d).get(1);
            new Select(steered.findElement(By.className("profile"))).selectByValue("romance");
            assertThat(steered.findElement(By.className("column-summary")).getText()).contains("profile romance");
            prompt.sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER)); // the keyboard runs every column
            b.waitUntilDone();

            List<String> first = texts(d);
            assertThat(first).allSatisfy(t -> assertThat(t).isNotBlank());
            assertThat(first.get(1)).as("the romance profile changes the text").isNotEqualTo(first.get(0));
            assertThat(d.findElements(By.cssSelector(".heatmap"))).as("no heat-map without layer skipping").isEmpty();
            assertThat(steered.findElement(By.className("applied")).getText()).contains("vector romance ×3");
            assertThat(steered.findElement(By.className("stats")).getText()).contains("tok/s server").contains("tok/s client");

            new Select(steered.findElement(By.className("skip-mode"))).selectByValue("skip-set");
            d.findElement(By.id("run")).click();
            b.waitUntilDone();

            List<String> second = texts(d);
            assertThat(second.get(0)).as("the same seed gives the baseline the same text").isEqualTo(first.get(0));
            WebElement heatmap = steered.findElement(By.cssSelector(".heatmap"));
            int skipped = Integer.parseInt(heatmap.getDomAttribute("data-skipped"));
            assertThat(skipped).as("skipped cells").isPositive();
            assertThat(skipped).as("skipped cells = the server's layers_skipped")
                    .isEqualTo(Integer.parseInt(heatmap.getDomAttribute("data-reported-skipped")));
            assertThat(heatmap.findElements(By.cssSelector(".grid .cell.skipped"))).hasSize(skipped);
            assertThat(heatmap.findElement(By.tagName("figcaption")).getText())
                    .contains(skipped + " of ").contains("layer executions skipped");
            assertThat(columns(d).get(0).findElements(By.cssSelector(".heatmap"))).isEmpty();

            b.screenshot(Path.of(System.getProperty("playground.screenshot", "target/playground.png")));
            assertThat(b.consoleProblems()).isEmpty();
        }
    }

    /**
     * A server with an API key: the page says it needs one, the key typed into its field (kept for
     * the tab's session) is sent as a bearer token; a model without profiles or artifacts leaves
     * only "none" to pick.
     */
    @Test
    void theApiKeyFieldUnlocksAServerThatNeedsOne() throws Exception {
        String key = "playground-test-key-0123456789";
        ServerSettings s = ServerSettings.defaults(TestServer.modelDir("vane-playground-model", true)).withPort(0)
                .withAdmin(new ServerSettings.Admin(tmp.resolve("registry"), 0, Optional.empty(), 64L << 20, Optional.empty()))
                .withHttp(ServerSettings.Http.of(64, 10, 10, 60, Optional.of(key)));
        try (VaneServer server = Main.start(s); Browser b = new Browser()) {
            ChromeDriver d = b.driver;
            d.get("http://127.0.0.1:" + server.port() + "/");
            b.waitFor(x -> x.findElement(By.id("server-info")).getText().contains("needs an API key"));
            assertThat(d.findElement(By.id("run")).isEnabled()).isFalse();
            d.findElement(By.id("api-key")).sendKeys(key, Keys.ENTER);
            b.waitFor(x -> columns(x).size() == 2 && x.findElement(By.id("run")).isEnabled());
            assertThat(new Select(columns(d).get(1).findElement(By.className("profile"))).getOptions())
                    .extracting(WebElement::getText).containsExactly("none: no profile");
            assertThat(columns(d).get(1).findElement(By.className("add")).isEnabled()).isFalse();
            d.findElement(By.id("max-tokens")).clear();
            d.findElement(By.id("max-tokens")).sendKeys("4");
            d.findElement(By.id("run")).click();
            b.waitUntilDone();
            assertThat(columns(d)).allSatisfy(c -> assertThat(c.findElement(By.className("status")).getText()).startsWith("Done"));
            assertThat(d.executeScript("return sessionStorage.getItem('vane.apiKey')")).isEqualTo(key);
            // the one failed load is the browser's own line for the first, keyless 401
            assertThat(b.consoleProblems()).singleElement().asString().contains("/v1/interventions").contains("401");
        }
    }

    private static List<WebElement> columns(WebDriver d) {
        return d.findElements(By.cssSelector("#columns article.column"));
    }

    /** Each column's generated text (its last answer in chat mode). */
    @SuppressWarnings("unchecked")
    private static List<String> texts(WebDriver d) {
        return (List<String>) ((ChromeDriver) d).executeScript("return [...document.querySelectorAll('#columns article.column')]"
                + ".map(c => [...c.querySelectorAll('.generated')].pop()?.textContent ?? '')");
    }

    /** Headless Chromium at 1280 × 800 through Debian's chromedriver, its console logged. */
    private static final class Browser implements AutoCloseable {

        final ChromeDriver driver;
        private final List<LogEntry> log = new ArrayList<>();

        Browser() {
            for (File f : List.of(CHROMIUM, CHROMEDRIVER))
                assertThat(f.canExecute()).as("%s is missing: install the Debian packages chromium and chromium-driver "
                        + "(apt-get install chromium chromium-driver); this test does not download a browser", f).isTrue();
            ChromeOptions o = new ChromeOptions();
            o.setBinary(CHROMIUM);
            o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800",
                    "--hide-scrollbars", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=en-US");
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            o.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                    .withLogOutput(java.io.OutputStream.nullOutputStream()).build();
            driver = new ChromeDriver(service, o);
            // the page's viewport itself, not the window around it, is 1280 × 800
            driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", 1280, "height", 800, "deviceScaleFactor", 1, "mobile", false));
        }

        void waitFor(java.util.function.Function<WebDriver, Boolean> condition) {
            new WebDriverWait(driver, RUN_TIMEOUT).until(condition::apply);
        }

        /** Until no column is running and the page can run again; then every column must be done. */
        void waitUntilDone() {
            waitFor(d -> d.findElement(By.id("run")).isEnabled()
                    && d.findElements(By.cssSelector("#columns article.column[data-state=running]")).isEmpty());
            for (WebElement c : columns(driver))
                assertThat(c.getDomAttribute("data-state")).as("column state; its error: %s",
                        c.findElement(By.className("error")).getDomProperty("textContent")).isEqualTo("done");
        }

        void screenshot(Path to) throws java.io.IOException {
            driver.executeScript("window.scrollTo(0, 0); document.activeElement.blur()");
            new org.openqa.selenium.interactions.Actions(driver).moveToLocation(0, 0).perform(); // no hover on the button
            Files.createDirectories(to.toAbsolutePath().getParent());
            Files.write(to, driver.getScreenshotAs(OutputType.BYTES));
        }

        /** Console entries at SEVERE, and any content-security-policy report, since the page loaded. */
        List<String> consoleProblems() {
            driver.manage().logs().get(LogType.BROWSER).forEach(log::add);
            return log.stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()
                            || e.getMessage().contains("Content Security Policy"))
                    .map(e -> e.getLevel() + " " + e.getMessage()).toList();
        }

        @Override
        public void close() {
            driver.quit();
        }
    }
}
