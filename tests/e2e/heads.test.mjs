// End-to-end: the "MHA · GQA · MLA" view, driven in headless Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, waitForRuns, canvasHash, setRange, shot } from "./harness.mjs";

const RUNS = "heads_runs";
const MHA = "[data-testid=mha-heatmap] canvas";
const GQA = "[data-testid=gqa-heatmap] canvas";

/** True when every pixel of the canvas is white (nothing drawn). */
async function blank(page, selector) {
  return page.$eval(selector, (c) => c.getContext("2d").getImageData(0, 0, c.width, c.height).data.every((v) => v === 255));
}

test("loads with both maps, the K/V groups, every chart, the calculator and no console errors", async () => {
  const app = await openApp("?view=heads");
  try {
    await waitForRuns(app.page, 0, RUNS);
    assert.match(await canvasHash(app.page, MHA), /^24x24:/, "24 tokens → a 24×24 map");
    assert.match(await canvasHash(app.page, GQA), /^24x24:/);
    assert.notEqual(await canvasHash(app.page, MHA), await canvasHash(app.page, GQA), "2 K/V heads change the map");
    assert.equal(await app.page.locator("[data-testid=multiples] canvas").count(), 8, "8 query heads");
    assert.equal(await app.page.locator("[data-testid^=kv-group-]").count(), 2, "2 K/V heads");
    assert.equal(await app.page.locator("[data-testid=kv-group-1] [data-testid^=q-head-]").count(), 4, "g = 4");
    assert.match(await canvasHash(app.page, "[data-testid=rope-heatmap] canvas"), /^256x64:/, "64 pairs × 256 positions");
    for (const chart of ["low-rank-chart", "rope-decay-chart", "memory-chart"]) {
      assert.equal(await blank(app.page, `[data-testid=${chart}] canvas`), false, `${chart} is drawn`);
    }
    // LLaMA-2 7B in fp16: 2·32·32·128·2 B = 524,288 B = 512 KiB per token; 4096 tokens = 2 GiB.
    assert.equal((await app.page.textContent("[data-testid=per-token]")).trim(), "512 KiB");
    assert.equal((await app.page.textContent("[data-testid=kv-total]")).trim(), "2.00 GiB");
    assert.equal((await app.page.textContent("[data-testid=intensity]")).trim(), "1.00");
    // Toy MLA cache: 8 heads of 8 → MHA 128 numbers, GQA(2) 32, MLA 16 + 8 = 24.
    assert.match(await app.page.textContent("[data-testid=bar-mha]"), /128/);
    assert.match(await app.page.textContent("[data-testid=bar-gqa]"), /32/);
    assert.match(await app.page.textContent("[data-testid=bar-mla]"), /24/);
    const check = await app.page.textContent("[data-testid=absorbed-check]");
    const diff = Number(check.match(/([0-9.]+e-?[0-9]+)/)[1]);
    assert.ok(diff < 1e-4, `absorbed and naive MLA agree (${check})`);
    // Hovering a cell of the GQA map reads out the weight in both layers.
    const box = await app.page.locator(GQA).boundingBox();
    await app.page.mouse.move(box.x + box.width * (2.5 / 24), box.y + box.height * (10.5 / 24));
    await app.page.waitForSelector("[data-testid=hover-gqa]");
    assert.match(await app.page.textContent("[data-testid=readout]"), /query 10 .* key 2 /);
    for (const id of ["hover-mha", "hover-gqa"]) {
      const w = Number(await app.page.textContent(`[data-testid=${id}]`));
      assert.ok(w > 0 && w < 1, `${id} = ${w} is a weight`);
    }
    const rel = await app.page.textContent("[data-testid=rope-relative]");
    const [a, b] = rel.match(/-?\d+\.\d{4}/g);
    assert.equal(a, b, "same position difference, same score");
    const body = await app.page.textContent("body");
    assert.ok(!/NaN|undefined|heads\.[a-z]/.test(body), "no NaN, undefined or missing message on screen");
    await shot(app.page, "heads-default", { fullPage: true });
    assert.deepEqual(app.errors, []);
  } finally {
    await app.close();
  }
});

test("K/V heads: n_kv = n_h reproduces MHA, MQA has one group, clicking a head selects it", async () => {
  const app = await openApp("?view=heads&kv=8&n=16");
  try {
    let runs = await waitForRuns(app.page, 0, RUNS);
    assert.equal(await canvasHash(app.page, MHA), await canvasHash(app.page, GQA), "n_kv = n_h is MHA");
    assert.match(await app.page.textContent("[data-testid=sharing-stats]"), / 0%/);
    assert.equal(await app.page.locator("[data-testid^=kv-group-]").count(), 8);
    await setRange(app.page, "kv", 0);
    runs = await waitForRuns(app.page, runs, RUNS);
    await app.page.waitForFunction(() => location.search.includes("kv=1"));
    assert.equal(await app.page.locator("[data-testid^=kv-group-]").count(), 1, "MQA: one K/V head");
    assert.notEqual(await canvasHash(app.page, MHA), await canvasHash(app.page, GQA));
    const before = await canvasHash(app.page, GQA);
    await app.page.click("[data-testid=q-head-5]");
    await app.page.waitForFunction(() => location.search.includes("head=5"));
    await app.page.waitForFunction(() =>
      document.querySelector("[data-testid=sharing-stats]").textContent.includes("Head 5 reads K/V head 0"));
    await app.page.waitForFunction(([sel, h]) => {
      const c = document.querySelector(sel);
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let x = 2166136261 >>> 0;
      for (let i = 0; i < d.length; i += 1) { x ^= d[i]; x = Math.imul(x, 16777619) >>> 0; }
      return `${c.width}x${c.height}:${x.toString(16)}` !== h;
    }, [GQA, before]);
    assert.match(await app.page.textContent("[data-testid=sharing-stats]"), /Head 5 reads K\/V head 0/);
    assert.notEqual(await canvasHash(app.page, GQA), before, "another head, another map");
    const permalink = app.page.url();
    const hash = await canvasHash(app.page, GQA);
    await app.page.reload();
    await waitForRuns(app.page, 0, RUNS);
    assert.equal(await canvasHash(app.page, GQA), hash, "the permalink reproduces the picture");
    assert.equal(app.page.url(), permalink);
    assert.deepEqual(app.errors, []);
  } finally {
    await app.close();
  }
});

test("calculator: DeepSeek-V3 caches 576 numbers per layer, Gemma 2 shows its window, long contexts warn", async () => {
  const app = await openApp("?view=heads&model=deepseek-v3");
  try {
    await waitForRuns(app.page, 0, RUNS);
    // 61 layers · (512 + 64) · 2 B = 70,272 B = 68.6 KiB per token.
    assert.equal((await app.page.textContent("[data-testid=per-token]")).trim(), "68.6 KiB");
    assert.match(await app.page.textContent("[data-testid=model-shape]"), /MLA, d_c = 512, d_R = 64/);
    const chart = "[data-testid=memory-chart] canvas";
    const before = await canvasHash(app.page, chart);
    await app.page.selectOption("[data-testid=model]", "gemma2-9b");
    await app.page.waitForFunction(() => location.search.includes("model=gemma2-9b"));
    // 2·42·8·256·2 B = 344,064 B = 336 KiB per token; 21 of 42 layers use a 4096-token window.
    await app.page.waitForFunction(() => document.querySelector("[data-testid=per-token]").textContent.trim() === "336 KiB");
    assert.match(await app.page.textContent("[data-testid=model-shape]"), /21 layers use a 4096-token sliding window/);
    assert.notEqual(await canvasHash(app.page, chart), before, "the chart follows the model");
    await app.page.selectOption("[data-testid=dtype]", "int4");
    await app.page.waitForFunction(() => location.search.includes("dtype=int4"));
    await app.page.waitForFunction(() => document.querySelector("[data-testid=per-token]").textContent.trim() === "84.0 KiB");
    assert.equal(await app.page.locator("[data-testid=beyond-context]").count(), 0);
    await setRange(app.page, "ctx", 1000);
    await app.page.waitForFunction(() => location.search.includes("ctx=1048576"));
    await app.page.waitForSelector("[data-testid=beyond-context]");
    await shot(app.page, "heads-calculator", { fullPage: true });
    assert.deepEqual(app.errors, []);
  } finally {
    await app.close();
  }
});

test("a garbage query is clamped with notices, and embed mode renders the view alone", async () => {
  const app = await openApp("?view=heads&embed=1&n=-4&heads=6&kv=5&d_r=7&model=gpt-9&dtype=fp4&theta=3");
  try {
    await waitForRuns(app.page, 0, RUNS);
    const notices = await app.page.textContent("[data-testid=notices]");
    for (const key of ["n=", "heads=", "kv=", "d_r=", "model=", "dtype=", "theta="]) {
      assert.ok(notices.includes(key), `notice for ${key} in: ${notices}`);
    }
    assert.match(await canvasHash(app.page, GQA), /^2x2:/, "n clamped to 2");
    assert.equal((await app.page.textContent("[data-testid=per-token]")).trim(), "512 KiB", "default model");
    await shot(app.page, "heads-embed", { fullPage: true });
    assert.deepEqual(app.errors, []);
  } finally {
    await app.close();
  }
});
