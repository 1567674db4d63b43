//! URL query state: views read their parameters from the query and write changes back with
//! `replace: true, scroll: false`, so slider ticks neither pile up history entries nor scroll.

use leptos::prelude::*;
use leptos_router::hooks::query_signal_with_options;
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;

use crate::i18n::{t, tf};
use crate::view_model::params::{Notice, NoticeReason};

/// A setter for query key `key` (None removes it).
pub fn setter(key: &'static str) -> SignalSetter<Option<String>> {
    let opts = NavigateOptions {
        replace: true,
        scroll: false,
        ..Default::default()
    };
    query_signal_with_options::<String>(key, opts).1
}

/// A setter of several query keys in one navigation (None removes a key), for a click that changes
/// more than one parameter (a thumbnail sets layer and head): two single setters in a row would each
/// start from the same old query, and the second would undo the first.
pub fn keys_setter() -> impl Fn(&[(&'static str, Option<String>)]) + Clone + 'static {
    let navigate = leptos_router::hooks::use_navigate();
    move |changes: &[(&'static str, Option<String>)]| {
        let Some(w) = web_sys::window() else { return };
        let search = w.location().search().unwrap_or_default();
        let Ok(q) = web_sys::UrlSearchParams::new_with_str(&search) else {
            return;
        };
        for (k, v) in changes {
            match v {
                Some(v) => q.set(k, v),
                None => q.delete(k),
            }
        }
        let path = w.location().pathname().unwrap_or_default();
        let opts = NavigateOptions {
            replace: true,
            scroll: false,
            ..Default::default()
        };
        navigate(&format!("{path}?{}", String::from(q.to_string())), opts);
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
