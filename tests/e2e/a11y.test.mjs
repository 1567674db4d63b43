// Accessibility: axe-core (npm, run inside the page through the driver, so the page's CSP is
// untouched) on every view in both languages. No serious or critical violation may remain; the
// minor and moderate ones are printed for the record.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT, withApp, waitForRuns } from "./harness.mjs";

const AXE = fs.readFileSync(path.join(ROOT, "node_modules", "axe-core", "axe.min.js"), "utf8");
const VIEWS = [
  ["home", null], ["sdpa", "sdpa_runs"], ["heads", null], ["sparse", "sparse_runs"], ["approx", null], ["speed", null], ["model", null],
  // A tour step in classroom mode: the tour panel, the dimmed figures and the projector layout.
  ["sparse", "sparse_runs", "&tour=sparse&step=5&class=1"],
];

for (const lang of ["en", "zh"]) {
  test(`axe-core: no serious or critical violation on any view (lang=${lang})`, { timeout: 300000 }, async () => {
    await withApp(`?view=home&lang=${lang}`, async ({ page }) => {
      const found = [];
      for (const [view, metric, extra = ""] of VIEWS) {
        await page.goto(page.url().split("?")[0] + `?view=${view}&lang=${lang}${extra}`);
        await page.waitForSelector(`[data-testid=view-${view}]`);
        if (metric) await waitForRuns(page, 0, metric);
        await page.waitForTimeout(800);
        await page.evaluate(AXE);
        const violations = await page.evaluate(async () =>
          (await window.axe.run(document, { resultTypes: ["violations"] })).violations.map((v) => ({
            id: v.id, impact: v.impact, count: v.nodes.length, where: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
          })));
        for (const v of violations) {
          if (v.impact === "serious" || v.impact === "critical") found.push({ view, ...v });
          else console.log(`# ${lang} ${view}: ${v.impact} ${v.id} ×${v.count}`);
        }
      }
      assert.deepEqual(found, [], JSON.stringify(found, null, 1));
    });
  });
}
