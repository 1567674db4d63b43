// The page's Content-Security-Policy: nothing but the page's own origin, no inline script, no inline
// <style> element, and no view trips it. Two relaxations: 'wasm-unsafe-eval' (to compile the wasm) and
// style-src-attr 'unsafe-inline', which plotters needs: it measures chart text in a hidden <span> sized
// through its style attribute. The atlas's own code sets no style attribute (only CSSOM properties).
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

test("the built page's CSP allows only its own origin; the relaxations are 'wasm-unsafe-eval' and style attributes", () => {
  const policy = builtPolicy();
  assert.deepEqual(policy["default-src"], ["'self'"]);
  assert.deepEqual(policy["script-src"], ["'self'", "'wasm-unsafe-eval'"]);
  assert.deepEqual(policy["style-src"], ["'self'"]);
  assert.deepEqual(policy["style-src-attr"], ["'unsafe-inline'"], "for plotters' text measurement only");
  assert.deepEqual(policy["connect-src"], ["'self'"]);
  for (const [name, sources] of Object.entries(policy)) {
    if (name === "style-src-attr") continue;
    for (const s of sources) {
      assert.ok(!/^(https?:|\*)/i.test(s) && !s.includes("*"), `${name}: no network or wildcard source (${s})`);
      assert.ok(!/^'unsafe-(inline|eval|hashes)'$/i.test(s), `${name}: no ${s}`);
    }
  }
});

/** Runs in the page before its scripts: records every CSP violation in window.__cspViolations. */
function collectViolations() {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "(inline)"}: ${e.sample}`);
  }, true);
}

const VIEWS = [
  ["?view=sdpa", "sdpa_runs"],
  ["?view=heads", "heads_runs"],
  ["?view=sparse", "sparse_runs"],
  ["?view=approx", "approx_runs"],
  ["?view=speed", "speed_bench_runs"],
  ["?view=heads&part=memory&embed=1", "heads_runs"],
];

for (const [query, metric] of VIEWS) {
  test(`${query} renders with no CSP violation`, { timeout: 180000 }, async () => {
    await withApp(query, async ({ page }) => {
      await waitForRuns(page, 0, metric);
      await page.waitForTimeout(300); // let the last render and any late style writes land
      // The styles really apply (the stylesheet is 'self'): the page is not in the browser's serif.
      assert.ok(!/times/i.test(await page.evaluate(() => getComputedStyle(document.body).fontFamily)));
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    }, { initScript: collectViolations });
  });
}

test("the collector sees a violation: an inline <style> element is blocked, a CSSOM write applies", { timeout: 120000 }, async () => {
  const app = await openApp("?view=sdpa", { initScript: collectViolations });
  try {
    const applied = await app.page.evaluate(() => {
      const el = document.createElement("div");
      el.id = "csp-probe";
      document.body.append(el);
      const style = document.createElement("style");
      style.textContent = "#csp-probe { width: 123px; }";
      document.head.append(style);
      const w = getComputedStyle(el).width;
      el.style.width = "45px"; // a CSSOM write is allowed
      return [w, getComputedStyle(el).width];
    });
    assert.notEqual(applied[0], "123px", "the inline <style> was blocked");
    assert.equal(applied[1], "45px", "the CSSOM write applied");
    await app.page.waitForFunction(() => window.__cspViolations.length > 0, null, { timeout: 5000 });
    assert.match((await app.page.evaluate(() => window.__cspViolations))[0], /^style-src-elem/);
    assert.ok(app.errors.some((e) => /Content Security Policy/i.test(e)), "the violation is also a console error");
  } finally {
    await app.close();
  }
});
