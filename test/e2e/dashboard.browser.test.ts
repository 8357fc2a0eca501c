import { fixture } from "../support/fixtures";
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { startTwin, type Twin } from "../../tools/twin/twin";

const CHROMIUM = process.env.MCJOBS_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = path.resolve(__dirname, "../../test-artifacts");

/** The dashboard in a real browser: a simulated job's bar moves, then the job finishes at 100%. */
describe("dashboard in Chromium", function () {
  this.timeout(180_000);
  let twin: Twin | undefined;
  let browser: Browser | undefined;
  let dir: string | undefined;

  before(() => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) or set MCJOBS_CHROMIUM.`);
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-dash-"));
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await twin?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("shows a job's progress bar moving and then finishing, with per-queue counters", async () => {
    twin = await startTwin({
      dir: dir!,
      fresh: true,
      demo: false,
      // ~20 simulated seconds per real second with a status update every 5 simulated seconds: the bar
      // gets a new figure about every quarter second for several seconds.
      speed: 20,
      statusUpdateIntervalMs: 5_000,
      seed: 5,
      rates: { error: 0, canceled: 0, queueHop: 0, duplicate: 0.1, late: 0.1, jitterMs: 200 },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const consoleErrors: string[] = [];
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    await page.goto(`${twin.urls.dashboardUrl}?refresh=250`);
    await page.waitForSelector("#health:not(.bad)", { timeout: 10_000 });

    const jobId = (await twin.submitJob({ queue: "Default" }))!;
    const row = `#live tr[data-job-id="${jobId}"]`;
    await page.waitForSelector(row, { timeout: 60_000 });

    // Sample the bar until the job leaves the live table.
    const seen: number[] = [];
    const deadline = Date.now() + 120_000;
    const finishedRow = `#finished tr[data-job-id="${jobId}"]`;
    while (Date.now() < deadline) {
      if (await page.$(finishedRow)) break;
      const pct = await page.$eval(`${row} .bar`, (el) => Number(el.getAttribute("data-percent"))).catch(() => undefined);
      if (pct === undefined) {
        await page.waitForTimeout(100);
        continue;
      }
      if (seen[seen.length - 1] !== pct) seen.push(pct);
      if (seen.length === 3) await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-running.png"), fullPage: true });
      await page.waitForTimeout(100);
    }
    const moving = seen.filter((p) => p > 0 && p < 100);
    assert.ok(new Set(moving).size >= 2, `bar values seen while running: ${JSON.stringify(seen)}`);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1], `bar went backwards: ${JSON.stringify(seen)}`);

    const done = `#finished tr[data-job-id="${jobId}"]`;
    await page
      .waitForSelector(`${done}[data-status="COMPLETE"] .bar[data-percent="100"]`, { timeout: 60_000 })
      .catch(async (err: Error) => {
        const tables = await page.$$eval("table", (ts) => ts.map((t) => t.textContent));
        throw new Error(`${err.message.split("\n")[0]}; job ${jobId}; bar values ${JSON.stringify(seen)}; page: ${JSON.stringify(tables)}`);
      });
    await page.waitForFunction(
      // Runs in the page.
      (sel) => {
        const cell = (
          globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }
        ).document.querySelector(sel);
        return !!cell && Number(cell.textContent) >= 1;
      },
      '#queues tr[data-queue="Default"] td[data-status="COMPLETE"]',
      { timeout: 15_000 },
    );
    // A failed job shows up under recent errors with what its code means.
    const failed = fixture("error-awsdoc-1.json");
    const failedId = `${Date.now()}-err0r1`;
    failed.id = `err-${failedId}`;
    failed.resources = [`arn:aws:mediaconvert:us-east-1:111122223333:jobs/${failedId}`];
    Object.assign(failed.detail, { jobId: failedId, timestamp: Date.now(), userMetadata: { application: "mcjobs-local" } });
    twin.publish(failed);
    const errRow = `#errors tr[data-job-id="${failedId}"]`;
    await page.waitForSelector(errRow, { timeout: 30_000 });
    const cells = await page.$$eval(`${errRow} td`, (tds) => tds.map((td) => td.textContent ?? ""));
    assert.equal(cells[3], "1040");
    assert.match(cells[4], /settings/i, `meaning shown: ${JSON.stringify(cells)}`);
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard.png"), fullPage: true });
    assert.deepEqual(consoleErrors, []);
    assert.ok(fs.statSync(path.join(ARTIFACTS, "dashboard.png")).size > 10_000);
  });
});
