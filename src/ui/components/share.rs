//! "Copy link" and the embed snippet: every view's URL is its permalink.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{lang, t};
use crate::ui::browser::{copy_text, href};
use crate::ui::url::{lookup, query};
use crate::view_model::permalink::canonical_query;

/// A "Copy link" button; shows the link in a box when the clipboard is unavailable.
#[component]
pub fn CopyLink() -> impl IntoView {
    let status = RwSignal::new(None::<(bool, String)>);
    let query = query();
    let copy = move |_| {
        // The canonical permalink: every parameter of the view, nothing else.
        let canonical = query.with_untracked(|m| canonical_query(&lookup(m), lang()));
        let here = href();
        let base = here.split(['?', '#']).next().unwrap_or_default();
        let url = format!("{base}{canonical}");
        spawn_local(async move {
            let ok = copy_text(&url).await;
            status.set(Some((ok, url)));
        });
    };
    view! {
        <div class="share">
            <button class="button" data-testid="copy-link" on:click=copy>
                {t("ui.copy_link")}
            </button>
            {move || {
                status
                    .get()
                    .map(|(ok, url)| {
                        if ok {
                            view! { <span data-testid="copied">{t("ui.copied")}</span> }.into_any()
                        } else {
                            view! {
                                <span>
                                    {t("ui.copy_failed")}
                                    <input readonly data-testid="link-box" prop:value=url />
                                </span>
                            }
                                .into_any()
                        }
                    })
            }}
        </div>
    }
}
