// End-to-end tests of the "Approximations" view (src/ui/views/approx/).
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, waitForRuns, canvasHash, shot } from "./harness.mjs";

const METRIC = "approx_runs";
const SWEEP = "approx_sweep_runs";
const text = (page, id) => page.$eval(`[data-testid="${id}"]`, (el) => el.textContent);
const hash = (page, id) => canvasHash(page, `[data-testid="${id}"] canvas`);

test("default view: three maps, finite errors, sweep and cost charts", async () => {
  const { page, errors, close } = await openApp("?view=approx");
  try {
    await waitForRuns(page, 0, METRIC);
    for (const id of ["exact-heatmap", "implied-heatmap", "diff-heatmap"]) {
      assert.match(await hash(page, id), /^128x128:/, `${id} is 128×128 (N = 128 by default)`);
    }
    assert.notEqual(await hash(page, "exact-heatmap"), await hash(page, "implied-heatmap"));
    const metrics = await text(page, "metrics");
    assert.match(metrics, /Output error/);
    assert.doesNotMatch(metrics, /NaN|—/);
    assert.match(await text(page, "memory"), /Largest buffer/);
    for (const id of ["sweep-chart", "spectrum-chart", "cost-flops", "cost-memory", "assoc-chart"]) {
      assert.ok(await page.$(`[data-testid="${id}"] canvas`), `${id} is drawn`);
    }
    assert.match(await text(page, "formula"), /FAVOR\+/);
    // The sweep is its own run (approx_sweep_runs), finished independently of the comparison.
    const sweeps = await waitForRuns(page, 0, SWEEP);
    await page.waitForFunction(() => !document.querySelector('[data-testid="sweep-busy"]')?.textContent);
    await shot(page, "approx-default", { fullPage: true });
    // A new m moves the marker but reuses the finished sweep (it depends on the input, not on m).
    const [runs, steps] = await page.evaluate(() => [window.__atlas.approx_runs, window.__atlas.approx_sweep_steps]);
    assert.equal(steps, 16, "two curves × eight feature counts");
    const [metricsBefore, impliedBefore] = [metrics, await hash(page, "implied-heatmap")];
    await page.fill('[data-testid="m-number"]', "256");
    await page.press('[data-testid="m-number"]', "Enter");
    await waitForRuns(page, runs, METRIC);
    assert.match(page.url(), /m=256/);
    assert.equal(await page.evaluate(() => window.__atlas.approx_sweep_steps), 16, "no point recomputed");
    assert.equal(await page.evaluate(() => window.__atlas.approx_sweep_runs), sweeps, "the sweep was not restarted");
    assert.notEqual(await text(page, "metrics"), metricsBefore, "a new m changes the error numbers");
    assert.notEqual(await hash(page, "implied-heatmap"), impliedBefore, "a new m changes the approximate map");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("changing Linformer's k changes the error numbers and the approximate map", async () => {
  const { page, errors, close } = await openApp("?view=approx&method=linformer&proj=mean&n=64&k=8");
  try {
    const runs = await waitForRuns(page, 0, METRIC);
    const [metricsBefore, impliedBefore] = [await text(page, "metrics"), await hash(page, "implied-heatmap")];
    await page.fill('[data-testid="k-number"]', "32");
    await page.press('[data-testid="k-number"]', "Enter");
    await waitForRuns(page, runs, METRIC);
    assert.match(page.url(), /k=32/);
    assert.notEqual(await text(page, "metrics"), metricsBefore);
    assert.notEqual(await hash(page, "implied-heatmap"), impliedBefore);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("Linformer with mean pooling and k = N is exact attention", async () => {
  const { page, errors, close } = await openApp("?view=approx&method=linformer&proj=mean&n=32&k=32");
  try {
    await waitForRuns(page, 0, METRIC);
    const metrics = await text(page, "metrics");
    // Both relative errors print as 0 (sig3 of a value below 1e-6).
    assert.match(metrics, /‖O\*‖ = 0(\.0+)? ·/, metrics);
    assert.match(metrics, /‖A\*‖ = 0(\.0+)? ·/, metrics);
    await page.hover('[data-testid="implied-heatmap"] canvas', { position: { x: 150, y: 150 } });
    const exact = await text(page, "hover-exact");
    const approx = await text(page, "hover-approx");
    assert.equal(approx, exact);
    await shot(page, "approx-linformer-exact", { fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("controls drive the URL: method, causal mask and redraw", async () => {
  const { page, errors, close } = await openApp("?view=approx&n=24&qk=60");
  try {
    let runs = await waitForRuns(page, 0, METRIC);
    await page.selectOption('[data-testid="method"]', "linear");
    runs = await waitForRuns(page, runs, METRIC);
    assert.match(page.url(), /method=linear/);
    assert.match(await text(page, "formula"), /elu/);
    const before = await hash(page, "implied-heatmap");
    await page.check('[data-testid="causal"]');
    runs = await waitForRuns(page, runs, METRIC);
    assert.match(page.url(), /causal=1/);
    assert.notEqual(await hash(page, "implied-heatmap"), before, "causal mask changes the implied matrix");
    await page.selectOption('[data-testid="method"]', "performer");
    runs = await waitForRuns(page, runs, METRIC);
    const drawn = await hash(page, "implied-heatmap");
    await page.click('[data-testid="redraw"]');
    runs = await waitForRuns(page, runs, METRIC);
    assert.match(page.url(), /fseed=1/);
    assert.notEqual(await hash(page, "implied-heatmap"), drawn, "new random features, new matrix");
    await page.selectOption('[data-testid="method"]', "mixer");
    await waitForRuns(page, runs, METRIC);
    assert.equal(await page.$('[data-testid="causal"]'), null, "the mixer has no causal form");
    assert.ok(await page.$('[data-testid="sweep-none"]'));
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("bad parameters are corrected with notices, never a blank page", async () => {
  const { page, errors, close } = await openApp("?view=approx&n=99999&method=magic&causal=1&k=0&d=7&m=abc");
  try {
    await waitForRuns(page, 0, METRIC);
    const notices = await text(page, "notices");
    for (const key of ["n=99999", "method=magic", "k=0", "d=7", "m=abc"]) {
      assert.ok(notices.includes(key), `notice for ${key}: ${notices}`);
    }
    assert.match(await hash(page, "exact-heatmap"), /^256x256:/);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("embed mode shows the view alone", async () => {
  const { page, errors, close } = await openApp("?view=approx&embed=1&method=linformer&k=8&proj=gaussian");
  try {
    await waitForRuns(page, 0, METRIC);
    assert.equal(await page.$(".app-header"), null);
    await waitForRuns(page, 0, SWEEP);
    await page.waitForFunction(() => !document.querySelector('[data-testid="sweep-busy"]')?.textContent);
    await shot(page, "approx-embed", { fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
