//! The approx chapter's view (placeholder until its issue lands).

use leptos::prelude::*;

use crate::i18n::t;

/// The approx view.
#[component]
pub fn ApproxView() -> impl IntoView {
    view! {
        <section class="view">
            <div class="view-head">
                <h2>{t("nav.approx")}</h2>
            </div>
        </section>
    }
}
