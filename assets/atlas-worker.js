// The exact-attention pool's Web Worker (src/ui/workers/pool.rs starts 1–4 of them). A classic worker
// script from this origin (the page's CSP: worker-src falls back to script-src 'self'), which loads
// the small worker wasm (src/worker/, built by Trunk with wasm-bindgen's no-modules target: it defines
// `wasm_bindgen`), then answers one message per part. Messages are structured-cloned objects whose
// Float32Arrays are transferred, never JSON:
//   in:  { id, op: "attend", q, k, v, heads, d, causal, row0 }   out: { id, out } or { id, error }
//   in:  { id, op: "head", q, k, scores?, n, dh, keep, scale, causal, side, pipe, poolMax, block }
//        (one head of the SDPA view; out packs its summary, src/worker/main.rs)
//   and once at start: { ready: true } or { failed: "why" }.
importScripts("./attention-worker.js");

wasm_bindgen({ module_or_path: "./attention-worker_bg.wasm" }).then(
  () => {
    self.onmessage = (e) => {
      const m = e.data;
      try {
        let out;
        if (m.op === "attend") {
          out = wasm_bindgen.worker_attend(m.q, m.k, m.v, m.heads, m.d, m.causal, m.row0);
        } else if (m.op === "head") {
          out = wasm_bindgen.worker_head(m.q, m.k, m.scores, m.n, m.dh, m.keep, m.scale, m.causal, m.side, m.pipe,
            m.poolMax, m.block);
        } else {
          throw new Error(`unknown op ${m.op}`);
        }
        self.postMessage({ id: m.id, out }, [out.buffer]);
      } catch (err) {
        self.postMessage({ id: m.id, error: String(err && err.message ? err.message : err) });
      }
    };
    self.postMessage({ ready: true });
  },
  (err) => self.postMessage({ failed: String(err && err.message ? err.message : err) }),
);
