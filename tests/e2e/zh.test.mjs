// End-to-end: with lang=zh no page shows English prose. Every view (and the panels that only some
// settings open) is read as a person or a screen reader would get it: the visible text nodes, the
// aria-label / aria-description / title / placeholder / alt attributes and every <option>. The text is
// split into words; names and symbols on the short allow-list below are removed; a run of two or more
// English words in a row, or one common English word alone, fails the test with the strings it came
// from. A full-page screenshot of every chapter in Chinese is saved as screenshots/zh-<view>.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, waitForRuns, shot } from "./harness.mjs";

/** ZH_REPORT=1 prints what every page shows in English and fails on nothing (to review a change). */
const REPORT = process.env.ZH_REPORT === "1";

/**
 * Parts of the page that show data, not the interface: the input text's tokens (the built-in example
 * passage is English text the engine computes on, like a user's own sentence) and what the English
 * language model reads and writes. Their words are not messages and are not translated.
 */
const DATA = [
  ".row-labels", ".col-labels", // heatmap axis labels: the tokens of the input text
  ".chip-text", // the model's tokens: the prompt's, and its next-token candidates
  "[data-testid=model-generated]", // the model's generated text
  "[data-testid=model-lines] .tok", // the line view's token labels
  "textarea", "input", // what the user typed (a value, not interface text)
  // Bibliographic references, cited as published: the checkpoint's repository, its config.json
  // fields and the paper ("Touvron et al. 2023 (Llama 2) Table 1", "Llama 3 Herd of Models").
  "[data-testid=model-source]",
];

/**
 * Names that stay as they are in Chinese text, where they stand alone or next to another name: the app
 * and what the page names of the platform, methods and papers, an organisation and colour maps.
 * Everything else is a symbol by rule, not by list (see `isWord`): words in CAPITALS or with an inner
 * capital (MHA, GQA, GPU, SIMD, LLaMA, DeepSeek, BigBird, WebAssembly, MathML), tokens with a digit,
 * `_`, `.`, `/` or `+` (d_model, n_kv, fp16, SmolLM2-135M, config.json, FAVOR+), single letters, and
 * MathML identifiers. A name that is also a common word would not be allowed by this list.
 */
const ALLOWED = new Set([
  "Attention", "Atlas", "Rust", "Web", "Worker", "Headless", "Chrome",
  "English", // the language switch names each language in itself: "English · 中文"
  "Linformer", "Performer", "Synthesizer", "Longformer", "Reformer", "Sinkhorn", "Flash", "Sparse", "Transformer",
  "Hugging", "Face",
  "Long", "Range", "Arena", "Trans", // the benchmark's name and its models' ("Linear Trans."), as published
  "ms", // the unit
  "Viridis", "Cividis", "Magma",
  "softmax",
]);

/** Common English words: one of these alone is English prose leaking into a Chinese sentence. */
const STOP = new Set([
  "the", "of", "and", "to", "is", "are", "was", "be", "with", "for", "per", "each", "this", "that", "these",
  "in", "on", "at", "by", "from", "as", "an", "or", "not", "no", "it", "its", "all", "every", "one", "than",
  "then", "when", "which", "what", "how", "why", "only", "you", "your", "here", "has", "have", "into", "more",
  "less", "see", "use", "using", "click", "hover", "over", "show", "shown", "loading",
]);

/** An English word: two or more letters, all lower case after an optional capital ("the", "Window"). */
const isWord = (w) => /^[A-Z]?[a-z]+$/.test(w) && w.length >= 2;

/**
 * The English prose in one string, as a list of word runs: two or more English words with only white
 * space between them, a common English word alone, or a string that is one English word and nothing
 * else (an untranslated label such as "Seed"). Names on ALLOWED are not words, and break runs.
 */
function englishRuns(text) {
  const found = [];
  // Tokens: maximal runs of ASCII letters, digits and _ . / + (a hyphen or an apostrophe joins two
  // of them, and the token is then its parts in a row); anything else separates tokens, and anything
  // but white space between two tokens ends a run.
  const re = /[A-Za-z0-9_./+]+(?:['’-][A-Za-z0-9_./+]+)*/g;
  let run = [], words = 0, last = -1, m;
  const flush = () => {
    if (run.length >= 2 || (run.length === 1 && STOP.has(run[0].toLowerCase()))) found.push(run.join(" "));
    run = [];
  };
  while ((m = re.exec(text))) {
    if (last >= 0 && !/^\s+$/.test(text.slice(last, m.index))) flush();
    last = m.index + m[0].length;
    for (const part of m[0].split(/['’-]/)) {
      const w = part.replace(/\.+$/, "");
      if (isWord(w) && !ALLOWED.has(w)) {
        run.push(w);
        words += 1;
      } else flush();
    }
  }
  const lone = run.length === 1 && words === 1 && text.trim().replace(/[^\p{L}]/gu, "") === run[0];
  flush();
  if (lone && !found.length) found.push(text.trim());
  return found;
}

/**
 * Records every string drawn on a 2D canvas (chart axes, legends, tick labels): installed before the
 * page's own scripts, read back by `pageStrings` (and cleared there, so each page reports its own).
 */
function recordCanvasText() {
  window.__zhDrawn = new Set();
  const proto = CanvasRenderingContext2D.prototype;
  for (const name of ["fillText", "strokeText"]) {
    const draw = proto[name];
    proto[name] = function (text, ...rest) {
      window.__zhDrawn.add(String(text));
      return draw.call(this, text, ...rest);
    };
  }
}

/** Every interface string of the page: visible text nodes, labelling attributes, options and canvas text. */
function pageStrings(page) {
  return page.evaluate((data) => {
    const skip = (el) => el && data.some((sel) => el.closest(sel));
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      let s = n.textContent.trim();
      if (!s || !el || skip(el) || el.closest("script, style, template, option")) continue;
      // A heatmap's text alternative quotes its tokens (input data, like the axis labels): “The” → “cat”.
      if (el.closest(".heatmap-words, [id^=heatmap-alt]")) s = s.replace(/“[^”]*”/g, "“”");
      // MathML identifiers, numbers and operators are symbols (n_{kv}, d_{head}); words in a formula
      // are <mtext>, and each formula's plain-text fallback is checked as text.
      if (["mi", "mn", "mo"].includes(el.localName)) continue;
      if (!el.checkVisibility()) continue;
      out.push({ where: el.tagName.toLowerCase() + (el.dataset.testid ? `[${el.dataset.testid}]` : ""), s });
    }
    for (const el of document.querySelectorAll("[aria-label], [aria-description], [title], [placeholder], [alt]")) {
      if (skip(el)) continue;
      for (const a of ["aria-label", "aria-description", "title", "placeholder", "alt"]) {
        const v = el.getAttribute(a);
        if (v && v.trim()) out.push({ where: `${el.tagName.toLowerCase()}@${a}`, s: v.trim() });
      }
    }
    for (const o of document.querySelectorAll("option")) {
      if (!skip(o) && o.textContent.trim()) out.push({ where: "option", s: o.textContent.trim() });
    }
    for (const s of window.__zhDrawn || []) if (s.trim()) out.push({ where: "canvas", s: s.trim() });
    window.__zhDrawn = new Set();
    out.push({ where: "document.title", s: document.title });
    return out;
  }, DATA);
}

/** Fails with every string of the page that holds English prose (printed with where it is). */
async function assertNoEnglish(page, label) {
  const strings = await pageStrings(page);
  assert.ok(strings.length > 20, `${label}: the page has text (${strings.length} strings)`);
  const bad = [];
  const seen = new Set();
  for (const { where, s } of strings) {
    const runs = englishRuns(s);
    if (runs.length && !seen.has(s)) {
      seen.add(s);
      bad.push(`${where}: ${JSON.stringify(s)}  ⟵ ${runs.map((r) => `“${r}”`).join(", ")}`);
    }
  }
  if (bad.length) console.log(`# ${label}: English prose\n${bad.map((b) => `#   ${b}`).join("\n")}`);
  if (!REPORT) assert.deepEqual(bad, [], `${label}: ${bad.length} strings with English prose`);
}

test("the English-prose detector finds prose and lets names and symbols through", () => {
  assert.deepEqual(englishRuns("Rows are queries i, columns are keys j."), ["Rows are queries", "columns are keys"]);
  assert.deepEqual(englishRuns("把鼠标移到 the 单元格"), ["the"]);
  assert.deepEqual(englishRuns("sliding-window layers"), ["sliding window layers"]);
  assert.deepEqual(englishRuns("Seed"), ["Seed"], "an untranslated one-word label");
  assert.deepEqual(englishRuns("速度：每个 kernel 都计时"), [], "one word that is not a common one, inside Chinese");
  assert.deepEqual(englishRuns("Attention Atlas 在 Rust 和 WebAssembly 中 · d_model = 64 · fp16 · 24 GB · 12 ms"), []);
  assert.deepEqual(englishRuns("Performer FAVOR+ m = 256，Sparse Transformer，MLP-Mixer，Hugging Face"), []);
  assert.deepEqual(englishRuns("来源：huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json"), []);
  assert.deepEqual(englishRuns("softmax(Q·Kᵀ/√d)，φ(x) = elu(x) + 1，SmolLM2-135M-Instruct"), []);
  assert.deepEqual(englishRuns("Linformer"), [], "a name alone");
});

/**
 * Each chapter and the settings that open its other panels: [view, query, metrics to wait for, and
 * whether this page is the chapter's screenshot].
 */
const PAGES = [
  ["home", "", null, true],
  ["sdpa", "&n=12", "sdpa_runs", true],
  ["sdpa", "&causal=1&scale=2&heads=5&n=12", "sdpa_runs"], // temperature, causal, a notice
  ["heads", "", "heads_runs", true],
  ["heads", "&model=deepseek-v3&layout=interleaved&theta=500000", "heads_runs"],
  ["heads", "&model=gemma2-9b&ctx=1000000&dtype=int4", "heads_runs"], // sliding windows, beyond max context
  ["sparse", "", "sparse_runs", true],
  ["sparse", "&pattern=bigbird&vs=local", "sparse_runs"],
  ["sparse", "&pattern=lsh", "sparse_runs"],
  ["sparse", "&pattern=sinkhorn&causal=1", "sparse_runs"],
  ["approx", "", "approx_runs approx_sweep_runs", true],
  ["approx", "&method=linformer&proj=gaussian", "approx_runs approx_sweep_runs"],
  ["approx", "&features=trig", "approx_runs approx_sweep_runs"],
  ["approx", "&method=linear&causal=1", "approx_runs"],
  ["approx", "&method=synthesizer&synth=frandom", "approx_runs"],
  ["approx", "&method=mixer", "approx_runs"],
  ["speed", "", null],
  ["speed", "&max_n=512&run=1", "speed_runs", true], // two lengths: a chart with lines and slopes
  ["speed", "&quality=1", "speed_quality_runs"], // the speed-against-quality chart and its table
  // Tour steps (panel, typeset step formula) in classroom mode, with a heatmap's data table open.
  ["sdpa", "&tour=sdpa&step=5&class=1&n=8", "sdpa_runs"],
  ["heads", "&tour=heads&step=4", "heads_runs"],
  ["approx", "&tour=approx&step=2", "approx_runs"],
];

test("lang=zh: no English prose on any chapter; a screenshot of each", { timeout: 600000 }, async () => {
  await withApp("?view=home&lang=zh", async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    for (const [view, extra, metrics, screenshot] of PAGES) {
      const query = `?view=${view}&lang=zh${extra}`;
      await page.goto(page.url().split("?")[0] + query);
      await page.waitForSelector(`[data-testid=view-${view}]`);
      for (const m of metrics ? metrics.split(" ") : []) await waitForRuns(page, 0, m);
      await page.waitForTimeout(500);
      if (!REPORT) assert.equal(await page.getAttribute("html", "lang"), "zh-CN", `${query}: <html lang>`);
      await assertNoEnglish(page, query);
      if (screenshot) await shot(page, `zh-${view}`, { fullPage: true });
    }
  }, { initScript: recordCanvasText });
});

test("lang=zh: the model chapter before and after its model is loaded", { timeout: 300000 }, async () => {
  // The smallest analysis: a short prompt of digits (tokens that are no English words anyway), a
  // local-window intervention on three layers and four generated tokens.
  const prompt = encodeURIComponent("1, 2, 3, 4,");
  await withApp(`?view=model&lang=zh&prompt=${prompt}&change=local&w=4&to=2&gen=4`, async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.waitForSelector("[data-testid=view-model]");
    if (!REPORT) assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
    await assertNoEnglish(page, "model (not loaded)");
    await page.click("[data-testid=model-load]");
    await page.waitForSelector("[data-testid=model-ready]", { timeout: 120000 });
    await waitForRuns(page, 0, "model_runs");
    await waitForRuns(page, 0, "model_change_runs");
    await page.click("[data-testid=model-generate]");
    await waitForRuns(page, 0, "model_generate_runs");
    await page.waitForTimeout(500);
    await assertNoEnglish(page, "model (loaded, changed, generated)");
    await shot(page, "zh-model", { fullPage: true });
  }, { initScript: recordCanvasText });
});
