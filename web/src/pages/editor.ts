// New experiment: a YAML editor (textarea with a line-number gutter) that starts from the server's
// examples, validates as you type through POST ?dry_run=true (debounced), marks each error at its
// line, and submits.
import * as api from "../api";
import { debounce, h, replace } from "../dom";
import { errorBox } from "./common";

const DRAFT_KEY = "bakeoff.editor.draft";
const LINE_HEIGHT_PX = 20;

export function editorPage(main: HTMLElement, params: URLSearchParams): () => void {
  const exampleSel = h("select", { id: "example", "aria-label": "start from an example" }, h("option", { value: "" }, "Start from an example…")) as HTMLSelectElement;
  const gutter = h("div.gutter", { "aria-hidden": "true" });
  const bands = h("div.bands", { "aria-hidden": "true" });
  const area = h("textarea", {
    id: "spec",
    spellcheck: "false",
    autocapitalize: "off",
    autocomplete: "off",
    wrap: "off",
    "aria-label": "experiment (YAML or JSON)",
    "aria-describedby": "validation",
  }) as HTMLTextAreaElement;
  const validation = h("div.validation", { id: "validation", role: "status", "aria-live": "polite" });
  const errorList = h("ol.errors", { id: "errors" });
  const submitBtn = h("button.primary", { id: "submit", type: "submit" }, "Submit experiment") as HTMLButtonElement;
  const submitStatus = h("div", { role: "alert" });

  let errors: api.SpecError[] = [];
  let generation = 0;

  const lineCount = () => area.value.split("\n").length;

  const paint = () => {
    const byLine = new Map<number, api.SpecError[]>();
    for (const e of errors) byLine.set(e.line, [...(byLine.get(e.line) ?? []), e]);
    const n = lineCount();
    const nums: HTMLElement[] = [];
    for (let i = 1; i <= n; i++) {
      const errs = byLine.get(i);
      nums.push(h(errs ? "div.ln.err" : "div.ln", errs ? { dataset: { line: String(i) }, title: errs.map((e) => e.message).join("\n") } : {}, String(i)));
    }
    replace(gutter, nums);
    replace(bands, [...byLine.keys()].map((line) => h("div.band", { dataset: { line: String(line) }, style: `top:${(line - 1) * LINE_HEIGHT_PX}px` })));
    sync();
  };

  const sync = () => {
    gutter.scrollTop = area.scrollTop;
    bands.style.transform = `translateY(${-area.scrollTop}px)`;
  };

  const goTo = (line: number, column: number) => {
    const lines = area.value.split("\n");
    let pos = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    pos += Math.max(0, Math.min(column - 1, (lines[line - 1] ?? "").length));
    area.focus();
    area.setSelectionRange(pos, pos);
    area.scrollTop = Math.max(0, (line - 4) * LINE_HEIGHT_PX);
    sync();
  };

  const showErrors = () => {
    replace(
      errorList,
      errors.map((e) =>
        h(
          "li",
          { dataset: { line: String(e.line) } },
          h("button.link", { type: "button", onclick: () => goTo(e.line, e.column) }, `line ${e.line}:${e.column}`),
          e.path ? h("code", e.path) : null,
          h("span", e.message),
          e.suggestion ? h("span.suggestion", `→ ${e.suggestion}`) : null,
        ),
      ),
    );
  };

  const validate = async () => {
    const mine = ++generation;
    const text = area.value;
    if (text.trim() === "") {
      errors = [];
      replace(validation, h("span.muted", "empty"));
      paint();
      showErrors();
      return;
    }
    replace(validation, h("span.muted", "validating…"));
    try {
      const r = await api.submit(text, true);
      if (mine !== generation) return;
      errors = [];
      replace(validation, h("span.ok", `✓ valid: ${r.systems ?? "?"} systems, ${r.runs ?? "?"} runs`));
    } catch (e) {
      if (mine !== generation) return;
      if (e instanceof api.ApiError && e.code === "invalid_experiment") {
        errors = e.errors.length > 0 ? e.errors : [{ line: 1, column: 1, path: "", message: e.message, suggestion: "" }];
        replace(validation, h("span.bad", `✗ ${errors.length} ${errors.length === 1 ? "problem" : "problems"}`));
      } else {
        errors = [];
        replace(validation, errorBox(e));
      }
    }
    paint();
    showErrors();
  };
  const validateSoon = debounce(() => void validate(), 350);

  const setText = (text: string) => {
    area.value = text;
    localStorage.setItem(DRAFT_KEY, text);
    errors = [];
    paint();
    void validate();
  };

  const submit = async (ev: Event) => {
    ev.preventDefault();
    submitBtn.disabled = true;
    replace(submitStatus);
    try {
      const r = await api.submit(area.value, false);
      if (r.id) location.hash = `#/experiments/${encodeURIComponent(r.id)}`;
    } catch (e) {
      if (e instanceof api.ApiError && e.code === "invalid_experiment") {
        errors = e.errors;
        paint();
        showErrors();
      }
      replace(submitStatus, errorBox(e));
    } finally {
      submitBtn.disabled = false;
    }
  };

  let escaped = false;
  area.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      escaped = true;
      return;
    }
    if (ev.key === "Tab" && !ev.shiftKey && !escaped) {
      // Tab indents (two spaces, YAML's habit); Esc then Tab leaves the editor, as in code editors.
      ev.preventDefault();
      area.setRangeText("  ", area.selectionStart, area.selectionEnd, "end");
      area.dispatchEvent(new Event("input"));
    } else if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      submitBtn.click();
    }
    escaped = false;
  });
  area.addEventListener("input", () => {
    localStorage.setItem(DRAFT_KEY, area.value);
    generation++; // an answer about an older text must not land on this one
    exampleSel.value = ""; // the text is the user's own now
    replace(validation, h("span.muted", "editing…"));
    paint();
    validateSoon();
  });
  area.addEventListener("scroll", sync);

  exampleSel.addEventListener("change", () => {
    const opt = exampleSel.selectedOptions[0];
    if (opt?.dataset.text !== undefined) setText(opt.dataset.text);
  });

  main.append(
    h(
      "form.card.editor-page",
      { onsubmit: (ev: Event) => void submit(ev) },
      h("div.toolbar", h("h1", "New experiment"), exampleSel, h("span.hint.muted", "Tab indents · Esc Tab leaves · Ctrl+Enter submits"), submitBtn),
      h("div.editor", { style: `--line:${LINE_HEIGHT_PX}px` }, gutter, h("div.text", bands, area)),
      h("div.below", validation, errorList, submitStatus),
    ),
  );

  void api
    .examples()
    .then((r) => {
      for (const ex of r.examples) exampleSel.append(h("option", { value: ex.name, dataset: { text: ex.text } }, ex.name));
      const wanted = params.get("example");
      const draft = localStorage.getItem(DRAFT_KEY);
      const pick = r.examples.find((e) => e.name === wanted) ?? (draft ? undefined : r.examples.find((e) => e.name === "quickstart.yaml") ?? r.examples[0]);
      if (pick) {
        exampleSel.value = pick.name;
        setText(pick.text);
      }
    })
    .catch((e) => replace(validation, errorBox(e)));
  const draft = localStorage.getItem(DRAFT_KEY);
  if (draft && !params.get("example")) setText(draft);
  else paint();
  return () => generation++;
}
