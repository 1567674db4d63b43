// End-to-end: the "Scaled dot-product attention" view, driven in headless Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, waitForRuns, canvasHash, setRange, shot } from "./harness.mjs";

const MAIN = "[data-testid=main-heatmap] canvas";

test("loads with a drawn heatmap, all heads, the pipeline, the chart and no console errors", async () => {
  await withApp("?view=sdpa", async (app) => {
    await waitForRuns(app.page);
    const hash = await canvasHash(app.page, MAIN);
    assert.match(hash, /^24x24:/, "24 tokens → a 24×24 map drawn one pixel per cell");
    assert.equal(await app.page.locator("[data-testid=multiples] canvas").count(), 4);
    assert.equal(await app.page.locator("[data-testid=pipeline] .step").count(), 11);
    const chartBlank = await app.page.$eval("[data-testid=scaling-chart] canvas", (c) => {
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      return d.every((v) => v === 255);
    });
    assert.equal(chartBlank, false, "the scaling chart is drawn");
    const body = await app.page.textContent("body");
    assert.ok(!/NaN|undefined/.test(body), "no NaN or undefined on screen");
    assert.match(await app.page.textContent("[data-testid=timing]"), /Recomputed and repainted in \d/);
    assert.match(await app.page.textContent("[data-testid=cost]"), /keeps only the raw scores/);
    const m = await app.page.evaluate(() => window.__atlas);
    assert.ok(m.sdpa_work_ms >= m.sdpa_compute_ms && m.sdpa_compute_ms > 0, "work covers compute and repaint");
    await shot(app.page, "sdpa-default", { fullPage: true });
  });
});

test("moving a slider changes the canvas and the URL, and reloading restores the picture", async () => {
  await withApp("?view=sdpa", async (app) => {
    let runs = await waitForRuns(app.page);
    const before = await canvasHash(app.page, MAIN);
    await app.page.click("[data-testid=seed-new]");
    runs = await waitForRuns(app.page, runs);
    await app.page.waitForFunction(() => location.search.includes("seed="));
    assert.doesNotMatch(app.page.url(), /seed=1(&|$)/, "a new seed, not the default");
    const after = await canvasHash(app.page, MAIN);
    assert.notEqual(after, before, "new seed → new weights");
    const url = app.page.url();
    assert.match(url, /seed=\d+/);

    await app.page.click("[data-testid=causal]");
    runs = await waitForRuns(app.page, runs);
    await app.page.waitForFunction(() => location.search.includes("causal=1"));
    const causal = await canvasHash(app.page, MAIN);
    assert.notEqual(causal, after);
    const upper = await app.page.$eval(MAIN, (c) => {
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      const px = (x, y) => Array.from(d.slice((y * c.width + x) * 4, (y * c.width + x) * 4 + 3));
      return { masked: px(c.width - 1, 0), diag: px(0, 0) };
    });
    assert.deepEqual(upper.masked, [205, 205, 212], "cells above the diagonal are drawn as masked");

    const permalink = app.page.url();
    await app.page.reload();
    await waitForRuns(app.page);
    assert.equal(await canvasHash(app.page, MAIN), causal, "the permalink reproduces the picture");
    const history = await app.page.evaluate(() => history.length);
    assert.ok(history <= 2, `slider ticks replace the history entry (history.length = ${history})`);
    assert.equal(app.page.url(), permalink);
  });
});

test("hovering a cell reads out tokens, raw score and weight; clicking a head selects it", async () => {
  await withApp("?view=sdpa&n=12", async (app) => {
    await waitForRuns(app.page);
    const box = await app.page.locator(MAIN).boundingBox();
    await app.page.mouse.move(box.x + box.width * (6.5 / 12), box.y + box.height * (3.5 / 12));
    await app.page.waitForSelector("[data-testid=hover-weight]");
    const weight = Number(await app.page.textContent("[data-testid=hover-weight]"));
    assert.ok(weight > 0 && weight < 1, `weight ${weight} is a probability`);
    assert.ok(Number.isFinite(Number(await app.page.textContent("[data-testid=hover-raw]"))));
    const readout = await app.page.textContent("[data-testid=readout]");
    assert.match(readout, /query 3 .* key 6/);

    await app.page.click("[data-testid=head-2]");
    await app.page.waitForFunction(() => location.search.includes("head=2"));
    await app.page.waitForFunction(() => document.querySelector("[data-testid=view-sdpa] h3").textContent.includes("Head 2"));
  });
});

test("a garbage query is clamped with a visible notice, never a panic", async () => {
  await withApp("?view=sdpa&n=-5&heads=abc&d_model=99999&scale=hot&causal=maybe", async (app) => {
    await waitForRuns(app.page);
    const notices = await app.page.textContent("[data-testid=notices]");
    assert.match(notices, /n=-5 is outside 1…4096; using 1/);
    assert.match(notices, /heads=abc is not a valid value/);
    assert.match(notices, /d_model=99999/);
    assert.match(notices, /scale=hot/);
    assert.equal(await app.page.locator("[data-testid=panic]").count(), 0);
    assert.match(await canvasHash(app.page, MAIN), /^1x1:/);
    await withApp("?view=sdpa&d_model=64&heads=5", async (heads) => {
      await waitForRuns(heads.page);
      assert.match(await heads.page.textContent("[data-testid=notices]"), /heads=5 does not divide d_model; using 4 heads/);
    });
    await withApp("?view=nonsense", async (bad) => {
      assert.match(
        await bad.page.textContent("[data-testid=notices]"),
        /view=nonsense is not one of home, sdpa, heads, sparse, approx, speed, model; using home/,
      );
      await bad.page.waitForSelector("[data-testid=view-home]");
    });
  });
});

test("typed text becomes the tokens on the axes", async () => {
  await withApp("?view=sdpa", async (app) => {
    let runs = await waitForRuns(app.page);
    await app.page.fill("[data-testid=text]", "Rust makes attention fast, and the browser draws it.");
    runs = await waitForRuns(app.page, runs);
    await app.page.waitForFunction(() => location.search.includes("text="));
    assert.match(await canvasHash(app.page, MAIN), /^11x11:/);
    const labels = await app.page.locator("[data-testid=main-heatmap] .row-labels span").allTextContents();
    assert.deepEqual(labels.slice(0, 4), ["Rust", "makes", "attention", "fast"]);
  });
});

test("embed mode renders the view alone", async () => {
  await withApp("?view=sdpa&embed=1&n=16", async (app) => {
    await waitForRuns(app.page);
    assert.equal(await app.page.locator("header.app-header").count(), 0);
    assert.equal(await app.page.locator("footer").count(), 0);
    assert.equal(await app.page.locator("[data-testid=view-sdpa]").count(), 1);
    await shot(app.page, "sdpa-embed");
  });
});

test("N = 4096 computes in slices with visible progress and stays responsive", async () => {
  await withApp("?view=sdpa&n=64", async (app) => {
    const runs = await waitForRuns(app.page);
    await setRange(app.page, "n", 1000);
    await app.page.waitForSelector(".busy", { timeout: 10000 });
    // The page answers while the job runs (no frozen tab).
    const t0 = Date.now();
    await app.page.evaluate(() => 1 + 1);
    assert.ok(Date.now() - t0 < 2000, "main thread is not blocked");
    await waitForRuns(app.page, runs);
    assert.match(await canvasHash(app.page, MAIN), /^512x512:/, "4096² weights pooled to 512²");
    assert.match(await app.page.textContent("[data-testid=pool-note]"), /4096×4096 matrix shown at 512×512/);
  });
});

test("text that looks like markup is shown as text, emoji and right-to-left words as tokens", async () => {
  const text = `<img src=x onerror="window.__pwned=1"> שָׁלוֹם 👍🏽 cafe\u0301`;
  await withApp(`?view=sdpa&text=${encodeURIComponent(text)}`, async (app) => {
    await waitForRuns(app.page);
    assert.equal(await app.page.$("main img"), null, "no element was made from the text");
    assert.equal(await app.page.evaluate(() => window.__pwned), undefined);
    const shown = await app.page.textContent("[data-testid=view-sdpa]");
    for (const token of ["<", "img", "שָׁלוֹם", "👍🏽", "cafe\u0301"]) assert.ok(shown.includes(token), `token ${token} is shown`);
    assert.doesNotMatch(shown, /\bNaN\b|undefined/);
  });
});

test("Copy link copies the canonical permalink: every parameter, no unknown keys", async () => {
  await withApp("?view=sdpa&n=7&zzz=1&causal=yes", async (app) => {
    await app.page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.base.replace(/\/$/, "") });
    await waitForRuns(app.page);
    await app.page.click("[data-testid=copy-link]");
    await app.page.waitForSelector("[data-testid=copied], [data-testid=link-box]");
    const link = (await app.page.$("[data-testid=copied]"))
      ? await app.page.evaluate(() => navigator.clipboard.readText())
      : await app.page.inputValue("[data-testid=link-box]");
    const url = new URL(link);
    assert.equal(url.origin + url.pathname, app.base);
    assert.equal(url.searchParams.get("n"), "7");
    assert.equal(url.searchParams.get("causal"), "1", "written in canonical form");
    assert.equal(url.searchParams.get("zzz"), null, "unknown keys are dropped");
    for (const key of ["view", "d_model", "heads", "head", "seed", "scale", "pool"]) assert.ok(url.searchParams.has(key), key);
  });
});
