// An embed inside `<iframe sandbox="allow-scripts">` on a page of another origin: the view renders
// and computes, with no console error and no request beyond the atlas's own origin.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { serve, launch, shot, SHOTS } from "./harness.mjs";

function hostPage(atlas) {
  const body = `<!doctype html><meta charset="utf-8"><title>A blog post</title>
<h1>A post about attention</h1>
<iframe id="fig" sandbox="allow-scripts" width="1000" height="900"
  src="${atlas}?view=sdpa&n=12&causal=1&embed=1"></iframe>`;
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) }));
  });
}

test("an embed works in a sandboxed iframe served from another origin", { timeout: 120000 }, async () => {
  const atlas = await serve();
  const host = await hostPage(atlas.url);
  const browser = await launch();
  const errors = [];
  try {
    const page = browser.context.pages()[0] || (await browser.context.newPage());
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("request", (r) => {
      if (!r.url().startsWith(atlas.url) && !r.url().startsWith(host.url) && !r.url().startsWith("data:")) errors.push(`off-origin: ${r.url()}`);
    });
    await page.goto(host.url);
    const frame = await (await page.waitForSelector("#fig")).contentFrame();
    await frame.waitForSelector("[data-testid=view-sdpa]", { timeout: 60000 });
    await frame.waitForFunction(() => window.__atlas && window.__atlas.sdpa_runs > 0, null, { timeout: 60000 });
    assert.equal(await frame.$("header.app-header"), null, "embed mode: no header");
    const painted = await frame.$eval("[data-testid=main-heatmap] canvas, canvas", (c) => {
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let lit = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) lit++;
      return lit;
    });
    assert.ok(painted > 100, "the heatmap is drawn inside the sandbox");
    assert.equal(await frame.evaluate(() => window.origin), "null", "the frame really is sandboxed (opaque origin)");
    const styled = await frame.evaluate(() => !/times/i.test(getComputedStyle(document.body).fontFamily));
    assert.ok(styled, "the stylesheet applies inside the sandbox");
    await shot(page, "embed-sandboxed");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await host.close();
    await atlas.close();
  }
});

// examples/embed.html, served from a second origin: its three sandboxed figures (three chapters)
// render alone and the host's few lines of script resize each iframe to the height it posts.
test("examples/embed.html: three sandboxed figures from another origin render and resize", { timeout: 240000 }, async () => {
  const atlas = await serve();
  const html = fs.readFileSync(new URL("../../examples/embed.html", import.meta.url), "utf8")
    .replaceAll("https://attention-atlas.example/", atlas.url)
    .replaceAll(`sandbox="allow-scripts allow-popups"`, `sandbox="allow-scripts"`);
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(html);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const hostUrl = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launch();
  const errors = [];
  try {
    const page = browser.context.pages()[0] || (await browser.context.newPage());
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("request", (r) => {
      if (!r.url().startsWith(atlas.url) && !r.url().startsWith(hostUrl) && !r.url().startsWith("data:")) errors.push(`off-origin: ${r.url()}`);
    });
    await page.goto(hostUrl);
    const figs = { weights: "sdpa-weights", memory: "heads-memory", mask: "sparse-mask" };
    for (const [frameId, fig] of Object.entries(figs)) {
      const el = await page.waitForSelector(`#${frameId}`);
      const fixed = Number(await el.getAttribute("height"));
      const frame = await el.contentFrame();
      await frame.waitForSelector(`[data-testid=fig-${fig}] .card`, { timeout: 90000 });
      assert.equal(await frame.evaluate(() => window.origin), "null", `${fig}: sandboxed`);
      const visible = await frame.$$eval(".figure", (fs) => fs.filter((f) => f.getBoundingClientRect().height > 0).map((f) => f.dataset.fig));
      assert.deepEqual(visible, [fig], `${fig} is the only figure shown`);
      // Resized: the iframe's height becomes the content height it posted, not its fixed height.
      await page.waitForFunction(([id, h]) => {
        const f = document.getElementById(id);
        return f.style.height && Math.abs(f.getBoundingClientRect().height - h) > 1;
      }, [frameId, fixed], { timeout: 60000 });
      await page.waitForTimeout(300);
      const content = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
      const outer = await el.evaluate((f) => Math.round(f.getBoundingClientRect().height));
      assert.ok(Math.abs(outer - content) <= 2, `${fig}: iframe ${outer}px vs content ${content}px`);
      // In view, so Chromium paints the cross-origin frame for the screenshot.
      await el.scrollIntoViewIfNeeded();
      await page.waitForTimeout(600);
      fs.mkdirSync(SHOTS, { recursive: true });
      await el.screenshot({ path: path.join(SHOTS, `embed-example-${fig}.png`) });
    }
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await new Promise((r) => server.close(r));
    await atlas.close();
  }
});
