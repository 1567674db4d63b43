//! The "Load" step: the model's size and shape before anything is fetched, a progress bar while it
//! downloads (or is read from the browser's cache) and parses, and what was loaded.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{t, tf, tm};
use crate::ui::reactive::follow;
use crate::ui::views::model::store::{self, LoadState, MODEL_BYTES};
use crate::view_model::format::{bytes, millis};

/// The load card.
#[component]
pub fn LoadPanel() -> impl IntoView {
    let state = store::state();
    // A model the browser kept from an earlier visit loads at once (no network).
    {
        let state = state.clone();
        if state.get_untracked() == LoadState::Idle {
            spawn_local(async move {
                if store::is_cached().await {
                    store::load();
                }
            });
        }
    }
    let size = tf("model.load.size", &[("bytes", &bytes(MODEL_BYTES as f64))]);
    // The loading state outlives the view: follow it, so the card leaves nothing in it (`ui::reactive`).
    let shown = {
        let state = state.clone();
        follow(move || state.get())
    };
    let body = {
        move || match shown.get() {
            LoadState::Idle => view! {
                <button class="button primary" data-testid="model-load" on:click=move |_| store::load()>
                    {t("model.load.button")}
                </button>
            }
            .into_any(),
            LoadState::Fetching {
                received,
                total,
                from_cache,
            } => {
                let pct = received as f64 / total.max(1) as f64 * 100.0;
                let id = if from_cache {
                    "model.load.reading"
                } else {
                    "model.load.fetching"
                };
                let text = tf(
                    id,
                    &[
                        ("got", &bytes(received as f64)),
                        ("total", &bytes(total as f64)),
                        ("pct", &format!("{pct:.0}")),
                    ],
                );
                view! {
                    <div class="load-progress" data-testid="model-progress">
                        <progress max="100" value=format!("{pct:.1}") aria-label=text.clone()></progress>
                        <span>{text}</span>
                    </div>
                }
                .into_any()
            }
            LoadState::Parsing => view! { <p class="hint">{t("model.load.parsing")}</p> }.into_any(),
            LoadState::Ready {
                name,
                bytes: held,
                ms,
                from_cache,
            } => {
                let id = if from_cache {
                    "model.load.ready_cached"
                } else {
                    "model.load.ready"
                };
                let text = tf(
                    id,
                    &[("name", &name), ("bytes", &bytes(held as f64)), ("time", &millis(ms))],
                );
                view! { <p class="load-ready" data-testid="model-ready">{text}</p> }.into_any()
            }
            LoadState::Failed(message) => view! {
                <div class="error-box" role="alert" data-testid="model-load-error">
                    <p>{tm(&message)}</p>
                    <button class="button" on:click=move |_| {
                        store::state().set(LoadState::Idle);
                        store::load();
                    }>{t("model.load.retry")}</button>
                </div>
            }
            .into_any(),
        }
    };
    view! {
        <div class="card model-load fig-keep" data-testid="model-load-card">
            <h3>{t("model.load.title")}</h3>
            <p class="caption">{t("model.load.shape")}</p>
            <p class="caption">{size}</p>
            {body}
        </div>
    }
}
