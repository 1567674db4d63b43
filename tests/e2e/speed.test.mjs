// End-to-end tests of the "Speed" view (src/ui/views/speed/). No assertion on timing values or slopes:
// speed numbers belong in benchmarks (tests/e2e/bench-browser.mjs), these tests check the mechanics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, withApp, waitForRuns, canvasHash, shot } from "./harness.mjs";

const KERNELS = ["exact", "flash", "window", "bigbird", "linear", "linformer", "performer"];
const text = (page, id) => page.$eval(`[data-testid="${id}"]`, (el) => el.textContent);

/** Every measured cell as { id, ms, gflops } (read from the data attributes of the table). */
const cells = (page) =>
  page.$$eval('[data-testid^="cell-"]', (els) =>
    els.map((el) => ({ id: el.dataset.testid, ms: Number(el.dataset.ms), gflops: Number(el.dataset.gflops), skipped: el.dataset.skipped === "1" })));

test("run=1 measures every kernel at N = 256 … 1024, prints slopes, draws the chart, stays responsive", async () => {
  const { page, errors, close } = await openApp("?view=speed&max_n=1024&run=1");
  try {
    // Responsiveness: while the benchmark runs, an evaluate round-trip answers and the status moves.
    await page.waitForSelector('[data-testid="status"][data-state="running"]', { timeout: 30000 });
    const t0 = Date.now();
    const state = await page.evaluate(() => document.querySelector('[data-testid="status"]').dataset.state);
    assert.ok(Date.now() - t0 < 5000, "the page answered during the run");
    assert.ok(["running", "finished"].includes(state));
    await waitForRuns(page, 0, "speed_runs");
    assert.match(await text(page, "status"), /Done: 21 measurements/);
    const all = await cells(page);
    assert.equal(all.length, KERNELS.length * 3, "7 kernels × N = 256, 512, 1024");
    for (const c of all) {
      assert.ok(!c.skipped, `${c.id} not skipped at N ≤ 1024`);
      assert.ok(Number.isFinite(c.ms) && c.ms > 0, `${c.id} time ${c.ms}`);
      assert.ok(Number.isFinite(c.gflops) && c.gflops > 0, `${c.id} GFLOP/s ${c.gflops}`);
    }
    // The same numbers are on window.__atlas for scripts.
    const metrics = await page.evaluate(() => window.__atlas);
    for (const k of KERNELS) assert.ok(metrics[`speed_${k}_1024`] > 0, `metric speed_${k}_1024`);
    for (const k of KERNELS) {
      const slope = await page.$eval(`[data-testid="slope-${k}"]`, (el) => el.dataset.slope);
      assert.ok(Number.isFinite(Number(slope)) && slope !== "", `slope of ${k} printed (${slope})`);
      assert.match(await text(page, `slope-${k}`), /^-?\d+\.\d\d/);
    }
    assert.match(await text(page, "slope-text"), /quadratic/);
    assert.match(await canvasHash(page, '[data-testid="time-chart"] canvas'), /^760x440:/);
    assert.match(await text(page, "machine-cores"), /\d/);
    assert.match(await text(page, "machine-simd"), /SIMD/);
    await shot(page, "speed-default", { fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("nothing runs until Run is pressed; the button writes run=1; a parameter change cancels", async () => {
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
    await page.waitForSelector('[data-testid="status"][data-state="finished"]', { timeout: 60000 });
    assert.equal(await page.evaluate(() => window.__atlas.speed_runs), 1, "the cancelled run never finished");
    assert.match(await text(page, "status"), /Done: 21 measurements/);
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
    assert.deepEqual(rows.map((r) => r.id), ["exact", "flash", "window", "bigbird", "linear", "linformer", "performer"].map((k) => `quality-${k}`));
    const cell = (k, i) => rows.find((r) => r.id === `quality-${k}`).cells[i];
    assert.equal(cell("exact", 2), "1.00×");
    assert.equal(cell("exact", 3), "0.00%");
    assert.ok(parseFloat(cell("flash", 3)) < 0.01, `flash is exact: ${cell("flash", 3)}`);
    for (const k of ["window", "linear", "linformer", "performer"]) {
      const err = parseFloat(cell(k, 3));
      assert.ok(err > 0.1 && Number.isFinite(err), `${k}: error ${err}%`);
    }
    assert.match(cell("exact", 5), /[KMG]i?B/, "peak memory measured");
    assert.ok(Number(await page.$eval("[data-testid=quality-chart] canvas", (c) => c.width)) > 0);
    await page.waitForTimeout(500);
    await shot(page, "speed-quality");
  });
});
