// End-to-end tests of classroom mode (`class=1`, src/ui/teaching/, style/classroom.css), the
// heatmaps' text alternatives and data tables (src/ui/render/heatmap.rs), and the language chosen
// from the browser's preferences (src/ui/app.rs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, waitForRuns, shot } from "./harness.mjs";

/** Sizes a projector cares about on the SDPA chapter. */
const sizes = (page) =>
  page.evaluate(() => {
    const px = (sel, prop) => parseFloat(getComputedStyle(document.querySelector(sel))[prop]);
    const rect = (sel) => document.querySelector(sel).getBoundingClientRect();
    return {
      title: px(".view-head h2", "fontSize"),
      caption: px(".card .caption", "fontSize"),
      heatmap: rect("[data-testid=main-heatmap] canvas").width,
      chart: rect("[data-testid=scaling-chart] canvas").width,
      control: px(".controls .control label", "fontSize"),
    };
  });

test("classroom mode: larger type, cells and charts, compact controls; the header toggles it", async () => {
  await withApp("?view=sdpa", async ({ page }) => {
    await waitForRuns(page);
    const normal = await sizes(page);
    await page.click("[data-testid=class-toggle]");
    await page.waitForFunction(() => document.body.classList.contains("classroom"));
    assert.match(page.url(), /class=1/);
    assert.equal(await page.getAttribute("[data-testid=class-toggle]", "aria-pressed"), "true");
    await page.waitForTimeout(300);
    const big = await sizes(page);
    assert.ok(big.title >= normal.title * 1.25, `title ${normal.title} → ${big.title}`);
    assert.ok(big.caption >= normal.caption * 1.25, `caption ${normal.caption} → ${big.caption}`);
    assert.ok(big.heatmap >= normal.heatmap * 1.3, `heatmap ${normal.heatmap} → ${big.heatmap}`);
    assert.ok(big.chart > normal.chart, `chart ${normal.chart} → ${big.chart}`);
    assert.ok(big.control <= normal.control * 1.05, `controls stay compact: ${normal.control} → ${big.control}`);
    // The chart's backing store is 1.5× larger: thick lines and large text, still crisp.
    const backing = await page.$eval("[data-testid=scaling-chart] canvas", (c) => c.width);
    assert.equal(backing, 960);
    await page.click("[data-testid=class-toggle]");
    await page.waitForFunction(() => !document.body.classList.contains("classroom"));
    assert.doesNotMatch(page.url(), /class=1/);
  });
});

test("classroom at 1920×1080: F shows one figure full-screen, Esc returns; the tour's keys work", async () => {
  const opts = { launch: { args: ["--window-size=1920,1080"] } };
  await withApp("?view=sdpa&class=1&tour=sdpa&step=6&causal=1", async ({ page }) => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await waitForRuns(page);
    await page.waitForTimeout(500);
    await shot(page, "classroom-1920");
    await page.keyboard.press("f");
    await page.waitForSelector(".figure.fig-full");
    const full = await page.$eval(".figure.fig-full", (f) => {
      const r = f.getBoundingClientRect();
      return { id: f.dataset.fig, w: r.width, h: r.height, zoom: getComputedStyle(f).getPropertyValue("--fig-zoom") };
    });
    assert.equal(full.id, "sdpa-weights", "the tour step's figure");
    assert.ok(full.w >= 1900 && full.h >= 1060, `covers the window: ${full.w}×${full.h}`);
    assert.ok(Number(full.zoom) >= 1, `zoom ${full.zoom}`);
    assert.equal(await page.isVisible("[data-testid=tour]"), false, "the tour panel steps aside");
    await page.waitForTimeout(300);
    await shot(page, "classroom-full");
    await page.keyboard.press("Escape");
    await page.waitForSelector(".figure.fig-full", { state: "detached" });
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("step") === "7");
    assert.match(page.url(), /class=1/, "the tour keeps classroom mode");
  }, opts);
});

test("a heatmap says its strongest links in words and, for small N, shows its numbers as a table", async () => {
  await withApp("?view=sdpa&n=8&heads=1", async ({ page }) => {
    await waitForRuns(page);
    const map = "[data-testid=main-heatmap]";
    const words = await page.$eval(`${map} canvas`, (c) => document.getElementById(c.getAttribute("aria-describedby")).textContent);
    assert.match(words, /Strongest cells in each row/);
    assert.equal((words.match(/→/g) || []).length, 8, "one entry per row");
    assert.match(words, /“[^”]+” → “[^”]+” 0\.\d+/);
    await page.click(`${map} [data-testid=heatmap-alt] summary`);
    await page.click(`${map} [data-testid=heatmap-table-toggle]`);
    const table = await page.$$eval(`${map} [data-testid=heatmap-table] tbody tr`, (rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].map((td) => Number(td.textContent))));
    assert.equal(table.length, 8);
    for (const row of table) {
      assert.equal(row.length, 8);
      const sum = row.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 0.03, `a row of weights sums to 1 (${sum})`);
    }
  });
  await withApp("?view=sdpa&n=8&heads=1&lang=zh", async ({ page }) => {
    await waitForRuns(page);
    const words = await page.$eval("[data-testid=main-heatmap] canvas", (c) => document.getElementById(c.getAttribute("aria-describedby")).textContent);
    assert.match(words, /每一行中最强的单元格/);
  });
});

test("without lang=, a browser that prefers Chinese gets Chinese, and the header switch goes to English", async () => {
  const prefersChinese = () => {
    Object.defineProperty(navigator, "languages", { get: () => ["zh-CN", "zh", "en"] });
    Object.defineProperty(navigator, "language", { get: () => "zh-CN" });
  };
  await withApp("?view=sparse", async ({ page }) => {
    await page.waitForSelector("[data-testid=view-sparse]");
    assert.equal(await page.textContent("[data-testid=nav-sparse]"), "稀疏注意力");
    await page.click("[data-testid=lang-toggle]");
    await page.waitForURL(/lang=en/);
    await page.waitForSelector("[data-testid=view-sparse]");
    assert.equal(await page.textContent("[data-testid=nav-sparse]"), "Sparse patterns");
    assert.match(page.url(), /view=sparse/, "the same chapter");
  }, { initScript: prefersChinese });
});

test("prefers-reduced-motion: no transitions", async () => {
  await withApp("?tour=sdpa&step=2", async ({ page }) => {
    await page.emulateMedia({ reducedMotion: "reduce" });
    await page.waitForSelector("[data-testid=tour]");
    await page.waitForSelector("[data-testid=tour-dot-1]");
    const t = await page.$eval("[data-testid=tour-dot-1]", (d) => getComputedStyle(d).transitionDuration);
    assert.match(t, /^0s/);
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).scrollBehavior), "auto");
  });
});
