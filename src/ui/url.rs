//! URL query state: views read their parameters from the router's query map and write changes back
//! in place (`history.replaceState`), so slider ticks neither pile up history entries nor scroll.

use std::cell::RefCell;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use leptos_router::location::{BrowserUrl, LocationProvider, Url};
use leptos_router::params::ParamsMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::{t, tf};
use crate::ui::reactive::relay;
use crate::view_model::params::{Notice, NoticeReason};

thread_local! {
    /// Query writes since the last animation frame: a drag fires several `input` events a frame, and
    /// the URL changes once per frame with all of them.
    static PENDING: RefCell<Vec<(&'static str, Option<String>)>> = const { RefCell::new(Vec::new()) };
}

/// The page's query map, as [`provide_query`] made it.
#[derive(Clone, Copy)]
struct Query(ReadSignal<ParamsMap>);

/// Makes the page's query map for the shell and every view below it: one memo over the router's URL
/// for the page's lifetime, read through a [`relay`]. (`use_query_map` makes a memo per call, and the
/// router's URL signal never forgets one: each view opened would keep its memo for good.)
pub fn provide_query() -> ReadSignal<ParamsMap> {
    let query = relay(use_query_map());
    provide_context(Query(query));
    query
}

/// The page's query map (inside the shell).
pub fn query() -> ReadSignal<ParamsMap> {
    expect_context::<Query>().0
}

/// A setter for query key `key` (None removes it).
///
/// It replaces the current history entry and sets the router's URL signal itself, as the router's
/// own `navigate(…, replace)` does, except that it does not push the URL onto the router's stack of
/// visited URLs (kept for detecting back navigations, and never trimmed on a replace): through the
/// router every parameter change kept ≈ 180 bytes for good.
pub fn setter(key: &'static str) -> SignalSetter<Option<String>> {
    let url = expect_context::<BrowserUrl>().as_url().clone();
    SignalSetter::map(move |value: Option<String>| queue(&url, &[(key, value)]))
}

/// Applies the pending writes to the current URL, in the order they were made.
fn write_pending(url: &ArcRwSignal<Url>) {
    let writes = PENDING.take();
    let mut next = url.get_untracked();
    for (key, value) in writes {
        match value {
            Some(v) => next.search_params_mut().replace(key, v),
            None => {
                next.search_params_mut().remove(key);
            }
        }
    }
    *next.search_mut() = next.search_params().to_query_string().trim_start_matches('?').into();
    let mut path = next.path().to_string();
    if !next.search().is_empty() {
        path = format!("{path}?{}", next.search());
    }
    if !next.hash().is_empty() && !next.hash().starts_with('#') {
        path.push('#');
    }
    path.push_str(next.hash());
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::UNDEFINED, "", Some(&path));
    }
    if next != url.get_untracked() {
        url.set(next);
    }
}

/// A setter of several query keys at once (None removes a key), for a click that changes more than
/// one parameter (a thumbnail sets layer and head): the writes join the frame's pending ones, in order.
pub fn keys_setter() -> impl Fn(&[(&'static str, Option<String>)]) + Clone + 'static {
    let url = expect_context::<BrowserUrl>().as_url().clone();
    move |changes: &[(&'static str, Option<String>)]| queue(&url, changes)
}

fn queue(url: &ArcRwSignal<Url>, changes: &[(&'static str, Option<String>)]) {
    let first = PENDING.with_borrow_mut(|p| {
        let was_empty = p.is_empty();
        p.extend(changes.iter().cloned());
        was_empty
    });
    if first && !changes.is_empty() {
        let url = url.clone();
        // once_into_js frees the closure when it runs (leptos's request_animation_frame leaves a
        // stub for the JS garbage collector).
        let write = Closure::once_into_js(move || write_pending(&url));
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(write.unchecked_ref());
        }
    }
}

/// A lookup closure over a query map, for the view-model parsers.
pub fn lookup(map: &ParamsMap) -> impl Fn(&str) -> Option<String> + '_ {
    move |k: &str| map.get(k)
}

/// The user-facing sentence for a parameter notice.
pub fn notice_text(n: &Notice) -> String {
    let base = [
        ("key", n.key.as_str()),
        ("given", n.given.as_str()),
        ("used", n.used.as_str()),
    ];
    match &n.reason {
        NoticeReason::NotANumber => tf("notice.nan", &base),
        NoticeReason::OutOfRange { min, max } => tf(
            "notice.range",
            &[base[0], base[1], base[2], ("min", min.as_str()), ("max", max.as_str())],
        ),
        NoticeReason::UnknownChoice { allowed } => {
            let list = allowed.join(", ");
            tf(
                "notice.choice",
                &[base[0], base[1], base[2], ("allowed", list.as_str())],
            )
        }
        NoticeReason::NotAllowed { allowed } => tf(
            "notice.allowed",
            &[base[0], base[1], base[2], ("allowed", allowed.as_str())],
        ),
        NoticeReason::TooLong { max } => tf("notice.too_long", &[base[0], ("max", &max.to_string())]),
        NoticeReason::Rule { message_id } => {
            let s = tf(message_id, &base);
            if s == *message_id {
                t("notice.nan").to_string()
            } else {
                s
            }
        }
    }
}
