// Soak: 2,000 rapid control changes across the chapters and 200 hostile URLs in one page, then the
// same checks as a person would make — no console error, no panic text, no NaN or "undefined" on
// screen — and memory after the run within 10 % of memory after the warm-up, both measured on the
// same settled page: the JS heap after a forced GC and the bytes live on the wasm heap (a counting
// allocator). The wasm linear memory is reported too; it is a high-water mark and never shrinks.
// Figures go to tests/e2e/out/soak.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { openApp } from "./harness.mjs";

const VIEWS = ["home", "sdpa", "heads", "sparse", "approx", "speed"];
const KEYS = [
  "view", "embed", "lang", "text", "n", "d_model", "heads", "head", "seed", "causal", "scale", "pool", "kv", "d_c",
  "d_r", "theta", "layout", "model", "ctx", "batch", "dtype", "part", "pattern", "d", "w", "s", "c", "dil", "g", "b",
  "gb", "r", "buckets", "hashes", "chunk", "k", "tau", "layers", "vs", "tile", "method", "qk", "proj", "m",
  "features", "fseed", "synth", "rank", "hidden", "max_n", "fig", "controls", "theme", "cmap", "tour", "step", "class", "zzz",
];
const VALUES = [
  "-1", "0", "1", "2", "3", "7", "64", "513", "4097", "1e309", "-1e309", "NaN", "Infinity", "", " ", "%00", "0x1F",
  "1.5", "99999999999999999999", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "🙂👍🏽", "שָׁלוֹם",
  "cafe\u0301", "sqrt", "none", "max", "mean", "bigbird", "lsh", "performer", "mixer", "gpt2", "fp8", "all", "x".repeat(300),
  "sdpa-weights", "heads-cache", "dark", "light", "cividis", "home",
];

/** A small seeded generator, so a failure can be replayed. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function hostileQuery(rand) {
  const pairs = [];
  const count = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < count; i++) {
    const k = KEYS[Math.floor(rand() * KEYS.length)];
    const v = VALUES[Math.floor(rand() * VALUES.length)];
    pairs.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  if (rand() < 0.8) pairs.unshift(`view=${VIEWS[Math.floor(rand() * VIEWS.length)]}`);
  return "?" + pairs.join("&");
}

/** Changes one random control of the current view (never the speed benchmark's Run). */
async function poke(page, rand) {
  return page.evaluate((r) => {
    const controls = [...document.querySelectorAll("[data-testid=controls] input, [data-testid=controls] select, .controls input, .controls select")]
      .filter((el) => !el.disabled && el.offsetParent !== null && el.dataset.testid !== "run");
    if (!controls.length) return "none";
    const el = controls[Math.floor(r[0] * controls.length)];
    if (el.type === "range") {
      el.value = String(Math.floor(r[1] * 1001));
      el.dispatchEvent(new Event("input", { bubbles: true }));
    } else if (el.type === "checkbox") {
      el.checked = !el.checked;
      el.dispatchEvent(new Event("change", { bubbles: true }));
    } else if (el.tagName === "SELECT") {
      el.selectedIndex = Math.floor(r[1] * el.options.length);
      el.dispatchEvent(new Event("change", { bubbles: true }));
    } else if (el.type === "number") {
      el.value = String(Math.floor((r[1] - 0.2) * 5000));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    } else {
      return "skip";
    }
    return el.dataset.testid || el.tagName;
  }, [rand(), rand()]);
}

/** Navigates inside the page (no reload): the router re-parses the query as a pasted link would. */
async function goto(page, query) {
  await page.evaluate((q) => {
    history.pushState({}, "", q);
    window.dispatchEvent(new PopStateEvent("popstate"));
  }, query);
}

async function settle(page) {
  // Let sliced jobs run out (bounded: a later change would cancel them anyway).
  await page.waitForFunction(() => !document.body.innerText.includes("Computing…"), null, { timeout: 60000 }).catch(() => {});
}

/** Memory on the same page (the default sdpa view, settled): JS heap after a forced GC, bytes live
 *  on the wasm heap, and the wasm linear memory (its high-water mark: it never shrinks). */
async function memory(page, cdp) {
  await goto(page, "?view=sdpa");
  await settle(page);
  await page.waitForTimeout(200);
  await cdp.send("HeapProfiler.collectGarbage");
  const heap = await cdp.send("Runtime.getHeapUsage");
  const [live, linear] = await page.evaluate(() => [window.__atlasLiveBytes(), window.__atlasWasmBytes()]);
  return { js: heap.usedSize, wasmLive: live, wasmLinear: linear };
}

/** The page's text without the notices box, which quotes the hostile values back (e.g. "n=NaN is not…"). */
async function screenText(page) {
  return page.evaluate(() => {
    const body = document.body.cloneNode(true);
    body.querySelectorAll("[data-testid=notices]").forEach((n) => n.remove());
    return body.innerText;
  });
}

async function run(app, rand, changes, urls) {
  const { page } = app;
  const perUrl = Math.max(1, Math.floor(changes / Math.max(1, urls)));
  let done = 0;
  for (let u = 0; u < urls || done < changes; u++) {
    if (u < urls) await goto(page, hostileQuery(rand));
    else await goto(page, `?view=${VIEWS[u % VIEWS.length]}`);
    for (let i = 0; i < perUrl && done < changes; i++, done++) {
      await poke(page, rand);
      if (i % 5 === 4) await page.waitForTimeout(1);
    }
    if (u % 25 === 24) {
      await settle(page);
      const text = await screenText(page);
      assert.doesNotMatch(text, /\bNaN\b|undefined|panicked|could not start/, `after URL ${u}`);
      // A panic shows a banner (its text is translated) and logs to the console: fail at the first.
      assert.equal(await page.locator("[data-testid=panic]").count(), 0, `panic banner after URL ${u}: ${app.errors[0]}`);
      assert.deepEqual(app.errors, [], `after URL ${u}`);
    }
  }
  return done;
}

test("2,000 rapid control changes and 200 hostile URLs: no error, no NaN, flat memory", { timeout: 900000 }, async () => {
  const app = await openApp("?view=sdpa");
  try {
    const { page } = app;
    const cdp = await page.context().newCDPSession(page);
    await page.waitForFunction(() => typeof window.__atlasWasmBytes === "function");
    const rand = rng(20261201);
    // Warm-up: the largest configurations each chapter allows, then a random stretch like the run.
    for (const q of [
      "?view=sdpa&n=4096&d_model=1024&heads=16", "?view=sparse&n=512&pattern=lsh&hashes=8", "?view=sparse&n=512&pattern=sinkhorn",
      "?view=approx&n=256&m=1024&d=64", "?view=heads&n=96&heads=16&kv=16&d_c=64&d_r=32", "?view=sdpa",
    ]) {
      await goto(page, q);
      await settle(page);
    }
    await page.waitForFunction(() => typeof window.__atlasLiveBytes === "function");
    // The warm-up is the run's own random process at half its length, so every view, size and
    // cache has been visited once before the first measurement.
    await run(app, rand, 1000, 100);
    await settle(page);
    const warm = await memory(page, cdp);
    const t0 = Date.now();
    const changes = await run(app, rand, 2000, 200);
    await settle(page);
    const end = await memory(page, cdp);
    const text = await screenText(page);
    assert.doesNotMatch(text, /\bNaN\b|undefined|panicked/);
    const figures = {
      changes, hostileUrls: 200, seconds: (Date.now() - t0) / 1000,
      afterWarmUp: warm, afterRun: end,
      jsRatio: end.js / warm.js, wasmLiveRatio: end.wasmLive / warm.wasmLive, wasmLinearRatio: end.wasmLinear / warm.wasmLinear,
    };
    assert.equal(changes, 2000);
    figures.wasmLiveBytesPerEvent = (end.wasmLive - warm.wasmLive) / (changes + 200);
    fs.mkdirSync(path.join("tests", "e2e", "out"), { recursive: true });
    fs.writeFileSync(path.join("tests", "e2e", "out", "soak.json"), JSON.stringify(figures, null, 2));
    console.log("soak:", JSON.stringify(figures));
    assert.ok(figures.jsRatio < 1.1, `JS heap grew ${figures.jsRatio}`);
    // Nothing is kept per event (tests/e2e/bench-memory.mjs measures it per kind of action).
    assert.ok(figures.wasmLiveRatio < 1.1, `wasm heap grew ${figures.wasmLiveRatio} (${figures.wasmLiveBytesPerEvent} B per event)`);
    assert.deepEqual(app.errors, []);
  } finally {
    await app.close();
  }
});
