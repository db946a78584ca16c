package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The notebooks as a reader sees them: {@code medvlm notebook} serves the executed tutorials on 127.0.0.1, headless
 * Chromium (Debian's chromium and chromedriver, driven by Selenium) opens them, and the charts and thumbnail tables must
 * be decoded images of non-zero size. A cell typed and run through the page must come back from the MedVLM kernel.
 * Screenshots stay in target/browser/.
 */
class NotebookBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SHOTS = Path.of("target/browser").toAbsolutePath();

    static NotebookServer server;
    static WebDriver browser;
    static Path served;
    static Path profile;

    @BeforeAll
    static void start() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (System.getenv("CI") != null) {
            assertTrue(present, "CI is set but Debian's chromium or chromium-driver is missing (launch/test-suite installs them)");
        }
        assumeTrue(present, "headless Chromium is missing: apt-get install chromium chromium-driver (launch/test-suite installs them)");
        ExecutedNotebooks.Run run = ExecutedNotebooks.get();
        served = run.executed();
        Files.writeString(served.resolve("browser-scratch.ipynb"), RunCommandTest.notebook(""));
        server = NotebookServer.start(served);
        server.trust(served.resolve("01-quick-start.ipynb"), served.resolve("02-memory-wall.ipynb"), served.resolve("05-train-locally.ipynb"));
        profile = Files.createTempDirectory("medvlm-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        if (profile != null) {
            ExecutedNotebooks.deleteTree(profile);
        }
    }

    /** Opens a notebook page and waits until its outputs are on the page and its images have loaded. */
    static void open(String notebook) {
        browser.get(server.url("/notebooks/" + notebook));
        new WebDriverWait(browser, Duration.ofSeconds(90)).until(d -> Boolean.TRUE.equals(js(
                "return document.querySelectorAll('.output_area').length > 0"
                + " && Array.from(document.querySelectorAll('.output_area img')).every(i => i.complete)")));
    }

    static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    /** The natural widths of the images matched by a CSS selector inside the outputs (0 = not decoded). */
    @SuppressWarnings("unchecked")
    static List<Long> naturalWidths(String selector) {
        return (List<Long>) js("return Array.from(document.querySelectorAll(arguments[0])).map(i => i.naturalWidth)", selector);
    }

    static Path screenshot(String name, WebElement scrollTo) throws Exception {
        if (scrollTo != null) {
            js("arguments[0].scrollIntoView({block: 'start'})", scrollTo);
        }
        File shot = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = SHOTS.resolve(name + ".png");
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    @Test
    void theQuickStartShowsItsImageAnswerTableAndAttentionMap() throws Exception {
        open("01-quick-start.ipynb");
        List<Long> thumbnails = naturalWidths(".output_area table img");
        assertTrue(thumbnails.size() >= 16 + 2, "thumbnails in the answer table and the explain table: " + thumbnails);
        assertTrue(thumbnails.stream().allMatch(w -> w > 0), "every thumbnail decoded: " + thumbnails);
        WebElement table = browser.findElements(By.cssSelector(".output_area table")).stream()
                .filter(t -> t.getText().contains("✓/✗")).findFirst().orElseThrow(() -> new AssertionError("no answer table on the page"));
        assertTrue(Files.size(screenshot("01-quick-start", table)) > 10_000);
    }

    @Test
    void theMemoryWallShowsItsZeroCharts() throws Exception {
        open("02-memory-wall.ipynb");
        List<Long> charts = naturalWidths(".output_png img");
        assertTrue(charts.size() >= 5 && charts.stream().allMatch(w -> w >= 300), "the planner's charts are decoded images: " + charts);
        // the picture of the README: the paper's Figure 1 setting, its table and chart
        WebElement figure1 = browser.findElements(By.cssSelector(".output_area table")).stream()
                .filter(t -> t.getText().contains("on 64 GPUs")).findFirst().orElseThrow(() -> new AssertionError("no 64-GPU plan"));
        assertTrue(Files.size(screenshot("02-memory-wall", figure1)) > 10_000);
    }

    @Test
    void theTrainingNotebookShowsItsLossChartAndBeforeAfterTable() throws Exception {
        open("05-train-locally.ipynb");
        List<Long> charts = naturalWidths(".output_png img");
        assertTrue(!charts.isEmpty() && charts.stream().allMatch(w -> w >= 300), "the loss chart is a decoded image: " + charts);
        List<Long> thumbnails = naturalWidths(".output_area table img");
        assertTrue(thumbnails.size() >= 8 && thumbnails.stream().allMatch(w -> w > 0), "decoded thumbnails: " + thumbnails);
        WebElement chart = browser.findElements(By.cssSelector(".output_png img")).get(0);
        assertTrue(Files.size(screenshot("05-train-locally", chart)) > 10_000);
    }

    @Test
    void aCellTypedAndRunInThePageIsAnsweredByTheMedvlmKernel() throws Exception {
        browser.get(server.url("/notebooks/browser-scratch.ipynb"));
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(120));
        // the kernel started for the page is the MedVLM one, and it is ready
        wait.until(d -> Boolean.TRUE.equals(js("return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel"
                + " && Jupyter.notebook.kernel.is_connected() && Jupyter.notebook.kernel.info_reply"
                + " && Jupyter.notebook.kernel.info_reply.status === 'ok')")));
        assertEquals("MedVLM (Java)", browser.findElement(By.cssSelector(".kernel_indicator_name")).getText());
        WebElement input = browser.findElement(By.cssSelector(".cell .CodeMirror"));
        new Actions(browser).click(input).sendKeys("var answer = 6 * 7;").sendKeys(Keys.ENTER).sendKeys("\"answer: \" + answer")
                .keyDown(Keys.SHIFT).sendKeys(Keys.ENTER).keyUp(Keys.SHIFT).perform();
        WebElement output = wait.until(d -> d.findElements(By.cssSelector(".output_area .output_subarea")).stream()
                .filter(e -> e.getText().contains("answer: 42")).findFirst().orElse(null));
        assertTrue(output.isDisplayed());
        screenshot("browser-scratch", null);
        Map<?, ?> counts = (Map<?, ?>) js("return {prompt: document.querySelector('.input_prompt').innerText}");
        assertTrue(String.valueOf(counts.get("prompt")).contains("[1]"), "the cell ran once: " + counts);
    }
}
