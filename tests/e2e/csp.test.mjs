// The page's Content-Security-Policy: nothing but the page's own origin, no inline script, no inline
// <style> element, no style attribute, and no view trips it. The one relaxation is 'wasm-unsafe-eval'
// (to compile the wasm). Run-time style values are CSSOM writes (Leptos `style:` directives), which
// the CSP does not govern, and charts measure their text with the canvas, not with a styled <span>.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { DIST, openApp, withApp, waitForRuns } from "./harness.mjs";

/** The CSP meta of the built page as { directive: [sources] }. */
function builtPolicy() {
  const html = fs.readFileSync(path.join(DIST, "index.html"), "utf8");
  const metas = [...html.matchAll(/<meta\b[^>]*http-equiv=["']Content-Security-Policy["'][^>]*>/gi)];
  assert.equal(metas.length, 1, "exactly one CSP meta");
  const content = metas[0][0].match(/\bcontent=(["'])([^]*?)\1/i);
  assert.ok(content, "the CSP meta has a content attribute");
  const policy = {};
  for (const part of content[2].split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    assert.equal(policy[name.toLowerCase()], undefined, `directive ${name} given once`);
    policy[name.toLowerCase()] = sources;
  }
  return policy;
}

test("the built page's CSP allows only its own origin; its one relaxation is 'wasm-unsafe-eval'", () => {
  const policy = builtPolicy();
  assert.deepEqual(policy["default-src"], ["'self'"]);
  assert.deepEqual(policy["script-src"], ["'self'", "'wasm-unsafe-eval'"]);
  assert.deepEqual(policy["style-src"], ["'self'"]);
  assert.deepEqual(policy["connect-src"], ["'self'"]);
  // style-src covers <style> elements and style attributes; no narrower directive widens it again.
  for (const name of ["style-src-attr", "style-src-elem", "script-src-attr", "script-src-elem"]) {
    assert.equal(policy[name], undefined, `no ${name}`);
  }
  const relaxations = [];
  for (const [name, sources] of Object.entries(policy)) {
    for (const s of sources) {
      assert.ok(!/^(https?:|wss?:|\*)/i.test(s) && !s.includes("*"), `${name}: no network or wildcard source (${s})`);
      if (!["'self'", "'none'", "data:", "blob:"].includes(s)) relaxations.push(`${name} ${s}`);
    }
    if (name !== "img-src") assert.ok(!sources.includes("data:") && !sources.includes("blob:"), `${name}: no data: or blob:`);
  }
  assert.deepEqual(relaxations, ["script-src 'wasm-unsafe-eval'"]);
});

/** Runs in the page before its scripts: records every CSP violation in window.__cspViolations. */
function collectViolations() {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "(inline)"}: ${e.sample}`);
  }, true);
}

// Every chapter with every chart drawn (the speed chart only after a run), an embed, and Chinese;
// the model chapter below, once its model is loaded.
const VIEWS = [
  ["?view=sdpa", "sdpa_runs"],
  ["?view=heads", "heads_runs"],
  ["?view=sparse", "sparse_runs"],
  ["?view=approx&method=linformer&proj=mean&n=64&k=8", "approx_runs"],
  ["?view=speed&max_n=512&run=1", "speed_runs"],
  ["?view=heads&part=memory&embed=1", "heads_runs"],
  ["?view=approx&lang=zh", "approx_runs"],
];

for (const [query, metric] of VIEWS) {
  test(`${query} renders with no CSP violation`, { timeout: 180000 }, async () => {
    await withApp(query, async ({ page }) => {
      await waitForRuns(page, 0, metric);
      await page.waitForTimeout(300); // let the last render and any late style writes land
      // The styles really apply (the stylesheet is 'self'): the page is not in the browser's serif.
      assert.ok(!/times/i.test(await page.evaluate(() => getComputedStyle(document.body).fontFamily)));
      assert.ok((await page.$$("canvas")).length > 0, "the view drew its canvases");
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    }, { initScript: collectViolations });
  });
}

test("?view=model with the model loaded (its loss chart drawn) has no CSP violation", { timeout: 300000 }, async () => {
  await withApp("?view=model", async ({ page }) => {
    await page.click("[data-testid=model-load]");
    await page.waitForSelector("[data-testid=model-ready]", { timeout: 120000 });
    await waitForRuns(page, 0, "model_runs");
    await page.waitForTimeout(300);
    assert.ok((await page.$$("canvas")).length > 0, "the view drew its canvases");
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  }, { initScript: collectViolations });
});

test("one page through every view, part, embed and language: the collector records zero violations", { timeout: 300000 }, async () => {
  await withApp("?view=sdpa", async ({ page }) => {
    const nav = (q) => page.evaluate((q) => { history.pushState({}, "", q); dispatchEvent(new PopStateEvent("popstate")); }, q);
    // A stop waits for its view's run when it starts one (the RoPE panel alone computes nothing).
    const stops = [
      ["?view=sdpa&n=24&causal=1", "sdpa_runs"], ["?view=heads&part=rope"], ["?view=heads&part=mla&n=20", "heads_runs"],
      ["?view=heads&model=mistral-7b&ctx=65536"], ["?view=sparse&pattern=bigbird", "sparse_runs"],
      ["?view=sparse&pattern=lsh&embed=1", "sparse_runs"], ["?view=approx&method=performer", "approx_runs"],
      ["?view=approx&lang=zh&embed=1&n=48", "approx_runs"], ["?view=speed&max_n=512&run=1&lang=zh", "speed_runs"],
      ["?view=sdpa&embed=1&n=16", "sdpa_runs"],
    ];
    for (const [q, metric] of stops) {
      // A remounted view counts its runs from 0 again: clear the counter, then wait for a run.
      if (metric) await page.evaluate((m) => { if (window.__atlas) delete window.__atlas[m]; }, metric);
      await nav(q);
      if (metric) await waitForRuns(page, 0, metric).catch((e) => { throw new Error(`${q}: ${e.message}`); });
      await page.waitForFunction(() => !document.body.innerText.includes("Computing…"), null, { timeout: 60000 });
      await page.waitForTimeout(300);
      assert.ok((await page.$$("canvas")).length > 0, `${q} drew its canvases`);
    }
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  }, { initScript: collectViolations });
});

test("the policy is enforced: a style attribute and an inline <style> are blocked, CSSOM writes and `style:` apply", { timeout: 120000 }, async () => {
  const app = await openApp("?view=heads&part=memory&embed=1", { initScript: collectViolations });
  try {
    await waitForRuns(app.page, 0, "heads_runs");
    const applied = await app.page.evaluate(() => {
      const el = document.createElement("div");
      el.id = "csp-probe";
      document.body.append(el);
      el.setAttribute("style", "width: 77px"); // what plotters' text measurement did
      const attr = getComputedStyle(el).width;
      const style = document.createElement("style");
      style.textContent = "#csp-probe { width: 123px; }";
      document.head.append(style);
      const elem = getComputedStyle(el).width;
      el.style.width = "45px"; // a CSSOM write is allowed
      return [attr, elem, getComputedStyle(el).width];
    });
    assert.notEqual(applied[0], "77px", "the style attribute was blocked");
    assert.notEqual(applied[1], "123px", "the inline <style> was blocked");
    assert.equal(applied[2], "45px", "the CSSOM write applied");
    // Leptos `style:background=…` sets the property through CSSOM: the bar legend's swatches are coloured.
    const swatches = await app.page.$$eval(".bars-swatch", (els) => els.map((e) => getComputedStyle(e).backgroundColor));
    assert.ok(swatches.length >= 4, `${swatches.length} swatches`);
    for (const c of swatches) assert.notEqual(c, "rgba(0, 0, 0, 0)", "a swatch has its colour");
    await app.page.waitForFunction(() => window.__cspViolations.length >= 2, null, { timeout: 5000 });
    const seen = await app.page.evaluate(() => window.__cspViolations);
    assert.match(seen[0], /^style-src-attr/);
    assert.match(seen[1], /^style-src-elem/);
    assert.ok(app.errors.some((e) => /Content Security Policy/i.test(e)), "the violation is also a console error");
  } finally {
    await app.close();
  }
});
