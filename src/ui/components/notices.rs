//! The panel that tells the user which URL parameters were clamped or corrected.

use leptos::prelude::*;

use crate::attention::message::Message;
use crate::i18n::{t, tf, tm};
use crate::ui::url::notice_text;
use crate::view_model::params::Notice;

/// Lists parameter notices; renders nothing when there are none.
#[component]
pub fn Notices(#[prop(into)] notices: Signal<Vec<Notice>>) -> impl IntoView {
    move || {
        let list = notices.get();
        (!list.is_empty()).then(|| {
            view! {
                <div class="notices" role="status" data-testid="notices">
                    <strong>{t("ui.notices")}</strong>
                    <ul>
                        {list.iter().map(|n| view! { <li>{notice_text(n)}</li> }).collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// An error box for a configuration the engine refused.
#[component]
pub fn ErrorBox(#[prop(into)] message: Signal<Option<Message>>) -> impl IntoView {
    move || {
        message.get().map(|m| {
            let m = tf("ui.error", &[("msg", &tm(&m))]);
            view! {
                <div class="error-box" role="alert" data-testid="config-error">
                    {m}
                </div>
            }
        })
    }
}
