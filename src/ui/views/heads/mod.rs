//! The heads chapter's view (placeholder until its issue lands).

use leptos::prelude::*;

use crate::i18n::t;

/// The heads view.
#[component]
pub fn HeadsView() -> impl IntoView {
    view! {
        <section class="view">
            <div class="view-head">
                <h2>{t("nav.heads")}</h2>
            </div>
        </section>
    }
}
