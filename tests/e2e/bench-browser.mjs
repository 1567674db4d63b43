// In-browser benchmark of every kernel of the Speed view (not a test): opens the built app with
// `?view=speed&max_n=8192&run=1`, waits for the full run N = 256 … 8192 and prints the table of best
// times (ms), GFLOP/s and fitted slopes as JSON and Markdown. Usage:
//   ATLAS_DIST=dist node tests/e2e/bench-browser.mjs [max_n] [d]
import { openApp, waitForRuns } from "./harness.mjs";

const maxN = Number(process.argv[2] || 8192);
const d = Number(process.argv[3] || 64);
const FIT_FROM = 1024; // issue 5: slopes over N = 1K … 8K (smaller N are overhead-dominated)

const slope = (pts) => {
  if (pts.length < 2) return null;
  const xy = pts.map(([n, t]) => [Math.log(n), Math.log(t)]);
  const mx = xy.reduce((s, p) => s + p[0], 0) / xy.length, my = xy.reduce((s, p) => s + p[1], 0) / xy.length;
  const sxx = xy.reduce((s, p) => s + (p[0] - mx) ** 2, 0), sxy = xy.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  return sxx > 0 ? sxy / sxx : null;
};

const app = await openApp(`?view=speed&max_n=${maxN}&d=${d}&run=1`);
let report;
try {
  await app.page.waitForFunction(() => window.__atlas && window.__atlas.speed_runs > 0, null, { timeout: 15 * 60 * 1000 });
  await waitForRuns(app.page, 0, "speed_runs");
  report = await app.page.evaluate(() => {
    const rows = {};
    for (const el of document.querySelectorAll('[data-testid^="cell-"]')) {
      const [, kernel, n] = el.dataset.testid.split("-");
      rows[kernel] ??= { name: el.closest("tr").querySelector("th").textContent.trim(), cells: {} };
      rows[kernel].cells[n] = el.dataset.skipped === "1"
        ? { skipped: el.textContent.trim() }
        : { ms: Number(el.dataset.ms), gflops: Number(el.dataset.gflops) };
    }
    for (const el of document.querySelectorAll('[data-testid^="slope-"]')) {
      const kernel = el.dataset.testid.slice("slope-".length);
      if (rows[kernel]) rows[kernel].slope_all = el.dataset.slope ? Number(el.dataset.slope) : null;
    }
    return {
      status: document.querySelector('[data-testid="status"]').textContent,
      machine: [...document.querySelectorAll('[data-testid^="machine-"]')].map((e) => e.textContent),
      rows,
    };
  });
  if (app.errors.length) console.error(app.errors);
} finally {
  await app.close();
}

for (const row of Object.values(report.rows)) {
  const pts = Object.entries(row.cells).filter(([n, c]) => Number(n) >= FIT_FROM && c.ms > 0).map(([n, c]) => [Number(n), c.ms]);
  row.slope_1k_up = slope(pts);
}
console.log(JSON.stringify({ d, max_n: maxN, ...report }, null, 2));

const ns = Object.keys(Object.values(report.rows)[0].cells);
const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const lines = [
  `| kernel | ${ns.map((n) => `N = ${n}`).join(" | ")} | slope (all N) | slope (N ≥ ${FIT_FROM}) |`,
  `|---|${ns.map(() => "---:").join("|")}|---:|---:|`,
];
for (const row of Object.values(report.rows)) {
  const cells = ns.map((n) => {
    const c = row.cells[n];
    return c.skipped ? c.skipped : `${fmt(c.ms)} ms (${fmt(c.gflops)} GF/s)`;
  });
  const s = (v) => (v == null ? "—" : v.toFixed(2));
  lines.push(`| ${row.name} | ${cells.join(" | ")} | ${s(row.slope_all)} | ${s(row.slope_1k_up)} |`);
}
console.log(`\n${report.status}  ${report.machine.slice(0, 2).join(" · ")}  (d = ${d}, one head, best of the samples)\n`);
console.log(lines.join("\n"));
