// Profiler (not a test): a CPU profile of the SDPA view's main thread while one kind of change repeats,
// summarised as the functions with the most self time (and, with INCLUSIVE=k, the k with the most
// time including their callees), the median times the runner records, and Chromium's own layout and
// style time. Wasm functions carry names only in a build that keeps them: a copy of index.html whose
// main rust link adds data-wasm-opt-params="-g", built with `trunk build <copy> --release --dist …`.
// Usage:
//   ATLAS_DIST=dist [INCLUSIVE=40] [EXTRA='&causal=1'] [PROFILE_OUT=x.cpuprofile] node tests/e2e/profile-sdpa.mjs [n] [temp|causal|heads|seed] [repeats]
import fs from "node:fs";
import { openApp, setRange, waitForRuns } from "./harness.mjs";

const N = Number(process.argv[2] || 256);
const CHANGE = process.argv[3] || "seed";
const REPEATS = Number(process.argv[4] || 20);

const app = await openApp(`?view=sdpa&n=${N}&d_model=512&heads=8&scale=${CHANGE === "temp" ? 2 : "sqrt"}${process.env.EXTRA || ""}`);
try {
  let runs = await waitForRuns(app.page);
  const changes = {
    temp: (i) => setRange(app.page, "temp", i % 2 ? 700 : 300),
    causal: () => app.page.click("[data-testid=causal]"),
    heads: (i) => setRange(app.page, "heads", i % 2 ? 467 : 200),
    seed: (i) => app.page.$eval("[data-testid=seed-number]", (el, v) => { el.value = String(v); el.dispatchEvent(new Event("change", { bubbles: true })); }, 100 + i),
  };
  for (let i = 0; i < 3; i += 1) { await changes[CHANGE](i); runs = await waitForRuns(app.page, runs); }
  const cdp = await app.page.context().newCDPSession(app.page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Performance.enable");
  const metrics = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  const m0 = await metrics();
  await cdp.send("Profiler.start");
  const frames = [], work = [], compute = [];
  for (let i = 0; i < REPEATS; i += 1) {
    await changes[CHANGE](i + 3);
    runs = await waitForRuns(app.page, runs);
    frames.push(await app.page.evaluate(() => window.__atlas.sdpa_total_ms));
    work.push(await app.page.evaluate(() => window.__atlas.sdpa_work_ms));
    compute.push(await app.page.evaluate(() => window.__atlas.sdpa_compute_ms));
  }
  const { profile } = await cdp.send("Profiler.stop");
  if (process.env.PROFILE_OUT) fs.writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile)); // opens in DevTools
  const m1 = await metrics();
  const per = (k) => (((m1[k] - m0[k]) * 1000) / REPEATS).toFixed(2);
  console.log(`per change: task ${per("TaskDuration")} ms, script ${per("ScriptDuration")}, layout ${per("LayoutDuration")} (${((m1.LayoutCount - m0.LayoutCount) / REPEATS).toFixed(1)}×), style ${per("RecalcStyleDuration")} (${((m1.RecalcStyleCount - m0.RecalcStyleCount) / REPEATS).toFixed(1)}×), nodes ${m1.Nodes}`);
  const self = new Map();
  const dt = new Map();
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) || 0) + (profile.timeDeltas[i] || 0)));
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const name = `${f.functionName || "(anon)"} ${f.url.split("/").pop()}`;
    self.set(name, (self.get(name) || 0) + (dt.get(node.id) || 0) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = (self.get("(idle) ") || 0) + (self.get("(program) ") || 0);
  console.log(`N=${N} change=${CHANGE}: median to next frame ${frames.sort((a, b) => a - b)[frames.length >> 1].toFixed(1)} ms, work ${work.sort((a, b) => a - b)[work.length >> 1].toFixed(1)} ms, compute ${compute.sort((a, b) => a - b)[compute.length >> 1].toFixed(1)} ms; profile ${total.toFixed(0)} ms, idle+program ${idle.toFixed(0)} ms; per change:`);
  for (const [name, ms] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.log(`${(ms / REPEATS).toFixed(2).padStart(8)} ms  ${name}`);
  }
  if (process.env.INCLUSIVE) {
    // Inclusive time: a node's own samples plus its subtree's, summed per function name (counted once per stack).
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
    const incl = new Map();
    for (const [id, t] of dt) {
      const seen = new Set();
      for (let at = id; at !== undefined; at = parent.get(at)) {
        const f = byId.get(at).callFrame;
        const name = `${f.functionName || "(anon)"} ${f.url.split("/").pop()}`;
        if (!seen.has(name)) { seen.add(name); incl.set(name, (incl.get(name) || 0) + t / 1000); }
      }
    }
    console.log("inclusive:");
    for (const [name, ms] of [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.INCLUSIVE))) {
      console.log(`${(ms / REPEATS).toFixed(2).padStart(8)} ms  ${name}`);
    }
  }
} finally {
  await app.close();
}
