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
