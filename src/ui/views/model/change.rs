//! Interventions — the bridge to the other chapters: the same input through the model with a sparse
//! pattern in place of the causal mask, linear attention or Performer in place of exact softmax (in
//! layers `from` … `to`), or one head ablated; the new top 10, the per-token loss beside the trained
//! model's, the KL divergence, and the selected head's map under the change.

use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;

use crate::attention::message::Message;
use crate::i18n::{t, tf};
use crate::ui::components::notices::ErrorBox;
use crate::ui::components::param_controls::{ChoiceSelect, IntSlider};
use crate::ui::jobs::drive;
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::ui::url::setter;
use crate::ui::views::model::loss_chart::{LossChart, Series};
use crate::ui::views::model::prompt::CandidateList;
use crate::ui::views::model::{store, Ctx, MODEL_SLICING};
use crate::view_model::format::sig3;
use crate::view_model::model::analysis::Analysis;
use crate::view_model::model::change::{ChangeJob, Changed};
use crate::view_model::model::choices::Change;
use crate::view_model::model::hooks::hook_for;
use crate::view_model::model::params::{ChangeSpec, ABLATE, CHANGE, FEATURES, FROM, STRIDE, TO, WINDOW};

/// An analysis compared by identity (the memo key of the changed run: a new analysis is a new input).
#[derive(Clone)]
struct Same(Arc<Analysis>);

impl PartialEq for Same {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The interventions card.
#[component]
pub fn ChangePanel(ctx: Ctx) -> impl IntoView {
    let params = ctx.params;
    let base = ctx.analysis;
    let spec = Memo::new(move |_| params.with(|p| p.change.clone()));
    let key = Memo::new(move |_| {
        let s = spec.get();
        let a = base.result.get()?;
        (!s.is_identity()).then_some((s, Same(a)))
    });
    let run = drive(
        "model_change",
        key,
        MODEL_SLICING,
        move |k: &Option<(ChangeSpec, Same)>| {
            let (s, a) = k.as_ref().ok_or_else(|| Message::new("model.change.idle"))?;
            let model = store::model().ok_or_else(|| Message::new("model.not_loaded"))?;
            let hook = hook_for(s, &model)?;
            Ok(ChangeJob::new(Rc::clone(&model), Arc::clone(&a.0), hook))
        },
        |_: &Changed| {},
    );
    let active = Memo::new(move |_| !spec.get().is_identity());
    let kind = Memo::new(move |_| spec.get().change);
    let uses = move |k: &[Change]| k.contains(&kind.get());
    let set_ablate = setter(ABLATE.key);
    let selected = Memo::new(move |_| params.with(|p| (p.layer, p.head)));
    let ablate_selected = move |_| {
        let (l, h) = selected.get_untracked();
        set_ablate.set(Some(format!("{l}.{h}")));
    };
    let clear_ablate = move |_| set_ablate.set(Some("none".into()));
    let ablated = move || {
        spec.get()
            .ablate
            .map(|(l, h)| tf("model.change.ablated", &[("head", &format!("{l}.{h}"))]))
            .unwrap_or_else(|| t("model.change.no_ablation").to_string())
    };
    let current = move || run.result.get().filter(|_| active.get());
    let figures = Memo::new(move |_| {
        let a = base.result.get()?;
        let c = current()?;
        let n = a.chips.len();
        let before = a.mean_loss(1, n)?;
        let after = crate::view_model::model::analysis::mean_loss(&c.losses, 1, n)?;
        Some((before, after, c.mean_kl()))
    });
    let summary = move || {
        let (before, after, kl) = figures.get()?;
        Some(tf(
            "model.change.summary",
            &[
                ("before", &sig3(before as f64)),
                ("after", &sig3(after as f64)),
                ("delta", &format!("{:+.3}", after - before)),
                ("kl", &sig3(kl)),
            ],
        ))
    };
    let series = Signal::derive(move || {
        let mut s = Vec::new();
        if let Some(a) = base.result.get() {
            s.push(Series {
                class: "trained",
                losses: a.losses.clone(),
            });
        }
        if let Some(c) = current() {
            s.push(Series {
                class: "changed",
                losses: c.losses.clone(),
            });
        }
        s
    });
    let split = Signal::derive(move || base.result.get().and_then(|a| a.tokens.repeat_half));
    let trained_next = Signal::derive(move || base.result.get().map(|a| a.next.clone()).unwrap_or_default());
    let changed_next = Signal::derive(move || current().map(|c| c.next.clone()).unwrap_or_default());
    let map_of = move |changed: bool| {
        Signal::derive(move || {
            let (l, h) = selected.get();
            let m = if changed {
                current().and_then(|c| c.attention.get(l)?.get(h).cloned())
            } else {
                base.result.get().and_then(|a| a.attention.get(l)?.get(h).cloned())
            }?;
            let (r, c) = (m.rows, m.cols);
            Some(HeatmapSpec::weights(Arc::new(m), (r, c)))
        })
    };
    let busy = run.busy_text();
    let layer_label = move || {
        let s = spec.get();
        tf(
            "model.change.layers",
            &[("from", &s.first_layer.to_string()), ("to", &s.last_layer.to_string())],
        )
    };
    view! {
        <div class="card" data-testid="model-change">
            <h3>{t("model.change.title")}</h3>
            <p class="caption">{t("model.change.caption")}</p>
            <div class="row-wrap">
                <div class="controls inline-controls">
                    <ChoiceSelect spec=&CHANGE value=Signal::derive(move || kind.get()) />
                    <Show when=move || uses(&[Change::Local, Change::Strided, Change::Longformer, Change::BigBird])>
                        <IntSlider spec=&WINDOW value=Signal::derive(move || spec.get().window as i64) />
                    </Show>
                    <Show when=move || uses(&[Change::Strided])>
                        <IntSlider spec=&STRIDE value=Signal::derive(move || spec.get().stride as i64) />
                    </Show>
                    <Show when=move || uses(&[Change::Performer])>
                        <IntSlider spec=&FEATURES value=Signal::derive(move || spec.get().features as i64) />
                    </Show>
                    <Show when=move || kind.get() != Change::None>
                        <IntSlider spec=&FROM value=Signal::derive(move || spec.get().first_layer as i64) />
                        <IntSlider spec=&TO value=Signal::derive(move || spec.get().last_layer as i64) />
                        <p class="caption">{layer_label}</p>
                    </Show>
                    <div class="control">
                        <span class="label">{t("model.ablate")}</span>
                        <p class="caption" data-testid="model-ablated">{ablated}</p>
                        <div class="row">
                            <button class="button" data-testid="model-ablate" on:click=ablate_selected>
                                {move || {
                                    let (l, h) = selected.get();
                                    tf("model.change.ablate_selected", &[("head", &format!("{l}.{h}"))])
                                }}
                            </button>
                            <button class="button" on:click=clear_ablate>{t("model.change.clear")}</button>
                        </div>
                    </div>
                </div>
                <div class="change-side">
                    <Show when=move || active.get() fallback=|| view! { <p class="hint">{t("model.change.pick")}</p> }>
                        <p class="busy-line">{move || busy.get()}</p>
                        <ErrorBox message=run.error />
                        <p
                            class="stats change-summary"
                            data-testid="model-change-summary"
                            data-before=move || figures.get().map(|f| f.0.to_string())
                            data-after=move || figures.get().map(|f| f.1.to_string())
                            data-kl=move || figures.get().map(|f| f.2.to_string())
                        >
                            {summary}
                        </p>
                        <div class="row-wrap">
                            <div>
                                <h4 class="fig-title">{t("model.change.trained")}</h4>
                                <CandidateList items=trained_next test_id="model-next-trained" />
                            </div>
                            <div>
                                <h4 class="fig-title">{t("model.change.changed")}</h4>
                                <CandidateList items=changed_next test_id="model-next-changed" />
                            </div>
                        </div>
                        <h4 class="fig-title">{t("model.change.loss")}</h4>
                        <LossChart series=series split=split aria_label=t("model.change.loss").to_string() test_id="model-change-loss" />
                        <p class="caption"><span class="key trained">"■"</span>{t("model.change.trained")}" "<span class="key changed">"■"</span>{t("model.change.changed")}</p>
                        <div class="row-wrap">
                            <div>
                                <h4 class="fig-title">{t("model.change.map_trained")}</h4>
                                <Heatmap spec=map_of(false) width=260 height=260 aria_label=t("model.change.map_trained").to_string() test_id="model-map-trained" />
                            </div>
                            <div>
                                <h4 class="fig-title">{t("model.change.map_changed")}</h4>
                                <Heatmap spec=map_of(true) width=260 height=260 aria_label=t("model.change.map_changed").to_string() test_id="model-map-changed" />
                            </div>
                        </div>
                    </Show>
                </div>
            </div>
        </div>
    }
}
