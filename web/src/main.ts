// Entry: the header (server state from /api/v1/health, polled) and a hash router over the pages.
import "./style.css";
import * as api from "./api";
import { h, replace } from "./dom";
import { experimentsPage } from "./pages/experiments";
import { editorPage } from "./pages/editor";
import { experimentPage } from "./pages/experiment";
import { comparePage } from "./pages/compare";

/** A page renders into main and returns what stops its timers and streams. */
export type Page = (main: HTMLElement, params: URLSearchParams, arg: string) => (() => void) | void;

const routes: { pattern: RegExp; page: Page; nav: string }[] = [
  { pattern: /^\/?$/, page: experimentsPage, nav: "experiments" },
  { pattern: /^\/experiments\/?$/, page: experimentsPage, nav: "experiments" },
  { pattern: /^\/new\/?$/, page: editorPage, nav: "new" },
  { pattern: /^\/experiments\/([A-Za-z0-9._-]+)\/?$/, page: experimentPage, nav: "experiments" },
  { pattern: /^\/compare\/?$/, page: comparePage, nav: "compare" },
];

let stopPage: (() => void) | void;

function route(): void {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = hash.split("?");
  const main = document.getElementById("main")!;
  if (stopPage) stopPage();
  stopPage = undefined;
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    for (const a of document.querySelectorAll<HTMLAnchorElement>("#top nav a")) {
      if (a.dataset.nav === r.nav) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    main.dataset.page = r.nav;
    replace(main);
    stopPage = r.page(main, new URLSearchParams(query), m[1] ? decodeURIComponent(m[1]) : "");
    return;
  }
  replace(main, h("section.card", h("h1", "Not found"), h("p", `No page at ${path}. `, h("a", { href: "#/" }, "Experiments"))));
}

function header(): HTMLElement {
  const state = h("span.server-state", { id: "server-state", role: "status", "aria-live": "polite" }, "connecting…");
  const top = document.getElementById("top")!;
  replace(
    top,
    h("a.brand", { href: "#/" }, h("span.logo", { "aria-hidden": "true" }, "◆"), "bakeoff"),
    h(
      "nav",
      { "aria-label": "pages" },
      h("a", { href: "#/experiments", dataset: { nav: "experiments" } }, "Experiments"),
      h("a", { href: "#/new", dataset: { nav: "new" } }, "New experiment"),
      h("a", { href: "#/compare", dataset: { nav: "compare" } }, "Compare"),
    ),
    state,
  );
  return state;
}

async function pollHealth(el: HTMLElement): Promise<void> {
  try {
    const s = await api.health();
    el.dataset.state = s.server_state;
    const queued = s.queued > 0 ? ` · ${s.queued} queued` : "";
    if (s.server_state === "running" && s.running) {
      replace(el, h("span.dot"), "running ", h("a", { href: `#/experiments/${encodeURIComponent(s.running)}` }, s.running), queued);
    } else if (s.server_state === "draining") {
      replace(el, h("span.dot"), "draining for shutdown", s.running ? [" · ", h("a", { href: `#/experiments/${encodeURIComponent(s.running)}` }, s.running)] : null, queued);
    } else {
      replace(el, h("span.dot"), s.server_state, queued);
    }
    el.title = `bakeoff ${s.version}`;
  } catch (e) {
    el.dataset.state = "down";
    replace(el, h("span.dot"), "server unreachable");
    el.title = String(e);
  }
}

const stateEl = header();
void pollHealth(stateEl);
setInterval(() => void pollHealth(stateEl), 2000);
window.addEventListener("hashchange", () => {
  route();
  void pollHealth(stateEl); // a page change often follows a submit or a cancel: no stale header
});
route();
