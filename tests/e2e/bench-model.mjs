// Benchmark (not a test): SmolLM2-135M-Instruct Q4_1 in headless Chromium, llama.cpp compiled to wasm
// (npm @wllama/wllama, 1 and 2 threads) against our in-page engine (the Model chapter). Times the
// model load (fetch + init), a 64-token prompt (prefill, no token decoded) and 32 greedy decoded tokens,
// and prints a table of medians (best in brackets) and ratios; the same as JSON in tests/e2e/out/.
//   node tests/e2e/bench-model.mjs [repeats]          (ATLAS_DIST=dist selects our build; default dist/)
// Every run (one of each side per repetition, interleaved) gets a fresh server and browser profile.
// Pages are cross-origin isolated (COOP same-origin + COEP require-corp) so wllama can use threads.
// No network: Chromium resolves no host name (loopback IPs only), every request of the page and its
// workers is logged, and the run fails if one goes anywhere but the local server.
//
// wllama (tests/bench/wllama.mjs): prefill = llama.cpp's prompt_ms of a completion of one token;
// decode = predicted_ms of a completion of 33 tokens, which spans the 32 forward passes after the one
// taken from the prompt's logits. Ours, through the chapter's contract: open
// `?view=model&prompt=…&gen=32&sample=greedy`, click model-load, wait for window.__atlas.model_load_ms,
// click model-generate, wait for model_generate_runs > 0, read model_{load,prefill,decode}_ms and
// model_{prefill,decode}_tokens (decode ms is the total over the decoded tokens).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { DIST, openApp } from "./harness.mjs";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const OUT = path.join(ROOT, "tests", "e2e", "out", "bench-model.json");
const WLLAMA_DIR = path.join(ROOT, "node_modules", "@wllama", "wllama");
const REPEATS = Number(process.argv[2] || 5);
const PROMPT_TOKENS = 64;
const DECODE_TOKENS = 32;
const TIMEOUT = 10 * 60 * 1000;
// Cut at a word boundary to exactly PROMPT_TOKENS tokens by wllama's tokenizer (fitPrompt), then
// given to both sides.
const TEXT = "Every morning the old lighthouse keeper climbed the narrow stairs, wiped the salt from the "
  + "great lens, and wrote the weather into a worn leather book. Ships passed far out on the grey "
  + "water, and none of their captains knew his name, yet each of them trusted the steady light he "
  + "kept burning through the long winter nights. When the storms came in from the west, he stayed "
  + "awake until dawn, listening to the wind and counting the seconds between the flashes.";

const MODEL = execFileSync(path.join(ROOT, "scripts", "fetch_model.sh"), { stdio: ["ignore", "pipe", "inherit"] })
  .toString().trim().split("\n").pop();
const ISOLATED = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cache-control": "no-store",
};
const launch = { args: ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"] };

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const perSecond = (tokens, ms) => (tokens * 1000) / ms;

/**
 * Opens a page, runs `body(app)` and closes it. Fails on any off-origin request, and on any console or
 * page error unless the body reports `{ skipped }` (a page without the chapter may log a 404).
 */
async function session(label, query, opts, body) {
  const app = await openApp(query, { ...opts, launch });
  try {
    const result = await body(app);
    const offOrigin = app.errors.filter((e) => e.startsWith("off-origin"));
    const fatal = result?.skipped ? offOrigin : app.errors;
    if (fatal.length) throw new Error(`${label}: ${fatal.join("; ")}`);
    return { result, requests: app.requests, userAgent: await app.page.evaluate(() => navigator.userAgent) };
  } finally {
    await app.close();
  }
}

const wllamaPage = (body) => session("wllama", "wllama.html", {
  dir: path.join(ROOT, "tests", "bench"),
  ready: "[data-ready]",
  serve: {
    entry: "wllama.html", headers: ISOLATED,
    roots: { "/wllama/": WLLAMA_DIR, "/model/SmolLM2-135M-Instruct.Q4_1.gguf": MODEL },
  },
}, body);

/** One wllama repetition: load, a prefill-only completion, then the decode completion. */
async function wllamaRun(threads, text) {
  const { result, requests } = await wllamaPage(({ page }) => page.evaluate(async ([threads, text, decode]) => {
    const b = window.wllamaBench;
    const load = await b.load(threads);
    const prefill = await b.complete(text, 1);
    const gen = await b.complete(text, decode + 1);
    return { load, prefill, gen };
  }, [threads, text, DECODE_TOKENS]));
  const { load, prefill, gen } = result;
  // Without the wasm in the log, worker requests would go unseen and the no-network check prove nothing.
  if (!requests.some((u) => u.endsWith("/wllama.wasm"))) throw new Error("the worker's wasm request was not logged");
  if (load.threads !== threads || load.multithread !== threads > 1) throw new Error(`asked for ${threads} threads, got ${JSON.stringify(load)}`);
  if (prefill.prompt_n !== PROMPT_TOKENS || gen.predicted_n - 1 !== DECODE_TOKENS) {
    throw new Error(`wllama ${threads}t: ${prefill.prompt_n} prompt tokens, ${gen.predicted_n - 1} decoded`);
  }
  return {
    load_ms: load.load_ms, fetch_ms: load.fetch_ms, init_ms: load.init_ms,
    prefill_ms: prefill.prompt_ms, prefill_tokens: prefill.prompt_n,
    decode_ms: gen.predicted_ms, decode_tokens: gen.predicted_n - 1,
    prefill_again_ms: gen.prompt_ms, text: gen.text,
    info: load, requests,
  };
}

/** Why our side cannot run (no build, no model folder, no chapter), or null. */
function oursMissing() {
  if (!fs.existsSync(path.join(DIST, "index.html"))) return `${DIST}/index.html not found (build first: trunk build --release)`;
  if (!fs.existsSync(path.join(DIST, "model"))) return `${DIST}/model/ not found (the Model chapter's build output is not there yet)`;
  return null;
}

// The numbers the chapter reports (window.__atlas.model_<name>).
const CONTRACT = ["load_ms", "prefill_ms", "prefill_tokens", "decode_ms", "decode_tokens"];

/** One run of our engine through the chapter's contract, or { skipped } if the chapter is absent. */
async function oursRun(text) {
  // gen = 33: the first new token comes from the prompt's pass, then 32 decode passes, as wllama's.
  const query = `?view=model&prompt=${encodeURIComponent(text)}&gen=${DECODE_TOKENS + 1}&sample=greedy`;
  const { result, requests } = await session("ours", query, { serve: { headers: ISOLATED } }, async ({ page }) => {
    const load = await page.waitForSelector('[data-testid="model-load"]', { timeout: 15000 }).catch(() => null);
    if (!load) return { skipped: `no [data-testid="model-load"] at ${query.slice(0, 12)}…: the Model chapter is not in this build` };
    await load.click();
    await page.waitForFunction(() => window.__atlas && window.__atlas.model_load_ms !== undefined, null, { timeout: TIMEOUT });
    // The chapter analyses the prompt once loaded (every head's map): let it finish, so generation
    // is timed alone.
    await page.waitForFunction(() => window.__atlas && window.__atlas.model_runs > 0, null, { timeout: TIMEOUT });
    await page.click('[data-testid="model-generate"]');
    await page.waitForFunction(() => window.__atlas && window.__atlas.model_generate_runs > 0, null, { timeout: TIMEOUT });
    return page.evaluate((names) => ({
      ...Object.fromEntries(names.map((k) => [k, window.__atlas[`model_${k}`]])),
      cross_origin_isolated: self.crossOriginIsolated,
    }), CONTRACT);
  });
  return { ...result, requests };
}

/** Medians and bests of the four reported quantities over a side's runs. */
function summarise(runs) {
  const metrics = {
    load_ms: runs.map((r) => r.load_ms),
    prefill_ms: runs.map((r) => r.prefill_ms),
    prefill_tokens_per_s: runs.map((r) => perSecond(r.prefill_tokens, r.prefill_ms)),
    decode_tokens_per_s: runs.map((r) => perSecond(r.decode_tokens, r.decode_ms)),
  };
  const out = {};
  for (const [k, xs] of Object.entries(metrics)) {
    out[k] = { median: median(xs), best: k.endsWith("_ms") ? Math.min(...xs) : Math.max(...xs), all: xs };
  }
  return out;
}

// ---- run -------------------------------------------------------------------------------------------
const loadBefore = os.loadavg();
const wllamaVersion = JSON.parse(fs.readFileSync(path.join(WLLAMA_DIR, "package.json"), "utf8")).version;
console.error(`[bench-model] fitting the prompt to ${PROMPT_TOKENS} tokens with wllama's tokenizer`);
const fit = await wllamaPage(({ page }) => page.evaluate(async ([text, n]) => {
  await window.wllamaBench.load(2);
  return window.wllamaBench.fitPrompt(text, n);
}, [TEXT, PROMPT_TOKENS]));
const prompt = fit.result;
console.error(`[bench-model] prompt (${prompt.words} words, ${prompt.tokens} tokens): ${prompt.text}`);

let oursSkipped = oursMissing();
if (oursSkipped) console.error(`[bench-model] our side will be skipped: ${oursSkipped}`);
const runs = { ours: [], wllama_1t: [], wllama_2t: [] };
for (let rep = 1; rep <= REPEATS; rep += 1) {
  for (const threads of [1, 2]) {
    const r = { loadavg_1min: os.loadavg()[0], ...(await wllamaRun(threads, prompt.text)) };
    runs[`wllama_${threads}t`].push(r);
    console.error(`[bench-model] ${rep}/${REPEATS} wllama ${threads}t: load ${r.load_ms.toFixed(0)} ms, `
      + `prompt ${r.prefill_ms.toFixed(0)} ms, decode ${(r.decode_ms / r.decode_tokens).toFixed(1)} ms/token`);
  }
  if (!oursSkipped) {
    const r = { loadavg_1min: os.loadavg()[0], ...(await oursRun(prompt.text)) };
    if (r.skipped) { oursSkipped = r.skipped; continue; }
    const absent = CONTRACT.filter((k) => !Number.isFinite(r[k]));
    if (absent.length) throw new Error(`ours: window.__atlas lacks finite ${absent.map((k) => `model_${k}`).join(", ")}`);
    if (r.prefill_tokens !== PROMPT_TOKENS || r.decode_tokens !== DECODE_TOKENS) {
      console.error(`[bench-model] WARNING ours: ${r.prefill_tokens} prompt tokens and ${r.decode_tokens} decoded, `
        + `expected ${PROMPT_TOKENS} and ${DECODE_TOKENS}; rates below use ours' own counts`);
    }
    runs.ours.push(r);
    console.error(`[bench-model] ${rep}/${REPEATS} ours: load ${r.load_ms.toFixed(0)} ms, `
      + `prompt ${r.prefill_ms.toFixed(0)} ms, decode ${(r.decode_ms / r.decode_tokens).toFixed(1)} ms/token`);
  }
}

const sides = {
  ours: oursSkipped ? { skipped: oursSkipped } : summarise(runs.ours),
  wllama_1t: summarise(runs.wllama_1t),
  wllama_2t: summarise(runs.wllama_2t),
};
const ROWS = [
  ["load_ms", "load (ms)"],
  ["prefill_ms", `${PROMPT_TOKENS}-token prompt (ms)`],
  ["prefill_tokens_per_s", `${PROMPT_TOKENS}-token prompt (tokens/s)`],
  ["decode_tokens_per_s", `decode, ${DECODE_TOKENS} tokens (tokens/s)`],
];
const ratios = {};
for (const [k] of ROWS) {
  ratios[k] = sides.ours.skipped ? null : {
    ours_over_wllama_1t: sides.ours[k].median / sides.wllama_1t[k].median,
    ours_over_wllama_2t: sides.ours[k].median / sides.wllama_2t[k].median,
  };
}

const num = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const cell = (s, k) => (s.skipped ? "—" : `${num(s[k].median)} (${num(s[k].best)})`);
const ratio = (v) => (v == null ? "—" : v.toFixed(2));
const table = [
  "| | ours | wllama 1 thread | wllama 2 threads | ours / wllama-1t | ours / wllama-2t |",
  "|---|---:|---:|---:|---:|---:|",
  ...ROWS.map(([k, label]) => `| ${label} | ${cell(sides.ours, k)} | ${cell(sides.wllama_1t, k)} | ${cell(sides.wllama_2t, k)} `
    + `| ${ratio(ratios[k]?.ours_over_wllama_1t)} | ${ratio(ratios[k]?.ours_over_wllama_2t)} |`),
].join("\n");

const loadAfter = os.loadavg();
const info = runs.wllama_1t[0].info;
const userAgent = fit.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? fit.userAgent;
const strip = (rs) => rs.map(({ info: _i, requests: _r, ...rest }) => rest);
const requestLog = Object.fromEntries(Object.entries(runs).map(([k, rs]) => [k, rs.map((r) => r.requests)]));
const report = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, loadavg_before: loadBefore, loadavg_after: loadAfter, browser: userAgent },
  wllama: { version: wllamaVersion, libllama: info.libllama, n_ctx: info.n_ctx, n_batch: info.n_batch, add_bos_token: info.add_bos_token },
  model: { path: MODEL, bytes: fs.statSync(MODEL).size },
  prompt, decode_tokens: DECODE_TOKENS, repeats: REPEATS,
  sides, ratios,
  runs: { ours: strip(runs.ours), wllama_1t: strip(runs.wllama_1t), wllama_2t: strip(runs.wllama_2t) },
  requests: requestLog,
  table,
};
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, JSON.stringify(report, null, 2) + "\n");

const nRequests = Object.values(requestLog).flat(2).length;
console.log(`\nSmolLM2-135M-Instruct Q4_1 in ${userAgent}, wllama ${wllamaVersion} (llama.cpp ${info.libllama}), `
  + `${os.cpus().length} cores, load average ${loadBefore[0].toFixed(1)} → ${loadAfter[0].toFixed(1)}`);
console.log(`median (best) of ${REPEATS} runs each; greedy; ratios are of the medians (ms: < 1 is faster, tokens/s: > 1 is faster)\n`);
console.log(table);
if (oursSkipped) console.log(`\nours: skipped (${oursSkipped})`);
console.log(`\n${nRequests} requests, all to the loopback server; JSON in ${path.relative(ROOT, OUT)}`);
