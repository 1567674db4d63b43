//! A panic hook that shows the error on the page (and in the console), never a silent dead tab.

use wasm_bindgen::JsCast;

use crate::i18n::tf;

/// Installs the hook: console output plus a visible alert banner at the top of the page.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
            s.to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "unknown panic".to_string()
        };
        let place = info
            .location()
            .map(|l| format!(" ({}:{})", l.file(), l.line()))
            .unwrap_or_default();
        show(&format!("{msg}{place}"));
    }));
}

fn show(msg: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = doc.body() else { return };
    if let Ok(div) = doc.create_element("div") {
        div.set_class_name("panic");
        let _ = div.set_attribute("role", "alert");
        let _ = div.set_attribute("data-testid", "panic");
        div.set_text_content(Some(&tf("error.panic", &[("msg", msg)])));
        if let Ok(el) = div.dyn_into::<web_sys::Element>() {
            let _ = body.prepend_with_node_1(&el);
        }
    }
}
