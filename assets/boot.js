// Loads the WebAssembly app. Kept as a file (not inline) so the Content-Security-Policy can forbid
// inline scripts. Any failure is shown on the page, not only in the console.
import init from "./attention-atlas.js";

// The two texts shown before the app runs, in the page's language as the app will choose it
// (src/i18n/mod.rs: `Lang::from_code` for `lang=`, else `from_browser`, the first of English or
// Chinese among the browser's languages); the app sets <html lang> again when it starts.
const asked = new URLSearchParams(location.search).get("lang");
const browser = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""])
  .map((tag) => tag.split(/[-_]/)[0].toLowerCase())
  .find((primary) => primary === "en" || primary === "zh");
const zh = asked !== null && ["en", "zh", "zh-CN", "zh-Hans"].includes(asked) ? asked !== "en" : browser === "zh";
if (zh) {
  document.documentElement.lang = "zh-CN";
  const loading = document.getElementById("boot-loading");
  if (loading) loading.textContent = "正在加载 Attention Atlas…";
}

function fail(err) {
  const box = document.getElementById("boot-error");
  if (box) {
    box.hidden = false;
    box.textContent = (zh ? "Attention Atlas 无法启动：" : "Attention Atlas could not start: ") + (err && err.message ? err.message : err);
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
