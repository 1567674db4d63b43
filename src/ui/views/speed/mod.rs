//! The speed chapter's view (placeholder until it lands).

use leptos::prelude::*;

use crate::i18n::t;

/// The speed view.
#[component]
pub fn SpeedView() -> impl IntoView {
    view! {
        <section class="view">
            <div class="view-head">
                <h2>{t("nav.speed")}</h2>
            </div>
        </section>
    }
}
