package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.ferry.RawJson;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}) against a real server on the embedded broker, with real workers.
 * On CI ({@code CI=true}) a missing browser fails the build instead of skipping these tests.
 */
class DashboardBrowserTest {
    static final Path CHROMIUM = Path.of(System.getProperty("ferry.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("ferry.chromedriver", "/usr/bin/chromedriver"));
    static final Path SHOTS = Path.of("target", "screenshots");
    static final Duration WAIT = Duration.ofSeconds(30);

    /** Markup that would set window.__xss if it ever became markup instead of text. */
    static final String SCRIPT = "<script>window.__xss=1</script>";
    static final String ATTR = "\" onmouseover=\"window.__xss=1";
    static final String IMG = "<img src=x onerror=\"window.__xss=1\">";

    @TempDir
    static Path dir;
    @TempDir
    static Path profile;
    static TestServer s;
    static Worker worker;
    static WebDriver driver;
    static final CountDownLatch gate = new CountDownLatch(1);
    static final AtomicBoolean failing = new AtomicBoolean(true);

    @BeforeAll
    static void start() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String message = "the dashboard tests need headless Chromium: " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (Debian packages chromium and chromium-driver; .ci/run must run `apt-get install -y chromium chromium-driver`)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        Files.createDirectories(SHOTS);
        s = TestServer.start(dir);
        worker = s.ferry.worker().queues("browser-live", "browser-dead", "browser-xss", "browser-task")
                .concurrency(4).pollInterval(Duration.ofMillis(50))
                .listener(s.server.metrics())
                .handle("gate", RawJson.class, (p, ctx) -> {
                    gate.await(60, TimeUnit.SECONDS);
                    return null;
                })
                .handle("flaky", RawJson.class, (p, ctx) -> {
                    if (failing.get()) {
                        throw new IllegalStateException("payment gateway said no");
                    }
                    return java.util.Map.of("ok", true);
                })
                .handle("xss", RawJson.class, (p, ctx) -> {
                    throw new IllegalStateException(IMG + ATTR + " " + SCRIPT);
                })
                .start();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-extensions", "--window-size=1400,1000", "--user-data-dir=" + profile.toAbsolutePath());
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(new File("target/chromedriver.log"))
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT);
    }

    @AfterAll
    static void stop() {
        gate.countDown();
        if (driver != null) {
            driver.quit();
        }
        if (worker != null) {
            worker.close();
        }
        if (s != null) {
            s.close();
        }
    }

    static void open(String path) {
        driver.get(s.base() + path);
    }

    static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    static void screenshot(String name) throws IOException {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    static String cell(String queue, String field) {
        List<WebElement> cells = driver.findElements(By.cssSelector("tr[data-queue='" + queue + "'] [data-field='" + field + "']"));
        return cells.isEmpty() ? null : cells.get(0).getText();
    }

    /** Console errors, such as Content-Security-Policy violations, since the last call. */
    static List<String> consoleErrors() {
        List<String> out = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            // the pages that answer 400/404 on purpose log their status; anything else is a real error
            if (e.getLevel().intValue() >= Level.WARNING.intValue() && !e.getMessage().contains("favicon.ico")
                    && !e.getMessage().contains("the server responded with a status of 400")) {
                out.add(e.getMessage());
            }
        }
        return out;
    }

    @Test
    void overviewCountsChangeAsTasksComplete() throws IOException {
        for (int i = 0; i < 6; i++) {
            s.enqueue("browser-live", "{\"type\":\"gate\",\"payload\":{\"n\":" + i + "}}");
        }
        open("/");
        assertThat(driver.getTitle()).contains("Overview");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(cell("browser-live", "pending")).isNotNull();
            long waiting = Long.parseLong(cell("browser-live", "pending")) + Long.parseLong(cell("browser-live", "active"));
            assertThat(waiting).isEqualTo(6);
            assertThat(cell("browser-live", "completed")).isEqualTo("0");
        });
        gate.countDown(); // let the handlers finish
        // the page is not reloaded: its script polls the API and updates the counts in place
        await().atMost(WAIT).untilAsserted(() -> assertThat(cell("browser-live", "completed")).isEqualTo("6"));
        assertThat(cell("browser-live", "pending")).isEqualTo("0");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(Integer.parseInt(driver.findElement(By.id("charts")).getAttribute("data-drawn"))).isGreaterThan(2);
            assertThat(driver.findElements(By.cssSelector(".chart canvas"))).hasSize(3);
        });
        screenshot("overview");
        assertThat(consoleErrors()).as("no CSP violations or script errors").isEmpty();
    }

    @Test
    void deadTaskIsReplayedFromTheDeadSet() throws IOException {
        failing.set(true);
        String id = s.enqueue("browser-dead", "{\"type\":\"flaky\",\"payload\":{\"order\":\"ord-7\"},\"maxAttempts\":1,\"id\":\"replay-me\"}");
        await().atMost(WAIT).until(() -> s.ferry.inspector().task(id).orElseThrow().state() == TaskState.DEAD);
        open("/dead");
        WebElement row = driver.findElement(By.cssSelector("tr[data-task='replay-me']"));
        assertThat(row.getText()).contains("flaky").contains("payment gateway said no");
        screenshot("dead-set");
        failing.set(false);
        driver.findElement(By.cssSelector("form[action='/ui/dead/replay'] button")).click();
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(driver.findElement(By.cssSelector(".flash")).getText()).startsWith("Dead tasks sent back to pending:"));
        await().atMost(WAIT).until(() -> s.ferry.inspector().task(id).orElseThrow().state() == TaskState.COMPLETED);
        open("/tasks/replay-me");
        assertThat(driver.findElement(By.id("task-state")).getText()).isEqualTo("completed");
        assertThat(driver.findElement(By.id("result")).getText()).contains("\"ok\" : true");
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void taskPageShowsPayloadAttemptsStackTraceAndTimeline() throws IOException {
        failing.set(true);
        String id = s.enqueue("browser-task", "{\"type\":\"flaky\",\"payload\":{\"order\":\"ord-1\",\"items\":[1,2]},\"maxAttempts\":1,\"id\":\"detail-me\"}");
        await().atMost(WAIT).until(() -> s.ferry.inspector().task(id).orElseThrow().state() == TaskState.DEAD);
        open("/queues/browser-task?state=dead");
        driver.findElement(By.cssSelector("a.task-link[href='/tasks/detail-me']")).click();
        assertThat(driver.getCurrentUrl()).endsWith("/tasks/detail-me");
        assertThat(driver.findElement(By.id("task-state")).getText()).isEqualTo("dead");
        String payload = driver.findElement(By.id("payload")).getText();
        assertThat(payload).contains("\"order\" : \"ord-1\"").contains("\n"); // pretty-printed
        WebElement error = driver.findElement(By.cssSelector("ol.errors li"));
        assertThat(error.getText()).contains("Attempt 1").contains("java.lang.IllegalStateException").contains("payment gateway said no");
        WebElement stack = error.findElement(By.cssSelector("pre.stack"));
        assertThat(stack.isDisplayed()).isFalse();
        error.findElement(By.tagName("summary")).click();
        assertThat(stack.isDisplayed()).isTrue();
        assertThat(stack.getText()).contains("at ");
        assertThat(driver.findElement(By.cssSelector("ol.timeline")).getText()).contains("enqueued").contains("attempt 1 failed").contains("dead");
        screenshot("task");
        driver.findElement(By.cssSelector("form[action='/ui/tasks/detail-me/retry'] button")).click();
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(driver.findElement(By.cssSelector(".flash")).getText()).isEqualTo("Task sent back to pending."));
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void cronPageShowsSchedulesAsTextAndTaskPageSaysWhyNotRunning() throws IOException {
        // schedule names and types allow no markup; the payload carries it
        String evil = (SCRIPT + ATTR + IMG).replace("\\", "\\\\").replace("\"", "\\\"");
        assertThat(s.postJson("/api/v1/cron", "{\"name\":\"browser-cron\",\"schedule\":\"*/5 * * * *\",\"type\":\"xss.cron\","
                + "\"queue\":\"browser-xss\",\"payload\":{\"html\":\"" + evil + "\"}}").statusCode()).isEqualTo(201);
        open("/");
        driver.findElement(By.cssSelector("header.top nav a[href='/cron']")).click();
        assertThat(driver.getTitle()).contains("Cron");
        WebElement row = driver.findElement(By.cssSelector("tr[data-schedule='browser-cron']"));
        for (WebElement el : row.findElements(By.tagName("td"))) {
            new Actions(driver).moveToElement(el).perform();
        }
        assertThat(js("return typeof window.__xss")).isEqualTo("undefined");
        assertThat(driver.findElements(By.cssSelector("main img, main script"))).isEmpty();
        assertThat(row.findElement(By.cssSelector("td.payload")).getText()).contains(SCRIPT).contains("onmouseover");
        assertThat(row.getText()).contains("*/5 * * * *").contains("xss.cron").contains("browser-xss");
        assertThat(row.findElement(By.cssSelector("[data-field='next'] time")).getText()).startsWith("in ");
        screenshot("cron");

        row.findElement(By.cssSelector("form[action='/ui/cron/browser-cron/remove'] button")).click();
        // the page asks before removing
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.alertIsPresent()).accept();
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(driver.findElement(By.cssSelector(".flash")).getText()).startsWith("Schedule removed"));
        assertThat(s.ferry.cronSchedules().get("browser-cron")).isEmpty();

        String id = s.enqueue("browser-task", "{\"type\":\"flaky\",\"payload\":{},\"delay\":\"1h\"}");
        open("/tasks/" + id);
        WebElement why = driver.findElement(By.id("explain"));
        assertThat(why.getAttribute("data-reason")).isEqualTo("delayed");
        assertThat(why.getText()).startsWith("Why not running:").contains("delayed until");
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void taskDataNeverRunsAsScript() throws IOException {
        // type and queue are refused at the door: names allow letters, digits and . _ : - only
        assertThat(s.postJson("/api/v1/queues/browser-xss/tasks", "{\"type\":\"" + SCRIPT.replace("\"", "\\\"") + "\",\"payload\":{}}").statusCode()).isEqualTo(400);
        assertThat(s.postJson("/api/v1/queues/%3Cscript%3E/tasks", "{\"type\":\"t\",\"payload\":{}}").statusCode()).isEqualTo(400);
        String evil = (SCRIPT + ATTR + IMG).replace("\\", "\\\\").replace("\"", "\\\"");
        String body = "{\"type\":\"xss\",\"payload\":{\"html\":\"" + evil + "\",\"" + evil + "\":1},\"maxAttempts\":1,"
                + "\"uniqueKey\":\"" + evil + "\",\"uniqueFor\":\"1h\",\"headers\":{\"x-evil\":\"" + evil + "\"}}";
        String dead = s.enqueue("browser-xss", body);
        String pending = s.enqueue("browser-xss", body.replace("\"type\":\"xss\"", "\"type\":\"xss\",\"delay\":\"1h\"")
                .replace("\"uniqueKey\":\"", "\"uniqueKey\":\"2"));
        await().atMost(WAIT).until(() -> s.ferry.inspector().task(dead).orElseThrow().state() == TaskState.DEAD);

        List<String> pages = List.of("/", "/queues/browser-xss?state=dead", "/queues/browser-xss?state=scheduled", "/dead",
                "/tasks/" + dead, "/tasks/" + pending,
                "/tasks/%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E",
                "/queues/%3Cimg%20src%3Dx%20onerror%3Dwindow.__xss%3D1%3E",
                "/queues/browser-xss?state=%22%20onmouseover%3D%22window.__xss%3D1");
        for (String page : pages) {
            open(page);
            // hover over everything that shows task data, as a person would
            for (WebElement el : driver.findElements(By.cssSelector("td, pre, dd, .error-message, li, p, h1"))) {
                if (el.isDisplayed()) {
                    new Actions(driver).moveToElement(el).perform();
                }
            }
            assertThat(js("return typeof window.__xss")).as("window.__xss on " + page).isEqualTo("undefined");
            assertThat(driver.findElements(By.cssSelector("main img, main script"))).as("injected elements on " + page).isEmpty();
            if (page.equals("/tasks/" + dead)) {
                screenshot("xss-task");
                // the data is shown, as text
                assertThat(driver.findElement(By.id("payload")).getText()).contains(SCRIPT).contains("onmouseover");
                assertThat(driver.findElement(By.cssSelector(".error-message")).getText()).contains(IMG).contains(SCRIPT);
                assertThat(driver.findElement(By.cssSelector("dl.facts")).getText()).contains(SCRIPT);
            }
            if (page.startsWith("/tasks/%3C")) {
                assertThat(driver.findElement(By.id("error")).getText()).contains("<script>window.__xss=1</script>");
            }
        }
        assertThat(consoleErrors()).isEmpty();
    }
}
