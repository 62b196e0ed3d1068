// The web UI in a real browser against the real `bakeoff serve`: submit from the editor, watch the
// live chart, read the result, compare two results, see an editor error at its line, cancel a
// queued experiment; no request leaves the server under test; first-load size and time, and the
// experiments page with 1,000 stored experiments. Screenshots go to BAKEOFF_WEB_ARTIFACTS.
//   node web/tests/browser.test.mjs            (ctest runs it as web_browser_test)
// Environment: BAKEOFF_BIN (the built bakeoff), BAKEOFF_SOURCE_DIR, BAKEOFF_WEB_ARTIFACTS.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { memoryVsRedis, postExperiment, startBrowser, startServer, waitFor } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.env.BAKEOFF_SOURCE_DIR || path.resolve(here, "../..");
const bin = process.env.BAKEOFF_BIN || path.join(source, "build/bakeoff");
const dist = path.join(source, "web/dist");
const artifacts = process.env.BAKEOFF_WEB_ARTIFACTS || path.join(source, "build/web-artifacts");
fs.mkdirSync(artifacts, { recursive: true });

let server;
let browser;
let page;
const requests = [];
const timings = {};
const ids = {};

const shot = async (name, opts = {}) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true, ...opts });

before(async () => {
  assert.ok(fs.existsSync(path.join(dist, "index.html")), `${dist}/index.html is missing: run scripts/build.sh (npm run build in web/)`);
  // BAKEOFF_SERVE_URL: drive a server started by hand instead (debugging only; ctest never sets it).
  server = process.env.BAKEOFF_SERVE_URL
    ? { base: process.env.BAKEOFF_SERVE_URL.replace(/\/$/, ""), pid: null, stop: async () => null }
    : await startServer({ bin, source, dist, extraArgs: ["--max-queued", "2000"] });
  browser = await startBrowser();
  browser.context.on("request", (r) => requests.push(r.url()));
  page = await browser.context.newPage();
  page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
});

after(async () => {
  fs.writeFileSync(path.join(artifacts, "timings.json"), `${JSON.stringify(timings, null, 2)}\n`);
  console.log(`timings: ${JSON.stringify(timings)}`);
  await browser?.close();
  const exit = await server?.stop();
  if (exit) console.log(`bakeoff serve (pid ${server.pid}) stopped: ${JSON.stringify(exit)}`);
});

test("first load of / is small and interactive quickly", async () => {
  const t0 = Date.now();
  await page.goto(`${server.base}/`, { waitUntil: "load" });
  await page.waitForSelector("#server-state[data-state]", { timeout: 10_000 });
  await page.waitForSelector("main[data-rows]", { timeout: 10_000 });
  timings.interactive_ms = Date.now() - t0;
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0];
    const res = performance.getEntriesByType("resource").filter((r) => !r.name.includes("/api/"));
    return { dom_content_loaded_ms: n.domContentLoadedEventEnd, load_ms: n.loadEventEnd, transfer: n.transferSize + res.reduce((a, r) => a + r.transferSize, 0), urls: [n.name, ...res.map((r) => r.name)] };
  });
  timings.dom_content_loaded_ms = Math.round(nav.dom_content_loaded_ms);
  timings.first_load_transferred_bytes = nav.transfer;
  // The gzip size of the same files, whatever the server sends (it may not compress).
  let gz = 0;
  let raw = 0;
  let encoded = false;
  for (const u of nav.urls) {
    const r = await fetch(u, { headers: { "Accept-Encoding": "gzip" } });
    encoded ||= (r.headers.get("content-encoding") ?? "") === "gzip";
    const body = Buffer.from(await r.arrayBuffer());
    raw += body.length;
    gz += zlib.gzipSync(body, { level: 9 }).length;
  }
  timings.first_load_files = nav.urls.length;
  timings.first_load_raw_bytes = raw;
  timings.first_load_gzip_bytes = gz;
  timings.server_gzips = encoded;
  assert.ok(gz < 300 * 1024, `first load is ${gz} bytes gzipped, over 300 KB`);
  assert.ok(timings.interactive_ms < 5000, `interactive after ${timings.interactive_ms} ms`);
  await shot("01-experiments-empty");
});

test("submit memory vs local redis from the editor, watch it live, read the result", async () => {
  await page.goto(`${server.base}/#/new`);
  await page.waitForSelector("#example option:nth-child(2)", { state: "attached", timeout: 10_000 });
  const optionCount = await page.locator("#example option").count();
  assert.ok(optionCount > 2, `the editor offers ${optionCount - 1} examples`);
  await page.fill("#spec", memoryVsRedis("ui-first", 6));
  await page.waitForFunction(() => /valid: 2 systems/.test(document.querySelector("#validation")?.textContent ?? ""), null, { timeout: 10_000 });
  await shot("02-editor-valid");
  await page.click("#submit");
  await page.waitForURL(/#\/experiments\/[A-Za-z0-9._-]+$/, { timeout: 10_000 });
  ids.first = decodeURIComponent(page.url().split("#/experiments/")[1]);
  // The live chart: its point count grows while the run goes.
  const first = await waitFor("live points", async () => Number((await page.getAttribute("main", "data-live-points")) ?? 0) >= 2 && Number(await page.getAttribute("main", "data-live-points")), 60_000);
  await page.waitForSelector("#live-throughput canvas", { timeout: 5_000 });
  const later = await waitFor("more live points", async () => {
    const n = Number((await page.getAttribute("main", "data-live-points")) ?? 0);
    return n > first && n;
  }, 20_000);
  assert.ok(later > first, `live points grew ${first} -> ${later}`);
  assert.ok(await page.locator("#phases tbody tr").count() === 2, "one phase row per system");
  await shot("03-experiment-live");
  await page.waitForSelector("main[data-result=shown]", { timeout: 120_000 });
  assert.equal(await page.getAttribute(".exp-head .badge", "data-state"), "succeeded");
  assert.equal(await page.locator("#overview tbody tr").count(), 2);
  const overview = await page.textContent("#overview");
  assert.match(overview, /msg\/s/);
  assert.match(overview, /(µs|ms)/);
  await page.waitForSelector("#chart-spectrum canvas", { timeout: 5_000 });
  await page.waitForSelector("#chart-throughput canvas", { timeout: 5_000 });
  const axis = await page.locator("#chart-spectrum .u-axis").allTextContents().catch(() => []);
  void axis;
  await shot("04-experiment-result");
});

test("a second experiment, a queued one cancelled, and the comparison of the two results", async () => {
  await page.goto(`${server.base}/#/new`);
  await page.fill("#spec", memoryVsRedis("ui-second", 6, "8k/s"));
  await page.waitForFunction(() => /valid: 2 systems/.test(document.querySelector("#validation")?.textContent ?? ""), null, { timeout: 10_000 });
  await page.click("#submit");
  await page.waitForURL(/#\/experiments\/[A-Za-z0-9._-]+$/, { timeout: 10_000 });
  ids.second = decodeURIComponent(page.url().split("#/experiments/")[1]);
  assert.notEqual(ids.second, ids.first);
  // While the second one runs, a third waits in the queue: cancel it from the experiments page.
  const third = await postExperiment(server.base, memoryVsRedis("ui-queued", 6));
  assert.equal(third.status, 201, JSON.stringify(third.body));
  ids.third = third.body.id;
  await page.goto(`${server.base}/#/experiments`);
  const row = page.locator(`#experiments tr[data-id="${ids.third}"]`);
  await row.waitFor({ timeout: 10_000 });
  assert.equal(await row.getAttribute("data-state"), "queued");
  await shot("05-experiments-queue");
  await row.locator("button", { hasText: "Cancel" }).click();
  await page.waitForSelector(`#experiments tr[data-id="${ids.third}"][data-state="cancelled"]`, { timeout: 10_000 });
  await waitFor("second succeeded", async () => {
    const r = await fetch(`${server.base}/api/v1/experiments/${encodeURIComponent(ids.second)}`);
    const s = await r.json();
    assert.ok(!["failed", "cancelled", "interrupted"].includes(s.state), `second ended ${s.state}: ${s.error}`);
    return s.state === "succeeded";
  }, 120_000, 500);
  await page.waitForSelector(`#experiments tr[data-id="${ids.second}"][data-state="succeeded"]`, { timeout: 10_000 });
  await shot("06-experiments-history");
  // Compare: pick both on the compare page.
  await page.goto(`${server.base}/#/compare`);
  await page.check(`#compare-picker input[data-id="${ids.first}"]`);
  await page.check(`#compare-picker input[data-id="${ids.second}"]`);
  await page.click("#compare-go");
  await page.waitForSelector("#compare-table tbody tr", { timeout: 15_000 });
  const rows = await page.locator("#compare-table tbody tr").count();
  assert.ok(rows >= 2 * 5, `compare table has ${rows} rows`);
  const text = await page.textContent("#compare-table");
  assert.match(text, /%/);
  assert.match(text, /(µs|ms)/);
  await page.waitForSelector("#compare-spectrum canvas", { timeout: 5_000 });
  await shot("07-compare");
});

test("an error typed into the editor is marked at its line", async () => {
  await page.goto(`${server.base}/#/new`);
  const bad = memoryVsRedis("ui-error", 6).replace("rate: 5k/s", "rate: 5q/s");
  const line = bad.split("\n").findIndex((l) => l.includes("5q/s")) + 1;
  await page.fill("#spec", bad);
  await page.waitForSelector(`.gutter .ln.err[data-line="${line}"]`, { timeout: 10_000 });
  await page.waitForSelector(`#errors li[data-line="${line}"]`, { timeout: 5_000 });
  assert.match(await page.textContent(`#errors li[data-line="${line}"]`), /rate/);
  assert.equal(await page.locator(".gutter .ln.err").count(), 1);
  await shot("08-editor-error");
});

test("keyboard only: Tab reaches an experiment's link and Enter opens it", async () => {
  await page.goto(`${server.base}/#/experiments`);
  await page.waitForSelector(`#experiments tr[data-id="${ids.first}"]`, { timeout: 10_000 });
  await page.evaluate(() => document.activeElement?.blur());
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement?.matches("#experiments a.name") ?? false);
  }
  assert.ok(reached, "40 Tabs did not reach an experiment's link");
  await page.keyboard.press("Enter");
  await page.waitForURL(/#\/experiments\/[A-Za-z0-9._-]+$/, { timeout: 5_000 });
});

test("phone width", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.base}/#/experiments`);
  await page.waitForSelector(`#experiments tr[data-id="${ids.first}"]`, { timeout: 10_000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow} px wider than a phone`);
  await shot("09-phone-experiments");
  await page.goto(`${server.base}/#/experiments/${encodeURIComponent(ids.first)}`);
  await page.waitForSelector("main[data-result=shown]", { timeout: 10_000 });
  await shot("10-phone-result");
  await page.setViewportSize({ width: 1280, height: 900 });
});

test("the experiments page with 1,000 stored experiments renders in < 500 ms", async () => {
  // Cheap, never-started experiments: the queue holds them behind a long run, then they are cancelled.
  const hold = await postExperiment(server.base, memoryVsRedis("ui-hold", 60, "1k/s").replace(/  - name: redis[\s\S]*?provider: local}\n/, ""));
  assert.equal(hold.status, 201, JSON.stringify(hold.body));
  const want = 1000;
  let have = 0;
  for (let cursor = null, first = true; first || cursor; first = false) {
    const page = await (await fetch(`${server.base}/api/v1/experiments?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)).json();
    have += page.experiments.length;
    cursor = page.next_cursor;
  }
  const made = [];
  for (let i = have; i < want; i++) {
    const r = await postExperiment(server.base, `name: bulk-${i}\nsystems:\n  - {name: memory, driver: memory}\nworkload: {rate: 1k/s, duration: 1s}\n`);
    assert.equal(r.status, 201, `experiment ${i}: ${JSON.stringify(r.body)}`);
    made.push(r.body.id);
  }
  await page.goto(`${server.base}/#/new`);
  const t0 = Date.now();
  await page.goto(`${server.base}/#/experiments`);
  await page.waitForFunction(() => document.querySelectorAll("#experiments tbody tr").length >= 100, null, { timeout: 10_000 });
  timings.experiments_page_1000_first_view_ms = Date.now() - t0;
  timings.experiments_page_rows_shown = await page.locator("#experiments tbody tr").count();
  timings.experiments_page_in_page_ms = Number(await page.getAttribute("main", "data-first-render-ms"));
  await shot("11-experiments-1000");
  // Every one of the 1,000 rows at once.
  const t1 = Date.now();
  await page.goto(`${server.base}/#/experiments?show=1000`);
  await page.waitForFunction((n) => document.querySelectorAll("#experiments tbody tr").length >= n, want, { timeout: 20_000 });
  timings.experiments_page_all_1000_rows_ms = Date.now() - t1;
  // The page's own figure (route start -> rows in the DOM, the list request included) is the bound; the
  // test's wall clock around it adds Playwright's polling and is reported beside it.
  assert.ok(timings.experiments_page_in_page_ms < 500, `first view took ${timings.experiments_page_in_page_ms} ms`);
  for (const id of [...made.reverse(), hold.body.id]) await fetch(`${server.base}/api/v1/experiments/${encodeURIComponent(id)}`, { method: "DELETE" });
});

test("every request the browser made went to the server under test", () => {
  const origin = new URL(server.base).origin;
  const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith("data:") && !u.startsWith("blob:"));
  assert.ok(requests.length > 10, `only ${requests.length} requests seen`);
  assert.deepEqual(foreign, [], `requests outside ${origin}`);
  timings.requests_seen = requests.length;
});
