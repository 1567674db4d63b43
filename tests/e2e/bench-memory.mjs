// Bytes that stay live on the wasm heap per kind of action, on one open SDPA view (counting allocator,
// window.__atlasLiveBytes). Not a test: a probe for tracking down growth.
//   ATLAS_DIST=dist node tests/e2e/bench-memory.mjs [repeats]
import { openApp, waitForRuns } from "./harness.mjs";

const repeats = Number(process.argv[2] || 200);
const app = await openApp("?view=sdpa");
const { page } = app;
await waitForRuns(page);
const live = async () => { await page.waitForTimeout(400); return page.evaluate(() => window.__atlasLiveBytes()); };
const nav = (q) => page.evaluate((q) => { history.pushState({}, "", q); dispatchEvent(new PopStateEvent("popstate")); }, q);
const rows = [];
async function measure(label, act) {
  const before = await live();
  for (let i = 0; i < repeats; i++) await act(i);
  rows.push([label, ((await live()) - before) / repeats]);
}
await measure("URL change that changes no parameter", (i) => nav(`?view=sdpa&zzz=${i}`));
await measure("selected head (repaint only)", (i) => nav(`?view=sdpa&head=${i % 4}`));
await measure("causal toggle (recompute + repaint)", async (i) => {
  const runs = await page.evaluate(() => window.__atlas.sdpa_runs);
  await nav(`?view=sdpa&head=0&causal=${(i + 1) % 2}`);
  await waitForRuns(page, runs);
});
for (const [label, bytes] of rows) console.log(`${bytes.toFixed(1).padStart(8)} B per action  ${label}`);
await app.close();
