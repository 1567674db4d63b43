//! The page's teaching keys: ← / → and Esc for a tour, F for one figure full-screen. A key typed into
//! a form field, or with a modifier, is the field's or the browser's.

use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TeachingKey {
    Previous,
    Next,
    Escape,
    FullScreen,
}

/// The teaching key `ev` is, if it is one and it was not typed into a field.
pub fn teaching_key(ev: &KeyboardEvent) -> Option<TeachingKey> {
    if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.default_prevented() {
        return None;
    }
    let in_field = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| {
            let tag = e.tag_name().to_ascii_lowercase();
            matches!(tag.as_str(), "input" | "select" | "textarea") || e.has_attribute("contenteditable")
        });
    if in_field {
        // Esc still leaves a full-screen figure or a tour from a slider.
        return (ev.key() == "Escape").then_some(TeachingKey::Escape);
    }
    match ev.key().as_str() {
        "ArrowLeft" => Some(TeachingKey::Previous),
        "ArrowRight" => Some(TeachingKey::Next),
        "Escape" => Some(TeachingKey::Escape),
        "f" | "F" => Some(TeachingKey::FullScreen),
        _ => None,
    }
}
