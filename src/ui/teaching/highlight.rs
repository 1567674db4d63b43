//! The tour's highlight: the step's panels get a ring and every figure without them is veiled, by
//! two rules added to the classroom stylesheet through the CSSOM (the CSP allows no `<style>`). A
//! rule, unlike a class on an element, survives the panels being rebuilt when the step's
//! parameters recompute them.

use std::cell::Cell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, ScrollBehavior, ScrollIntoViewOptions, ScrollLogicalPosition};

thread_local! {
    /// Rules this module added at the end of the sheet.
    static ADDED: Cell<u32> = const { Cell::new(0) };
    /// Bumped by every `show`/`clear`, so the scroll of an older step stops looking.
    static GENERATION: Cell<u32> = const { Cell::new(0) };
}

/// The stylesheet the rules go into (`style/classroom.css`, as Trunk names it).
fn sheet() -> Option<CssStyleSheet> {
    let sheets = web_sys::window()?.document()?.style_sheets();
    (0..sheets.length())
        .filter_map(|i| sheets.item(i))
        .filter_map(|s| s.dyn_into::<CssStyleSheet>().ok())
        .find(|s| s.href().ok().flatten().is_some_and(|h| h.contains("classroom")))
}

/// The two rules for `focus` (CSS selectors).
pub fn rules(focus: &[&str]) -> [String; 2] {
    let list = focus.join(", ");
    [
        format!("body.touring :is({list}) {{ outline: 4px solid var(--tour-ring); outline-offset: 4px; border-radius: 8px; }}"),
        // A veil over the other figures rather than opacity: their text keeps its contrast for
        // anyone who reads it anyway (and for contrast checkers), it is only covered.
        format!("body.touring .figure:not(:has(:is({list}))):not(:is({list}))::after {{ content: \"\"; }}"),
    ]
}

/// Highlights `focus` (replacing the previous step's highlight) and scrolls the first panel into view.
pub fn show(focus: &'static [&'static str]) {
    clear();
    if let Some(sheet) = sheet() {
        for rule in rules(focus) {
            let end = sheet.css_rules().map(|r| r.length()).unwrap_or(0);
            if sheet.insert_rule_with_index(&rule, end).is_ok() {
                ADDED.set(ADDED.get() + 1);
            }
        }
    }
    if let Some(first) = focus.first() {
        scroll_to(first, GENERATION.get(), 0);
    }
}

/// Removes the highlight.
pub fn clear() {
    GENERATION.set(GENERATION.get().wrapping_add(1));
    let added = ADDED.replace(0);
    if let Some(sheet) = sheet() {
        for _ in 0..added {
            let n = sheet.css_rules().map(|r| r.length()).unwrap_or(0);
            if n > 0 {
                let _ = sheet.delete_rule(n - 1);
            }
        }
    }
}

/// Whether the reader asked the system for less motion.
pub fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Scrolls the element `selector` names to the top of the window (the tour panel sits at the bottom), once it exists (a view that
/// just opened builds its panels over a few frames; looked for up to about two seconds).
/// `tries` past the frame-by-frame search: the settling second scroll.
const SETTLE: u32 = 1000;

fn scroll_to(selector: &'static str, generation: u32, tries: u32) {
    if GENERATION.get() != generation || (tries > 120 && tries != SETTLE) {
        return;
    }
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(Some(el)) = doc.query_selector(selector) {
        let opts = ScrollIntoViewOptions::new();
        opts.set_block(ScrollLogicalPosition::Start);
        opts.set_behavior(if reduced_motion() {
            ScrollBehavior::Instant
        } else {
            ScrollBehavior::Smooth
        });
        el.scroll_into_view_with_scroll_into_view_options(&opts);
        if tries < SETTLE {
            // The view is still laying out (its panels fill in as their jobs finish): once more,
            // after it has settled.
            let again = Closure::once_into_js(move || scroll_to(selector, generation, SETTLE));
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(again.unchecked_ref(), 600);
            }
        }
        return;
    }
    let next = Closure::once_into_js(move || scroll_to(selector, generation, tries + 1));
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(next.unchecked_ref());
    }
}
