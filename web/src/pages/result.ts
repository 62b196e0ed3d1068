// The result of a finished experiment (result.json): overview (corrected with uncorrected beside it),
// throughput and p99 over time, the percentile spectrum on a log latency axis, accounting,
// thresholds, environment and resource usage, downloads.
import * as api from "../api";
import { timeChart, spectrumChart, type Line } from "../charts";
import { h } from "../dom";
import * as fmt from "../format";

function runLabel(r: api.Run, all: api.Run[]): string {
  const point = Object.entries(r.matrix_point ?? {}).map(([k, v]) => `${k}=${v}`).join(" ");
  const repeats = all.some((o) => o.repeat_index > 0);
  return [r.system, point, repeats ? `#${r.repeat_index + 1}` : ""].filter(Boolean).join(" · ");
}

/** "812 µs" with the uncorrected figure beside it when it differs. */
function corrected(c: number | undefined, u: number | undefined): HTMLElement {
  return h("span.pair", h("span.num", fmt.latency(c)), h("span.num.uncorrected", { title: "uncorrected (from the actual send time)" }, fmt.latency(u)));
}

function section(title: string, id: string, ...body: (Node | null | Node[])[]): HTMLElement {
  return h("section.card", { "aria-labelledby": id }, h("h2", { id }, title), ...body);
}

export function throughputLines(runs: api.Run[]): Line[] {
  return runs
    .filter((r) => r.metrics)
    .map((r) => {
      let prev = 0;
      const points: [number, number | null][] = [];
      for (const p of r.metrics!.series) {
        const dt = p.t_s - prev;
        points.push([Number(p.t_s.toFixed(3)), dt > 0 ? p.received / dt : null]);
        prev = p.t_s;
      }
      return { label: runLabel(r, runs), points };
    });
}

export function resultView(id: string, result: api.ResultJson, detail: api.Detail): HTMLElement {
  const runs = result.runs;
  const withMetrics = runs.filter((r) => r.metrics);
  const wrap = h("div.result", { id: "result" });

  const overview = h(
    "table.grid",
    { id: "overview" },
    h(
      "thead",
      h("tr", h("th", { scope: "col" }, "System"), h("th", { scope: "col" }, "Status"), h("th.num", { scope: "col" }, "Throughput"), ["e2e p50", "e2e p99", "e2e p99.9", "e2e max", "publish p99"].map((c) => h("th.num", { scope: "col" }, c, h("div.sub", "corrected (uncorrected)"))), h("th.num", { scope: "col" }, "Lost")),
    ),
    h(
      "tbody",
      runs.map((r) => {
        const m = r.metrics;
        const e = m?.e2e_latency_ns;
        const p = m?.publish_latency_ns;
        return h(
          "tr",
          h("th", { scope: "row" }, runLabel(r, runs), h("div.muted", `${r.driver} · ${r.provider}`)),
          h("td", h(`span.badge.${r.status === "ok" ? "s-succeeded" : "s-failed"}`, r.status), r.error ? h("div.error-text", r.error) : null),
          h("td.num", m ? [fmt.rate(m.throughput.received_msgs_per_s), h("div.muted", `${fmt.round(m.throughput.received_mb_per_s)} MB/s`)] : "–"),
          h("td.num", corrected(e?.corrected.p50, e?.uncorrected.p50)),
          h("td.num", corrected(e?.corrected.p99, e?.uncorrected.p99)),
          h("td.num", corrected(e?.corrected.p99_9, e?.uncorrected.p99_9)),
          h("td.num", corrected(e?.corrected.max, e?.uncorrected.max)),
          h("td.num", corrected(p?.corrected.p99, p?.uncorrected.p99)),
          h(m && m.accounting.lost > 0 ? "td.num.bad" : "td.num", m ? fmt.count(m.accounting.lost) : "–"),
        );
      }),
    ),
  );
  wrap.append(section("Overview", "h-overview", h("div.table-wrap", overview), result.partial ? h("p.alert", "Partial result: the run was stopped before it finished.") : null));

  const charts = h("div.chart-grid");
  const tp = h("div.chart", { id: "chart-throughput", role: "img", "aria-label": "received throughput over time, per system" });
  const p99 = h("div.chart", { id: "chart-p99", role: "img", "aria-label": "corrected end-to-end p99 over time, per system" });
  const spec = h("div.chart", { id: "chart-spectrum", role: "img", "aria-label": "corrected end-to-end latency by percentile, per system; the overview table has the figures" });
  charts.append(h("figure", h("figcaption", "Received throughput over time"), tp), h("figure", h("figcaption", "Corrected e2e p99 over time (log axis)"), p99));
  wrap.append(section("Over time", "h-time", charts), section("Latency by percentile", "h-spectrum", h("figure", h("figcaption", "Corrected end-to-end latency by percentile (log latency axis)"), spec)));
  requestAnimationFrame(() => {
    timeChart(tp, "rate", throughputLines(runs));
    timeChart(p99, "latency", withMetrics.map((r) => ({ label: runLabel(r, runs), points: r.metrics!.series.map((p) => [Number(p.t_s.toFixed(3)), p.e2e_p99_ns > 0 ? p.e2e_p99_ns : null]) })));
    spectrumChart(spec, withMetrics.map((r) => ({ label: runLabel(r, runs), points: r.metrics!.e2e_latency_ns.corrected.spectrum })));
  });

  const acc = ["sent", "acked", "received", "lost", "duplicated", "out_of_order", "send_errors", "unparseable"] as const;
  wrap.append(
      section(
          'Accounting',
          'h-accounting',
          h(
              'div.table-wrap',
              h(
                  'table.grid',
                  {id: 'accounting'},
                  h('thead',
                    h('tr', h('th', {scope: 'col'}, 'System'),
                      acc.map((k) => h('th.num', {scope: 'col'}, k.replaceAll('_', ' '))))),
                  h('tbody',
                    withMetrics.flatMap(
                        (r) =>
                            [h('tr', h('th', {scope: 'row'}, runLabel(r, runs)), acc.map((k) => {
                               const v = r.metrics!.accounting[k];
                               const bad =
                                   [
                                     'lost', 'duplicated', 'out_of_order', 'send_errors', 'unparseable'
                                   ].includes(k) &&
                                   v > 0;
                               return h(bad ? 'td.num.bad' : 'td.num', fmt.count(v));
                             })),
                             // Fan-out: a row per subscription with its own counts (acked and send errors are
                             // the run's).
                             ...(r.metrics!.accounting.subscriptions ?? [])
                                 .map(
                                     (s) => h(
                                         'tr.subscription',
                                         h('th', {scope: 'row'}, `\u2003subscription ${s.index}`),
                                         acc.map((k) => {
                                           if (k === 'acked' || k === 'send_errors') return h('td.num', '');
                                           const v = s[k];
                                           const bad =
                                               ['lost', 'duplicated', 'out_of_order', 'unparseable'].includes(
                                                   k) &&
                                               v > 0;
                                           return h(bad ? 'td.num.bad' : 'td.num', fmt.count(v));
                                         }))),
  ])),
                  ),
              ),
          withMetrics.some((r) => r.metrics!.errors.length > 0) ?
              h('ul.errors',
                withMetrics.flatMap(
                    (r) => r.metrics!.errors.map(
                        (e) => h('li', `${r.system}: ${e.message} (${fmt.count(e.count, 'times')})`)))) :
              null,
          ),
  );

  const thresholds = runs.flatMap((r) => r.thresholds.map((t) => ({ r, t })));
  wrap.append(
    section(
      "Thresholds",
      "h-thresholds",
      thresholds.length === 0
        ? h("p.muted", "No thresholds in this experiment.")
        : h("table.grid", { id: "thresholds" }, h("thead", h("tr", ["System", "Threshold", "Actual", "Verdict"].map((c) => h("th", { scope: "col" }, c)))), h("tbody", thresholds.map(({ r, t }) => h("tr", h("td", runLabel(r, runs)), h("td", h("code", t.text || `${t.metric} ${t.operator} ${t.value}`)), h("td.num", t.metric.includes("latency") ? fmt.latency(t.actual) : fmt.round(t.actual)), h("td", h(`span.badge.${t.passed ? "s-succeeded" : "s-failed"}`, t.passed ? "pass" : "fail"), t.message ? h("span.muted", ` ${t.message}`) : null))))),
    ),
  );

  const host = result.environment.host;
  const resources = runs.flatMap((r) => r.resources.map((u) => ({ r, u })));
  wrap.append(
    section(
      "Environment and resources",
      "h-env",
      h("dl.facts", ([["bakeoff", result.bakeoff_version], ["host", host.hostname], ["CPU", `${host.cpu_model} × ${host.cpu_count}`], ["memory", fmt.bytes(host.memory_bytes)], ["kernel", host.kernel], ["started", fmt.time(new Date(result.started_unix_ns / 1e6).toISOString())], ["took", fmt.seconds((result.finished_unix_ns - result.started_unix_ns) / 1e9)]] as [string, string][]).map(([k, v]) => [h("dt", k), h("dd", v)])),
      resources.length === 0
        ? h("p.muted", "No server processes were measured (embedded or in-process systems, or existing clusters).")
        : h("div.table-wrap", h("table.grid", { id: "resources" }, h("thead", h("tr", ["System", "Process", "CPU time", "Max RSS", "Written"].map((c) => h("th", { scope: "col" }, c)))), h("tbody", resources.map(({ r, u }) => h("tr", h("td", runLabel(r, runs)), h("td", `${u.name} (pid ${u.pid})${u.vanished ? " · vanished" : ""}`), h("td.num", fmt.seconds(u.cpu_seconds)), h("td.num", fmt.bytes(u.max_rss_bytes)), h("td.num", fmt.bytes(u.bytes_written))))))),
      runs.map((r) => h("details", h("summary", `${runLabel(r, runs)}: environment and driver facts`), h("dl.facts", Object.entries({ ...r.environment_facts, ...r.driver_facts }).map(([k, v]) => [h("dt", k), h("dd", v)])))),
    ),
  );

  const l = detail.links;
  const base = `/api/v1/experiments/${encodeURIComponent(id)}`;
  wrap.append(
    section(
      "Downloads",
      "h-downloads",
      h(
        "ul.downloads",
        h("li", h("a", { href: l.result ?? `${base}/result`, download: "result.json" }, "result.json")),
        h("li", h("a", { href: l.csv ?? `${base}/results.csv`, download: "results.csv" }, "results.csv")),
        h("li", h("a", { href: l.report ?? `${base}/report`, target: "_blank", rel: "noopener" }, "report.html")),
        (l.hlog ?? []).map((href) => h("li", h("a", { href, download: href.split("/").pop() }, href.split("/").pop()!))),
      ),
    ),
  );
  return wrap;
}
