// uPlot wrappers: time series (throughput or latency over time) and the latency percentile spectrum,
// whose latency axis is logarithmic (systems differ by 1000x) and whose percentile axis is in "nines".
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import * as fmt from "./format";

export const PALETTE = ["#5794f2", "#73bf69", "#ff9830", "#b877d9", "#f2495c", "#fade2a", "#8ab8ff", "#ff7383"];

export interface Line {
  label: string;
  points: [number, number | null][];
}

export type Unit = "rate" | "latency";

const AXIS = { stroke: "#9fa7b3", grid: { stroke: "rgba(204,204,220,0.08)", width: 1 }, ticks: { stroke: "rgba(204,204,220,0.15)", width: 1 } };

function unitFormatter(unit: Unit): (v: number) => string {
  return unit === "rate" ? fmt.rate : fmt.latency;
}

/** Axis labels: uPlot passes null for the ticks it leaves unlabelled; round values drop their zeros. */
function tickLabels(f: (v: number) => string): (u: uPlot, vs: (number | null)[]) => string[] {
  return (_u, vs) => vs.map((v) => (v === null || v === undefined ? "" : f(v).replace(/\.0+ /, " ").replace(/(\.\d*?)0+ /, "$1 ")));
}

/** Round ticks on a log latency axis: each power of ten, and 2x / 5x too when the range spans two decades
 * or less, so that a narrow range still has labels. */
export function decadeTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(Math.max(min, 1)));
  const hi = Math.ceil(Math.log10(Math.max(max, 10)));
  const steps = hi - lo <= 2 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = lo; e <= hi; e++) for (const m of steps) out.push(m * 10 ** e);
  return out.filter((v) => v >= min * 0.999 && v <= max * 1.001);
}

/** Joins lines sampled at different x into uPlot's aligned columns (null where a line has no point). */
function align(lines: Line[]): uPlot.AlignedData {
  const xs = new Set<number>();
  for (const l of lines) for (const [x] of l.points) xs.add(x);
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map(x.map((v, i) => [v, i]));
  const cols = lines.map((l) => {
    const col: (number | null)[] = new Array(x.length).fill(null);
    for (const [px, py] of l.points) col[index.get(px)!] = py;
    return col;
  });
  return [x, ...cols] as uPlot.AlignedData;
}

function widthOf(el: HTMLElement): number {
  return Math.max(280, Math.floor(el.clientWidth || el.getBoundingClientRect().width || 600));
}

/** Keeps a uPlot the width of its container. */
function autosize(plot: uPlot, el: HTMLElement, height: number): void {
  const ro = new ResizeObserver(() => {
    const w = widthOf(el);
    if (Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height });
  });
  ro.observe(el);
}

export interface Chart {
  update(lines: Line[]): void;
  el: HTMLElement;
}

/** A chart of values over time (x: seconds since the run started). Latency uses a log axis. */
export function timeChart(el: HTMLElement, unit: Unit, lines: Line[], height = 220): Chart {
  const f = unitFormatter(unit);
  const log = unit === "latency";
  let labels = lines.map((l) => l.label).join("\u0000");
  let plot: uPlot | null = null;

  const make = (ls: Line[]) => {
    plot?.destroy();
    const opts: uPlot.Options = {
      width: widthOf(el),
      height,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, y: log ? { distr: 3, log: 10 } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { ...AXIS, label: "elapsed (s)", labelSize: 18, incrs: [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600], values: (_u, vs) => vs.map((v) => (v === null ? "" : `${v} s`)) },
        {
          ...AXIS,
          size: 96,
          values: tickLabels(f),
          ...(log ? { splits: (u: uPlot) => decadeTicks(u.scales.y.min ?? 1, u.scales.y.max ?? 10) } : {}),
        },
      ],
      series: [
        { label: "t", value: (_u, v) => (v === null ? "–" : `${fmt.round(v)} s`) },
        ...ls.map((l, i) => ({
          label: l.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          spanGaps: true,
          points: { show: l.points.length < 40, size: 4 },
          value: (_u: uPlot, v: number | null) => (v === null ? "–" : f(v)),
        })),
      ],
    };
    plot = new uPlot(opts, align(ls), el);
    autosize(plot, el, height);
  };
  make(lines);
  return {
    el,
    update(ls: Line[]) {
      const next = ls.map((l) => l.label).join("\u0000");
      if (next !== labels || !plot) {
        labels = next;
        make(ls);
      } else {
        plot.setData(align(ls));
      }
    },
  };
}

/** Percentile on the "nines" axis: p0 -> 0, p90 -> 1, p99 -> 2, p99.9 -> 3 ... */
export const nines = (p: number) => -Math.log10(Math.max(1e-7, 1 - p / 100));
const fromNines = (x: number) => 100 * (1 - 10 ** -x);

/** The latency-by-percentile spectrum: x in nines, y latency on a log axis with decade ticks. */
export function spectrumChart(el: HTMLElement, lines: Line[], height = 280): Chart {
  const toNines = (ls: Line[]): Line[] => ls.map((l) => ({ label: l.label, points: l.points.map(([p, v]) => [nines(p), v && v > 0 ? v : null]) }));
  let plot: uPlot | null = null;
  const make = (ls: Line[]) => {
    plot?.destroy();
    const opts: uPlot.Options = {
      width: widthOf(el),
      height,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false, range: (_u, _min, max) => [0, Math.max(3, Math.ceil(max)) + 0.35] }, y: { distr: 3, log: 10 } },
      axes: [
        {
          ...AXIS,
          label: "percentile",
          labelSize: 18,
          splits: (u: uPlot) => {
            // At a phone's width every other "nine" is labelled, so the labels do not overlap.
            const narrow = u.width < 600;
            const out: number[] = narrow ? [0] : [0, nines(50)];
            for (let i = narrow ? 2 : 1; i <= Math.floor(u.scales.x.max ?? 3); i += narrow ? 2 : 1) out.push(i);
            return out;
          },
          values: (_u, vs) => vs.map((v) => (v === null ? "" : fmt.pct(Number(fromNines(v).toFixed(4))))),
        },
        { ...AXIS, size: 80, splits: (u: uPlot) => decadeTicks(u.scales.y.min ?? 1, u.scales.y.max ?? 10), values: tickLabels(fmt.latency) },
      ],
      series: [
        { label: "percentile", value: (_u, v) => (v === null ? "–" : fmt.pct(Number(fromNines(v).toFixed(4)))) },
        ...ls.map((l, i) => ({
          label: l.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          spanGaps: true,
          points: { show: true, size: 4 },
          value: (_u: uPlot, v: number | null) => (v === null ? "–" : fmt.latency(v)),
        })),
      ],
    };
    plot = new uPlot(opts, align(toNines(ls)), el);
    autosize(plot, el, height);
  };
  make(lines);
  return {
    el,
    update(ls: Line[]) {
      make(ls);
    },
  };
}
