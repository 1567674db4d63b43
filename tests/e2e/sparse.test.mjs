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
    // N = 256, b = 8: 2 global block rows · 8 · 256 + 28 interior block rows · 8 · 56 + block rows 1 and 30
    // (window overlaps a global block: 6 blocks) 2 · 8 · 48 = 4096 + 12544 + 768 (computed natively in
    // view_model::sparse::job_tests).
    assert.match(count, /^17408 of 65536 pairs kept/);
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
    // The seed box reaches the parser's largest seed, 2³² − 1 (the old slider stopped at 999).
    await app.page.fill("[data-testid=seed-number]", "4294967295");
    await app.page.press("[data-testid=seed-number]", "Enter");
    runs = await waitForRuns(app.page, runs, RUNS);
    await app.page.waitForFunction(() => location.search.includes("seed=4294967295"));
    assert.equal(await canvasHash(app.page, MASK), causal, "a strided mask does not depend on the seed");
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

test("masked attention is grey off the pattern; vs compares two patterns; tile sets the tile picture", async () => {
  const app = await openApp("?view=sparse&pattern=bigbird&n=128&vs=local");
  try {
    let runs = await waitForRuns(app.page, 0, RUNS);
    const ATTN = "[data-testid=masked-attention] canvas";
    assert.match(await canvasHash(app.page, ATTN), /^128x128:/);
    // Pixel by pixel: the masked attention is grey (205, 205, 212) exactly where the mask is off.
    const check = await app.page.evaluate(([mask, attn, full]) => {
      const px = (sel) => {
        const c = document.querySelector(sel);
        return c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      };
      const [m, a, f] = [px(mask), px(attn), px(full)];
      const grey = (d, t) => d[t] === 205 && d[t + 1] === 205 && d[t + 2] === 212;
      let mismatched = 0, masked = 0, fullGrey = 0, firstGrey = -1;
      for (let t = 0; t < m.length; t += 4) {
        const kept = m[t] < 128; // Blues: 1 is dark blue, 0 near white
        if (grey(a, t)) masked++;
        if (grey(a, t) && firstGrey < 0) firstGrey = t / 4;
        if (grey(a, t) === kept) mismatched++;
        if (grey(f, t)) fullGrey++;
      }
      return { mismatched, masked, fullGrey, firstGrey };
    }, [MASK, ATTN, "[data-testid=full-attention] canvas"]);
    assert.equal(check.mismatched, 0, "grey cells are exactly the masked pairs");
    const kept = Number((await app.page.textContent("[data-testid=count]")).match(/(\d+) of 16384 pairs kept/)[1]);
    assert.equal(check.masked, 16384 - kept, "one grey cell per skipped pair");
    assert.equal(check.fullGrey, 0, "the exact full attention masks nothing");
    // Hovering a grey cell says it is masked and gives the exact weight it would have had.
    const [gi, gj] = [Math.floor(check.firstGrey / 128), check.firstGrey % 128];
    await app.page.locator(ATTN).scrollIntoViewIfNeeded();
    const box = await app.page.locator(ATTN).boundingBox();
    await app.page.mouse.move(box.x + box.width * ((gj + 0.5) / 128), box.y + box.height * ((gi + 0.5) / 128));
    await app.page.waitForSelector("[data-testid=attn-kept]");
    const readout = await app.page.textContent("[data-testid=attn-readout]");
    assert.match(readout, new RegExp(`query ${gi} → key ${gj}`));
    assert.match(readout, /with the pattern: masked \(0\)/);
    assert.match(readout, /exact: 0\.\d{4}/);
    // Compare mode: two masks, two masked attentions and a table with both patterns.
    assert.equal(await app.page.locator("[data-testid=compare] canvas").count(), 4);
    const table = await app.page.textContent("[data-testid=compare-table]");
    assert.match(table, /BigBird.*Local window/);
    assert.equal(await app.page.locator("[data-testid=compare-table] tr").count(), 4);
    // N = 128, w = 4 symmetric: 128·9 − 20 = 1132 pairs.
    assert.match(table, /1132 \(6\.91 %\)/);
    await shot(app.page, "sparse-compare", { fullPage: true });
    const second = await canvasHash(app.page, "[data-testid=compare-mask-b] canvas");
    await app.page.selectOption('[data-testid="vs"]', "strided");
    runs = await waitForRuns(app.page, runs, RUNS);
    await app.page.waitForFunction(() => location.search.includes("vs=strided"));
    assert.notEqual(await canvasHash(app.page, "[data-testid=compare-mask-b] canvas"), second);
    assert.match(await app.page.textContent("[data-testid=compare-table]"), /Strided/);
    // Tile picture: N = 128 at B = 32 is 4 × 4 tiles; at B = 64, 2 × 2.
    assert.match(await app.page.textContent("[data-testid=tile-count]"), /of 16 tiles computed/);
    const tiles32 = await canvasHash(app.page, "[data-testid=tile-picture] canvas");
    await app.page.selectOption('[data-testid="tile"]', "64");
    runs = await waitForRuns(app.page, runs, RUNS);
    await app.page.waitForFunction(() => location.search.includes("tile=64"));
    assert.match(await app.page.textContent("[data-testid=tile-count]"), /4 of 4 tiles computed/);
    assert.notEqual(await canvasHash(app.page, "[data-testid=tile-picture] canvas"), tiles32);
    await app.page.selectOption('[data-testid="vs"]', "off");
    await waitForRuns(app.page, runs, RUNS);
    assert.equal(await app.page.locator("[data-testid=compare]").count(), 0, "vs=off hides the comparison");
    assert.deepEqual(app.errors, []);
  } finally {
    await app.close();
  }
});
