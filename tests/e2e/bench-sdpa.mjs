// In-browser benchmark of the scaled dot-product view (not a test): recompute + repaint times in
// headless Chromium, read from window.__atlas after each run. Usage:
//   ATLAS_DIST=dist node tests/e2e/bench-sdpa.mjs
import { openApp, waitForRuns } from "./harness.mjs";

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function measure(n, repeats = 7) {
  const app = await openApp(`?view=sdpa&n=${n}&d_model=512&heads=8`);
  const rows = {};
  try {
    let runs = await waitForRuns(app.page);
    const sample = async (name, change) => {
      const total = [], compute = [];
      for (let i = 0; i < repeats; i += 1) {
        await change(i);
        runs = await waitForRuns(app.page, runs);
        const m = await app.page.evaluate(() => window.__atlas);
        total.push(m.sdpa_total_ms); compute.push(m.sdpa_compute_ms);
      }
      rows[name] = { compute_ms: median(compute), compute_plus_repaint_ms: median(total) };
    };
    // Mask toggle: projections are cached, every head's attention is recomputed and every map repainted.
    await sample("toggle causal (attention + repaint)", () => app.page.click("[data-testid=causal]"));
    // Seed change: embeddings, W_Q/W_K/W_V/W_O, projections, attention and repaint.
    await sample("change seed (whole layer + repaint)", (i) =>
      app.page.$eval("[data-testid=seed-number]", (el, v) => { el.value = String(v); el.dispatchEvent(new Event("change", { bubbles: true })); }, 100 + i));
    if (app.errors.length) console.error(app.errors);
  } finally {
    await app.close();
  }
  return rows;
}

const results = {};
for (const n of [256, 1024]) results[`N=${n}, d_model=512, 8 heads`] = await measure(n, n > 512 ? 5 : 9);
console.log(JSON.stringify(results, null, 2));
