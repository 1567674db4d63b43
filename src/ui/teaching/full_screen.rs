//! One figure full-screen, for a projector: F (or a figure's "Full screen" button) lays the figure
//! over the whole window, zoomed to fit; Esc or the exit button puts it back. The figure is the one
//! holding the keyboard focus, else the tour step's panel, else the one most visible on screen.

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::view_model::look::fit_zoom;

thread_local! {
    static CURRENT: RefCell<Option<HtmlElement>> = const { RefCell::new(None) };
    /// The shell's signal, for its exit button (set from key and click handlers, which run outside
    /// any reactive owner, so not a context).
    static STATE: std::cell::Cell<Option<RwSignal<bool>>> = const { std::cell::Cell::new(None) };
}

/// Makes the page's full-screen state (once, by the shell).
pub fn provide() -> RwSignal<bool> {
    let on = RwSignal::new(false);
    STATE.set(Some(on));
    on
}

fn set_state(on: bool) {
    if let Some(s) = STATE.get() {
        if s.get_untracked() != on {
            s.set(on);
        }
    }
}

/// Lays `fig` over the window.
pub fn enter(fig: HtmlElement) {
    exit();
    let Some(w) = web_sys::window() else { return };
    let rect = fig.get_bounding_client_rect();
    let vw = w.inner_width().ok().and_then(|v| v.as_f64()).unwrap_or(1280.0);
    let vh = w.inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(800.0);
    let zoom = fit_zoom(rect.width(), rect.height(), vw, vh);
    let _ = fig.style().set_property("--fig-zoom", &format!("{zoom:.3}"));
    let _ = fig.class_list().add_1("fig-full");
    if let Some(body) = w.document().and_then(|d| d.body()) {
        let _ = body.class_list().add_1("has-full-figure");
    }
    let _ = fig.focus();
    CURRENT.set(Some(fig));
    set_state(true);
}

/// Puts the full-screen figure back, if there is one; true when there was.
pub fn exit() -> bool {
    let Some(fig) = CURRENT.take() else { return false };
    let _ = fig.class_list().remove_1("fig-full");
    let _ = fig.style().remove_property("--fig-zoom");
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.class_list().remove_1("has-full-figure");
    }
    set_state(false);
    true
}

/// Whether a figure is full-screen.
pub fn is_on() -> bool {
    CURRENT.with_borrow(|c| c.is_some())
}

/// F: the figure to show, as the module's doc says (`focus` is the tour step's first panel).
pub fn toggle(focus: Option<&str>) {
    if exit() {
        return;
    }
    if let Some(fig) = pick(focus) {
        enter(fig);
    }
}

fn figure_of(e: Element) -> Option<HtmlElement> {
    e.closest(".figure").ok().flatten()?.dyn_into::<HtmlElement>().ok()
}

fn pick(focus: Option<&str>) -> Option<HtmlElement> {
    let doc = web_sys::window()?.document()?;
    if let Some(f) = doc.active_element().and_then(figure_of) {
        return Some(f);
    }
    if let Some(f) = focus
        .and_then(|s| doc.query_selector(s).ok().flatten())
        .and_then(figure_of)
    {
        return Some(f);
    }
    let vh = web_sys::window()?.inner_height().ok()?.as_f64()?;
    let all = doc.query_selector_all(".figure").ok()?;
    (0..all.length())
        .filter_map(|i| all.item(i)?.dyn_into::<HtmlElement>().ok())
        .map(|f| {
            let r = f.get_bounding_client_rect();
            let visible = (r.bottom().min(vh) - r.top().max(0.0)).max(0.0) * r.width();
            (visible, f)
        })
        .filter(|(v, _)| *v > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, f)| f)
}
