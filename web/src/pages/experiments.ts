// Experiments: the queue and the history, newest first, with filters, live figures of the running
// one, cancel, and a selection to compare. Refreshes every 2 s; rows are kept by id so that focus
// and selection survive a refresh.
import * as api from "../api";
import { debounce, h, replace } from "../dom";
import * as fmt from "../format";
import { errorBox, headlines, isTerminal, liveFigures, stateBadge, systemsChips } from "./common";

const PAGE_SIZE = 100;

export function experimentsPage(main: HTMLElement, params: URLSearchParams): () => void {
  const mounted = performance.now();
  let firstRender = true;
  const selected = new Set<string>();
  const rows = new Map<string, { json: string; tr: HTMLTableRowElement }>();
  let cursor: string | null = null;
  let shown = Math.max(PAGE_SIZE, Math.min(5000, Number(params.get("show")) || 0));

  const stateSel = h("select", { id: "f-state", "aria-label": "state" }, h("option", { value: "" }, "any state"), api.ALL_STATES.map((s) => h("option", { value: s }, s.replace("_", " ")))) as HTMLSelectElement;
  const nameIn = h("input", { id: "f-name", type: "search", placeholder: "name", "aria-label": "name", autocomplete: "off" }) as HTMLInputElement;
  const sysIn = h("input", { id: "f-system", type: "search", placeholder: "system", "aria-label": "system", autocomplete: "off" }) as HTMLInputElement;
  stateSel.value = params.get("state") ?? "";
  nameIn.value = params.get("name") ?? "";
  sysIn.value = params.get("system") ?? "";
  const compareBtn = h("button.primary", { id: "compare-selected", type: "button", disabled: true, onclick: () => (location.hash = `#/compare?ids=${[...selected].map(encodeURIComponent).join(",")}`) }, "Compare selected") as HTMLButtonElement;
  const status = h("div.status", { role: "status" });
  const tbody = h("tbody") as HTMLTableSectionElement;
  const more = h("button", { type: "button", id: "load-more", hidden: true, onclick: () => { shown += PAGE_SIZE; void refresh(); } }, "Show more");

  main.append(
    h(
      "section.card",
      h("div.toolbar", h("h1", "Experiments"), h("div.filters", stateSel, nameIn, sysIn), h("a.button", { href: "#/new" }, "New experiment"), compareBtn),
      status,
      h(
        "div.table-wrap",
        h(
          "table.grid.experiments",
          { id: "experiments" },
          h("thead", h("tr", h("th", { scope: "col" }, h("span.sr", "select")), ["State", "Name", "Systems", "Started", "Duration", "Throughput · corrected e2e p99", ""].map((c) => h("th", { scope: "col" }, c)))),
          tbody,
        ),
      ),
      more,
    ),
  );

  const updateCompare = () => {
    compareBtn.disabled = selected.size < 2;
    compareBtn.textContent = selected.size >= 2 ? `Compare ${selected.size}` : "Compare selected";
  };

  const cancel = async (s: api.Summary, btn: HTMLButtonElement) => {
    btn.disabled = true;
    try {
      await api.cancelExperiment(s.id);
      await refresh();
    } catch (e) {
      replace(status, errorBox(e));
      btn.disabled = false;
    }
  };

  const renderRow = (s: api.Summary): HTMLTableRowElement => {
    const href = `#/experiments/${encodeURIComponent(s.id)}`;
    const box = h("input", { type: "checkbox", "aria-label": `select ${s.id} to compare`, checked: selected.has(s.id), disabled: s.state !== "succeeded" && s.state !== "threshold_failed" }) as HTMLInputElement;
    box.addEventListener("change", () => {
      if (box.checked) selected.add(s.id);
      else selected.delete(s.id);
      updateCompare();
    });
    const canCancel = !isTerminal(s.state) && !s.cancel_requested;
    return h(
      "tr",
      { dataset: { id: s.id, state: s.state } },
      h("td", box),
      h("td", stateBadge(s), liveFigures(s)),
      h("td", h("a.name", { href }, s.name), h("div.id.muted", s.id)),
      h("td", systemsChips(s.systems)),
      h("td.num", fmt.time(s.started_at ?? s.submitted_at), s.started_at ? null : h("div.muted", "submitted")),
      h("td.num", fmt.seconds(s.duration_s)),
      h("td", headlines(s)),
      h("td.actions", canCancel ? h("button.danger.small", { type: "button", "aria-label": `cancel ${s.id}`, onclick: (ev: Event) => void cancel(s, ev.currentTarget as HTMLButtonElement) }, "Cancel") : null),
    ) as HTMLTableRowElement;
  };

  let inflight = false;
  const refresh = async () => {
    if (inflight) return;
    inflight = true;
    const t0 = performance.now();
    try {
      const q = { state: stateSel.value, name: nameIn.value.trim(), system: sysIn.value.trim() };
      const list: api.Summary[] = [];
      cursor = null;
      do {
        const page = await api.listExperiments({ ...q, limit: Math.min(500, shown - list.length), cursor: cursor ?? undefined });
        list.push(...page.experiments);
        cursor = page.next_cursor;
      } while (cursor && list.length < shown);
      const seen = new Set<string>();
      const order: HTMLTableRowElement[] = [];
      for (const s of list) {
        seen.add(s.id);
        const json = JSON.stringify(s);
        let row = rows.get(s.id);
        if (!row || row.json !== json) {
          const tr = renderRow(s);
          if (row) row.tr.replaceWith(tr);
          row = { json, tr };
          rows.set(s.id, row);
        }
        order.push(row.tr);
      }
      for (const [id, row] of rows) if (!seen.has(id)) { row.tr.remove(); rows.delete(id); }
      const current = [...tbody.children];
      if (current.length !== order.length || order.some((tr, i) => current[i] !== tr)) tbody.replaceChildren(...order);
      more.hidden = !cursor;
      replace(status, list.length === 0 ? h("p.empty", "No experiments match. ", h("a", { href: "#/new" }, "Submit one")) : h("span.muted", `${list.length}${cursor ? "+" : ""} experiments`));
      main.dataset.renderMs = (performance.now() - t0).toFixed(1);
      if (firstRender) {
        // From the route's start to the rows in the DOM: what the 1,000-experiment check measures.
        firstRender = false;
        main.dataset.firstRenderMs = (performance.now() - mounted).toFixed(1);
      }
      main.dataset.rows = String(list.length);
    } catch (e) {
      replace(status, errorBox(e));
    } finally {
      inflight = false;
    }
  };

  const onFilter = debounce(() => {
    const p = new URLSearchParams();
    if (stateSel.value) p.set("state", stateSel.value);
    if (nameIn.value.trim()) p.set("name", nameIn.value.trim());
    if (sysIn.value.trim()) p.set("system", sysIn.value.trim());
    history.replaceState(null, "", `#/experiments${p.toString() ? `?${p}` : ""}`);
    void refresh();
  }, 250);
  stateSel.addEventListener("change", onFilter);
  nameIn.addEventListener("input", onFilter);
  sysIn.addEventListener("input", onFilter);

  void refresh();
  const timer = setInterval(() => void refresh(), 2000);
  return () => clearInterval(timer);
}
