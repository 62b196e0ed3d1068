// A tiny element builder: h("div.card", {onclick}, child, ...). No framework; pages rebuild their
// own subtrees and keep references to the nodes they update live.

type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, unknown>;

export function h(tag: string, attrs?: Attrs | Child, ...children: Child[]): HTMLElement {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name || "div");
  if (classes.length > 0) el.className = classes.join(" ");
  if (attrs !== undefined && !isChild(attrs)) {
    for (const [key, value] of Object.entries(attrs as Attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on") && typeof value === "function") {
        el.addEventListener(key.slice(2), value as EventListener);
      } else if (key === "class") {
        el.className = [el.className, String(value)].filter(Boolean).join(" ");
      } else if (key === "dataset") {
        Object.assign(el.dataset, value as Record<string, string>);
      } else if (key in el && key !== "list" && typeof value !== "string") {
        (el as unknown as Record<string, unknown>)[key] = value;
      } else {
        el.setAttribute(key, value === true ? "" : String(value));
      }
    }
  } else if (attrs !== undefined) {
    children.unshift(attrs as Child);
  }
  append(el, children);
  return el;
}

function isChild(x: unknown): x is Child {
  return x === null || typeof x !== "object" || x instanceof Node || Array.isArray(x);
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function replace(el: Element, ...children: Child[]): void {
  clear(el);
  append(el, children);
}

/** Runs fn at most once per wait_ms after the last call. */
export function debounce<A extends unknown[]>(fn: (...a: A) => void, wait_ms: number): (...a: A) => void {
  let timer: number | undefined;
  return (...a: A) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = window.setTimeout(() => fn(...a), wait_ms);
  };
}
