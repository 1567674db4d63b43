// End-to-end tests of the home page (src/ui/views/home.rs) and of the typeset chapter formulas
// (src/ui/render/math.rs).
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { withApp, shot, SHOTS } from "./harness.mjs";

const CHAPTERS = ["sdpa", "heads", "sparse", "approx", "speed", "model"];

/** Distinct RGBA values of a canvas: a painted thumbnail has many, a blank one has one. */
const colours = (page, selector) =>
  page.$eval(selector, (c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });

test("the home page: six cards, painted thumbnails, typeset formulas, a card opens its chapter", async () => {
  await withApp("?", async ({ page }) => {
    await page.waitForSelector("[data-testid=view-home]");
    const cards = await page.$$eval("[data-testid=home-cards] > a", (as) => as.map((a) => a.dataset.testid));
    assert.deepEqual(cards, CHAPTERS.map((c) => `card-${c}`));
    for (const c of CHAPTERS.filter((c) => c !== "model")) {
      assert.ok((await colours(page, `[data-testid=card-${c}] canvas`)) > 1, `${c} thumbnail is painted (not one flat colour)`);
    }
    assert.equal(await page.locator("[data-testid=card-model] canvas").count(), 0, "the model card computes nothing");
    assert.match(await page.textContent("[data-testid=card-model]"), /load it in its chapter/);
    assert.equal(await page.locator("[data-testid=card-formula] math").count(), 6);
    assert.match(await page.textContent("[data-testid=view-home] .lede"), /computes the attention mechanisms/);
    await shot(page, "home-en", { fullPage: true });
    await page.click("[data-testid=card-heads]");
    await page.waitForSelector("[data-testid=view-heads]");
    assert.match(page.url(), /view=heads/);
  });
});

test("view=home&lang=zh shows the Chinese texts; the switch goes back to English", async () => {
  await withApp("?view=home&lang=zh", async ({ page }) => {
    await page.waitForSelector("[data-testid=view-home]");
    const lede = await page.textContent("[data-testid=view-home] .lede");
    assert.match(lede, /多查询注意力/);
    assert.match(lede, /分组查询注意力/);
    assert.doesNotMatch(lede, /computes/);
    assert.match(await page.textContent("[data-testid=card-model]"), /请在本章中加载/);
    assert.match(await page.getAttribute("[data-testid=card-sdpa]", "href"), /lang=zh/);
    await page.waitForTimeout(200);
    await shot(page, "home-zh", { fullPage: true });
    await page.click("[data-testid=lang-en]");
    await page.waitForFunction(() => /computes/.test(document.querySelector(".lede")?.textContent || ""));
  });
});

test("every chapter header has a rendered <math> formula with its plain-text fallback", async () => {
  const expect = {
    sdpa: /Attention\(Q, K, V\) = softmax/,
    heads: /GQA: head h reads K\/V head/,
    sparse: /M_ij = 0 if \(i, j\) is in the pattern/,
    approx: /FAVOR\+/,
    speed: /time ≈ c·Nᵖ/,
    model: /SiLU/,
  };
  await withApp("?view=sdpa", async ({ page }) => {
    for (const c of CHAPTERS) {
      if (c !== "sdpa") {
        await page.click(`[data-testid=nav-${c}]`);
      }
      await page.waitForSelector(`[data-testid=view-${c}] .view-head [data-testid=formula] math`);
      const head = `[data-testid=view-${c}] .view-head`;
      assert.match(await page.textContent(`${head} [data-testid=formula-text]`), expect[c], c);
      assert.match(await page.getAttribute(`${head} [data-testid=formula]`, "title"), expect[c], c);
      // Rendered as MathML, not as raw text: a fraction or script box has real geometry.
      const box = await page.$eval(`${head} math`, (m) => {
        const r = m.getBoundingClientRect();
        return { w: r.width, h: r.height, scripts: m.querySelectorAll("msub, msup, msubsup, mfrac").length };
      });
      assert.ok(box.w > 50 && box.h > 10 && box.scripts > 0, `${c}: ${JSON.stringify(box)}`);
      await page.locator(`${head} [data-testid=formula]`).screenshot({ path: path.join(SHOTS, `formula-${c}.png`) });
    }
  });
  await withApp("?view=model&lang=zh", async ({ page }) => {
    await page.waitForSelector("[data-testid=view-model] [data-testid=formula] math");
    assert.match(await page.textContent("[data-testid=view-model] [data-testid=formula-text]"), /因果/);
    assert.match(await page.textContent("[data-testid=view-model] [data-testid=formula] math"), /因果/);
  });
});
