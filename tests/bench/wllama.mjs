// The wllama side of tests/e2e/bench-model.mjs: llama.cpp compiled to wasm (npm @wllama/wllama,
// imported as the package's ESM build, no bundler) running the cached GGUF in this page. The node
// script calls the functions on `window.wllamaBench` through page.evaluate.
//
// wllama 3.x wraps llama.cpp's server (OpenAI-style completions) and has no tokenizer call of its own,
// so tokens are counted with a completion of one token and read from llama.cpp's `timings`:
//   prompt_n      tokens the prompt evaluated (the prefill), cache_n tokens reused from the KV cache
//   prompt_ms     from the start of the prompt to the first token sampled from its logits
//   predicted_n   tokens sampled, counting that first one; predicted_ms runs from that first sample
//                 to the last, so it spans predicted_n − 1 forward passes.
// Every request sets cache_prompt: false, so each prompt is evaluated in full (cache_n = 0).
import { Wllama } from "/wllama/esm/index.js";

const MODEL_URL = "/model/SmolLM2-135M-Instruct.Q4_1.gguf";
const WASM_URL = new URL("/wllama/esm/wasm/wllama.wasm", location.href).href;
const quiet = { debug() {}, log() {}, warn: console.warn, error: console.error };

let wllama = null;

/**
 * Fetches the GGUF and starts llama.cpp with `nThreads` threads (more than one needs a
 * cross-origin-isolated page). Times fetch and init separately; load_ms is their sum.
 */
async function load(nThreads) {
  if (wllama) throw new Error("load() runs once per page");
  const t0 = performance.now();
  const response = await fetch(MODEL_URL, { cache: "no-store" });
  if (!response.ok) throw new Error(`${MODEL_URL}: HTTP ${response.status}`);
  const blob = await response.blob();
  const t1 = performance.now();
  wllama = new Wllama({ default: WASM_URL }, { suppressNativeLog: true, logger: quiet });
  wllama.setCompat(null); // never the CDN build; Chromium has JSPI and Memory64, so none is needed
  // n_gpu_layers: 0 keeps llama.cpp on the CPU (the browser runs with --disable-gpu anyway).
  await wllama.loadModel([blob], { n_threads: nThreads, n_gpu_layers: 0 });
  const t2 = performance.now();
  const info = wllama.getLoadedContextInfo();
  return {
    load_ms: t2 - t0, fetch_ms: t1 - t0, init_ms: t2 - t1, model_bytes: blob.size,
    threads: wllama.getNumThreads(), multithread: wllama.isMultithread(),
    cross_origin_isolated: self.crossOriginIsolated, add_bos_token: info.add_bos_token,
    n_ctx: info.n_ctx, n_batch: info.n_batch, libllama: Wllama.getLibllamaVersion(),
  };
}

/** One raw completion, greedy, that never stops early: `maxTokens` tokens sampled after `prompt`. */
async function complete(prompt, maxTokens) {
  const t0 = performance.now();
  const r = await wllama.createCompletion({
    prompt, max_tokens: maxTokens, temperature: 0, top_k: 1, ignore_eos: true, cache_prompt: false,
  });
  const wall_ms = performance.now() - t0;
  const t = r.timings;
  if (!t) throw new Error("llama.cpp returned no timings");
  if (t.cache_n !== 0) throw new Error(`the prompt was partly cached (cache_n = ${t.cache_n})`);
  if (t.predicted_n !== maxTokens) throw new Error(`sampled ${t.predicted_n} tokens, asked for ${maxTokens}`);
  return {
    prompt_n: t.prompt_n, prompt_ms: t.prompt_ms, predicted_n: t.predicted_n, predicted_ms: t.predicted_ms,
    usage_prompt_tokens: r.usage?.prompt_tokens, wall_ms, text: r.choices[0].text,
  };
}

/** Tokens the prompt evaluates to (as llama.cpp processes it, BOS included if the model adds one). */
async function countTokens(text) {
  return (await complete(text, 1)).prompt_n;
}

/**
 * A word prefix of `text` that is exactly `target` tokens, found from a proportional first
 * guess and then stepping by the token shortfall. Throws if no prefix is exactly `target` tokens.
 */
async function fitPrompt(text, target) {
  const words = text.trim().split(/\s+/);
  const prefix = (k) => words.slice(0, k).join(" ");
  const counts = {};
  const count = async (k) => (counts[k] ??= await countTokens(prefix(k)));
  const total = await count(words.length);
  if (total < target) throw new Error(`the text is only ${total} tokens, fewer than ${target}`);
  let lo = 0, hi = words.length; // count(lo) < target ≤ count(hi)
  let k = Math.round((words.length * target) / total);
  for (let step = 0; step < 16 && hi - lo > 1; step += 1) {
    k = Math.min(Math.max(k, lo + 1), hi - 1);
    const c = await count(k);
    if (c === target) return { text: prefix(k), tokens: target, words: k, counts };
    if (c < target) lo = k; else hi = k;
    k += target - c;
  }
  if (counts[hi] === target) return { text: prefix(hi), tokens: target, words: hi, counts };
  throw new Error(`no word prefix is exactly ${target} tokens (words → tokens: ${JSON.stringify(counts)})`);
}

window.wllamaBench = { load, complete, countTokens, fitPrompt };
const status = document.querySelector("[data-testid=status]");
status.textContent = `wllama ready (libllama ${Wllama.getLibllamaVersion()})`;
status.dataset.ready = "1";
