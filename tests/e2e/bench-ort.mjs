// Benchmark (not a test): the atlas's exact attention against onnxruntime-web (npm, wasm backend, 1 and 2
// threads) in ONE headless Chromium run, on the same seeded inputs: 8 heads × N × 64 f32, N = 256 … 2048,
// full and causal, JS Float32Arrays in → JS array out on both sides. Prints a Markdown table of the
// best times (ms) and ratios, and writes JSON to tests/e2e/out/bench-ort.json.
//   ATLAS_DIST=dist node tests/e2e/bench-ort.mjs [repeats] [max_n]
// The page (tests/bench/ort.html, ort.mjs) imports the built app's module from /atlas/ (dist/) and
// onnxruntime-web's ESM build from /ort/ (node_modules/onnxruntime-web/dist/), which also serves its wasm
// and worker script (ort.env.wasm.wasmPaths is that local path). ONNX graphs: tests/bench/attention_*.onnx
// (scripts/bench/attention_onnx.py). One browser, two pages: ?threads=1 times the atlas's blocked kernel,
// its fast kernel and onnxruntime with numThreads = 1; ?threads=2 times the fast kernel again and
// onnxruntime with numThreads = 2 (its thread count is fixed when its wasm starts). Within a page the
// sides are called in turn, `repeats` rounds after one warm-up call each; the table shows the best.
// "atlas-workers" is the fast kernel split over the atlas's Web Worker pool, "atlas-1worker" the whole
// call on one of those workers (both pages; the table uses page 1's, where onnxruntime runs on one
// thread and no pool of its own competes for the cores). The workers run their relaxed-SIMD wasm
// (fused multiply-adds) where Chromium validates it, the main-thread kernels simd128 only.
// Outputs: the workers within 1e-5 of the one-thread fast kernel; every side within 1e-4 of the atlas's blocked kernel (the reference), or the run fails.
// Pages are cross-origin isolated (COOP + COEP, needed for onnxruntime's threads). No network: Chromium
// resolves no host name, every request of the pages and their workers is logged, and the run fails if
// one goes anywhere but the local server.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DIST, ROOT, launch, serve } from "./harness.mjs";

const OUT = path.join(ROOT, "tests", "e2e", "out", "bench-ort.json");
const ORT_DIR = path.join(ROOT, "node_modules", "onnxruntime-web", "dist");
const REPEATS = Number(process.argv[2] || 7);
const MAX_N = Number(process.argv[3] || 2048);
const LENGTHS = [256, 512, 1024, 2048].filter((n) => n <= MAX_N);
const TOLERANCE = 1e-4;
const WORKERS_TOLERANCE = 1e-5;
const ISOLATED = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cache-control": "no-store",
};

if (!fs.existsSync(path.join(DIST, "attention-atlas_bg.wasm"))) {
  throw new Error(`${DIST}/attention-atlas_bg.wasm not found: build first (trunk build --release)`);
}
const ortVersion = JSON.parse(fs.readFileSync(path.join(ORT_DIR, "..", "package.json"), "utf8")).version;
const server = await serve(path.join(ROOT, "tests", "bench"), {
  entry: "ort.html", headers: ISOLATED, roots: { "/ort/": ORT_DIR, "/atlas/": DIST },
});
const browser = await launch({ args: ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"] });
const errors = [], requests = [];
const local = (u) => u.startsWith(server.url) || u.startsWith("data:") || u.startsWith(`blob:${server.url}`);
browser.context.on("request", (r) => {
  requests.push(r.url());
  if (!local(r.url())) errors.push(`off-origin request: ${r.url()}`);
});
browser.context.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));

/** Opens ort.html?threads=T in the shared browser, runs `body(page)`, closes the page. */
async function withPage(threads, body) {
  const page = await browser.context.newPage();
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console (${threads}t): ${m.text()}`); });
  page.on("pageerror", (e) => errors.push(`pageerror (${threads}t): ${e.message}`));
  try {
    await page.goto(`${server.url}ort.html?threads=${threads}`);
    await page.waitForSelector("[data-ready]", { timeout: 60000 });
    return await body(page);
  } finally {
    await page.close();
  }
}

const best = (xs) => Math.min(...xs);
const loadBefore = os.loadavg();
const pages = {};
const cases = {};
try {
  for (const [threads, sides] of [[1, ["atlas-blocked", "atlas-fast", "atlas-1worker", "atlas-workers", "ort"]], [2, ["atlas-fast", "atlas-1worker", "atlas-workers", "ort"]]]) {
    pages[threads] = await withPage(threads, async (page) => {
      const info = await page.evaluate(() => window.ortBench.info());
      if (!info.cross_origin_isolated) throw new Error("the page is not cross-origin isolated");
      if (!(info.atlas_workers >= 2)) throw new Error(`the atlas started ${info.atlas_workers} workers (2 or more needed)`);
      const results = [];
      for (const n of LENGTHS) {
        for (const causal of [false, true]) {
          const r = await page.evaluate(([n, c, s, k]) => window.ortBench.measure(n, c, s, k), [n, causal, sides, REPEATS]);
          const line = sides.map((s) => `${s} ${best(r.times[s]).toFixed(1)} ms`).join(", ");
          console.error(`[bench-ort] ${threads}t N = ${n} ${causal ? "causal" : "full"}: ${line} (load ${os.loadavg()[0].toFixed(2)})`);
          results.push(r);
        }
      }
      return { info, results };
    });
  }
} finally {
  await browser.close();
  await server.close();
}
if (!requests.some((u) => u.includes("/ort/") && u.endsWith(".wasm"))) throw new Error("onnxruntime's wasm request was not logged");
if (errors.length) throw new Error(errors.join("\n"));

// Cases by (N, mask): the atlas's kernels from the 1-thread page, onnxruntime from each page.
const rows = [];
let worst = 0, worstWorkers = 0;
for (const [i, r1] of pages[1].results.entries()) {
  const r2 = pages[2].results[i];
  const blocked = best(r1.times["atlas-blocked"]), fast = best(r1.times["atlas-fast"]);
  const ort1 = best(r1.times.ort), ort2 = best(r2.times.ort);
  const workers = best(r1.times["atlas-workers"]), workers2 = best(r2.times["atlas-workers"]);
  const oneWorker = best(r1.times["atlas-1worker"]);
  // Page 2's reference is its atlas-fast output; fast is itself within 1e-5 of blocked on page 1.
  const diffs = {
    fast: r1.diff_from_first["atlas-fast"], ort_1t: r1.diff_from_first.ort, ort_2t: r2.diff_from_first.ort,
    workers_vs_ort_1t: r1.diff_from_ort["atlas-workers"], workers_vs_ort_2t: r2.diff_from_ort["atlas-workers"],
    one_worker_vs_ort_1t: r1.diff_from_ort["atlas-1worker"],
  };
  // The workers against the one-thread kernel, same inputs: the same code per row, so within 1e-5.
  const workersVsFast = Math.max(r1.diff_from_fast["atlas-workers"], r2.diff_from_fast["atlas-workers"],
    r1.diff_from_fast["atlas-1worker"]);
  worstWorkers = Math.max(worstWorkers, workersVsFast);
  worst = Math.max(worst, ...Object.values(diffs));
  const row = {
    n: r1.n, mask: r1.causal ? "causal" : "full",
    atlas_blocked_ms: blocked, atlas_fast_ms: fast, atlas_fast_page2_ms: best(r2.times["atlas-fast"]),
    ort_1t_ms: ort1, ort_2t_ms: ort2, atlas_workers_ms: workers, atlas_workers_page2_ms: workers2,
    atlas_1worker_ms: oneWorker, atlas_1worker_page2_ms: best(r2.times["atlas-1worker"]),
    workers_speedup: oneWorker / workers, workers_over_main_thread: fast / workers, ort_1t_over_1worker: ort1 / oneWorker,
    ort_2t_over_workers: ort2 / workers, workers_vs_fast_max_abs_diff: workersVsFast,
    ort_1t_over_atlas: ort1 / fast, ort_2t_over_atlas: ort2 / fast, blocked_over_fast: blocked / fast,
    gflops_atlas: (8 * r1.n * r1.n * 2 * 2 * 64) / (fast * 1e6), max_abs_diff: diffs,
    times: { page_1t: r1.times, page_2t: r2.times },
  };
  cases[`${row.mask}_${row.n}`] = row;
  rows.push(row);
}
const f = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const table = [
  `| N | mask | atlas blocked (before) | atlas main thread (simd128) | atlas 1 worker (${pages[1].info.atlas_workers_relaxed_simd ? "relaxed SIMD" : "simd128"}) `
    + `| atlas workers (${pages[1].info.atlas_workers}) | ORT 1 thread | ORT 2 threads | ORT-1t / atlas main | ORT-1t / atlas 1 worker `
    + `| workers / 1 worker | ORT-2t / atlas workers | max abs diff |`,
  "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.n} | ${r.mask} | ${f(r.atlas_blocked_ms)} | ${f(r.atlas_fast_ms)} | ${f(r.atlas_1worker_ms)} | ${f(r.atlas_workers_ms)} `
    + `| ${f(r.ort_1t_ms)} | ${f(r.ort_2t_ms)} | ${r.ort_1t_over_atlas.toFixed(2)}× | ${r.ort_1t_over_1worker.toFixed(2)}× `
    + `| ${r.workers_speedup.toFixed(2)}× | ${r.ort_2t_over_workers.toFixed(2)}× | ${Math.max(...Object.values(r.max_abs_diff)).toExponential(1)} |`),
].join("\n");
const report = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, loadavg_before: loadBefore, loadavg_after: os.loadavg() },
  browser: pages[1].info.user_agent.match(/Chrome\/[\d.]+/)?.[0] ?? pages[1].info.user_agent,
  onnxruntime_web: ortVersion, pages: { t1: pages[1].info, t2: pages[2].info },
  shape: { heads: 8, d: 64, lengths: LENGTHS }, repeats: REPEATS, tolerance: TOLERANCE, worst_abs_diff: worst,
  workers_tolerance: WORKERS_TOLERANCE, workers_worst_abs_diff_vs_one_thread: worstWorkers,
  cases, requests: [...new Set(requests.map((u) => new URL(u).pathname))], table,
};
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, JSON.stringify(report, null, 2) + "\n");
console.log(JSON.stringify({ ...report, cases: rows.map(({ times: _t, ...rest }) => rest) }, null, 2));
console.log(`\nonnxruntime-web ${ortVersion} (wasm) vs the atlas, 8 heads × N × 64, best of ${REPEATS} (ms), ${report.browser}, `
  + `load ${loadBefore[0].toFixed(2)} → ${report.machine.loadavg_after[0].toFixed(2)}; ratio > 1: the atlas is faster\n`);
console.log(table);
console.log(`\nworkers / 1 worker: the atlas's fast kernel on one of its Web Workers divided by the same kernel split over all of them `
  + `(page 1, interleaved, the same wasm build); ORT-2t / atlas workers > 1: the workers are faster than onnxruntime on 2 threads. `
  + `Workers vs one thread: max |Δ| ${worstWorkers.toExponential(1)} (limit ${WORKERS_TOLERANCE}).`);
if (worstWorkers > WORKERS_TOLERANCE) {
  console.error(`[bench-ort] the workers' output differs from one thread's by ${worstWorkers} > ${WORKERS_TOLERANCE}`);
  process.exit(1);
}
if (worst > TOLERANCE) {
  console.error(`[bench-ort] outputs differ by ${worst} > ${TOLERANCE}`);
  process.exit(1);
}
