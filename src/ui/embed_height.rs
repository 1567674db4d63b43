//! An embedded page tells its host how tall it is: `{atlas: "height", height, fig}` posted to the
//! parent window on load and whenever the document's height changes (a `ResizeObserver`), so the
//! README's few lines of host script can size the `<iframe>` to the figure. Chromium does not render
//! a cross-origin frame that is scrolled out of view, so no `ResizeObserver` fires there: a
//! `MutationObserver` (which does not wait for rendering) posts too, measured a little later.

use std::cell::Cell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    static STARTED: Cell<bool> = const { Cell::new(false) };
    static LAST: Cell<i32> = const { Cell::new(-1) };
}

/// The document's content height in CSS pixels (what the iframe must be to show it all).
pub fn content_height() -> i32 {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .map(|e| e.get_bounding_client_rect().height().ceil() as i32)
        .unwrap_or(0)
}

/// Whether the page is an embed now (the shell keeps `body.embed` on `embed=1`): the observers outlive
/// an embed that is switched off in the same page, and then post nothing.
fn embedded() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .is_some_and(|b| b.class_list().contains("embed"))
}

fn post(fig: &str) {
    if !embedded() {
        return;
    }
    let Some(w) = web_sys::window() else { return };
    let Ok(Some(parent)) = w.parent() else { return };
    let h = content_height();
    if h == LAST.get() {
        return;
    }
    LAST.set(h);
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"atlas".into(), &"height".into());
    let _ = js_sys::Reflect::set(&msg, &"height".into(), &JsValue::from(h));
    let _ = js_sys::Reflect::set(&msg, &"fig".into(), &JsValue::from_str(fig));
    let _ = parent.post_message(&msg, "*");
}

/// Starts posting the height (once per page; `fig` names the lone figure, or is empty).
pub fn start(fig: String) {
    if STARTED.replace(true) {
        return;
    }
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let observed = fig.clone();
    let on_resize = Closure::<dyn FnMut()>::new(move || post(&observed));
    if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
        observer.observe(&root);
        // The observer lives as long as the page.
        std::mem::forget(observer);
    }
    on_resize.forget();
    let pending = std::rc::Rc::new(Cell::new(false));
    let later_fig = fig.clone();
    let on_mutation = Closure::<dyn FnMut()>::new(move || {
        if !embedded() || pending.replace(true) {
            return;
        }
        let (pending, fig) = (pending.clone(), later_fig.clone());
        let measure = Closure::once_into_js(move || {
            pending.set(false);
            post(&fig);
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(measure.unchecked_ref(), 150);
        }
    });
    if let Ok(observer) = web_sys::MutationObserver::new(on_mutation.as_ref().unchecked_ref()) {
        let opts = web_sys::MutationObserverInit::new();
        opts.set_child_list(true);
        opts.set_subtree(true);
        opts.set_attributes(true);
        let _ = observer.observe_with_options(&root, &opts);
        std::mem::forget(observer);
    }
    on_mutation.forget();
    let on_load = Closure::<dyn FnMut()>::new(move || {
        LAST.set(-1);
        post(&fig)
    });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("load", on_load.as_ref().unchecked_ref());
    }
    on_load.forget();
}
