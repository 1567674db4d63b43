// End-to-end: the "MHA · GQA · MLA" view, driven in headless Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, waitForRuns, canvasHash, setRange, shot } from "./harness.mjs";

const RUNS = "heads_runs";
const MHA = "[data-testid=mha-heatmap] canvas";
const GQA = "[data-testid=gqa-heatmap] canvas";

/** Waits until the canvas at `selector` no longer has the hash `before`. */
async function waitForRepaint(page, selector, before) {
  await page.waitForFunction(([sel, h]) => {
    const c = document.querySelector(sel);
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let x = 2166136261 >>> 0;
    for (let i = 0; i < d.length; i += 1) { x ^= d[i]; x = Math.imul(x, 16777619) >>> 0; }
    return `${c.width}x${c.height}:${x.toString(16)}` !== h;
  }, [selector, before]);
}

/** Bytes per token of each variant, read from the table. */
async function perToken(page) {
  const out = {};
  for (const id of ["mha", "gqa", "mqa", "mla"]) {
    out[id] = Number(await page.getAttribute(`[data-testid=variant-per-token-${id}]`, "data-bytes"));
  }
  return out;
}

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

const BARS = "[data-testid=memory-bars] canvas";

test("memory bars and per-variant table: LLaMA-2 7B by hand, another preset changes bars and numbers", async () => {
  const app = await openApp("?view=heads");
  try {
    await waitForRuns(app.page, 0, RUNS);
    assert.equal(await blank(app.page, BARS), false, "the bars are drawn");
    // LLaMA-2 7B, fp16, 32 layers of 32 heads × 128: MHA 2·32·128·2 B·32 = 524,288 B per token;
    // GQA(8) 2·8·128·2·32 = 131,072; MQA 2·128·2·32 = 16,384; MLA (512 + 64)·2·32 = 36,864.
    assert.deepEqual(await perToken(app.page), { mha: 524288, gqa: 131072, mqa: 16384, mla: 36864 });
    assert.match(await app.page.textContent("[data-testid=variant-per-token-mha]"), /8,192 × 2 B × 32 = 524,288 B/);
    assert.match(await app.page.textContent("[data-testid=variant-per-token-mqa]"), /256 × 2 B × 32 = 16,384 B/);
    assert.match(await app.page.textContent("[data-testid=variant-cache-mha]"), /524,288 B × 4,096 × 1 = 2\.00 GiB/);
    assert.match(await app.page.textContent("[data-testid=variant-row-mha]"), /as built/);
    assert.doesNotMatch(await app.page.textContent("[data-testid=variant-row-mqa]"), /as built/);
    // FLOPs per byte: MHA 1, GQA 4 (group of 4), MQA 32, MLA (2·32·576 + 2·32·512)/(576·2) = 60.4.
    const intensity = [];
    for (const id of ["mha", "gqa", "mqa", "mla"]) {
      intensity.push((await app.page.textContent(`[data-testid=variant-intensity-${id}]`)).trim());
    }
    assert.deepEqual(intensity, ["1.00", "4.00", "32.0", "60.4"]);
    assert.match(await app.page.textContent("[data-testid=intensity-why]"), /100–300 FLOPs per byte/);
    const before = await canvasHash(app.page, BARS);
    await app.page.selectOption("[data-testid=model]", "llama3.1-70b");
    await app.page.waitForFunction(() => location.search.includes("model=llama3.1-70b"));
    // LLaMA-3.1 70B: 80 layers, 64 heads of 128, 8 K/V heads as built: GQA 2·8·128·2·80 = 327,680 B.
    await app.page.waitForFunction(() =>
      document.querySelector("[data-testid=variant-per-token-gqa]").getAttribute("data-bytes") === "327680");
    await waitForRepaint(app.page, BARS, before);
    assert.deepEqual(await perToken(app.page), { mha: 2621440, gqa: 327680, mqa: 40960, mla: 92160 });
    assert.match(await app.page.textContent("[data-testid=variant-row-gqa]"), /as built/);
    assert.notEqual(await canvasHash(app.page, BARS), before, "the bars follow the model");
    assert.deepEqual(app.errors, []);
  } finally {
    await app.close();
  }
});

test("part=memory&embed=1 renders only the calculator; part=rope only RoPE; an unknown part shows everything", async () => {
  const app = await openApp("?view=heads&part=memory&embed=1&model=llama2-7b");
  try {
    await waitForRuns(app.page, 0, RUNS);
    for (const id of ["calculator", "memory-bars", "variant-table", "memory-chart"]) {
      assert.equal(await app.page.locator(`[data-testid=${id}]`).count(), 1, `${id} shown`);
    }
    for (const id of ["sharing", "mla", "rope", "controls", "heads-head", "timing"]) {
      assert.equal(await app.page.locator(`[data-testid=${id}]`).count(), 0, `${id} hidden`);
    }
    assert.equal(await app.page.locator(".app-header").count(), 0, "no app header in embed mode");
    assert.equal(await blank(app.page, BARS), false);
    assert.ok(Number(await app.page.getAttribute("[data-testid=variant-per-token-mqa]", "data-bytes")) <
      Number(await app.page.getAttribute("[data-testid=variant-per-token-mha]", "data-bytes")));
    const width = await app.page.$eval("[data-testid=calculator]", (e) => e.getBoundingClientRect().width);
    assert.ok(width > 900, `the calculator takes the whole width (${width}px)`);
    await shot(app.page, "heads-memory-embed", { fullPage: true });
    // DeepSeek-V3's weights dwarf every GPU line; its labels must still be readable (looked at by eye).
    await app.page.selectOption("[data-testid=model]", "deepseek-v3");
    await app.page.waitForFunction(() => location.search.includes("model=deepseek-v3"));
    await setRange(app.page, "ctx", 1000);
    await app.page.waitForFunction(() => location.search.includes("ctx=1048576"));
    await shot(app.page, "heads-memory-deepseek", { fullPage: true });
    await app.page.goto(app.page.url().replace("part=memory", "part=rope"));
    await app.page.waitForSelector("[data-testid=rope]");
    assert.equal(await app.page.locator("[data-testid=calculator]").count(), 0);
    assert.equal(await app.page.locator("[data-testid=sharing]").count(), 0);
    await app.page.goto(app.page.url().replace("part=rope", "part=bars"));
    await app.page.waitForSelector("[data-testid=sharing]");
    assert.match(await app.page.textContent("[data-testid=notices]"), /part=/);
    for (const id of ["sharing", "mla", "rope", "calculator", "controls"]) {
      assert.equal(await app.page.locator(`[data-testid=${id}]`).count(), 1, `${id} shown for an unknown part`);
    }
    assert.deepEqual(app.errors, []);
  } finally {
    await app.close();
  }
});

test("the K/V and head sliders end at the current head count", async () => {
  const app = await openApp("?view=heads&heads=4&kv=1&n=12");
  try {
    await waitForRuns(app.page, 0, RUNS);
    await setRange(app.page, "kv", 1000);
    await app.page.waitForFunction(() => location.search.includes("kv=4"));
    await setRange(app.page, "head", 1000);
    await app.page.waitForFunction(() => location.search.includes("head=3"));
    assert.equal(await app.page.locator("[data-testid=notices]").count(), 0, "no value had to be clamped");
    await setRange(app.page, "heads", 1000);
    await app.page.waitForFunction(() => location.search.includes("heads=16"));
    await setRange(app.page, "kv", 1000);
    await app.page.waitForFunction(() => location.search.includes("kv=16"));
    assert.deepEqual(app.errors, []);
  } finally {
    await app.close();
  }
});
