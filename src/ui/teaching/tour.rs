//! The guided tour's panel: the step's title, formula and text, Back / Next, a row of dots (one per
//! step), and the ← / → / Esc keys. Moving writes the step's URL (`view_model::tour::step_writes`),
//! and the panel highlights what the step talks about ([`super::highlight`]).

use leptos::prelude::*;

use super::{full_screen, highlight, keys};
use crate::i18n::{t, tf};
use crate::ui::render::math::MathFormula;
use crate::ui::url::keys_setter;
use crate::view_model::shell::ViewId;
use crate::view_model::tour::{self, Tour};

/// The tour panel for the running tour `at` (chapter, step 0-based); nothing when there is none.
#[component]
pub fn TourPanel(at: ReadSignal<Option<(ViewId, usize)>>) -> impl IntoView {
    let set = keys_setter();
    let current = move || at.get().and_then(|(v, k)| tour::of(v).map(|t| (t, k)));
    let go = {
        let set = set.clone();
        move |tour: &'static Tour, k: usize| set(&tour::step_writes(tour, k))
    };
    let close = {
        let set = set.clone();
        move || {
            highlight::clear();
            if let Some((v, _)) = at.get_untracked() {
                if let Some(t) = tour::of(v) {
                    set(&tour::end_writes(t));
                }
            }
        }
    };
    // The highlight follows the step (and goes when the tour ends).
    Effect::new(
        move |_| match at.get().and_then(|(v, k)| tour::of(v).map(|t| &t.steps[k])) {
            Some(step) => highlight::show(step.focus),
            None => highlight::clear(),
        },
    );
    on_cleanup(highlight::clear);
    let on_key = {
        let (go, close) = (go.clone(), close.clone());
        move |ev: web_sys::KeyboardEvent| {
            let Some(key) = keys::teaching_key(&ev) else { return };
            let Some((tour, k)) = at.get_untracked().and_then(|(v, k)| tour::of(v).map(|t| (t, k))) else {
                return;
            };
            match key {
                keys::TeachingKey::Previous if k > 0 => go(tour, k - 1),
                keys::TeachingKey::Next if k + 1 < tour.steps.len() => go(tour, k + 1),
                keys::TeachingKey::Escape if !full_screen::is_on() => close(),
                _ => return,
            }
            ev.prevent_default();
        }
    };
    let handle = window_event_listener(leptos::ev::keydown, on_key);
    on_cleanup(move || handle.remove());
    let panel = move || {
        let (tour, k) = current()?;
        let step = &tour.steps[k];
        let n = tour.steps.len();
        let dots = (0..n)
            .map(|i| {
                let go = go.clone();
                let label = tf(
                    "tour.dot",
                    &[("k", &(i + 1).to_string()), ("title", t(tour.steps[i].title))],
                );
                view! {
                    <li>
                        <button
                            class="tour-dot"
                            class:done=i < k
                            aria-label=label.clone()
                            title=label
                            aria-current=(i == k).then_some("step")
                            data-testid=format!("tour-dot-{}", i + 1)
                            on:click=move |_| go(tour, i)
                        ></button>
                    </li>
                }
            })
            .collect_view();
        let (go_back, go_next, close) = (go.clone(), go.clone(), close.clone());
        let close_end = close.clone();
        let formula = step.formula.map(|src| {
            view! { <MathFormula source=src display="block" class="formula tour-formula" test_id="tour-formula" /> }
        });
        Some(view! {
            <aside class="tour-panel" role="region" aria-label=t(tour.name) data-testid="tour" data-step=k + 1>
                <div class="tour-head">
                    <span class="tour-name">{t(tour.name)}</span>
                    <span class="tour-progress" data-testid="tour-progress">
                        {tf("tour.progress", &[("k", &(k + 1).to_string()), ("n", &n.to_string())])}
                    </span>
                    <button class="tour-close" aria-label=t("tour.close") title=t("tour.close")
                        data-testid="tour-close" on:click=move |_| close()>"×"</button>
                </div>
                <h3 class="tour-title" data-testid="tour-title">{t(step.title)}</h3>
                {formula}
                <p class="tour-body" data-testid="tour-body">{t(step.body)}</p>
                <div class="tour-nav">
                    <button class="button" data-testid="tour-prev" disabled=k == 0
                        on:click=move |_| go_back(tour, k.saturating_sub(1))>{t("tour.prev")}</button>
                    <ol class="tour-dots" aria-label=t("tour.dots")>{dots}</ol>
                    {if k + 1 < n {
                        view! { <button class="button primary" data-testid="tour-next"
                            on:click=move |_| go_next(tour, k + 1)>{t("tour.next")}</button> }.into_any()
                    } else {
                        view! { <button class="button primary" data-testid="tour-done"
                            on:click=move |_| close_end()>{t("tour.done")}</button> }.into_any()
                    }}
                </div>
                <p class="tour-keys">{t("tour.keys")}</p>
            </aside>
        })
    };
    view! { {panel} }
}
