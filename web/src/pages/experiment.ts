// One experiment: live while it runs (SSE: phase per system, throughput and p99 each second,
// accounting so far, phase log), then its result.
import * as api from "../api";
import { timeChart, type Chart, type Line } from "../charts";
import { h, replace } from "../dom";
import * as fmt from "../format";
import { errorBox, isTerminal, stateBadge, systemsChips } from "./common";
import { resultView } from "./result";

interface SystemLive {
  points: api.Progress[];
  phase: string;
}

export function experimentPage(main: HTMLElement, _params: URLSearchParams, id: string): () => void {
  let es: EventSource | null = null;
  let stopped = false;
  const head = h("div.exp-head");
  const body = h("div");
  main.append(h("section.card", head), body);

  const live = new Map<string, SystemLive>();
  let summary: api.Summary | null = null;
  let tpChart: Chart | null = null;
  let p99Chart: Chart | null = null;
  const phases = h("table.grid.phases", { id: "phases" });
  const accounting = h("div", { id: "live-accounting" });
  const log = h("pre.log", { id: "log", tabindex: "0", "aria-label": "phase log" });
  const tpEl = h("div.chart", { id: "live-throughput", role: "img", "aria-label": "received throughput each second" });
  const p99El = h("div.chart", { id: "live-p99", role: "img", "aria-label": "corrected end-to-end p99 each second" });

  const renderHead = (s: api.Summary, detail?: api.Detail) => {
    const cancellable = !isTerminal(s.state) && !s.cancel_requested;
    replace(
      head,
      h(
        "div.toolbar",
        h("h1", s.name),
        stateBadge(s),
        h("span.id.muted", s.id),
        systemsChips(s.systems),
        h("span.spacer"),
        s.state === "succeeded" || s.state === "threshold_failed" ? h("a.button", { href: `#/compare?ids=${encodeURIComponent(s.id)}` }, "Compare with…") : null,
        cancellable ? h("button.danger", { id: "cancel", type: "button", onclick: () => void api.cancelExperiment(s.id).catch((e) => head.append(errorBox(e))) }, s.state === "queued" ? "Remove from queue" : "Cancel run") : null,
      ),
      h(
        "dl.facts.inline",
        h("dt", "submitted"), h("dd", fmt.time(s.submitted_at)),
        h("dt", "started"), h("dd", fmt.time(s.started_at)),
        h("dt", "finished"), h("dd", fmt.time(s.finished_at)),
        h("dt", "duration"), h("dd", fmt.seconds(s.duration_s)),
        s.exit_code !== null ? [h("dt", "exit code"), h("dd", String(s.exit_code))] : null,
        s.position ? [h("dt", "queue position"), h("dd", `#${s.position}`)] : null,
      ),
      detail?.error ? h("div.alert", { role: "alert" }, detail.error) : null,
    );
  };

  const lines = (pick: (p: api.Progress) => number): Line[] =>
    [...live.entries()].filter(([, v]) => v.points.length > 0).map(([sys, v]) => ({ label: sys, points: v.points.map((p) => [p.elapsed_s, pick(p) > 0 ? pick(p) : null]) }));

  const renderLive = () => {
    if (!summary) return;
    const cur = summary.current;
    const idx = cur ? summary.systems.indexOf(cur.system) : -1;
    replace(
      phases,
      h("thead", h("tr", ["System", "Phase", "Elapsed", "Received", "e2e p99 (corrected)", "Errors"].map((c) => h("th", { scope: "col" }, c)))),
      h(
        "tbody",
        summary.systems.map((sys, i) => {
          const v = live.get(sys);
          const last = v?.points[v.points.length - 1];
          let phase = v?.phase ?? (summary!.state === "queued" ? "queued" : "waiting");
          if (cur && cur.system === sys) phase = cur.phase;
          else if (idx >= 0 && i < idx && !v) phase = "done";
          if (isTerminal(summary!.state)) phase = v ? "done" : summary!.state === "succeeded" ? "done" : "–";
          return h(
            "tr",
            { dataset: { system: sys, phase } },
            h("th", { scope: "row" }, sys),
            h("td", h(`span.badge.p-${phase}`, phase.replace("_", " "))),
            h("td.num", last ? `${fmt.seconds(last.elapsed_s)} / ${fmt.seconds(last.total_s)}${last.warmup ? " warm-up" : ""}` : "–"),
            h("td.num", last ? fmt.rate(last.received_per_s) : "–"),
            h("td.num", last ? fmt.latency(last.e2e_p99_ns) : "–"),
            h(last && last.errors > 0 ? "td.num.bad" : "td.num", last ? fmt.count(last.errors, "errors") : "–"),
          );
        }),
      ),
    );
    const totals = [...live.entries()].map(([sys, v]) => {
      const sent = v.points.reduce((a, p) => a + p.sent_per_s, 0);
      const received = v.points.reduce((a, p) => a + p.received_per_s, 0);
      const errors = v.points.reduce((a, p) => a + p.errors, 0);
      return h("tr", h("th", { scope: "row" }, sys), h("td.num", fmt.count(sent)), h("td.num", fmt.count(received)), h("td.num", fmt.count(Math.max(0, sent - received))), h("td.num", fmt.count(errors, "errors")));
    });
    replace(
      accounting,
      totals.length === 0
        ? h("p.muted", "No figures yet.")
        : h("table.grid", h("thead", h("tr", ["System", "Sent ≈", "Received ≈", "In flight ≈", "Errors"].map((c) => h("th", { scope: "col" }, c)))), h("tbody", totals)),
    );
    const tl = lines((p) => p.received_per_s);
    main.dataset.livePoints = String(tl.reduce((a, l) => a + l.points.length, 0));
    if (tl.length > 0) {
      if (!tpChart) tpChart = timeChart(tpEl, "rate", tl);
      else tpChart.update(tl);
      const pl = lines((p) => p.e2e_p99_ns);
      if (!p99Chart) p99Chart = timeChart(p99El, "latency", pl);
      else p99Chart.update(pl);
    }
  };

  const showLive = () => {
    replace(
      body,
      h("section.card", { "aria-labelledby": "h-live" }, h("h2", { id: "h-live" }, "Live"), h("div.table-wrap", phases)),
      h("div.chart-grid", h("figure.card", h("figcaption", "Received throughput, each second"), tpEl), h("figure.card", h("figcaption", "Corrected e2e p99, each second (log axis)"), p99El)),
      h("div.chart-grid", h("section.card", h("h2", "Accounting so far"), accounting), h("section.card", h("h2", "Phase log"), log)),
    );
    renderLive();
  };

  const showResult = async () => {
    try {
      const detail = await api.getExperiment(id);
      if (stopped) return;
      summary = detail;
      renderHead(detail, detail);
      if (detail.state === "succeeded" || detail.state === "threshold_failed" || detail.links.result) {
        const result = await api.getResult(id);
        if (stopped) return;
        replace(body, resultView(id, result, detail));
        main.dataset.result = "shown";
      } else {
        if (live.size > 0) showLive();
        else replace(body);
        body.prepend(h("section.card", h("h2", "Specification"), h("pre.spec", detail.spec)));
      }
    } catch (e) {
      body.prepend(errorBox(e));
    }
  };

  let joined = false;
  const onState = (s: api.Summary) => {
    if (!joined) {
      // The stream does not replay earlier lines: say where this page started watching.
      joined = true;
      const c = s.current;
      log.append(`(watching from ${new Date().toLocaleTimeString("en-GB")}: ${c ? `${c.system}: run ${c.run_index}/${c.runs_total} ${c.phase}` : s.state})\n`);
    }
    summary = s;
    renderHead(s);
    if (s.current) {
      const v = live.get(s.current.system) ?? { points: [], phase: s.current.phase };
      v.phase = s.current.phase;
      live.set(s.current.system, v);
    }
    renderLive();
  };

  const connect = () => {
    es = new EventSource(api.eventsUrl(id));
    es.addEventListener("state", (ev) => onState(JSON.parse((ev as MessageEvent).data)));
    es.addEventListener("progress", (ev) => {
      const p = JSON.parse((ev as MessageEvent).data) as api.Progress;
      const v = live.get(p.system) ?? { points: [], phase: "running" };
      v.points.push(p);
      live.set(p.system, v);
      renderLive();
    });
    es.addEventListener("log", (ev) => {
      const { line } = JSON.parse((ev as MessageEvent).data) as { line: string };
      log.append(`${line}\n`);
      log.scrollTop = log.scrollHeight;
    });
    es.addEventListener("end", () => {
      es?.close();
      es = null;
      void showResult();
    });
  };

  void api
    .getExperiment(id)
    .then((d) => {
      if (stopped) return;
      summary = d;
      renderHead(d, d);
      if (isTerminal(d.state)) {
        void showResult();
      } else {
        showLive();
        connect();
      }
    })
    .catch((e) => replace(head, h("h1", id), errorBox(e)));

  return () => {
    stopped = true;
    es?.close();
  };
}
