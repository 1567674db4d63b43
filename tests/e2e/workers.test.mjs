// End-to-end tests of the exact-attention Web Worker pool (src/ui/workers/, src/worker/,
// assets/atlas-worker.js): the workers start under the page's CSP, their result equals the one-thread
// kernel's within 1e-5 on the same inputs (their relaxed-SIMD build; the simd128 fallback exactly), the Speed chapter times them next to one thread, the SDPA
// view hands them its heads and draws the same maps, and with workers disabled (the test hook
// `window.__atlasWorkers = 0`) everything falls back to one thread without an error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, waitForRuns, canvasHash } from "./harness.mjs";

const NO_WORKERS = () => { window.__atlasWorkers = 0; };

/** In the page: seeded Q, K, V of heads × n × d, the one-thread and the workers' outputs, max |Δ|. */
async function compare(page, heads, n, d, causal) {
  return page.evaluate(async ([heads, n, d, causal]) => {
    const m = await import(new URL("attention-atlas.js", document.baseURI).href);
    const ready = await m.atlas_workers_ready(20000);
    let s = 12345;
    const rand = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 2 ** 32 - 0.5; };
    const arr = () => Float32Array.from({ length: heads * n * d }, () => 3 * rand());
    const [q, k, v] = [arr(), arr(), arr()];
    const one = m.atlas_exact_attention(q, k, v, heads, d, causal, true);
    const many = await m.atlas_exact_attention_workers(q, k, v, heads, d, causal);
    if (!many) return { ready, diff: null };
    let diff = 0;
    for (let i = 0; i < one.length; i += 1) diff = Math.max(diff, Math.abs(one[i] - many[i]));
    return { ready, diff, len: many.length === one.length };
  }, [heads, n, d, causal]);
}

/** Both splits, full and causal: the workers' O equals the one-thread kernel's within `limit`. */
async function compareAll(page, limit) {
  for (const [heads, n, d] of [[8, 200, 64], [1, 300, 64], [1, 37, 16], [3, 64, 32]]) {
    for (const causal of [false, true]) {
      const r = await compare(page, heads, n, d, causal);
      assert.ok(r.ready >= 1, `workers ready: ${r.ready}`);
      assert.ok(r.diff !== null && r.len, `the workers answered (${heads}×${n}×${d}, causal ${causal})`);
      assert.ok(r.diff <= limit, `max |Δ| ${r.diff} (${heads}×${n}×${d}, causal ${causal})`);
    }
  }
}

// Chromium has relaxed SIMD, so the workers load the fused build: its multiply-adds round once
// where the one-thread (simd128) kernel rounds twice, a few ulp apart — well inside 1e-5 here.
test("the workers start under the CSP, load the relaxed-SIMD build and equal the one-thread kernel within 1e-5", async () => {
  await withApp("?view=speed", async ({ page, requests }) => {
    await compareAll(page, 1e-5);
    assert.equal(await page.evaluate(() => window.__atlas.workers_relaxed), 1, "the workers report the relaxed build");
    assert.ok(requests.some((u) => u.endsWith("/atlas-worker.js")), "worker script loaded");
    assert.ok(requests.some((u) => u.endsWith("/attention-worker-relaxed_bg.wasm")), "relaxed worker wasm loaded");
    assert.ok(!requests.some((u) => u.endsWith("/attention-worker_bg.wasm")), "not the simd128 one too");
    assert.ok(!requests.some((u) => u.startsWith("blob:")), "no blob: workers");
  });
});

// `atlas_exact_attention_workers(…, at_most)`: the peer benchmark's "1 worker" is one worker thread,
// not the pool cut into fewer parts (every part is posted to the same worker).
test("a call for one worker posts all its parts to one worker and equals the whole pool's answer", async () => {
  const spy = () => {
    const W = window.Worker; let count = 0; window.__posts = [];
    window.Worker = function (url) {
      const w = new W(url); const id = count++; const post = w.postMessage.bind(w);
      w.postMessage = (m, t) => { if (m && m.op === "attend") window.__posts.push(id); post(m, t); };
      return w;
    };
  };
  await withApp("?view=speed", async ({ page }) => {
    const r = await page.evaluate(async () => {
      const m = await import(new URL("attention-atlas.js", document.baseURI).href);
      const ready = await m.atlas_workers_ready(20000);
      const len = 8 * 512 * 64;
      const arr = (s) => Float32Array.from({ length: len }, (_, i) => Math.sin(i * 0.37 + s));
      const [q, k, v] = [arr(1), arr(2), arr(3)];
      window.__posts = [];
      const one = await m.atlas_exact_attention_workers(q, k, v, 8, 64, false, 1);
      const onePosts = [...window.__posts];
      window.__posts = [];
      const all = await m.atlas_exact_attention_workers(q, k, v, 8, 64, false);
      let diff = 0;
      for (let i = 0; i < len; i += 1) diff = Math.max(diff, Math.abs(one[i] - all[i]));
      return { ready, onePosts, allPosts: [...window.__posts], diff };
    });
    assert.ok(r.ready >= 2, `two workers ready: ${r.ready}`);
    assert.ok(r.onePosts.length >= 2, `the call was cut into parts: ${r.onePosts}`);
    assert.equal(new Set(r.onePosts).size, 1, `one worker took every part: ${r.onePosts}`);
    assert.ok(new Set(r.allPosts).size >= 2, `the whole pool shared the other call: ${r.allPosts}`);
    assert.equal(r.diff, 0, "the same kernel on the same rows: the same floats");
  }, { initScript: spy });
});

// The fallback build (what a browser without relaxed SIMD loads; forced here by the test hook):
// the same operations in the same order as one thread, so the same floats.
test("with the simd128 build forced, the workers load it and equal the one-thread kernel exactly", async () => {
  await withApp("?view=speed", async ({ page, requests }) => {
    await compareAll(page, 0);
    assert.equal(await page.evaluate(() => window.__atlas.workers_relaxed), 0, "the workers report simd128");
    assert.ok(requests.some((u) => u.endsWith("/attention-worker_bg.wasm")), "simd128 worker wasm loaded");
    assert.ok(!requests.some((u) => u.endsWith("/attention-worker-relaxed_bg.wasm")), "not the relaxed one");
  }, { initScript: () => { window.__atlasWorkerBuild = "simd128"; } });
});

test("threads=workers times exact attention on the workers next to one thread and shows the speed-up", async () => {
  await withApp("?view=speed&max_n=512&threads=workers&run=1", async ({ page }) => {
    await waitForRuns(page, 0, "speed_runs");
    for (const n of [256, 512]) {
      for (const k of ["exact", "exact_workers"]) {
        const ms = await page.$eval(`[data-testid="cell-${k}-${n}"]`, (el) => Number(el.dataset.ms));
        assert.ok(Number.isFinite(ms) && ms > 0, `${k} at N = ${n}: ${ms} ms`);
      }
    }
    const metrics = await page.evaluate(() => window.__atlas);
    assert.ok(metrics.speed_exact_workers_512 > 0 && metrics.workers_parts > 0, "measured on the workers");
    assert.match(await page.$eval('[data-testid="workers-speedup"]', (el) => el.textContent), /N = 512: \d+\.\d\d×/);
    assert.equal(await page.$eval('[data-testid="threads"]', (el) => el.value), "workers");
  });
});

test("without workers the Speed chapter says so and measures the rest; no error shows", async () => {
  await withApp("?view=speed&max_n=256&threads=workers&run=1", async ({ page }) => {
    await waitForRuns(page, 0, "speed_runs");
    const cell = await page.$eval('[data-testid="cell-exact_workers-256"]', (el) => [el.dataset.unavailable, el.textContent]);
    assert.equal(cell[0], "1");
    assert.match(cell[1], /workers unavailable/);
    assert.ok(await page.$eval('[data-testid="cell-exact-256"]', (el) => Number(el.dataset.ms) > 0));
    assert.equal(await page.evaluate(() => window.__atlas.workers_parts ?? 0), 0);
    assert.match(await page.$eval('[data-testid="machine-workers"]', (el) => el.textContent), /Web Workers: none/);
    assert.equal(await page.$$eval(".error-box, [role=alert]:not([hidden])", (els) => els.length), 0);
  }, { initScript: NO_WORKERS });
});

test("the SDPA view hands large layers (weights, projections, heads) to the workers and draws the same maps as one thread", async () => {
  // 8 heads × N² = 8.4 M scores: more than the kept-score budget, so every run recomputes them.
  const query = "?view=sdpa&n=1024&d_model=256&heads=8&causal=1";
  const run = async (page, workers) => {
    let runs = await waitForRuns(page);
    if (workers) await page.waitForFunction(() => window.__atlas.workers_ready >= 1, null, { timeout: 20000 });
    // The first run may have started before the workers were ready: a new seed draws the layer's
    // weights and computes X·W again (on the workers, 3·N·d² = 201 M multiply-adds), then the mask
    // is toggled twice (projections reused, heads recomputed).
    const weights = () => page.evaluate(() => window.__atlas.workers_weights ?? 0);
    const before = await weights();
    await page.$eval("[data-testid=seed-number]", (el) => { el.value = "7"; el.dispatchEvent(new Event("change", { bubbles: true })); });
    runs = await waitForRuns(page, runs);
    const seedWeights = (await weights()) - before;
    for (let i = 0; i < 2; i += 1) {
      await page.click("[data-testid=causal]");
      runs = await waitForRuns(page, runs);
    }
    const hashes = {};
    for (const id of await page.$$eval(".heatmap[data-testid]", (els) => els.map((e) => e.dataset.testid))) {
      hashes[id] = await canvasHash(page, `.heatmap[data-testid="${id}"] canvas`);
    }
    const text = await page.$eval("[data-testid=view-sdpa]", (el) => el.textContent.replace(/\d+(\.\d+)? ms/g, "…"));
    return { hashes, text, seedWeights, parts: await page.evaluate(() => window.__atlas.workers_parts ?? 0) };
  };
  let withWorkers, without;
  await withApp(query, async ({ page }) => { withWorkers = await run(page, true); });
  await withApp(query, async ({ page }) => { without = await run(page, false); }, { initScript: NO_WORKERS });
  assert.ok(withWorkers.parts >= 2, `answers from the workers (one per worker and run): ${withWorkers.parts}`);
  assert.equal(withWorkers.seedWeights, 4, "the seed change's W_Q, W_K, W_V, W_O drawn on the workers");
  assert.equal(without.seedWeights, 0);
  assert.equal(without.parts, 0, "no worker used with the hook");
  assert.ok(Object.keys(without.hashes).length > 0);
  assert.deepEqual(withWorkers.hashes, without.hashes, "the same pixels with and without workers");
  assert.equal(withWorkers.text, without.text, "the same numbers with and without workers");
});
