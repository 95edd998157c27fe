package org.bulkfhir.admin;

import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ServerTestBase;
import org.bulkfhir.support.TestApps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin UI in a real headless Chromium (Debian's chromium + chromium-driver). */
class AdminUiBrowserTest extends ServerTestBase {

	private static final Path SCREENSHOTS = Path.of("target", "screenshots");

	private ChromeDriver driver;
	private WebDriverWait wait;

	@BeforeEach
	void startBrowser() throws Exception {
		assertThat(new File("/usr/bin/chromedriver")).as("install chromium and chromium-driver (.ci/run does)").exists();
		ChromeOptions options = new ChromeOptions();
		options.setBinary("/usr/bin/chromium");
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
				"--window-size=1400,1000", "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
		ChromeDriverService service = new ChromeDriverService.Builder()
				.usingDriverExecutable(new File("/usr/bin/chromedriver"))
				.usingAnyFreePort()
				.build();
		driver = new ChromeDriver(service, options);
		driver.executeCdpCommand("Network.enable", Map.of());
		driver.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers",
				Map.of("Authorization", TestApps.basic(TestApps.ADMIN_USER, TestApps.ADMIN_PASSWORD))));
		wait = new WebDriverWait(driver, Duration.ofSeconds(30));
		wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
		Files.createDirectories(SCREENSHOTS);
	}

	@AfterEach
	void stopBrowser() {
		if (driver != null) {
			driver.quit();
		}
	}

	@Test
	void operatorWatchesAnExportInspectsItDownloadsCancelsAndRegistersAClient() throws Exception {
		String status = client.start("Group/all/$export");
		String jobId = status.substring(status.indexOf("_jobId=") + 7);
		// An export of the System app declared in the server's settings, beside the shared app's
		// (registered through the admin API): both show by their registered names.
		BulkClient configured = new BulkClient(base()).withToken(apps.tokens(TestApps.configuredApp(), "system/*.read"));
		java.net.http.HttpResponse<String> configuredKickOff = configured.kickOffPost("Group/small/$export",
				"{\"resourceType\":\"Parameters\",\"parameter\":["
						+ "{\"name\":\"patient\",\"valueReference\":{\"reference\":\"Patient/pt00001\"}},"
						+ "{\"name\":\"_elements\",\"valueString\":\"Patient.gender\"}]}");
		assertThat(configuredKickOff.statusCode()).as(configuredKickOff.body()).isEqualTo(202);
		String configuredStatus = configuredKickOff.headers().firstValue("Content-Location").orElseThrow();
		String configuredJobId = configuredStatus.substring(configuredStatus.indexOf("_jobId=") + 7);
		String registeredClientId = BulkClient.JSON.readTree(apps.admin("GET", "/jobs/" + jobId, null, 200))
				.get("client").asText();
		String registeredName = BulkClient.JSON.readTree(apps.admin("GET", "/clients/" + registeredClientId, null, 200))
				.get("name").asText();

		driver.get("http://localhost:" + port + "/admin/");
		By bar = By.cssSelector("tr[data-job='" + jobId + "'] [role=progressbar]");
		wait.until(ExpectedConditions.presenceOfElementLocated(bar));
		wait.until(d -> "100".equals(d.findElement(bar).getAttribute("aria-valuenow")));
		assertThat(driver.findElement(By.cssSelector("tr[data-job='" + jobId + "'] .state")).getText())
				.isEqualTo("COMPLETED");
		assertClientCell(jobId, registeredName, registeredClientId);
		wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-job='" + configuredJobId + "']")));
		assertClientCell(configuredJobId, TestApps.CONFIGURED_CLIENT_NAME, TestApps.CONFIGURED_CLIENT_ID);
		screenshot("1-jobs.png");

		driver.get("http://localhost:" + port + "/admin/#/jobs/" + configuredJobId);
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-client"), TestApps.CONFIGURED_CLIENT_NAME));
		assertThat(driver.findElement(By.id("job-client")).getText())
				.isEqualTo(TestApps.CONFIGURED_CLIENT_NAME + " (" + TestApps.CONFIGURED_CLIENT_ID + ")");
		assertThat(driver.findElement(By.id("job-patients")).getText()).isEqualTo("Patient/pt00001");
		assertThat(driver.findElement(By.id("job-elements")).getText()).isEqualTo("Patient.gender");
		driver.get("http://localhost:" + port + "/admin/#/jobs");
		wait.until(ExpectedConditions.presenceOfElementLocated(bar));

		driver.findElement(By.cssSelector("tr[data-job='" + jobId + "'] a")).click();
		wait.until(ExpectedConditions.presenceOfElementLocated(By.id("per-type")));
		assertThat(driver.findElement(By.id("per-type")).getText()).contains("Patient").contains("Observation");
		assertThat(driver.findElements(By.cssSelector("#files a.file-link"))).isNotEmpty();
		screenshot("2-job-detail.png");

		String href = driver.findElement(By.cssSelector("#files a.file-link")).getAttribute("href");
		Object downloaded = driver.executeAsyncScript(
				"const done = arguments[arguments.length - 1];"
						+ "fetch(arguments[0]).then(r => r.text()).then(done, e => done('ERROR ' + e));", href);
		assertThat(downloaded.toString()).startsWith("{\"resourceType\":");

		String cancelledState = null;
		for (int attempt = 0; attempt < 5 && cancelledState == null; attempt++) {
			cancelledState = cancelRunningJob();
		}
		assertThat(cancelledState).as("a running job was cancelled from its detail page").isEqualTo("CANCELLED");

		driver.get("http://localhost:" + port + "/admin/#/clients");
		WebElement form = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("register-client")));
		form.findElement(By.name("name")).sendKeys("Quality reporting");
		new Select(form.findElement(By.name("appType"))).selectByValue("system");
		form.findElement(By.name("jwksUri")).sendKeys("https://quality.example.org/jwks.json");
		form.findElement(By.cssSelector("button[type=submit]")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("clients-table"), "Quality reporting"));
		screenshot("4-clients.png");
		assertThat(apps.admin("GET", "/clients", null, 200)).contains("Quality reporting");
	}

	@Test
	void operatorReadsTheAuditTrailFiltersItAndExportsIt() throws Exception {
		TestApps.App app = apps.register("system", "system/*.read");
		org.bulkfhir.support.BulkClient reader =
				new org.bulkfhir.support.BulkClient(base()).withToken(apps.tokens(app, "system/*.read"));
		String status = reader.start("Group/small/$export?_type=Patient");
		String jobId = status.substring(status.indexOf("_jobId=") + 7);
		String manifest = reader.poll(status, Duration.ofSeconds(30)).body();
		String fileUrl = org.bulkfhir.support.BulkClient.JSON.readTree(manifest).get("output").get(0).get("url").asText();
		reader.download(fileUrl);
		assertThat(reader.kickOff("Group/small/$export?_type=NoSuchType").statusCode()).isEqualTo(400);

		driver.get("http://localhost:" + port + "/admin/#/audit");
		WebElement filters = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("audit-filters")));
		filters.findElement(By.name("client")).sendKeys(app.clientId());
		filters.findElement(By.cssSelector("button[type=submit]")).click();
		By download = By.cssSelector("#audit-table tr[data-action='export.download']");
		wait.until(d -> {
			if (d.findElements(download).isEmpty()) {
				d.findElement(By.cssSelector("#audit-filters button[type=submit]")).click(); // written a moment after the answer
				return false;
			}
			return true;
		});
		assertThat(driver.findElements(By.cssSelector("#audit-table tbody tr")))
				.allSatisfy(row -> assertThat(row.getText()).contains(app.clientId()));
		String kickoffs = driver.findElements(By.cssSelector("#audit-table tr[data-action='export.kickoff']")).stream()
				.map(WebElement::getText).reduce("", (a, b) -> a + "\n" + b);
		assertThat(kickoffs).contains("small / 10").contains("202 success").contains("400 refused");
		assertThat(driver.findElement(download).getText()).contains("Patient-").contains("200 success");
		screenshot("5-audit.png");

		new Select(driver.findElement(By.cssSelector("#audit-filters select[name=action]"))).selectByValue("export.download");
		driver.findElement(By.cssSelector("#audit-filters button[type=submit]")).click();
		wait.until(d -> d.findElements(By.cssSelector("#audit-table tbody tr")).stream()
				.allMatch(row -> "export.download".equals(row.getAttribute("data-action"))));
		assertThat(driver.findElement(By.id("audit-count")).getText()).contains("1 entries");

		String href = driver.findElement(By.id("audit-export")).getAttribute("href");
		assertThat(href).contains("action=export.download");
		Object exported = driver.executeAsyncScript(
				"const done = arguments[arguments.length - 1];"
						+ "fetch(arguments[0]).then(r => r.text()).then(done, e => done('ERROR ' + e));", href);
		String[] lines = exported.toString().strip().split("\n");
		assertThat(lines).hasSize(1);
		assertThat(lines[0]).contains("\"job\":\"" + jobId + "\"").contains("\"action\":\"export.download\"");
	}

	/**
	 * Starts a system export, opens its detail page and cancels it. Returns the state shown
	 * afterwards, or null when the export finished before the button could be clicked.
	 */
	private String cancelRunningJob() throws Exception {
		String status = client.start("$export");
		String id = status.substring(status.indexOf("_jobId=") + 7);
		driver.get("http://localhost:" + port + "/admin/#/jobs/" + id);
		// The page re-renders every second while the job runs: find and click the button in one step.
		String label = wait.until(d -> {
			WebElement button = d.findElement(By.id("cancel-job"));
			String text = button.getText();
			if (text.startsWith("Cancel")) {
				button.click();
			}
			return text;
		});
		if (!label.startsWith("Cancel")) {
			return null;
		}
		wait.until(ExpectedConditions.alertIsPresent()).accept();
		wait.until(d -> !d.findElements(By.id("job-gone")).isEmpty()
				|| "CANCELLED".equals(d.findElement(By.id("job-state")).getText()));
		screenshot("3-cancelled.png");
		assertThat(client.send(client.request(status).GET().build()).statusCode()).isEqualTo(404);
		return driver.findElements(By.id("job-gone")).isEmpty()
				? driver.findElement(By.id("job-state")).getText()
				: "CANCELLED";
	}

	/** The jobs table names the client by its registered name, with its id on hover. */
	private void assertClientCell(String jobId, String name, String clientId) {
		WebElement cell = driver.findElement(By.cssSelector("tr[data-job='" + jobId + "'] td.client"));
		assertThat(cell.getText()).isEqualTo(name).isNotEqualTo(clientId);
		assertThat(cell.getAttribute("title")).isEqualTo("Client id " + clientId);
	}

	private void screenshot(String name) throws Exception {
		Files.write(SCREENSHOTS.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
	}
}
