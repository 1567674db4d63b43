// The exact-attention pool's Web Worker (src/ui/workers/pool.rs starts 1–4 of them). A classic worker
// script from this origin (the page's CSP: worker-src falls back to script-src 'self'), which loads
// the small worker wasm (src/worker/, built by Trunk with wasm-bindgen's no-modules target: it defines
// `wasm_bindgen`), then answers one message per part. Messages are structured-cloned objects whose
// Float32Arrays are transferred, never JSON:
//   in:  { id, op: "attend", q, k, v, heads, d, causal, row0 }   out: { id, out } or { id, error }
//   in:  { id, op: "heads", items: [{ q, k, scores?, n, dh, keep, scale, causal, side, pipe, poolMax, block }] }
//        (heads of the SDPA view; out is [count, len_0 … len_{count−1}, item_0 …], each item a head's
//        packed summary from worker_head, src/worker/main.rs)
//   in:  { id, op: "weight", x, n, d, seedLo, seedHi, label }   out: W (d²) then X·W (n·d; none when x
//        is empty), from worker_weight (the SDPA view's layer weights and projections)
//   and once at start (after a short warm-up): { ready: true, build } (build: "relaxed-simd" or
//   "simd128", the wasm it loaded) or { failed: "why" }. `ms` in an answer
//   is the worker's own time for the part (window.__atlas.workers_part_ms, the last one).

/** True when this browser compiles relaxed SIMD: a one-function module that returns
 * f32x4.relaxed_madd of three zero vectors (opcode 0xfd 0x105) validates. */
function hasRelaxedSimd() {
  const zero = [0xfd, 0x0c, ...new Array(16).fill(0)];
  const body = [0x00, ...zero, ...zero, ...zero, 0xfd, 0x85, 0x02, 0x0b];
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
    0x03, 0x02, 0x01, 0x00, 0x0a, body.length + 2, 0x01, body.length, ...body];
  try { return WebAssembly.validate(new Uint8Array(bytes)); } catch (_) { return false; }
}

// Two builds of the same exports (src/worker/): with fused multiply-adds where relaxed SIMD is
// there, else simd128 only. `?build=simd128` on this script's URL forces the second (benchmarks).
const build = new URLSearchParams(self.location.search).get("build") !== "simd128" && hasRelaxedSimd()
  ? "relaxed-simd" : "simd128";
const stem = build === "relaxed-simd" ? "./attention-worker-relaxed" : "./attention-worker";
importScripts(`${stem}.js`);

/** A few calls of both kinds on made-up inputs, so V8 tiers the hot functions up (its first tier,
 * Liftoff, runs SIMD code several times slower) before the first real part arrives. */
function warmUp() {
  const t0 = performance.now();
  const x = new Float32Array(256 * 64).map((_, i) => Math.sin(i));
  for (let i = 0; i < 6 && performance.now() - t0 < 300; i += 1) {
    wasm_bindgen.worker_attend(x, x, x, 1, 64, i % 2 === 1, 0);
    wasm_bindgen.worker_head(x, x, undefined, 256, 64, true, 0.125, i % 2 === 1, 256, 96, true, 64);
    wasm_bindgen.worker_weight(x, 128, 128, i, 0, i % 4);
  }
}

wasm_bindgen({ module_or_path: `${stem}_bg.wasm` }).then(
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
        } else if (m.op === "weight") {
          out = wasm_bindgen.worker_weight(m.x, m.n, m.d, m.seedLo, m.seedHi, m.label);
        } else {
          throw new Error(`unknown op ${m.op}`);
        }
        self.postMessage({ id: m.id, out, ms: performance.now() - t0 }, [out.buffer]);
      } catch (err) {
        self.postMessage({ id: m.id, error: String(err && err.message ? err.message : err) });
      }
    };
    self.postMessage({ ready: true, build });
  },
  (err) => self.postMessage({ failed: String(err && err.message ? err.message : err) }),
);
