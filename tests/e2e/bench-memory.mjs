// Bytes that stay live on the wasm heap per kind of action (counting allocator,
// window.__atlasLiveBytes), on one open page: for every view, a URL change that changes no parameter
// and each of its controls flipped between two values; then switching views and switching language.
// Flipping between two values keeps any cache keyed by the value at its size, so what remains per
// action is kept for good. Not a test: a probe for tracking down growth. With ATLAS_JS_HEAP=1 it
// measures the JS heap after a forced GC instead (what the soak asserts too).
//   ATLAS_DIST=dist [ATLAS_JS_HEAP=1] node tests/e2e/bench-memory.mjs [repeats] [view…]
import { openApp } from "./harness.mjs";

const repeats = Number(process.argv[2] || 40);
const only = process.argv.slice(3);
const VIEWS = (only.length ? only : ["home", "sdpa", "heads", "sparse", "approx", "speed", "model"]);
const app = await openApp("?view=sdpa");
const { page } = app;
await page.waitForFunction(() => typeof window.__atlasLiveBytes === "function");

const settle = async () => {
  await page.waitForFunction(() => !document.body.innerText.includes("Computing…"), null, { timeout: 60000 }).catch(() => {});
  await page.waitForTimeout(30);
};
const cdp = await page.context().newCDPSession(page);
const jsHeap = process.env.ATLAS_JS_HEAP === "1";
const live = async () => {
  await settle();
  await page.waitForTimeout(300);
  if (!jsHeap) return page.evaluate(() => window.__atlasLiveBytes());
  await cdp.send("HeapProfiler.collectGarbage");
  return (await cdp.send("Runtime.getHeapUsage")).usedSize;
};
const nav = async (q) => {
  await page.evaluate((q) => { history.pushState({}, "", q); dispatchEvent(new PopStateEvent("popstate")); }, q);
  await settle();
};

/** The view's visible controls (never the speed benchmark's Run), by test id. */
const controls = () => page.evaluate(() =>
  [...document.querySelectorAll("[data-testid=controls] input, [data-testid=controls] select, .controls input, .controls select")]
    .filter((el) => !el.disabled && el.offsetParent !== null && el.dataset.testid && el.dataset.testid !== "run")
    .filter((el) => el.type === "range" || el.type === "checkbox" || el.tagName === "SELECT")
    .map((el) => el.dataset.testid));

/** Sets control `id` to its first (flip = 0) or second (flip = 1) test value, as a person would. */
const flip = (id, f) => page.evaluate(([id, f]) => {
  const el = document.querySelector(`[data-testid="${id}"]`);
  if (!el) return;
  if (el.type === "range") {
    el.value = f ? "300" : "200";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  } else if (el.type === "checkbox") {
    el.checked = !el.checked;
    el.dispatchEvent(new Event("change", { bubbles: true }));
  } else {
    el.selectedIndex = Math.min(f, el.options.length - 1);
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }
}, [id, f]);

const rows = [];
/** Bytes kept per call of `act` (which cycles through `period` states) after two warm-up cycles;
 *  the count is whole cycles, so the page ends in the state it started from. */
async function measure(label, act, period = 2) {
  const count = Math.max(1, Math.round(repeats / period)) * period;
  for (let i = 0; i < 2 * period; i++) { await act(i); await settle(); }
  const before = await live();
  for (let i = 0; i < count; i++) { await act(i); await settle(); }
  const kept = ((await live()) - before) / count;
  rows.push([label, kept]);
  console.log(`${kept.toFixed(1).padStart(8)} B per action  ${label}`);
}

for (const view of VIEWS) {
  await nav(`?view=${view}`);
  await measure(`${view}: URL change that changes no parameter`, (i) => nav(`?view=${view}&zzz=${i}`), 1);
  for (const id of await controls()) {
    await nav(`?view=${view}`);
    await measure(`${view}: ${id} flipped`, (i) => flip(id, i % 2));
  }
}
/** Moves the pointer to one of two cells of a heatmap (a hover readout each time). */
const hover = async (id, f) => {
  const box = await (await page.$(`[data-testid="${id}"] canvas`)).boundingBox();
  await page.mouse.move(box.x + box.width * (f ? 0.3 : 0.7), box.y + box.height * (f ? 0.6 : 0.2));
};
for (const [view, id] of [["sdpa", "main-heatmap"], ["sparse", "mask-heatmap"], ["heads", "mha-heatmap"], ["approx", "exact-heatmap"]]) {
  if (!VIEWS.includes(view)) continue;
  await nav(`?view=${view}`);
  await measure(`${view}: hover over ${id}`, (i) => hover(id, i % 2));
}
const cycle = ["home", "sdpa", "heads", "sparse", "approx", "speed"];
await measure("switching views", (i) => nav(`?view=${cycle[i % cycle.length]}`), cycle.length);
await measure("switching language (sdpa)", (i) => nav(`?view=sdpa&lang=${i % 2 ? "zh" : "en"}`));
await measure("embed on and off (sdpa)", (i) => nav(`?view=sdpa${i % 2 ? "&embed=1" : ""}`));
await measure("one figure alone on and off (sdpa)", (i) => nav(`?view=sdpa${i % 2 ? "&embed=1&fig=sdpa-weights" : ""}`));
await measure("theme light and dark (sdpa)", (i) => nav(`?view=sdpa&theme=${i % 2 ? "dark" : "light"}`));
await measure("colour map (sdpa)", (i) => nav(`?view=sdpa&cmap=${i % 2 ? "cividis" : "viridis"}`));
await app.close();
