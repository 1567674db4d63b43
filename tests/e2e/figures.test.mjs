// Figures: one alone per chapter (`embed=1&fig=`) posting its height, the exports (PNG 1× and 2×,
// SVG, CSV), the dark theme, and the layout at 360 px and 3840 px.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import { serve, launch, shot, withApp, waitForRuns } from "./harness.mjs";

/** The width and height in a PNG's IHDR. */
function pngSize(file) {
  const b = fs.readFileSync(file);
  assert.equal(b.toString("latin1", 1, 4), "PNG", "a PNG signature");
  return { w: b.readUInt32BE(16), h: b.readUInt32BE(20) };
}

/** Rows of RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n") { row.push(field); rows.push(row); row = []; field = ""; }
    else if (c !== "\r") field += c;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

async function download(page, testId) {
  const [d] = await Promise.all([page.waitForEvent("download"), page.click(`[data-testid="${testId}"]`)]);
  return { name: d.suggestedFilename(), path: await d.path() };
}

// A host page on another origin that records the heights its iframe posts.
function recorder() {
  const server = http.createServer((req, res) => {
    const src = new URL(req.url, "http://x").searchParams.get("src") || "about:blank";
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><meta charset="utf-8"><iframe id="f" sandbox="allow-scripts" width="1100" height="500"
      src="${src.replace(/"/g, "&quot;")}"></iframe><script>window.posted = [];
      addEventListener("message", (e) => { if (e.data && e.data.atlas === "height") {
        window.posted.push(e.data); document.getElementById("f").style.height = e.data.height + "px"; } });</script>`);
  });
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((c) => server.close(c)) })));
}

const ALONE = [
  ["sdpa", "sdpa-weights", "&n=16"],
  ["heads", "heads-memory", ""],
  ["sparse", "sparse-mask", "&n=64"],
  ["approx", "approx-sweep", "&n=64"],
  ["speed", "speed-table", ""],
  ["model", "model-prompt", ""],
];

test("fig= renders one figure of every chapter alone, and the height it posts is its content's", { timeout: 600000 }, async () => {
  const atlas = await serve();
  const host = await recorder();
  const browser = await launch();
  const errors = [];
  try {
    const page = browser.context.pages()[0] || (await browser.context.newPage());
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(e.message));
    for (const [view, fig, extra] of ALONE) {
      const src = `${atlas.url}?view=${view}${extra}&embed=1&fig=${fig}`;
      await page.goto(`${host.url}?src=${encodeURIComponent(src)}`);
      const frame = await (await page.waitForSelector("#f")).contentFrame();
      if (view === "model") {
        await frame.click("[data-testid=model-load]");
        await frame.waitForSelector("[data-testid=model-ready]", { timeout: 180000 });
      }
      await frame.waitForSelector(`[data-testid=fig-${fig}] .card`, { timeout: 180000 });
      await page.waitForTimeout(800);
      const shown = await frame.$$eval(".figure", (fs) => fs.filter((f) => f.getBoundingClientRect().height > 0).map((f) => f.dataset.fig));
      assert.deepEqual(shown, [fig], `${view}: only ${fig}`);
      assert.equal(await frame.$("header.app-header"), null);
      assert.ok(await frame.$(".embed-link a"), "the link to the full page");
      const href = await frame.$eval(".embed-link a", (a) => a.href);
      assert.ok(!href.includes("embed=") && !href.includes("fig=") && href.includes(`view=${view}`), href);
      const last = await page.evaluate(() => window.posted.at(-1));
      const content = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
      assert.ok(last && last.fig === fig, `${fig} posted its height`);
      assert.ok(Math.abs(last.height - content) <= 1, `${fig}: posted ${last.height} vs content ${content}`);
      assert.ok(content < 2600, `${fig}: one figure, not a chapter (${content}px)`);
      // The whole frame in view (Chromium does not paint an out-of-view cross-origin frame).
      await page.setViewportSize({ width: 1140, height: Math.min(last.height + 40, 4000) });
      await page.waitForTimeout(500);
      await shot(page, `fig-alone-${view}`);
      await page.setViewportSize({ width: 1440, height: 1000 });
    }
    // controls=0: the figure without its controls.
    await page.goto(`${host.url}?src=${encodeURIComponent(`${atlas.url}?view=sdpa&n=16&embed=1&fig=sdpa-weights&controls=0`)}`);
    const frame = await (await page.waitForSelector("#f")).contentFrame();
    await frame.waitForSelector("[data-testid=fig-sdpa-weights] .card");
    assert.equal(await frame.$eval("[data-testid=controls]", (c) => c.getBoundingClientRect().height), 0);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await host.close();
    await atlas.close();
  }
});

test("PNG export decodes at 1× and 2×; the CSV is the N × N weights with token labels", { timeout: 180000 }, async () => {
  await withApp("?view=sdpa&n=24", async ({ page }) => {
    await waitForRuns(page);
    const box = await page.$eval("[data-testid=fig-sdpa-weights]", (f) => {
      const rs = [...f.querySelectorAll("canvas")].map((c) => c.getBoundingClientRect()).filter((r) => r.width > 0);
      const w = Math.max(...rs.map((r) => r.right)) - Math.min(...rs.map((r) => r.left));
      const h = Math.max(...rs.map((r) => r.bottom)) - Math.min(...rs.map((r) => r.top));
      return { w: Math.ceil(w), h: Math.ceil(h) };
    });
    const one = await download(page, "sdpa-weights-png1");
    assert.equal(one.name, "atlas-sdpa-weights-head0-n24.png");
    const two = await download(page, "sdpa-weights-png2");
    assert.equal(two.name, "atlas-sdpa-weights-head0-n24-2x.png");
    const s1 = pngSize(one.path), s2 = pngSize(two.path);
    // The canvases' box, the card's title line above (28 px), the legend strip (48 px) and the
    // caption's lines (18 px each, plus 8) below.
    const captionLines = await page.$eval("[data-testid=fig-sdpa-weights] .caption", (c) => c.innerText.trim().length > 0 ? 1 : 0).catch(() => 0);
    assert.equal(s1.w, box.w, "1×: as wide as the canvases");
    assert.ok(s1.h >= box.h + 28 + 48 + captionLines * 26 && s1.h <= box.h + 28 + 48 + 8 + 6 * 18, `1× height ${s1.h} for canvases ${box.h}`);
    assert.deepEqual(s2, { w: 2 * s1.w, h: 2 * s1.h }, "2×: twice the pixels each way");
    const csv = await download(page, "sdpa-weights-csv");
    assert.equal(csv.name, "atlas-sdpa-weights-head0-n24.csv");
    const lines = parseCsv(fs.readFileSync(csv.path, "utf8"));
    assert.equal(lines.length, 25, "a header and 24 rows");
    const header = lines[0];
    assert.equal(header.length, 25);
    const tokens = await page.$$eval("[data-testid=main-heatmap] .row-labels span", (s) => s.map((e) => e.textContent));
    assert.equal(tokens.length, 24);
    assert.deepEqual(header.slice(1), tokens, "column labels are the tokens");
    for (const [i, cells] of lines.slice(1).entries()) {
      assert.equal(cells.length, 25);
      const nums = cells.slice(1).map(Number);
      assert.ok(nums.every((x) => Number.isFinite(x) && x >= 0 && x <= 1), `row ${i} numbers`);
      assert.ok(Math.abs(nums.reduce((a, b) => a + b, 0) - 1) < 1e-3, `row ${i} sums to 1`);
      assert.equal(cells[0], tokens[i], `row ${i} label`);
    }
    // Embed: the iframe snippet of this figure with the current state, sized to it.
    const fig = await page.$eval("[data-testid=fig-sdpa-weights]", (f) => ({ w: f.offsetWidth, h: f.offsetHeight }));
    await page.click("[data-testid=sdpa-weights-embed]");
    const snippet = await page.inputValue("[data-testid=sdpa-weights-snippet]");
    assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?view=sdpa&n=24&[^"]*&embed=1&fig=sdpa-weights"/);
    assert.ok(snippet.includes(`width="${fig.w}"`), `${snippet} width ${fig.w}`);
    const h = Number(snippet.match(/height="(\d+)"/)[1]);
    assert.ok(h >= fig.h && h < fig.h + 200, `height ${h} for a ${fig.h}px figure`);
    // Share: the full-page permalink to the figure (copied, or shown when the clipboard refuses).
    await page.click("[data-testid=sdpa-weights-embed]");
    await page.click("[data-testid=sdpa-weights-share]");
    await page.waitForSelector("[data-testid=sdpa-weights-status]");
    const json = JSON.parse(fs.readFileSync((await download(page, "sdpa-weights-json")).path, "utf8"));
    assert.equal(json.figure, "sdpa-weights");
    assert.equal(json.params.n, "24");
    assert.equal(json.parts[0].values.length, 24);
    assert.deepEqual(json.parts[0].row_labels, tokens);
  });
});

test("a table figure exports as a PNG; a chart without series exports its data as a table", { timeout: 180000 }, async () => {
  await withApp("?view=speed", async ({ page }) => {
    const png = await download(page, "speed-table-png1");
    assert.match(png.name, /^atlas-speed-table.*\.png$/);
    const { w, h } = pngSize(png.path);
    const rows = await page.$$eval("[data-testid=fig-speed-table] tr", (r) => r.length);
    assert.ok(w > 200 && h >= rows * 24, `table PNG ${w}×${h} for ${rows} rows`);
  });
  await withApp("?view=heads&ctx=4096", async ({ page }) => {
    await page.waitForSelector("[data-testid=memory-chart] canvas");
    const csv = fs.readFileSync((await download(page, "heads-memory-csv")).path, "utf8");
    const rows = parseCsv(csv);
    assert.match(rows[0][0], /context/i, "the memory chart's table comes first");
    assert.ok(rows[0].slice(1).every((c) => c.endsWith("(GiB)")), rows[0].join("|"));
    const first = rows.findIndex((r) => r.length === 1 && r[0] === "");
    const chart = rows.slice(1, first > 0 ? first : undefined).filter((r) => r.length > 1);
    assert.ok(chart.length >= 5 && chart.every((r) => r.slice(1).every((c) => Number(c) >= 0)), "context rows with GiB numbers");
    assert.ok(csv.includes("MHA") && csv.includes("MQA"), "the variant table follows");
  });
});

test("the Speed chapter's memory chart exports every kernel's measured peaks (JSON, CSV) with the machine", { timeout: 240000 }, async () => {
  await withApp("?view=speed&max_n=512&run=1", async ({ page }) => {
    await waitForRuns(page, 0, "speed_runs");
    await page.waitForSelector("[data-testid=speed-memory-chart] canvas");
    const json = JSON.parse(fs.readFileSync((await download(page, "speed-memory-json")).path, "utf8"));
    assert.equal(json.figure, "speed-memory");
    const series = json.parts.find((p) => p.kind === "series");
    assert.match(series.y.label, /peak memory per call \(MiB\)/);
    const lines = series.series.filter((s) => s.points.length === 2 && !s.label.startsWith("∝"));
    assert.equal(lines.length, 12, lines.map((s) => s.label).join("|"));
    for (const s of lines) assert.ok(s.points.every(([n, b]) => [256, 512].includes(n) && b > 0), `${s.label}: ${JSON.stringify(s.points)}`);
    assert.ok(json.parts.some((p) => p.kind === "table"), "the machine's description follows");
    const csv = parseCsv(fs.readFileSync((await download(page, "speed-memory-csv")).path, "utf8"));
    assert.ok(csv.some((r) => r.includes("Synthesizer")), "the CSV names the kernels");
  });
});

test("the SVG of a chart parses and carries the chart's text", { timeout: 120000 }, async () => {
  await withApp("?view=sdpa&n=16", async ({ page }) => {
    await waitForRuns(page);
    const svg = await download(page, "sdpa-scaling-svg");
    assert.match(svg.name, /^atlas-sdpa-scaling.*\.svg$/);
    const text = fs.readFileSync(svg.path, "utf8");
    const json = JSON.parse(fs.readFileSync((await download(page, "sdpa-scaling-json")).path, "utf8"));
    const series = json.parts.find((p) => p.kind === "series");
    assert.ok(series && series.x.label, "the chart's series with its axis label");
    const parsed = await page.evaluate((t) => {
      const doc = new DOMParser().parseFromString(t, "image/svg+xml");
      return { error: !!doc.querySelector("parsererror"), root: doc.documentElement.nodeName, texts: [...doc.querySelectorAll("text")].map((e) => e.textContent.trim()) };
    }, text);
    assert.equal(parsed.error, false);
    assert.equal(parsed.root, "svg");
    assert.ok(parsed.texts.includes(series.x.label), `the x label ${series.x.label} is in the SVG`);
    assert.ok(parsed.texts.includes(series.series[0].label), "the legend's first series is in the SVG");
  });
});

test("the dark theme applies to the page and its canvases; cmap= swaps the weights' map", { timeout: 120000 }, async () => {
  await withApp("?view=sdpa&n=16&theme=dark", async ({ page }) => {
    await waitForRuns(page);
    assert.equal(await page.getAttribute("html", "data-theme"), "dark");
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const lum = (s) => { const [r, g, b] = s.match(/\d+/g).map(Number); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    assert.ok(lum(bg) < 60, `dark page background ${bg}`);
    const corner = await page.$eval("[data-testid=scaling-chart] canvas", (c) => [...c.getContext("2d").getImageData(2, 2, 1, 1).data]);
    assert.ok(lum(`rgb(${corner[0]},${corner[1]},${corner[2]})`) < 60, `dark chart background ${corner}`);
    await shot(page, "theme-dark");
    const before = await page.$eval("[data-testid=main-heatmap] canvas", (c) => [...c.getContext("2d").getImageData(0, 0, 1, 1).data].join());
    await page.selectOption("[data-testid=cmap]", "cividis");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("cmap") === "cividis");
    await page.waitForFunction((b) => [...document.querySelector("[data-testid=main-heatmap] canvas").getContext("2d").getImageData(0, 0, 1, 1).data].join() !== b, before);
    await page.click("[data-testid=theme-toggle]");
    await page.waitForFunction(() => document.documentElement.dataset.theme === "light" && new URL(location.href).searchParams.get("theme") === "light");
  });
});

// Elements whose visible box reaches past the viewport. A wide table scrolls inside its card, so
// the part an ancestor's overflow clips away is not visible and does not count.
async function noOverflow(page, width) {
  return page.evaluate((w) => {
    const wide = [];
    for (const e of document.querySelectorAll("body *")) {
      const r = e.getBoundingClientRect();
      const st = getComputedStyle(e);
      if (r.width === 0 || r.height === 0 || st.visibility === "hidden") continue;
      let right = r.right, left = r.left;
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== "visible") {
          const ar = a.getBoundingClientRect();
          right = Math.min(right, ar.right);
          left = Math.max(left, ar.left);
        }
      }
      if (right - left > w + 1 || right > w + 1) wide.push(`${e.tagName}.${e.className}#${e.dataset.testid || ""} ${Math.round(left)}…${Math.round(right)}`);
    }
    return { wide: wide.slice(0, 8), scroll: document.documentElement.scrollWidth };
  }, width);
}

for (const view of ["sdpa", "heads", "sparse", "approx", "speed"]) {
  test(`at 360 px the ${view} chapter fits: controls in a drawer, nothing wider than the viewport`, { timeout: 120000 }, async () => {
    await withApp(`?view=${view}`, async ({ page }) => {
      await page.setViewportSize({ width: 360, height: 780 });
      await page.waitForTimeout(1500);
      const { wide, scroll } = await noOverflow(page, 360);
      assert.deepEqual(wide, [], "elements visible beyond 360 px");
      assert.ok(scroll <= 360, `scrollWidth ${scroll}`);
      assert.equal(await page.$eval("[data-testid=controls]", (c) => getComputedStyle(c).visibility), "hidden");
      await page.click("[data-testid=drawer-toggle]");
      await page.waitForFunction(() => getComputedStyle(document.querySelector("[data-testid=controls]")).visibility === "visible");
      await page.waitForTimeout(400);
      if (view === "sdpa") await shot(page, "narrow-360-drawer");
      await page.click("[data-testid=drawer-toggle]");
      await page.waitForTimeout(400);
      await shot(page, `narrow-360-${view}`, { fullPage: view === "sdpa" });
    });
  });
}

test("the model chapter at 360 px and in the dark theme: nothing wider than the viewport, dark charts", { timeout: 300000 }, async () => {
  await withApp("?view=model&theme=dark", async ({ page }) => {
    await page.click("[data-testid=model-load]");
    await page.waitForSelector("[data-testid=model-ready]", { timeout: 120000 });
    await waitForRuns(page, 0, "model_runs");
    await page.waitForTimeout(800);
    const lum = (s) => { const [r, g, b] = s.match(/\d+/g).map(Number); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const fills = await page.$$eval(".loss-chart .loss-shade, .loss-chart", (es) => es.map((e) => getComputedStyle(e).fill));
    for (const f of fills.filter((f) => f.startsWith("rgb"))) assert.ok(lum(f) < 90, `dark loss chart fill ${f}`);
    await shot(page, "model-dark");
    await page.setViewportSize({ width: 360, height: 780 });
    await page.waitForTimeout(1500);
    const { wide, scroll } = await noOverflow(page, 360);
    assert.deepEqual(wide, [], "elements visible beyond 360 px");
    assert.ok(scroll <= 360, `scrollWidth ${scroll}`);
    await shot(page, "narrow-360-model");
  });
});

test("at 3840 px the figures use the width", { timeout: 120000 }, async () => {
  await withApp("?view=sdpa", async ({ page }) => {
    await page.setViewportSize({ width: 3840, height: 2160 });
    await waitForRuns(page);
    await page.waitForTimeout(800);
    const lefts = await page.$$eval(".figures > .figure", (fs) => new Set(fs.map((f) => Math.round(f.getBoundingClientRect().left))).size);
    assert.ok(lefts >= 2, "figures side by side");
    const main = await page.$eval("[data-testid=main]", (m) => m.getBoundingClientRect().width);
    assert.ok(main > 3000, `main ${main}px wide`);
    await shot(page, "wide-3840");
  });
});
