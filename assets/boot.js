// Loads the WebAssembly app. Kept as a file (not inline) so the Content-Security-Policy can forbid
// inline scripts. Any failure is shown on the page, not only in the console.
import init from "./attention-atlas.js";

function fail(err) {
  const box = document.getElementById("boot-error");
  if (box) {
    box.hidden = false;
    box.textContent = "Attention Atlas could not start: " + (err && err.message ? err.message : err);
  }
  const loading = document.getElementById("boot-loading");
  if (loading) loading.remove();
}

init({ module_or_path: new URL("./attention-atlas_bg.wasm", import.meta.url) })
  .then((wasm) => {
    // For the memory figures of the soak test and benchmarks: the wasm heap's current size in bytes.
    window.__atlasWasmBytes = () => wasm.memory.buffer.byteLength;
    // Bytes live on the wasm heap (a counting allocator): what a leak check compares.
    window.__atlasLiveBytes = () => wasm.atlas_live_bytes();
    window.__atlasPeakBytes = () => wasm.atlas_peak_bytes();
    const loading = document.getElementById("boot-loading");
    if (loading) loading.remove();
  })
  .catch(fail);
