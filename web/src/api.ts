// The /api/v1 client (docs/api-v1.md is the contract). Every call returns a value or throws ApiError
// with the server's error code and message, so pages show what the server said.

export type State =
  | "queued" | "provisioning" | "running" | "tearing_down"
  | "succeeded" | "failed" | "threshold_failed" | "not_sustained" | "cancelled" | "interrupted";

export const TERMINAL: State[] = ["succeeded", "failed", "threshold_failed", "not_sustained", "cancelled", "interrupted"];
export const ALL_STATES: State[] = ["queued", "provisioning", "running", "tearing_down", ...TERMINAL];

export interface Progress {
  id?: string;
  system: string;
  elapsed_s: number;
  total_s: number;
  warmup: boolean;
  sent_per_s: number;
  received_per_s: number;
  e2e_p99_ns: number;
  errors: number;
}

export interface Headline {
  system: string;
  status: string;
  received_msgs_per_s: number | null;
  e2e_p99_ns: number | null;
  publish_p99_ns: number | null;
  lost: number | null;
}

export interface Summary {
  id: string;
  name: string;
  state: State;
  position: number | null;
  systems: string[];
  submitted_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_s: number | null;
  exit_code: number | null;
  current: { system: string; run_index: number; runs_total: number; phase: string } | null;
  progress: Progress | null;
  headline: Headline[];
  cancel_requested: boolean;
}

export interface Detail extends Summary {
  spec: string;
  spec_format: "yaml" | "json";
  error: string | null;
  links: { result?: string; report?: string; csv?: string; hlog?: string[]; events?: string };
}

export interface SpecError {
  line: number;
  column: number;
  path: string;
  message: string;
  suggestion: string;
}

export interface Health {
  status: string;
  server_state: "idle" | "running" | "draining";
  running: string | null;
  queued: number;
  version: string;
}

export interface CompareValue { id: string; mean: number; ci95_low: number | null; ci95_high: number | null; n: number }
export interface CompareDelta { delta_percent: number; significant: boolean; p_value: number; verdict: string; better: boolean }
export interface CompareRow {
  system: string;
  point: string;
  metric: string;
  unit: string;
  lower_is_better: boolean;
  values: (CompareValue | null)[];
  deltas: (CompareDelta | null)[];
}
export interface Compare {
  ids: string[];
  rows: CompareRow[];
  spectra: { id: string; system: string; point: string; e2e_corrected: [number, number][] }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: SpecError[] = [],
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: string, contentType?: string): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (contentType) headers["Content-Type"] = contentType;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body });
  } catch (e) {
    throw new ApiError(0, "network", `cannot reach the server (${String(e)})`);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    if (!res.ok) throw new ApiError(res.status, "internal", text.slice(0, 300) || res.statusText);
    throw new ApiError(res.status, "internal", `${method} ${path}: the answer is not JSON`);
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string }; errors?: SpecError[] }) ?? {};
    throw new ApiError(res.status, err.error?.code ?? "internal", err.error?.message ?? res.statusText, err.errors ?? []);
  }
  return json as T;
}

export interface ListQuery { state?: string; name?: string; system?: string; limit?: number; cursor?: string }

export function listExperiments(q: ListQuery = {}): Promise<{ experiments: Summary[]; next_cursor: string | null }> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== "") params.set(k, String(v));
  const qs = params.toString();
  return call("GET", `/api/v1/experiments${qs ? `?${qs}` : ""}`);
}

export const getExperiment = (id: string) => call<Detail>("GET", `/api/v1/experiments/${encodeURIComponent(id)}`);
export const getResult = (id: string) => call<ResultJson>("GET", `/api/v1/experiments/${encodeURIComponent(id)}/result`);
export const cancelExperiment = (id: string) => call<Summary>("DELETE", `/api/v1/experiments/${encodeURIComponent(id)}`);
export const health = () => call<Health>("GET", "/api/v1/health");
export const examples = () => call<{ examples: { name: string; text: string }[] }>("GET", "/api/v1/examples");
export const compare = (ids: string[]) => call<Compare>("GET", `/api/v1/compare?ids=${ids.map(encodeURIComponent).join(",")}`);

export function submit(spec: string, dryRun: boolean): Promise<{ id?: string; state?: State; position?: number | null; ok?: boolean; systems?: number; runs?: number }> {
  const format = spec.trimStart().startsWith("{") ? "application/json" : "application/yaml";
  return call("POST", `/api/v1/experiments${dryRun ? "?dry_run=true" : ""}`, spec, format);
}

export const eventsUrl = (id: string) => `/api/v1/experiments/${encodeURIComponent(id)}/events`;

// The parts of result.json (schema_version 1) the UI reads.
export interface LatencyStats {
  count: number; min: number; max: number; mean: number;
  p50: number; p90: number; p99: number; p99_9: number; p99_99: number; p99_999: number;
  spectrum: [number, number][];
}
export interface SeriesPoint {
  t_s: number; warmup: boolean; sent: number; acked: number; received: number; received_bytes: number;
  send_errors: number; e2e_p50_ns: number; e2e_p99_ns: number; e2e_max_ns: number; publish_p99_ns: number;
}
// Fan-out (workload.subscriptions > 1): one subscription's own accounting and e2e latency.
export interface SubscriptionAccounting {
  index: number;
  sent: number;
  received: number;
  lost: number;
  duplicated: number;
  out_of_order: number;
  unparseable: number;
  received_msgs_per_s: number;
  e2e_latency_ns: {corrected: LatencyStats; uncorrected: LatencyStats};
}
export interface Accounting {
  sent: number; acked: number; received: number; lost: number; duplicated: number;
  out_of_order: number; send_errors: number; unparseable: number;
  subscriptions?: SubscriptionAccounting[];  // absent with one subscription and in older results
}
export interface Resource {
  name: string; pid: number; cpu_seconds: number; max_rss_bytes: number; bytes_written: number; vanished: boolean;
  series: { t_s: number; cpu_percent: number; rss_bytes: number; write_bytes: number }[];
}
export interface Threshold { scope: string; metric: string; operator: string; value: number; text: string; actual: number; passed: boolean; message: string }
export interface Run {
  system: string; driver: string; provider: string; status: string; error?: string;
  point_index: number; repeat_index: number; matrix_point: Record<string, string>;
  hlog: string | null;
  environment_facts: Record<string, string>;
  driver_facts: Record<string, string>;
  resources: Resource[];
  thresholds: Threshold[];
  metrics: null | {
    measured_ns: number; partial: boolean; rate_mode: string; stop_reason: string;
    accounting: Accounting;
    throughput: { received_msgs_per_s: number; received_mb_per_s: number; sent_msgs_per_s: number };
    e2e_latency_ns: { corrected: LatencyStats; uncorrected: LatencyStats };
    publish_latency_ns: { corrected: LatencyStats; uncorrected: LatencyStats };
    series: SeriesPoint[];
    errors: { message: string; count: number }[];
  };
}
export interface ResultJson {
  schema_version: number;
  bakeoff_version: string;
  partial: boolean;
  started_unix_ns: number;
  finished_unix_ns: number;
  experiment: { name: string; description?: string; repeat: number; systems: { name: string; driver: string }[]; workload: Record<string, unknown> };
  environment: { bakeoff_version: string; host: { hostname: string; cpu_model: string; cpu_count: number; memory_bytes: number; kernel: string } };
  runs: Run[];
}
