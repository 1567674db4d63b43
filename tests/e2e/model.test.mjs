// End-to-end: the real-model chapter (SmolLM2-135M from dist/model/), driven in headless Chromium.
// The model is fetched from the page's own origin only (withApp fails on any other request).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { withApp, canvasHash, shot, ROOT } from "./harness.mjs";

const FIXTURE = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "smollm2.json"), "utf8"));
const logitsCase = (text) => FIXTURE.cases.find((c) => c.kind === "logits" && c.text === text);
const lossCase = FIXTURE.cases.find((c) => c.kind === "loss");

/** Loads the model (click) and waits for the analysis of the input (model_runs > after). */
async function loadAndAnalyse(page, after = 0) {
  await page.click("[data-testid=model-load]");
  await page.waitForSelector("[data-testid=model-ready]", { timeout: 120000 });
  await waitMetric(page, "model_runs", after);
}

async function waitMetric(page, name, after = 0) {
  await page.waitForFunction(([m, a]) => window.__atlas && window.__atlas[m] > a, [name, after], { timeout: 180000 });
  return page.evaluate((m) => window.__atlas[m], name);
}

const ids = (page, sel) => page.$$eval(`${sel} [data-id]`, (els) => els.map((e) => Number(e.dataset.id)));

/** True when a canvas has more than one colour. */
const painted = (page, sel) => page.$eval(sel, (c) => {
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  for (let i = 4; i < d.length; i += 4) if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) return true;
  return false;
});

test("the model loads from dist/, its tokens and top 10 match the NumPy reference, every panel renders", async () => {
  const c = logitsCase("The capital of France is");
  await withApp(`?view=model&prompt=${encodeURIComponent(c.text)}`, async ({ page }) => {
    assert.match(await page.textContent("[data-testid=model-load-card]"), /93\.8 MiB/, "the size is said before loading");
    await loadAndAnalyse(page);
    assert.deepEqual(await ids(page, "[data-testid=model-chips]"), c.ids, "token ids");
    assert.deepEqual(await ids(page, "[data-testid=model-next]"), c.top_ids, "next-token top 10, in order");
    const probs = await page.$$eval("[data-testid=model-next] [data-prob]", (els) => els.map((e) => Number(e.dataset.prob)));
    assert.ok(probs[0] > 0.5 && probs.every((p, i) => i === 0 || p <= probs[i - 1]), `${probs}`);
    const wasm = await page.evaluate(() => window.__atlasWasmBytes());
    assert.ok(wasm < 250 * 2 ** 20, `wasm memory ${wasm} bytes with the model loaded`);
    console.log(`[model] wasm memory with the model loaded and analysed: ${(wasm / 2 ** 20).toFixed(1)} MiB`);
    // 30 layers × 9 heads of 5 tokens: (5+1)·30 columns, 9·6 + 2·4 rows.
    assert.match(await canvasHash(page, "[data-testid=model-thumbs] canvas"), /^180x62:/);
    assert.ok(await painted(page, "[data-testid=model-thumbs] canvas"));
    assert.match(await canvasHash(page, "[data-testid=model-focus-map] canvas"), /^5x5:/);
    assert.ok(await page.$("[data-testid=model-lines] line"), "the line view draws lines");
    // The finder's grid: 30 layers × 9 heads in three K/V bands with an empty row between two bands.
    assert.match(await canvasHash(page, "[data-testid=model-finder-map] canvas"), /^30x11:/);
    assert.equal(await page.$$eval("[data-testid=model-finder-table] tbody tr", (r) => r.length), 30);
    const shown = await page.textContent("[data-testid=view-model]");
    assert.doesNotMatch(shown, /\bNaN\b|undefined/);
  });
});

test("the per-token loss matches the reference; a thumbnail click selects its head; the permalink reproduces it", async () => {
  await withApp(`?view=model&prompt=${encodeURIComponent(lossCase.text)}`, async (app) => {
    const { page } = app;
    await loadAndAnalyse(page);
    const mean = lossCase.losses.reduce((a, b) => a + b, 0) / lossCase.losses.length;
    const shownLoss = Number(await page.getAttribute("[data-testid=model-mean-loss]", "data-loss"));
    assert.ok(Math.abs(shownLoss - mean) < 1e-3, `mean loss ${shownLoss} vs reference ${mean}`);
    // Click the thumbnail of layer 17, head 4 (10 tokens: thumbnails of 10 px, 1 px gaps, bands 4 px apart).
    const thumbs = await page.$("[data-testid=model-thumbs] canvas");
    await thumbs.scrollIntoViewIfNeeded();
    const box = await thumbs.boundingBox();
    const [cols, rows] = [30 * 11, 9 * 11 + 8];
    const x = (17 * 11 + 5) / cols * box.width;
    const y = (4 * 11 + 4 + 5) / rows * box.height;
    await page.mouse.click(box.x + x, box.y + y);
    await page.waitForFunction(() => new URL(location.href).searchParams.get("layer") === "17");
    assert.equal(new URL(page.url()).searchParams.get("head"), "4");
    assert.match(await page.textContent("[data-testid=model-focus-title]"), /Layer 17, head 4/);
    const map = await canvasHash(page, "[data-testid=model-focus-map] canvas");
    await shot(page, "model-view", { fullPage: true });
    // Open the permalink in the same browser: the same head and the same map (the model comes from the cache).
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.base.replace(/\/$/, "") });
    await page.click("[data-testid=copy-link]");
    await page.waitForSelector("[data-testid=copied], [data-testid=link-box]");
    const link = (await page.$("[data-testid=copied]"))
      ? await page.evaluate(() => navigator.clipboard.readText())
      : await page.inputValue("[data-testid=link-box]");
    const again = await page.context().newPage();
    await again.goto(link);
    await again.waitForSelector("[data-testid=model-ready]", { timeout: 120000 });
    await waitMetric(again, "model_runs");
    assert.match(await again.textContent("[data-testid=model-focus-title]"), /Layer 17, head 4/);
    assert.equal(await canvasHash(again, "[data-testid=model-focus-map] canvas"), map, "the permalink reproduces the map");
    assert.match(await again.textContent("[data-testid=model-ready]"), /cache/, "a reload reads the model from the Cache API");
    await again.close();
  });
});

test("the head finder finds induction heads on a repeated run, and the second half's loss drops", async () => {
  await withApp("?view=model&input=repeat&half=24&score=induction", async ({ page }) => {
    await loadAndAnalyse(page);
    const first = await page.$eval("[data-testid=model-finder-table] tbody tr", (r) => [...r.cells].map((c) => c.textContent));
    assert.ok(Number(first[3]) > 0.5, `the best induction score is ${first[3]} (head ${first[0]})`);
    const halves = await page.textContent("[data-testid=model-halves]");
    const [a, b] = halves.match(/[\d.]+/g).map(Number);
    assert.ok(a > 2 * b, `first half ${a} vs second half ${b} nats`);
    await page.click("[data-testid=sort-prev]");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("score") === "prev");
    await shot(page, "model-finder", { fullPage: true });
  });
});

test("an intervention changes the loss: a 4-token window in every layer, and an ablated head", async () => {
  await withApp(`?view=model&prompt=${encodeURIComponent(lossCase.text)}&change=local&w=2`, async ({ page }) => {
    await loadAndAnalyse(page);
    await waitMetric(page, "model_change_runs");
    const s = "[data-testid=model-change-summary]";
    const before = Number(await page.getAttribute(s, "data-before"));
    const after = Number(await page.getAttribute(s, "data-after"));
    const kl = Number(await page.getAttribute(s, "data-kl"));
    assert.ok(after > before + 0.3, `loss ${before} → ${after}`);
    assert.ok(kl > 0.05 && Number.isFinite(kl), `KL ${kl}`);
    assert.ok(await painted(page, "[data-testid=model-map-changed] canvas"));
    const runs = await page.evaluate(() => window.__atlas.model_change_runs);
    await page.selectOption("[data-testid=change]", "none");
    await page.click("[data-testid=model-ablate]");
    await waitMetric(page, "model_change_runs", runs);
    assert.match(await page.textContent("[data-testid=model-ablated]"), /Head 3\.0/);
    const ablated = Number(await page.getAttribute(s, "data-after"));
    assert.ok(Number.isFinite(ablated) && ablated !== before, `ablating head 3.0: ${before} → ${ablated}`);
    await shot(page, "model-change", { fullPage: true });
  });
});

test("generation streams tokens greedily, measures its speed and grows the KV cache by 46,080 bytes a token", async () => {
  await withApp(`?view=model&prompt=${encodeURIComponent("Once upon a time")}&gen=8`, async ({ page }) => {
    await loadAndAnalyse(page);
    await page.click("[data-testid=model-generate]");
    await waitMetric(page, "model_decode_tokens");
    const m = await page.evaluate(() => window.__atlas);
    assert.equal(m.model_prefill_tokens, 4);
    assert.equal(m.model_decode_tokens, 7, "the first new token comes from the prompt's pass");
    const text = await page.textContent("[data-testid=model-generated]");
    assert.ok(text.startsWith(","), `greedy continues with the reference's top token ",": ${JSON.stringify(text)}`);
    assert.match(await page.textContent("[data-testid=model-gen-cache]"), /for 11 tokens/);

    // Stop keeps what was streamed: a long run stopped after its first tokens leaves them on screen.
    await page.evaluate(() => {
      const u = new URL(location.href);
      u.searchParams.set("gen", "64");
      history.replaceState(null, "", u);
      dispatchEvent(new PopStateEvent("popstate"));
    });
    await page.click("[data-testid=model-generate]");
    await page.waitForFunction(
      (before) => document.querySelector("[data-testid=model-generated]").textContent.length > before,
      text.length + 4,
    );
    await page.click("[data-testid=model-stop]");
    const stopped = await page.textContent("[data-testid=model-generated]");
    assert.ok(stopped.length > 0, "the streamed text stays after Stop");
    await page.waitForTimeout(500);
    assert.equal(await page.textContent("[data-testid=model-generated]"), stopped, "nothing is generated after Stop");
    assert.equal(await page.locator("[data-testid=model-stop]").count(), 0, "Stop disappears when stopped");
  });
});
