//! Small browser facilities: a clock, yielding to the event loop, the clipboard, the current URL.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Milliseconds from `performance.now()` (0 if unavailable).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Resolves after the browser had a chance to handle input and paint (a `setTimeout(0)`: a task at
/// the back of the queue, so timers, worker messages and input all run first; `scheduler.yield()`
/// would resume ahead of them and, in a long run, starve them).
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Resolves on the next animation frame (after the pending paint).
pub async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(&resolve);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// The page's full URL.
pub fn href() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// Copies `text` to the clipboard; false when the browser refuses (e.g. an insecure context).
pub async fn copy_text(text: &str) -> bool {
    let Some(w) = web_sys::window() else { return false };
    let clipboard = w.navigator().clipboard();
    let promise: js_sys::Promise = clipboard.write_text(text);
    JsFuture::from(promise).await.is_ok()
}

/// Records a measured figure on `window.__atlas` so benchmarks and tests can read it.
pub fn record_metric(name: &str, value: f64) {
    let Some(w) = web_sys::window() else { return };
    let key = JsValue::from_str("__atlas");
    let obj = js_sys::Reflect::get(&w, &key)
        .ok()
        .filter(|v| v.is_object())
        .unwrap_or_else(|| {
            let o = js_sys::Object::new().into();
            let _ = js_sys::Reflect::set(&w, &key, &o);
            o
        });
    let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(name), &JsValue::from_f64(value));
}
