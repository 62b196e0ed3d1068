// Every number the UI shows goes through here, so every number carries its unit.

export function latency(ns: number | null | undefined): string {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return "–";
  if (ns < 1e3) return `${round(ns)} ns`;
  if (ns < 1e6) return `${round(ns / 1e3)} µs`;
  if (ns < 1e9) return `${round(ns / 1e6)} ms`;
  return `${round(ns / 1e9)} s`;
}

export function rate(per_s: number | null | undefined): string {
  if (per_s === null || per_s === undefined || !Number.isFinite(per_s)) return "–";
  if (per_s >= 1e6) return `${round(per_s / 1e6)} M msg/s`;
  if (per_s >= 1e3) return `${round(per_s / 1e3)} k msg/s`;
  return `${round(per_s)} msg/s`;
}

export function count(n: number | null | undefined, unit = "msgs"): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  return `${Math.round(n).toLocaleString("en-US")} ${unit}`;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${round(v)} ${units[i]}`;
}

export function seconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return "–";
  if (s < 60) return `${round(s)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return `${m} min ${rest} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function percent(p: number | null | undefined, signed = false): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "–";
  const s = `${round(Math.abs(p))} %`;
  if (!signed) return p < 0 ? `-${s}` : s;
  return p > 0 ? `+${s}` : p < 0 ? `−${s}` : s;
}

/** A percentile label: 99.9 -> "p99.9". */
export function pct(p: number): string {
  return `p${Number(p.toPrecision(7))}`;
}

/** A local date and time, short: "Dec 6, 01:02:03". */
export function time(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString("en-GB", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** A value with the unit the compare rows name ("ns", "msg/s", "msgs"). */
export function withUnit(v: number | null | undefined, unit: string): string {
  if (unit === "ns") return latency(v);
  if (unit === "msg/s" || unit === "msgs/s") return rate(v);
  if (unit === "MB/s") return v === null || v === undefined ? "–" : `${round(v)} MB/s`;
  if (unit === "msgs" || unit === "messages") return count(v);
  return v === null || v === undefined ? "–" : `${round(v)} ${unit}`;
}

/** Three significant digits, no exponent. */
export function round(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return v.toFixed(digits);
}
