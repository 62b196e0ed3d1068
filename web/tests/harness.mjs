// Test harness for the browser test: starts `bakeoff serve` on a free loopback port with a fresh data
// directory (argv only, stopped by its PID), and Debian's Chromium headless through playwright-core
// with a fresh user-data-dir (no browser download).
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.BAKEOFF_CHROMIUM || "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the server; resolves once /api/v1/health answers (30 s at most). */
export async function startServer({ bin, source, dist, extraArgs = [] }) {
  const port = await freePort();
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "bakeoff-web-data-"));
  const args = ["serve", "--listen", `127.0.0.1:${port}`, "--data", data, "--web", dist, "--examples", path.join(source, "examples"), ...extraArgs];
  const log = [];
  const child = spawn(bin, args, { cwd: source, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d) => log.push(String(d)));
  child.stderr.on("data", (d) => log.push(String(d)));
  let exited = null;
  child.on("exit", (code, signal) => (exited = { code, signal }));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`bakeoff serve exited (${JSON.stringify(exited)}) before answering:\n${log.join("")}`);
    try {
      const r = await fetch(`${base}/api/v1/health`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      process.kill(child.pid, "SIGKILL");
      throw new Error(`bakeoff serve did not answer /api/v1/health in 30 s:\n${log.join("")}`);
    }
    await sleep(100);
  }
  return {
    base,
    data,
    pid: child.pid,
    log,
    async stop() {
      if (exited) return exited;
      process.kill(child.pid, "SIGTERM");
      const until = Date.now() + 30_000;
      while (!exited && Date.now() < until) await sleep(100);
      if (!exited) process.kill(child.pid, "SIGKILL");
      while (!exited) await sleep(50);
      fs.rmSync(data, { recursive: true, force: true });
      return exited;
    },
  };
}

export async function startBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "bakeoff-web-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** POST an experiment through the API (the UI path is tested separately). */
export async function postExperiment(base, yaml, dryRun = false) {
  const r = await fetch(`${base}/api/v1/experiments${dryRun ? "?dry_run=true" : ""}`, { method: "POST", headers: { "Content-Type": "application/yaml" }, body: yaml });
  return { status: r.status, body: await r.json() };
}

export async function waitFor(what, fn, timeoutMs, everyMs = 200) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function memoryVsRedis(name, durationS = 6, rate = "5k/s") {
  return `# memory vs a real local redis-server, written in the browser test
name: ${name}
systems:
  - name: memory
    driver: memory
  - name: redis
    driver: redis-streams
    environment: {provider: local}
workload:
  rate: ${rate}
  message_size: 100B
  warmup: 1s
  duration: ${durationS}s
`;
}
