// The exact-attention pool's Web Worker (src/ui/workers/pool.rs starts 1–4 of them). A classic worker
// script from this origin (the page's CSP: worker-src falls back to script-src 'self'), which loads
// the small worker wasm (src/worker/, built by Trunk with wasm-bindgen's no-modules target: it defines
// `wasm_bindgen`), then answers one message per part. Messages are structured-cloned objects whose
// Float32Arrays are transferred, never JSON:
//   in:  { id, op: "attend", q, k, v, heads, d, causal, row0 }   out: { id, out } or { id, error }
//   in:  { id, op: "heads", items: [{ q, k, scores?, n, dh, keep, scale, causal, side, pipe, poolMax, block }] }
//        (heads of the SDPA view; out is [count, len_0 … len_{count−1}, item_0 …], each item a head's
//        packed summary from worker_head, src/worker/main.rs)
//   and once at start (after a short warm-up): { ready: true } or { failed: "why" }. `ms` in an answer
//   is the worker's own time for the part (window.__atlas.workers_part_ms, the last one).
importScripts("./attention-worker.js");

/** A few calls of both kinds on made-up inputs, so V8 tiers the hot functions up (its first tier,
 * Liftoff, runs SIMD code several times slower) before the first real part arrives. */
function warmUp() {
  const t0 = performance.now();
  const x = new Float32Array(256 * 64).map((_, i) => Math.sin(i));
  for (let i = 0; i < 6 && performance.now() - t0 < 300; i += 1) {
    wasm_bindgen.worker_attend(x, x, x, 1, 64, i % 2 === 1, 0);
    wasm_bindgen.worker_head(x, x, undefined, 256, 64, true, 0.125, i % 2 === 1, 256, 96, true, 64);
  }
}

wasm_bindgen({ module_or_path: "./attention-worker_bg.wasm" }).then(
  () => {
    try { warmUp(); } catch (_) { /* a failure shows at the first real part */ }
    self.onmessage = (e) => {
      const m = e.data;
      const t0 = performance.now();
      try {
        let out;
        if (m.op === "attend") {
          out = wasm_bindgen.worker_attend(m.q, m.k, m.v, m.heads, m.d, m.causal, m.row0);
        } else if (m.op === "heads") {
          const outs = m.items.map((h) => wasm_bindgen.worker_head(h.q, h.k, h.scores, h.n, h.dh, h.keep, h.scale,
            h.causal, h.side, h.pipe, h.poolMax, h.block));
          out = new Float32Array(1 + outs.length + outs.reduce((s, o) => s + o.length, 0));
          out[0] = outs.length;
          let at = 1 + outs.length;
          outs.forEach((o, i) => { out[1 + i] = o.length; out.set(o, at); at += o.length; });
        } else {
          throw new Error(`unknown op ${m.op}`);
        }
        self.postMessage({ id: m.id, out, ms: performance.now() - t0 }, [out.buffer]);
      } catch (err) {
        self.postMessage({ id: m.id, error: String(err && err.message ? err.message : err) });
      }
    };
    self.postMessage({ ready: true });
  },
  (err) => self.postMessage({ failed: String(err && err.message ? err.message : err) }),
);
