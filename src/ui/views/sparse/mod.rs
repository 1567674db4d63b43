//! The sparse chapter's view (placeholder until its issue lands).

use leptos::prelude::*;

use crate::i18n::t;

/// The sparse view.
#[component]
pub fn SparseView() -> impl IntoView {
    view! {
        <section class="view">
            <div class="view-head">
                <h2>{t("nav.sparse")}</h2>
            </div>
        </section>
    }
}
