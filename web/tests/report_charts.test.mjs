// report.html in a real browser (issue 9, point 5): a 16-run matrix on the memory driver, run by the built
// `bakeoff run`, its report opened in Debian's Chromium headless through playwright-core. Checks in the DOM
// that no chart has a negative axis, that every latency chart has a log axis with one tick per decade,
// that the linear axes' ticks are round and in one unit, and that every legend label is whole (its text
// is the run's full label and its box lies inside the chart and clear of its neighbours). Keeps a
// full-page screenshot and the report in $BAKEOFF_WEB_ARTIFACTS (printed).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBrowser } from "./harness.mjs";

const bin = process.env.BAKEOFF_BIN || path.resolve("build/bakeoff");
const artifacts = process.env.BAKEOFF_WEB_ARTIFACTS || path.resolve("build/web-artifacts");
fs.mkdirSync(artifacts, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), "bakeoff-report-charts-"));

// 2 systems x 2 sizes x 4 rates = 16 runs; long system names so that labels would be cut if the legend
// truncated them.
const experiment = `name: sixteen-series
description: 16 runs of the memory driver, for the report's charts
systems:
  - name: memory-baseline-with-a-long-name
    driver: memory
  - name: memory-second-copy
    driver: memory
workload:
  rate: 1k/s
  message_size: 100B
  warmup: 500ms
  duration: 1500ms
matrix:
  workload.message_size: [100B, 1KiB]
  workload.rate: [200/s, 500/s, 1k/s, 2k/s]
`;
const file = path.join(work, "sixteen.yaml");
fs.writeFileSync(file, experiment);
const out = path.join(work, "result");
const run = spawnSync(bin, ["run", file, "--output", out], { encoding: "utf8", timeout: 240_000 });
// 0, or 5 when a run could not keep its rate on a busy machine (its verdict is not_sustained): the charts
// are what this test is about, and they are drawn either way.
assert.ok(run.status === 0 || run.status === 5, `bakeoff run exited ${run.status}\n${run.stdout}\n${run.stderr}`);
const result = JSON.parse(fs.readFileSync(path.join(out, "result.json"), "utf8"));
assert.equal(result.runs.length, 16);
const expectedLabels = result.runs.map((r) => `${r.system} ${Object.values(r.matrix_point).join(", ")}`);

const reportPath = path.join(out, "report.html");
assert.ok(fs.existsSync(reportPath), "bakeoff run wrote no report.html");
fs.copyFileSync(reportPath, path.join(artifacts, "report-16-series.html"));

const browser = await startBrowser();
let failed = null;
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto("file://" + reportPath);
  const charts = await page.evaluate(() =>
    [...document.querySelectorAll("svg.chart")].map((svg) => {
      const box = svg.getBoundingClientRect();
      const texts = (selector) => [...svg.querySelectorAll(selector)].map((t) => t.textContent);
      const legend = [...svg.querySelectorAll(".legend-item text")].map((t) => {
        const b = t.getBoundingClientRect();
        return { text: t.textContent, left: b.left, right: b.right, top: b.top, bottom: b.bottom };
      });
      return {
        id: svg.id,
        width: box.width,
        left: box.left,
        right: box.right,
        bodyWidth: document.body.getBoundingClientRect().width,
        scale: svg.dataset.yScale,
        yMin: Number(svg.dataset.yMin),
        yMax: Number(svg.dataset.yMax),
        xMin: Number(svg.dataset.xMin),
        yTicks: texts(".y-tick"),
        xTicks: texts(".x-tick"),
        series: svg.querySelectorAll("polyline.series, rect.bar, circle.dot").length,
        bands: texts(".band-label"),
        targets: texts(".target-label"),
        legend,
      };
    }),
  );
  const byId = Object.fromEntries(charts.map((c) => [c.id, c]));
  for (const id of ["chart-throughput", "chart-p99-over-time", "chart-backlog", "chart-spectrum-corrected", "chart-spectrum-uncorrected", "chart-bars-throughput", "chart-bars-e2e-p99"]) {
    assert.ok(byId[id], `no ${id} in the report`);
  }
  for (const c of charts) {
    // No negative axis.
    assert.ok(c.yMin >= 0, `${c.id}: y axis starts at ${c.yMin}`);
    assert.ok(c.xMin >= 0, `${c.id}: x axis starts at ${c.xMin}`);
    for (const t of c.yTicks) assert.ok(!t.trim().startsWith("-"), `${c.id}: negative tick ${t}`);
    // The page's width: within 2% of the body's.
    assert.ok(c.width >= c.bodyWidth * 0.98, `${c.id}: ${c.width} px wide in a ${c.bodyWidth} px body`);
    // Every legend label whole, inside the chart, clear of the next one on its row.
    for (const item of c.legend) {
      assert.ok(item.left >= c.left - 0.5 && item.right <= c.right + 0.5, `${c.id}: legend label "${item.text}" runs out of the chart`);
      assert.ok(!item.text.includes("…"), `${c.id}: legend label cut: ${item.text}`);
    }
    for (let i = 0; i + 1 < c.legend.length; i++) {
      const a = c.legend[i], b = c.legend[i + 1];
      if (Math.abs(a.top - b.top) < 1) assert.ok(a.right <= b.left, `${c.id}: "${a.text}" overlaps "${b.text}"`);
    }
  }
  // Line charts: one series and one whole legend label per run.
  for (const id of ["chart-throughput", "chart-p99-over-time", "chart-backlog", "chart-spectrum-corrected"]) {
    const c = byId[id];
    assert.equal(c.series, 16, `${id}: ${c.series} series`);
    assert.deepEqual(c.legend.map((l) => l.text), expectedLabels, `${id}: legend labels`);
  }
  // Latency charts on log axes, a tick per decade ("1 us", "10 us", "100 us", "1 ms", ...).
  const decade = /^(1|10|100) (ns|us|ms|s)$/;
  for (const id of ["chart-p99-over-time", "chart-spectrum-corrected", "chart-spectrum-uncorrected", "chart-bars-e2e-p99"]) {
    const c = byId[id];
    assert.equal(c.scale, "log", `${id}: ${c.scale} axis`);
    assert.ok(c.yTicks.length >= 2, `${id}: ticks ${c.yTicks}`);
    for (const t of c.yTicks) assert.match(t, decade, `${id}: tick ${t}`);
    assert.ok(Math.log10(c.yMax / c.yMin) % 1 < 1e-6, `${id}: ${c.yMin} .. ${c.yMax} is not whole decades`);
  }
  // Linear axes: round ticks (1, 2 or 5 x 10^k apart), all in one unit, starting at 0.
  for (const id of ["chart-throughput", "chart-backlog", "chart-bars-throughput"]) {
    const c = byId[id];
    assert.equal(c.scale, "linear", id);
    assert.equal(c.yMin, 0, `${id}: starts at ${c.yMin}`);
    const units = new Set(c.yTicks.map((t) => t.replace(/^[\d.]+ ?/, "")));
    assert.equal(units.size, 1, `${id}: ticks in several units: ${c.yTicks}`);
    const values = c.yTicks.map((t) => parseFloat(t));
    const step = values[1] - values[0];
    const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
    assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6), `${id}: step ${step} (${c.yTicks})`);
  }
  // Time charts: warm-up and drain shaded, the four target rates drawn on the throughput chart.
  for (const id of ["chart-throughput", "chart-p99-over-time", "chart-backlog"]) {
    assert.ok(byId[id].bands.includes("warm-up"), `${id}: no warm-up band`);
    assert.ok(byId[id].bands.includes("drain"), `${id}: no drain band`);
  }
  assert.deepEqual(byId["chart-throughput"].targets.sort(), ["target 1 k msg/s", "target 2 k msg/s", "target 200 msg/s", "target 500 msg/s"].sort());
  // The workload section names the rate, sizes and phases.
  const workload = await page.locator("#table-workload").innerText();
  for (const s of ["1 k msg/s", "500 ms", "workload.rate", "producers"]) assert.ok(workload.includes(s), `workload table lacks ${s}:\n${workload}`);
  const shot = path.join(artifacts, "report-16-series.png");
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`report_charts: screenshot ${shot}`);
  console.log(`report_charts: ${charts.length} charts checked: ${charts.map((c) => `${c.id} ${c.scale} [${c.yMin}, ${c.yMax}]`).join("; ")}`);
} catch (e) {
  failed = e;
} finally {
  await browser.close();
  fs.rmSync(work, { recursive: true, force: true });
}
if (failed) {
  console.error(failed);
  process.exit(1);
}
console.log("report_charts: ok");
