// End-to-end: the "Sparse attention zoo" view, driven in headless Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, waitForRuns, canvasHash, setRange, shot } from "./harness.mjs";

const MASK = "[data-testid=mask-heatmap] canvas";
const RUNS = "sparse_runs";

/** RGB of canvas pixel (x, y). */
async function pixel(page, selector, x, y) {
  return page.$eval(selector, (c, [x, y]) => Array.from(c.getContext("2d").getImageData(x, y, 1, 1).data.slice(0, 3)), [x, y]);
}

test("loads BigBird with the mask, statistics, reach chart, block detail, heads and no errors", async () => {
  const app = await openApp("?view=sparse");
  try {
    await waitForRuns(app.page, 0, RUNS);
    assert.match(await canvasHash(app.page, MASK), /^256x256:/, "N = 256 → one pixel per pair");
    const count = await app.page.textContent("[data-testid=count]");
    // b = 8, g = 2, r = 2 at N = 256: interior rows keep (3 window + 2 global + 2 random) · 8 = 56 keys.
    assert.match(count, /of 65536 pairs kept/);
    const check = await app.page.textContent("[data-testid=kernel-check]");
    const diff = Number(check.match(/within (\d\.\de[+-]?\d+)/)[1]);
    assert.ok(diff < 1e-4, `sparse kernel equals dense masked attention (Δ = ${diff})`);
    assert.match(await app.page.textContent("[data-testid=reach-verdict]"), /Full reach with L = \d+/);
    assert.equal(await app.page.locator("[data-testid=tiles] tr").count(), 5, "header + 4 tile sizes");
    assert.equal(await app.page.locator("[data-testid=sparse-heads] canvas").count(), 4);
    assert.equal(await app.page.locator("[data-testid=detail-heatmap] canvas").count(), 1);
    const chartBlank = await app.page.$eval("[data-testid=reach-chart] canvas", (c) =>
      c.getContext("2d").getImageData(0, 0, c.width, c.height).data.every((v) => v === 255));
    assert.equal(chartBlank, false, "the reach chart is drawn");
    const body = await app.page.textContent("body");
    assert.ok(!/NaN|undefined/.test(body), "no NaN or undefined on screen");
    await shot(app.page, "sparse-default", { fullPage: true });
    assert.deepEqual(app.errors, []);
  } finally {
    await app.close();
  }
});

test("a local window keeps exactly N(2w+1) − w(w+1) pairs and draws a band", async () => {
  // N = 64, w = 3: 64·7 − 12 = 436 pairs.
  const app = await openApp("?view=sparse&pattern=local&n=64&w=3");
  try {
    await waitForRuns(app.page, 0, RUNS);
    assert.match(await app.page.textContent("[data-testid=count]"), /436 of 4096 pairs kept/);
    const onBand = await pixel(app.page, MASK, 30, 32);
    const offBand = await pixel(app.page, MASK, 60, 2);
    assert.notDeepEqual(onBand, offBand, "band and background differ");
    assert.ok(onBand[0] < offBand[0], "kept pairs are darker");
    assert.match(await app.page.textContent("[data-testid=reach-verdict]"), /with L = 21:/, "⌈63/3⌉ = 21");
    assert.deepEqual(app.errors, []);
  } finally {
    await app.close();
  }
});

test("moving a slider changes the map and the URL; a permalink reproduces it", async () => {
  const app = await openApp("?view=sparse&pattern=strided&n=96");
  try {
    let runs = await waitForRuns(app.page, 0, RUNS);
    const before = await canvasHash(app.page, MASK);
    await setRange(app.page, "s", 600);
    runs = await waitForRuns(app.page, runs, RUNS);
    await app.page.waitForFunction(() => /[?&]s=\d+/.test(location.search));
    const after = await canvasHash(app.page, MASK);
    assert.notEqual(after, before, "a new stride draws a new pattern");
    await app.page.click("[data-testid=causal]");
    runs = await waitForRuns(app.page, runs, RUNS);
    await app.page.waitForFunction(() => location.search.includes("causal=1"));
    const causal = await canvasHash(app.page, MASK);
    assert.notEqual(causal, after);
    assert.match(await app.page.textContent("[data-testid=reach-verdict]"), /causal pair/);
    const permalink = app.page.url();
    await app.page.reload();
    await waitForRuns(app.page, 0, RUNS);
    assert.equal(await canvasHash(app.page, MASK), causal, "the permalink reproduces the picture");
    assert.equal(app.page.url(), permalink);
    assert.deepEqual(app.errors, []);
  } finally {
    await app.close();
  }
});

test("hover explains a pair; LSH shows buckets; Sinkhorn shows its iterates; bad parameters are reported", async () => {
  const app = await openApp("?view=sparse&pattern=lsh&n=32&hashes=2");
  try {
    await waitForRuns(app.page, 0, RUNS);
    const box = await app.page.locator(MASK).boundingBox();
    await app.page.mouse.move(box.x + box.width * (5.5 / 32), box.y + box.height * (9.5 / 32));
    await app.page.waitForSelector("[data-testid=hover-status]");
    const readout = await app.page.textContent("[data-testid=readout]");
    assert.match(readout, /query 9 .* key 5/);
    assert.match(readout, /round 0: token 9 in bucket \d+, chunk \d+/);
    assert.match(readout, /round 1:/);
    assert.equal(await app.page.locator("[data-testid=lsh-table] tr").count(), 25, "header + 24 tokens");
    await shot(app.page, "sparse-lsh", { fullPage: true });
    assert.deepEqual(app.errors, []);
  } finally {
    await app.close();
  }
  const sk = await openApp("?view=sparse&pattern=sinkhorn&n=128&b=16&k=10&tau=0.3");
  try {
    await waitForRuns(sk.page, 0, RUNS);
    assert.equal(await sk.page.locator("[data-testid=sinkhorn-iterates] canvas").count(), 6, "iterations 0, 2, 4, 6, 8, 10");
    assert.match(await sk.page.textContent("[data-testid=partners]"), /0→\d+/);
    await shot(sk.page, "sparse-sinkhorn", { fullPage: true });
    assert.deepEqual(sk.errors, []);
  } finally {
    await sk.close();
  }
  const bad = await openApp("?view=sparse&pattern=local&n=20&w=300&tau=abc&embed=1");
  try {
    await waitForRuns(bad.page, 0, RUNS);
    const notices = await bad.page.textContent("body");
    assert.match(notices, /w=300 does not fit this sequence; the pattern uses 19/);
    assert.match(notices, /tau=abc is not a valid value/);
    assert.match(await bad.page.textContent("[data-testid=count]"), /400 of 400 pairs kept/);
    await shot(bad.page, "sparse-embed-clamped", { fullPage: true });
    assert.deepEqual(bad.errors, []);
  } finally {
    await bad.close();
  }
});
