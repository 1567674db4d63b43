// The page side of tests/e2e/bench-ort.mjs: exact attention of 8 heads × N × 64 (f32) by the atlas's
// wasm (the built app's module, `atlas_exact_attention`, src/ui/bench_api.rs) and by onnxruntime-web's
// wasm backend (npm package, ESM build, files from this origin only) on the graphs of
// scripts/bench/attention_onnx.py. The node script calls `window.ortBench` through page.evaluate.
//
// "atlas-workers" is the same fast kernel split over the atlas's Web Worker pool (one wasm instance per
// worker, navigator.hardwareConcurrency of them, at most 4), awaited like session.run; "atlas-1worker"
// is the whole call on one of those workers. The workers load the relaxed-SIMD build of their wasm
// (fused multiply-adds) where the browser has relaxed SIMD; the main-thread kernels are simd128 only.
// `?threads=T` is onnxruntime's thread count: ort.env.wasm.numThreads is read once, when its wasm
// starts, so each thread count needs its own page. Both sides get the very same Float32Arrays (seeded
// here), are called the same way (JS arrays in → JS array out, copies included) and are timed by
// performance.now() around one call: atlas_exact_attention(...) or await session.run(feeds).
import * as ort from "/ort/ort.wasm.min.mjs";
import initAtlas, * as atlas from "/atlas/attention-atlas.js";

const HEADS = 8;
const D = 64;
const threads = Number(new URLSearchParams(location.search).get("threads") || 1);

// onnxruntime-web: its own wasm and worker script from /ort/ (never a CDN), the plain wasm backend.
ort.env.wasm.wasmPaths = new URL("/ort/", location.href).href;
ort.env.wasm.numThreads = threads;
ort.env.wasm.proxy = false;
ort.env.logLevel = "warning";

/** mulberry32: a 32-bit seeded generator of uniforms in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `len` N(0, 1) floats (Box–Muller over mulberry32(seed)). */
function normals(len, seed) {
  const u = mulberry32(seed);
  const out = new Float32Array(len);
  for (let i = 0; i < len; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u())), t = 2 * Math.PI * u();
    out[i] = r * Math.cos(t);
    if (i + 1 < len) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

const inputs = new Map();
/** Q, K, V (8 × N × 64, seeds 1, 2, 3 + N) and the causal mask (N × N: 0 where j ≤ i, −∞ elsewhere). */
function inputsFor(n) {
  if (!inputs.has(n)) {
    const len = HEADS * n * D;
    const mask = new Float32Array(n * n);
    for (let i = 0; i < n; i += 1) mask.fill(-Infinity, i * n + i + 1, (i + 1) * n);
    inputs.clear(); // one length at a time keeps the page's memory flat
    inputs.set(n, { q: normals(len, 1 + n), k: normals(len, 2 + n), v: normals(len, 3 + n), mask });
  }
  return inputs.get(n);
}

const sessions = {};
async function session(causal) {
  const name = causal ? "causal" : "full";
  sessions[name] ??= await ort.InferenceSession.create(`/attention_${name}.onnx`, {
    executionProviders: ["wasm"], graphOptimizationLevel: "all",
  });
  return sessions[name];
}

/** One timed call of a side: { ms, out }. Sides: "atlas-blocked", "atlas-fast", "atlas-1worker",
 * "atlas-workers", "ort". */
async function runOnce(side, n, causal) {
  const { q, k, v, mask } = inputsFor(n);
  if (side === "ort") {
    const s = await session(causal);
    const dims = [HEADS, n, D];
    const t0 = performance.now();
    const feeds = {
      q: new ort.Tensor("float32", q, dims), k: new ort.Tensor("float32", k, dims), v: new ort.Tensor("float32", v, dims),
    };
    if (causal) feeds.mask = new ort.Tensor("float32", mask, [n, n]);
    const r = await s.run(feeds);
    const out = r.o.data;
    const ms = performance.now() - t0;
    r.o.dispose?.();
    return { ms, out };
  }
  if (side === "atlas-workers" || side === "atlas-1worker") {
    // The atlas's Web Worker pool (src/ui/workers/): heads split over the workers (all of them, or
    // one: the whole call on one worker thread), arrays transferred. The workers run the relaxed-SIMD
    // build (fused multiply-adds) where the browser validates it.
    const t0 = performance.now();
    const out = await atlas.atlas_exact_attention_workers(q, k, v, HEADS, D, causal, side === "atlas-1worker" ? 1 : undefined);
    const ms = performance.now() - t0;
    if (!out) throw new Error("the atlas's workers did not answer");
    return { ms, out };
  }
  const fast = side === "atlas-fast";
  const t0 = performance.now();
  const out = atlas.atlas_exact_attention(q, k, v, HEADS, D, causal, fast);
  return { ms: performance.now() - t0, out };
}

/** Largest |a − b| over two outputs. */
function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i += 1) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * One case (N, mask): a warm-up call of every side, then `repeats` rounds calling each side once in
 * turn (interleaved, so a slow spell of the machine hits all of them). Returns every time and the
 * largest difference of each side's output from the first side's.
 */
async function measure(n, causal, sides, repeats) {
  const outs = {};
  for (const side of sides) outs[side] = (await runOnce(side, n, causal)).out;
  const times = Object.fromEntries(sides.map((s) => [s, []]));
  for (let r = 0; r < repeats; r += 1) {
    for (const side of sides) {
      times[side].push((await runOnce(side, n, causal)).ms);
      await new Promise((res) => setTimeout(res, 0));
    }
  }
  const diff = Object.fromEntries(sides.map((s) => [s, maxAbsDiff(outs[s], outs[sides[0]])]));
  const diffOrt = outs.ort ? Object.fromEntries(sides.map((s) => [s, maxAbsDiff(outs[s], outs.ort)])) : {};
  const diffFast = outs["atlas-fast"] ? Object.fromEntries(sides.map((s) => [s, maxAbsDiff(outs[s], outs["atlas-fast"])])) : {};
  return { n, causal, times, diff_from_first: diff, diff_from_ort: diffOrt, diff_from_fast: diffFast };
}

/** What the page runs on: thread counts, isolation, SIMD. */
function info() {
  return {
    threads, ort_version: ort.env.versions?.web ?? ort.version ?? null, ort_num_threads: ort.env.wasm.numThreads,
    cross_origin_isolated: self.crossOriginIsolated, hardware_concurrency: navigator.hardwareConcurrency, atlas_workers: atlasWorkers,
    atlas_workers_relaxed_simd: window.__atlas?.workers_relaxed === 1,
    user_agent: navigator.userAgent,
  };
}

// The atlas's worker script lives next to its module, not next to this page.
window.__atlasWorkerUrl = new URL("/atlas/atlas-worker.js", location.href).href;
await initAtlas({ module_or_path: "/atlas/attention-atlas_bg.wasm" });
const atlasWorkers = await atlas.atlas_workers_ready(20000);
await session(false);
await session(true);
window.ortBench = { measure, info };
const status = document.querySelector("[data-testid=status]");
status.textContent = `ready: onnxruntime-web ${info().ort_version}, ${threads} thread(s), atlas wasm`;
status.dataset.ready = "1";
