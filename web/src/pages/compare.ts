// Compare: pick two or more results, then GET /api/v1/compare: per metric the mean with its 95 %
// interval for each result, the delta against the first with the significance verdict, and the
// overlaid percentile spectra.
import * as api from "../api";
import { spectrumChart } from "../charts";
import { h, replace } from "../dom";
import * as fmt from "../format";
import { errorBox, headlines, stateBadge, systemsChips } from "./common";

const METRIC_LABEL: Record<string, string> = {
  "throughput.received_msgs_per_s": "throughput (received)",
  "e2e_latency.corrected.p50": "e2e p50 (corrected)",
  "e2e_latency.corrected.p99": "e2e p99 (corrected)",
  "e2e_latency.corrected.p99_9": "e2e p99.9 (corrected)",
  "publish_latency.corrected.p99": "publish p99 (corrected)",
  "accounting.lost": "lost",
};

function short(id: string): string {
  return id.length > 28 ? `${id.slice(0, 16)}…${id.slice(-6)}` : id;
}

export function comparePage(main: HTMLElement, params: URLSearchParams): void {
  const ids = (params.get("ids") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const picker = h("section.card", { id: "compare-picker" });
  const out = h("div", { id: "compare" });
  main.append(picker, out);
  void renderPicker(picker, ids);
  if (ids.length >= 2) void renderCompare(out, ids);
}

async function renderPicker(el: HTMLElement, preselected: string[]): Promise<void> {
  const chosen = new Set(preselected);
  const btn = h("button.primary", { id: "compare-go", type: "button", onclick: () => (location.hash = `#/compare?ids=${[...chosen].map(encodeURIComponent).join(",")}`) }, "Compare") as HTMLButtonElement;
  const count = () => {
    btn.disabled = chosen.size < 2;
    btn.textContent = `Compare ${chosen.size}`;
  };
  const list = h("div.table-wrap");
  replace(el, h("div.toolbar", h("h1", "Compare results"), h("span.muted", "pick two or more finished experiments; the first is the baseline"), h("span.spacer"), btn), list);
  count();
  try {
    const [ok, thr] = await Promise.all([api.listExperiments({ state: "succeeded", limit: 200 }), api.listExperiments({ state: "threshold_failed", limit: 100 })]);
    const rows = [...ok.experiments, ...thr.experiments].sort((a, b) => (b.submitted_at ?? "").localeCompare(a.submitted_at ?? ""));
    if (rows.length === 0) {
      replace(list, h("p.empty", "No finished results yet."));
      return;
    }
    replace(
      list,
      h(
        "table.grid",
        h("thead", h("tr", ["", "Name", "State", "Systems", "Finished", "Throughput · corrected e2e p99"].map((c) => h("th", { scope: "col" }, c)))),
        h(
          "tbody",
          rows.map((s) => {
            const box = h("input", { type: "checkbox", checked: chosen.has(s.id), "aria-label": `compare ${s.id}`, dataset: { id: s.id } }) as HTMLInputElement;
            box.addEventListener("change", () => {
              if (box.checked) chosen.add(s.id);
              else chosen.delete(s.id);
              count();
            });
            return h("tr", h("td", box), h("td", h("a", { href: `#/experiments/${encodeURIComponent(s.id)}` }, s.name), h("div.id.muted", s.id)), h("td", stateBadge(s)), h("td", systemsChips(s.systems)), h("td.num", fmt.time(s.finished_at)), h("td", headlines(s)));
          }),
        ),
      ),
    );
  } catch (e) {
    replace(list, errorBox(e));
  }
}

function valueCell(v: api.CompareValue | null, unit: string): HTMLElement {
  if (!v) return h("td.num.muted", "–");
  const ci = v.ci95_low !== null && v.ci95_high !== null ? `95 % CI ${fmt.withUnit(v.ci95_low, unit)} – ${fmt.withUnit(v.ci95_high, unit)}` : "no interval (1 repeat)";
  return h("td.num", fmt.withUnit(v.mean, unit), h("div.sub", ci), h("div.sub", `n = ${v.n}`));
}

function deltaCell(d: api.CompareDelta | null): HTMLElement {
  if (!d) return h("td.muted", "baseline");
  const cls = d.significant ? (d.better ? "better" : "worse") : "same";
  return h(`td.num.delta.${cls}`, h("strong", fmt.percent(d.delta_percent, true)), h("div.sub", d.verdict), h("div.sub", `p = ${fmt.round(d.p_value)}`));
}

async function renderCompare(el: HTMLElement, ids: string[]): Promise<void> {
  replace(el, h("section.card", h("p.muted", "comparing…")));
  try {
    const [c, names] = await Promise.all([
      api.compare(ids),
      Promise.all(ids.map((id) => api.getExperiment(id).then((d) => d.name, () => short(id)))),
    ]);
    const nameOf = new Map(ids.map((id, i) => [id, names[i]]));
    const header = h("tr", h("th", { scope: "col" }, "System"), h("th", { scope: "col" }, "Metric"), c.ids.map((id, i) => [h("th.num", { scope: "col", title: id }, i === 0 ? "baseline " : "", h("a", { href: `#/experiments/${encodeURIComponent(id)}` }, nameOf.get(id) ?? short(id)), h("div.sub.id", short(id))), i > 0 ? h("th.num", { scope: "col" }, "Δ vs baseline") : null]));
    const table = h(
      "table.grid.compare",
      { id: "compare-table" },
      h("thead", header),
      h(
        "tbody",
        c.rows.map((r) =>
          h(
            "tr",
            h("th", { scope: "row" }, r.system, r.point ? h("div.muted", r.point) : null),
            h("td", METRIC_LABEL[r.metric] ?? r.metric, h("div.sub", r.lower_is_better ? "lower is better" : "higher is better")),
            c.ids.map((_, i) => [valueCell(r.values[i] ?? null, r.unit), i > 0 ? deltaCell(r.deltas[i] ?? null) : null]),
          ),
        ),
      ),
    );
    const spec = h("div.chart", { id: "compare-spectrum", role: "img", "aria-label": "corrected end-to-end latency by percentile, overlaid" });
    replace(
      el,
      h("section.card", h("h2", "Side by side"), h("div.table-wrap", table)),
      h("section.card", h("h2", "Latency by percentile, overlaid"), h("figure", h("figcaption", "Corrected end-to-end latency by percentile (log latency axis)"), spec)),
    );
    requestAnimationFrame(() =>
      spectrumChart(spec, c.spectra.map((s) => ({ label: `${s.system}${s.point ? ` ${s.point}` : ""} · ${nameOf.get(s.id) ?? short(s.id)}`, points: s.e2e_corrected })), 320),
    );
  } catch (e) {
    replace(el, h("section.card", errorBox(e)));
  }
}
