// Pieces several pages share: state badges, the headline figures of a run, error boxes.
import * as api from "../api";
import { h } from "../dom";
import * as fmt from "../format";

const STATE_LABEL: Record<string, string> = {
  queued: "queued",
  provisioning: "provisioning",
  running: "running",
  tearing_down: "tearing down",
  succeeded: "succeeded",
  failed: "failed",
  threshold_failed: "threshold failed",
  not_sustained: "not sustained",
  cancelled: "cancelled",
  interrupted: "interrupted",
};

export function isTerminal(s: api.State): boolean {
  return api.TERMINAL.includes(s);
}

export function stateBadge(s: api.Summary | api.State, extra?: string): HTMLElement {
  const state = typeof s === "string" ? s : s.state;
  const label = STATE_LABEL[state] ?? state;
  const pos = typeof s !== "string" && s.state === "queued" && s.position ? ` #${s.position}` : "";
  const cancelling = typeof s !== "string" && s.cancel_requested && !isTerminal(s.state) ? " · cancelling" : "";
  return h(`span.badge.s-${state}`, { dataset: { state } }, label + pos + cancelling + (extra ?? ""));
}

export function errorBox(e: unknown): HTMLElement {
  if (e instanceof api.ApiError) {
    return h("div.alert", { role: "alert" }, h("strong", `${e.code}${e.status ? ` (HTTP ${e.status})` : ""}: `), e.message);
  }
  return h("div.alert", { role: "alert" }, String(e));
}

/** One line per system: "redis 49.9 k msg/s · p99 812 µs". */
export function headlines(s: api.Summary): HTMLElement {
  if (s.headline.length === 0) return h("span.muted", "–");
  return h(
    "ul.headlines",
    s.headline.map((x) =>
      h(
        "li",
        h("span.sys", x.system),
        x.status !== "ok" ? h("span.badge.s-failed", x.status) : null,
        h("span.num", fmt.rate(x.received_msgs_per_s)),
        h("span.num.p99", { title: "corrected end-to-end p99" }, `p99 ${fmt.latency(x.e2e_p99_ns)}`),
      ),
    ),
  );
}

/** The running experiment's last second: "redis 4 s / 12 s · 49.9 k msg/s · p99 812 µs". */
export function liveFigures(s: api.Summary): HTMLElement | null {
  const p = s.progress;
  const c = s.current;
  if (!c && !p) return null;
  return h(
    "div.live",
    c ? h("span", `${c.system} ${c.phase.replace("_", " ")} (run ${c.run_index}/${c.runs_total})`) : null,
    p && c?.phase === "running"
      ? [
          h("span.num", `${fmt.seconds(p.elapsed_s)} / ${fmt.seconds(p.total_s)}${p.warmup ? " warm-up" : ""}`),
          h("span.num", fmt.rate(p.received_per_s)),
          h("span.num", `p99 ${fmt.latency(p.e2e_p99_ns)}`),
        ]
      : null,
  );
}

export function systemsChips(systems: string[]): HTMLElement {
  return h("span.chips", systems.map((s) => h("span.chip", s)));
}

export function link(href: string, text: string, attrs: Record<string, unknown> = {}): HTMLElement {
  return h("a", { href, ...attrs }, text);
}
