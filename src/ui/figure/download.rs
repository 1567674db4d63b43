//! Saving an export: a Blob, a `blob:` URL (the CSP's `img-src blob:` covers previews too) and a
//! detached `<a download>` clicked once; the URL is revoked a minute later.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlCanvasElement, Url};

/// Saves `blob` as `name`.
pub fn save_blob(name: &str, blob: &Blob) {
    let Ok(url) = Url::create_object_url_with_blob(blob) else {
        return;
    };
    let anchor = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<HtmlAnchorElement>().ok());
    if let Some(a) = anchor {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let revoke = Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    }
}

/// Saves `text` as `name` with MIME type `mime`.
pub fn save_text(name: &str, mime: &str, text: &str) {
    let opts = BlobPropertyBag::new();
    opts.set_type(mime);
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    if let Ok(blob) = Blob::new_with_str_sequence_and_options(&parts, &opts) {
        save_blob(name, &blob);
    }
}

/// Saves `canvas` as the PNG `name` (encoded by the browser, asynchronously).
pub fn save_png(name: String, canvas: &HtmlCanvasElement) {
    let done = Closure::once_into_js(move |blob: JsValue| {
        if let Ok(blob) = blob.dyn_into::<Blob>() {
            save_blob(&name, &blob);
        }
    });
    let _ = canvas.to_blob(done.unchecked_ref());
}
