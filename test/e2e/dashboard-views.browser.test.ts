import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startTwin, type Twin } from "../../tools/twin/twin";
import { fixture } from "../support/fixtures";

const CHROMIUM = process.env.MCJOBS_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = path.resolve(__dirname, "../../test-artifacts");
const WIDTHS = [1400, 420] as const;

const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function noSidewaysScroll(page: Page, what: string): Promise<void> {
  // Evaluated in the page, where `document` and `innerWidth` are the browser's.
  const [scroll, width] = (await page.evaluate("[document.documentElement.scrollWidth, innerWidth]")) as [number, number];
  assert.ok(scroll <= width, `${what}: page is ${scroll}px wide in a ${width}px window`);
}

/** Jobs finished in the twin, seen through the dashboard at a desktop and a phone width. */
describe("dashboard views in Chromium", function () {
  this.timeout(240_000);
  let twin: Twin;
  let browser: Browser;
  let dir: string;
  const stamp = Date.now().toString(36);
  // Distinct names per run, so the search below can only match the jobs of this run.
  const inputs = [`Harbour-Night-${stamp}.mov`, `harbour-dawn-${stamp}.mp4`, `Quarry-${stamp}.mxf`];
  const ids: string[] = [];
  let failedId: string;

  before(async () => {
    if (!fs.existsSync(CHROMIUM))
      throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) or set MCJOBS_CHROMIUM.`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-views-"));
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    twin = await startTwin({
      dir,
      fresh: true,
      demo: false,
      speed: 200,
      seed: 7,
      rates: { error: 0, canceled: 0, queueHop: 0, duplicate: 0, late: 0, jitterMs: 0 },
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
    for (const name of inputs) ids.push(String(await twin.submitJob({ queue: "Default", input: `s3://watch-bucket/inputs/run/${name}` })));
    // A failed job whose message is long: the error table must wrap it in its own column.
    const failed = fixture("error-awsdoc-1.json");
    failedId = `${Date.now()}-views1`;
    failed.id = `err-${failedId}`;
    failed.resources = [`arn:aws:mediaconvert:us-east-1:111122223333:jobs/${failedId}`];
    Object.assign(failed.detail, { jobId: failedId, timestamp: Date.now(), userMetadata: { application: "mcjobs-local" } });
    twin.publish(failed);
    // Wait through the API until every job is finished.
    const deadline = Date.now() + 120_000;
    for (const id of ids) {
      for (;;) {
        const r = await fetch(`${twin.urls.apiUrl}/jobs/${id}`);
        if (r.ok && ((await r.json()) as { status: string }).status === "COMPLETE") break;
        if (Date.now() > deadline) throw new Error(`job ${id} did not complete`);
        await new Promise((res) => setTimeout(res, 250));
      }
    }
  });
  after(async () => {
    await browser?.close();
    await twin?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const width of WIDTHS) {
    it(`at ${width}px: names the files, never scrolls sideways, opens a job, finds one by name`, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${twin.urls.dashboardUrl}?refresh=500`);
      for (const id of ids) await page.waitForSelector(`#finished tr[data-job-id="${id}"]`, { timeout: 30_000 });
      await page.waitForSelector(`#errors tr[data-job-id="${failedId}"]`, { timeout: 30_000 });
      const shown = await page.$$eval("#finished td.file", (tds) => tds.map((td) => td.textContent));
      for (const name of inputs) assert.ok(shown.includes(name), `file names shown: ${JSON.stringify(shown)}`);
      await noSidewaysScroll(page, "overview");
      if (width === 1400) {
        // Columns of the error row sit side by side, none spilling into the next.
        const rects = await page.$$eval(`#errors tr[data-job-id="${failedId}"] td`, (tds) =>
          tds.map((td) => td.getBoundingClientRect()).map((r) => [r.left, r.right]),
        );
        for (let i = 1; i < rects.length; i++)
          assert.ok(rects[i - 1][1] <= rects[i][0] + 0.5, `error cells overlap: ${JSON.stringify(rects)}`);
      }
      // The queue's chart is drawn from GET /queues/Default/series: one bar per interval and kind, same totals.
      const chart = '#charts .chart[data-queue="Default"]';
      await page.waitForSelector(`${chart} rect[data-kind="completed"]`, { state: "attached", timeout: 20_000 });
      const series = (await (await fetch(`${twin.urls.apiUrl}/queues/Default/series?hours=6`)).json()) as {
        intervals: Record<string, number>[];
      };
      for (const kind of ["completed", "failed", "backlog"]) {
        const drawn = await page.$$eval(`${chart} rect[data-kind="${kind}"]`, (rs) => rs.map((r) => Number(r.getAttribute("data-value"))));
        assert.equal(drawn.length, series.intervals.length, `${kind} bars`);
        assert.equal(total(drawn), total(series.intervals.map((i) => i[kind])), `${kind} total drawn vs API`);
      }
      assert.equal(
        total(await page.$$eval(`${chart} rect[data-kind="completed"]`, (rs) => rs.map((r) => Number(r.getAttribute("data-value"))))),
        ids.length,
      );
      await noSidewaysScroll(page, "charts");
      await page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${width}.png`), fullPage: true });

      // Open the first job: by click on the desktop, by keyboard on the phone.
      const api = (await (await fetch(`${twin.urls.apiUrl}/jobs/${ids[0]}`)).json()) as {
        input: { uri: string };
        outputs: { paths: string[] }[];
      };
      const row = page.locator(`#finished tr[data-job-id="${ids[0]}"]`);
      if (width === 1400) await row.click();
      else {
        await row.focus();
        await page.keyboard.press("Enter");
      }
      await page.waitForSelector(`#detail[data-job-id="${ids[0]}"] #detail-input`, { timeout: 10_000 });
      assert.equal(new URL(page.url()).hash, `#/jobs/${ids[0]}`);
      assert.equal(await page.textContent("#detail-input"), api.input.uri);
      const paths = await page.$$eval("#detail-outputs li", (lis) => lis.map((li) => li.textContent));
      const wanted = api.outputs.flatMap((o) => o.paths);
      assert.ok(wanted.length > 0, "the API lists outputs");
      for (const p of wanted) assert.ok(paths.includes(p), `output ${p} not in ${JSON.stringify(paths)}`);
      assert.ok((await page.$$("#detail-events tbody tr")).length >= 2, "event timeline drawn");
      await noSidewaysScroll(page, "detail");
      await page.screenshot({ path: path.join(ARTIFACTS, `dashboard-detail-${width}.png`), fullPage: true });

      // Search by the start of a file name, letter case ignored: both "harbour" files, not the quarry.
      await page.goto(`${twin.urls.dashboardUrl}?refresh=500`);
      await page.fill("#search-input", "HARBOUR-");
      await page.waitForFunction('document.querySelectorAll("#search-results tbody tr").length >= 2', undefined, { timeout: 10_000 });
      const hits = await page.$$eval("#search-results tbody tr", (trs) => trs.map((tr) => tr.getAttribute("data-job-id")));
      assert.ok(hits.includes(ids[0]) && hits.includes(ids[1]) && !hits.includes(ids[2]), `hits ${JSON.stringify(hits)}`);
      await noSidewaysScroll(page, "search");
      await page.screenshot({ path: path.join(ARTIFACTS, `dashboard-search-${width}.png`), fullPage: true });
      await page.click(`#search-results tr[data-job-id="${ids[1]}"]`);
      await page.waitForSelector(`#detail[data-job-id="${ids[1]}"] #detail-input`, { timeout: 10_000 });
      assert.match((await page.textContent("#detail-input")) ?? "", new RegExp(inputs[1]));
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});
