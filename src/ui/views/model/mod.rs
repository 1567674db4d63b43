//! View 6 — "A real model": SmolLM2-135M-Instruct (LLaMA architecture, 30 layers, 9 query heads
//! sharing 3 K/V heads, RoPE) computed in the page by the atlas's kernels. Load it once; then the
//! prompt's tokens and next-token top 10, generation with the KV cache growing live, all 270 heads'
//! maps, the head finder, and the other chapters' masks and approximations switched on inside it.

mod change;
mod finder;
mod focus;
mod generate;
mod load;
mod loss_chart;
mod prompt;
pub mod store;
mod thumbs;

use std::rc::Rc;

use leptos::prelude::*;

use crate::ui::figure::Figure;
use crate::ui::render::math::MathFormula;
use crate::view_model::formulas;

use crate::attention::message::Message;
use crate::i18n::t;
use crate::ui::components::notices::{ErrorBox, Notices};
use crate::ui::jobs::{drive, JobRun, Slicing};
use crate::ui::reactive::{follow, relay};
use crate::ui::url::{lookup, query};
use crate::view_model::model::analysis::{tokens_of, Analysis, AnalysisJob};
use crate::view_model::model::{parse, ModelParams};

/// The model's passes are long (a 128-token prompt is ~30 ms per half-layer in wasm): slices of
/// 40 ms keep the page responsive while spending little on yields.
pub const MODEL_SLICING: Slicing = Slicing {
    first_ms: 40.0,
    slice_ms: 40.0,
};

/// What every section of the loaded view shares.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub params: ReadSignal<ModelParams>,
    pub analysis: JobRun<Analysis>,
}

/// The view.
#[component]
pub fn ModelView() -> impl IntoView {
    let query = query();
    let parsed = Memo::new(move |_| query.with(|m| parse(&lookup(m))));
    // Through a signal: panels that are rebuilt (a Show, a list) read it (`ui::reactive`).
    let params = relay(Memo::new(move |_| parsed.with(|p| p.params.clone())));
    let notices = Signal::derive(move || parsed.with(|p| p.notices.clone()));
    let state = store::state();
    // The loading state outlives the view: follow it, so the view leaves nothing in it (`ui::reactive`).
    let ready = follow(move || matches!(state.get(), store::LoadState::Ready { .. }));
    view! {
        <section class="view model-view" data-testid="view-model">
            <div class="view-head">
                <h2>{t("model.title")}</h2>
                <p class="lede">{t("model.lede")}</p>
                <MathFormula source=formulas::MODEL fallback=t("model.formula").to_string() />
            </div>
            <div class="figures model-figures">
                <Notices notices=notices />
                <load::LoadPanel />
                <Show when=move || ready.get()>
                    <Loaded params=params />
                </Show>
            </div>
        </section>
    }
}

/// The sections that need the model.
#[component]
fn Loaded(params: ReadSignal<ModelParams>) -> impl IntoView {
    let Some(model) = store::model() else {
        return view! { <p class="hint">{t("model.not_loaded")}</p> }.into_any();
    };
    let source = Memo::new(move |_| params.with(|p| p.source()));
    let m = model.clone();
    let analysis = drive(
        "model",
        source,
        MODEL_SLICING,
        move |src| Ok::<_, Message>(AnalysisJob::new(Rc::clone(&m), tokens_of(&m, src))),
        |_: &Analysis| {},
    );
    let ctx = Ctx { params, analysis };
    let result = analysis.result;
    let has = move || result.with(|r| r.is_some());
    view! {
        <ErrorBox message=analysis.error />
        <Figure id="model-prompt"><prompt::PromptPanel ctx=ctx /></Figure>
        <Show when=has>
            <Figure id="model-generate"><generate::GeneratePanel ctx=ctx /></Figure>
            <Figure id="model-heads"><thumbs::HeadsPanel ctx=ctx /></Figure>
            <Figure id="model-finder"><finder::FinderPanel ctx=ctx /></Figure>
            <Figure id="model-change"><change::ChangePanel ctx=ctx /></Figure>
        </Show>
    }
    .into_any()
}
