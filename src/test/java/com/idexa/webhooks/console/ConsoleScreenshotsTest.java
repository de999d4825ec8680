package com.idexa.webhooks.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestReceiver;
import com.idexa.webhooks.support.TestReceiver.Reply;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The console in a real Chromium, where one is installed (Debian's {@code chromium} and {@code chromium-driver};
 * {@code .ci/run} installs them): it signs in, opens a delivery, and takes screenshots of the main views, wide and
 * narrow, into {@code target/console-screenshots}. Without a browser the test is skipped and says so.
 */
class ConsoleScreenshotsTest extends DeliveryTestSupport {

    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    @Test
    void theMainViewsInChromium() throws Exception {
        Optional<Path> driverPath = executable("chromedriver");
        Optional<Path> chromium = executable("chromium").or(() -> executable("chromium-browser"));
        Assumptions.assumeTrue(
                driverPath.isPresent() && chromium.isPresent(),
                "Skipped: no Chromium here (apt-get install chromium chromium-driver; .ci/run does it)");

        try (TestReceiver receiver = TestReceiver.start()) {
            receiver.byDefault(request -> request.path().contains("rejected")
                    ? Reply.json(422, "{\"error\": \"unknown document type\"}")
                    : Reply.status(204));
            ClientService.IssuedKey client = newClient();
            registerWebhook(client, simpleWebhook("POST", receiver.url("/ocr_feedback/:id")));
            for (String documentId : List.of("invoice-2026-0001", "invoice-2026-0002", "rejected-0003")) {
                deliver(client, documentId);
            }
            deliver(client, "<b>bold</b> and <script>window.pwned=1</script>");
            awaitStatus(client, deliver(client, "invoice-2026-0004"), "SUCCEEDED");
            Files.createDirectories(SCREENSHOTS);

            ChromeOptions options = new ChromeOptions()
                    .setBinary(chromium.get().toFile())
                    .addArguments(
                            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1100");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(driverPath.get().toFile())
                    .usingAnyFreePort()
                    .build();
            ChromeDriver browser = new ChromeDriver(service, options);
            try {
                browser.get("http://localhost:" + port + "/console");
                browser.findElement(By.id("api-key")).sendKeys(client.apiKey());
                browser.findElement(By.cssSelector("#sign-in-form button")).click();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> browser.findElements(By.cssSelector("#deliveries tbody tr"))
                                        .size()
                                >= 5);
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> !browser.findElements(By.cssSelector("#chart-deliveries rect"))
                                .isEmpty());
                save(browser, "signed-in.png");

                assertThat(browser.executeScript("return typeof window.pwned")).isEqualTo("undefined");
                assertThat(browser.findElement(By.id("deliveries")).getText())
                        .contains("<script>window.pwned=1</script>");

                browser.findElements(By.cssSelector("#deliveries tbody tr button"))
                        .get(0)
                        .click();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> !browser.findElements(By.cssSelector("#attempts li"))
                                .isEmpty());
                save(browser, "delivery.png");

                browser.manage().window().setSize(new Dimension(390, 1400));
                save(browser, "narrow.png");
            } finally {
                browser.quit();
            }
        }
    }

    private static void save(ChromeDriver browser, String name) throws Exception {
        File shot = browser.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(SCREENSHOTS.resolve(name))).isPositive();
    }

    private static Optional<Path> executable(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        return Stream.of(path.split(File.pathSeparator))
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
