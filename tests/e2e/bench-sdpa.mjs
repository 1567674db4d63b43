// In-browser benchmark of the scaled dot-product view (not a test): how long the main thread works
// from the start of a recompute to the last heatmap painted (`sdpa_work_ms`), per kind of change, in
// headless Chromium. Usage (after a release build):
//   ATLAS_DIST=dist node tests/e2e/bench-sdpa.mjs [repeats]
// For a run that finishes in its first slice this is the time that must fit in one frame (16.7 ms at
// 60 Hz) for the change to appear in the next frame. `to_next_frame_ms` also waits for that frame.
import { openApp, setRange, waitForRuns } from "./harness.mjs";

const REPEATS = Number(process.argv[2] || 15);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const round = (x) => Math.round(x * 10) / 10;

async function measure(n, repeats) {
  const app = await openApp(`?view=sdpa&n=${n}&d_model=512&heads=8&scale=2`);
  const rows = {};
  try {
    let runs = await waitForRuns(app.page);
    const sample = async (name, change) => {
      const work = [], compute = [], frame = [];
      for (let i = 0; i < repeats + 2; i += 1) {
        await change(i);
        runs = await waitForRuns(app.page, runs);
        const m = await app.page.evaluate(() => window.__atlas);
        if (i < 2) continue; // warm-up: the first runs compile and allocate
        work.push(m.sdpa_work_ms); compute.push(m.sdpa_compute_ms); frame.push(m.sdpa_total_ms);
      }
      rows[name] = {
        compute_ms: round(median(compute)),
        work_ms_median: round(median(work)),
        work_ms_max: round(Math.max(...work)),
        to_next_frame_ms: round(median(frame)),
      };
    };
    // Scale: the temperature slider, dragged. Projections and raw scores are reused.
    await sample("temperature slider (softmax, ·V, output, repaint)", (i) => setRange(app.page, "temp", i % 2 ? 700 : 300));
    // Mask toggle: same reuse.
    await sample("toggle causal (softmax, ·V, output, repaint)", () => app.page.click("[data-testid=causal]"));
    // Head count: projections reused, every head's scores recomputed.
    await sample("head count 8 ↔ 4 (scores, softmax, ·V, repaint)", (i) => setRange(app.page, "heads", i % 2 ? 467 : 200));
    // Seed: embeddings, W_Q/W_K/W_V/W_O, projections, attention and repaint.
    await sample("change seed (whole layer + repaint)", (i) =>
      app.page.$eval("[data-testid=seed-number]", (el, v) => { el.value = String(v); el.dispatchEvent(new Event("change", { bubbles: true })); }, 100 + i));
    if (app.errors.length) console.error(app.errors);
  } finally {
    await app.close();
  }
  return rows;
}

/**
 * N = 4096: the main thread's long tasks (PerformanceObserver "longtask", every task over 50 ms)
 * while the seed changes and the layer recomputes, and whether a newer change cancels an older one
 * (two changes 30 ms apart: one run finishes, not two, and the seed shown is the second's).
 */
async function longTasks(n, repeats) {
  const app = await openApp(`?view=sdpa&n=${n}&d_model=512&heads=8`);
  try {
    let runs = await waitForRuns(app.page);
    await app.page.evaluate(() => {
      window.__long = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); })
        .observe({ type: "longtask", buffered: false });
    });
    const setSeed = (v) => app.page.$eval("[data-testid=seed-number]", (el, v) => { el.value = String(v); el.dispatchEvent(new Event("change", { bubbles: true })); }, v);
    const total = [];
    for (let i = 0; i < repeats; i += 1) {
      await setSeed(200 + i);
      runs = await waitForRuns(app.page, runs);
      total.push(await app.page.evaluate(() => window.__atlas.sdpa_total_ms));
    }
    const long = await app.page.evaluate(() => window.__long);
    // Cancellation: a second change 30 ms after the first.
    const finished = () => app.page.evaluate(() => window.__atlas.sdpa_finished);
    const before = await finished();
    await setSeed(999);
    await app.page.waitForTimeout(30);
    await setSeed(1000);
    runs = await waitForRuns(app.page, runs);
    await app.page.waitForTimeout(500);
    const after = await finished();
    const seed = await app.page.$eval("[data-testid=seed-number]", (el) => el.value);
    if (app.errors.length) console.error(app.errors);
    return {
      recompute_to_frame_ms_median: round(median(total)),
      long_tasks: long.length,
      longest_task_ms: round(Math.max(0, ...long)),
      newer_change_cancels_older: after - before === 1 && seed === "1000",
    };
  } finally {
    await app.close();
  }
}

const results = {};
for (const n of [256, 1024]) {
  results[`N=${n}, d_model=512, 8 heads`] = await measure(n, n > 512 ? Math.min(REPEATS, 5) : REPEATS);
}
results["N=4096, d_model=512, 8 heads: seed changes"] = await longTasks(4096, 3);
console.log(JSON.stringify(results, null, 2));
