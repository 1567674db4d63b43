// End-to-end tests of the "Speed" view (src/ui/views/speed/). No assertion on timing values or slopes:
// speed numbers belong in benchmarks (tests/e2e/bench-browser.mjs), these tests check the mechanics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, withApp, waitForRuns, canvasHash, shot } from "./harness.mjs";

const KERNELS = ["exact", "flash", "window", "strided", "bigbird", "lsh", "sinkhorn", "linear", "linformer", "performer", "synthesizer", "mixer"];
const text = (page, id) => page.$eval(`[data-testid="${id}"]`, (el) => el.textContent);

/** Every measured cell as { id, ms, gflops, peak } (read from the data attributes of the table). */
const cells = (page) =>
  page.$$eval('[data-testid^="cell-"]', (els) =>
    els.map((el) => ({ id: el.dataset.testid, ms: Number(el.dataset.ms), gflops: Number(el.dataset.gflops), peak: Number(el.dataset.peak), skipped: el.dataset.skipped === "1" })));

test("run=1 measures all 12 kernels at N = 256 … 1024 (time and peak memory), prints slopes, draws both charts, stays responsive", { timeout: 240000 }, async () => {
  const { page, errors, close } = await openApp("?view=speed&max_n=1024&run=1");
  try {
    // Responsiveness: while the benchmark runs, an evaluate round-trip answers and the status moves.
    await page.waitForSelector('[data-testid="status"][data-state="running"]', { timeout: 30000 });
    const t0 = Date.now();
    const state = await page.evaluate(() => document.querySelector('[data-testid="status"]').dataset.state);
    assert.ok(Date.now() - t0 < 5000, "the page answered during the run");
    assert.ok(["running", "finished"].includes(state));
    await waitForRuns(page, 0, "speed_runs");
    assert.match(await text(page, "status"), /Done: 36 measurements/);
    const all = await cells(page);
    assert.equal(all.length, KERNELS.length * 3, "12 kernels × N = 256, 512, 1024");
    for (const c of all) {
      assert.ok(!c.skipped, `${c.id} not skipped at N ≤ 1024`);
      assert.ok(Number.isFinite(c.ms) && c.ms > 0, `${c.id} time ${c.ms}`);
      assert.ok(Number.isFinite(c.gflops) && c.gflops > 0, `${c.id} GFLOP/s ${c.gflops}`);
      // At least the N × d output (256 · 64 · 4 bytes = 64 KiB at the smallest N) is allocated.
      assert.ok(Number.isFinite(c.peak) && c.peak >= 65536, `${c.id} peak ${c.peak} bytes`);
    }
    // The measured numbers at the largest N, for the record (time in ms, peak in bytes, estimate).
    const at1024 = Object.fromEntries(all.filter((c) => c.id.endsWith("-1024")).map((c) => [c.id.slice(5, -5), { ms: c.ms, peak: c.peak }]));
    for (const k of KERNELS) {
      const est = await page.$eval(`[data-testid="peak-${k}"]`, (el) => el.textContent);
      console.log(`# ${k} N=1024: ${at1024[k].ms.toFixed(3)} ms, peak ${at1024[k].peak} B (${est})`);
      assert.equal(Number(await page.$eval(`[data-testid="peak-${k}"]`, (el) => el.dataset.peak)), at1024[k].peak, `${k}: the peak column is N = 1024's`);
    }
    // Memory grows as the kernels say: the Synthesizer's N × N logits ≈ ×16 from 256 to 1024, exact's
    // blocked buffers ≈ ×4 (linear), well below the Synthesizer's at 1024.
    const peak = (k, n) => all.find((c) => c.id === `cell-${k}-${n}`).peak;
    assert.ok(peak("synthesizer", 1024) / peak("synthesizer", 256) > 10, "synthesizer memory ∝ N²");
    assert.ok(peak("exact", 1024) / peak("exact", 256) < 6, "exact memory ∝ N (blocked)");
    assert.ok(peak("synthesizer", 1024) > 4 * peak("exact", 1024));
    // The same numbers are on window.__atlas for scripts.
    const metrics = await page.evaluate(() => window.__atlas);
    for (const k of KERNELS) assert.ok(metrics[`speed_${k}_1024`] > 0, `metric speed_${k}_1024`);
    for (const k of KERNELS) {
      const slope = await page.$eval(`[data-testid="slope-${k}"]`, (el) => el.dataset.slope);
      assert.ok(Number.isFinite(Number(slope)) && slope !== "", `slope of ${k} printed (${slope})`);
      assert.match(await text(page, `slope-${k}`), /^-?\d+\.\d\d/);
    }
    assert.match(await text(page, "slope-text"), /quadratic/);
    assert.match(await canvasHash(page, '[data-testid="time-chart"] canvas'), /^860x460:/);
    assert.match(await canvasHash(page, '[data-testid="speed-memory-chart"] canvas'), /^860x460:/);
    assert.notEqual(await canvasHash(page, '[data-testid="speed-memory-chart"] canvas'), await canvasHash(page, '[data-testid="time-chart"] canvas'));
    assert.match(await text(page, "machine-cores"), /\d/);
    assert.match(await text(page, "machine-simd"), /SIMD/);
    // Chromium validates relaxed SIMD: the workers say they run the fused build.
    await page.waitForFunction(() => /relaxed-SIMD/.test(document.querySelector('[data-testid="machine-workers"]')?.textContent || ""), null, { timeout: 20000 });
    await shot(page, "speed-default", { fullPage: true });
    await page.$eval('[data-testid="fig-speed-chart"]', (el) => el.scrollIntoView());
    await shot(page, "speed-all-kernels", { fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("nothing runs until Run is pressed; the button writes run=1; a parameter change cancels", { timeout: 240000 }, async () => {
  const { page, errors, close } = await openApp("?view=speed&max_n=1024&d=32");
  try {
    await page.waitForSelector('[data-testid="status"][data-state="idle"]');
    assert.equal(await page.evaluate(() => window.__atlas?.speed_runs), undefined, "no run on load");
    assert.match(await text(page, "chart-empty"), /first two lengths/);
    await page.click('[data-testid="run"]');
    // The router writes the query on the next animation frame.
    await page.waitForFunction(() => location.search.includes("run=1"));
    // Changing a parameter mid-run (the run takes a second or more) cancels and restarts with the new plan.
    await page.check('[data-testid="causal"]');
    await page.waitForFunction(() => location.search.includes("causal=1"));
    await page.waitForSelector('[data-testid="status"][data-state="finished"]', { timeout: 120000 });
    assert.equal(await page.evaluate(() => window.__atlas.speed_runs), 1, "the cancelled run never finished");
    assert.match(await text(page, "status"), /Done: 36 measurements/);
    assert.match(await text(page, "speed-table"), /no causal form/);
    assert.match(await text(page, "causal-note"), /allowed pairs/);
    await shot(page, "speed-causal", { fullPage: true });
    // Stop while running: state "stopped", no further finished runs.
    await page.click('[data-testid="run"]');
    await page.waitForSelector('[data-testid="status"][data-state="running"]');
    await page.click('[data-testid="run"]');
    await page.waitForSelector('[data-testid="status"][data-state="stopped"]');
    await page.waitForFunction(() => location.search.includes("run=0"));
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("garbage parameters are snapped with notices", async () => {
  const { page, errors, close } = await openApp("?view=speed&max_n=3000&d=abc");
  try {
    const notices = await text(page, "notices");
    assert.match(notices, /max_n/);
    assert.match(notices, /4096/);
    assert.equal(await page.$eval('[data-testid="max_n"]', (el) => el.value), "4096");
    assert.equal(await page.$eval('[data-testid="d"]', (el) => el.value), "64");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("embed mode shows the view alone and still runs", async () => {
  const { page, errors, close } = await openApp("?view=speed&max_n=512&run=1&embed=1");
  try {
    await waitForRuns(page, 0, "speed_runs");
    assert.ok(await page.$('[data-testid="view-speed"]'));
    assert.equal(await page.$(".app-header"), null, "no header in embed mode");
    assert.ok(await page.$('[data-testid="time-chart"] canvas'));
    await shot(page, "speed-embed", { fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("speed against quality: every kernel at N = 4096 against exact attention, with the LRA layer", { timeout: 240000 }, async () => {
  await withApp("?view=speed&quality=1&tour=speed&step=6", async ({ page }) => {
    await page.waitForSelector("[data-testid=quality]");
    await page.waitForFunction(() => window.__atlas && window.__atlas.speed_quality_runs >= 1, null, { timeout: 200000 });
    const rows = await page.$$eval("[data-testid=quality-table] tbody tr", (trs) =>
      trs.map((tr) => ({ id: tr.dataset.testid, cells: [...tr.querySelectorAll("td")].map((td) => td.textContent) })));
    assert.deepEqual(rows.map((r) => r.id), KERNELS.map((k) => `quality-${k}`));
    const cell = (k, i) => rows.find((r) => r.id === `quality-${k}`).cells[i];
    assert.equal(cell("exact", 2), "1.00×");
    assert.equal(cell("exact", 3), "0.00%");
    assert.ok(parseFloat(cell("flash", 3)) < 0.01, `flash is exact: ${cell("flash", 3)}`);
    for (const k of ["window", "strided", "lsh", "sinkhorn", "linear", "linformer", "performer", "synthesizer", "mixer"]) {
      const err = parseFloat(cell(k, 3));
      assert.ok(err > 0.1 && Number.isFinite(err), `${k}: error ${err}%`);
    }
    assert.match(cell("exact", 5), /[KMG]i?B/, "peak memory measured");
    assert.ok(Number(await page.$eval("[data-testid=quality-chart] canvas", (c) => c.width)) > 0);
    await page.waitForTimeout(500);
    await shot(page, "speed-quality");
  });
});
