//! View 1 — "Scaled dot-product attention": controls, the selected head's weights with a hover
//! readout, all heads as small multiples, the pipeline step by step, and the scaling lesson.

mod driver;
mod maps;
mod pipeline;
mod scaling;

use std::sync::Arc;

use leptos::prelude::*;

use crate::ui::figure::Figure;
use crate::ui::render::math::MathFormula;
use crate::view_model::formulas;

use crate::attention::cost::{score_matrix_bytes, ExactCost};
use crate::attention::scale::Scale;
use crate::i18n::{t, tf};
use crate::ui::components::controls::{Select, TextBox};
use crate::ui::components::notices::{ErrorBox, Notices};
use crate::ui::components::param_controls::{ChoiceSelect, FlagToggle, IntSlider, SeedInput};
use crate::ui::reactive::relay;
use crate::ui::url::{lookup, query, setter};
use crate::view_model::format::{bytes, millis, si};
use crate::view_model::sdpa::params::{
    parse, scale_word, SdpaParams, CAUSAL, D_MODEL, HEAD, HEADS, N, POOL, SCALE, SEED, TEMPERATURE, TEXT,
};
use crate::view_model::sdpa::SCORE_BUDGET;

pub use driver::SdpaRun;

/// The view.
#[component]
pub fn SdpaView() -> impl IntoView {
    let query = query();
    let parsed = Memo::new(move |_| query.with(|m| parse(&lookup(m))));
    // Through a signal: panels that are rebuilt (a Show, a list) read it (`ui::reactive`).
    let params = relay(Memo::new(move |_| parsed.with(|p| p.params.clone())));
    let tokens = Memo::new(move |_| parsed.with(|p| p.tokens.clone()));
    let notices = Signal::derive(move || parsed.with(|p| p.notices.clone()));
    let run = driver::start(params, tokens);

    view! {
        <section class="view" data-testid="view-sdpa">
            <div class="view-head">
                <h2>{t("sdpa.title")}</h2>
                <p class="lede">{t("sdpa.lede")}</p>
                <MathFormula source=formulas::SDPA fallback=t("sdpa.formula").to_string() />
            </div>
            <Controls params=params />
            <div class="figures">
                <Notices notices=notices />
                <ErrorBox message=run.error />
                <Figure id="sdpa-weights"><maps::MainMap params=params tokens=tokens run=run /></Figure>
                <Figure id="sdpa-heads"><maps::Multiples params=params run=run /></Figure>
                <Figure id="sdpa-pipeline"><pipeline::Pipeline params=params run=run /></Figure>
                <Figure id="sdpa-scaling"><scaling::ScalingLesson params=params /></Figure>
                <CostLine params=params run=run />
            </div>
        </section>
    }
}

/// The control panel: each widget takes its range and URL key from the view's schema.
#[component]
fn Controls(params: ReadSignal<SdpaParams>) -> impl IntoView {
    let (set_text, set_n, set_scale) = (setter(TEXT.key), setter(N.key), setter(SCALE.key));
    let p = move || params.get();
    let scale_kind = Signal::derive(move || {
        match p().scale {
            Scale::InvSqrtDHead => "sqrt",
            Scale::None => "none",
            Scale::Temperature(_) => "temp",
        }
        .to_string()
    });
    let hundredths = Signal::derive(move || match p().scale {
        Scale::Temperature(t) => (t as f64 * 100.0).round() as i64,
        _ => TEMPERATURE.default,
    });
    let d_head_hint = Signal::derive(move || {
        let p = p();
        tf("sdpa.d_head", &[("d_head", &(p.d_model / p.heads).to_string())])
    });
    let d_models: Vec<(String, String)> = D_MODEL.allowed.iter().map(|d| (d.to_string(), d.to_string())).collect();
    let scales = vec![
        ("sqrt".to_string(), t("sdpa.scale.sqrt").to_string()),
        ("none".to_string(), t("sdpa.scale.none").to_string()),
        ("temp".to_string(), t("sdpa.scale.temp").to_string()),
    ];
    let set_dm = setter(D_MODEL.key);
    view! {
        <aside class="controls" data-testid="controls">
            <TextBox
                label=t(TEXT.label).to_string()
                placeholder=t("sdpa.text.placeholder").to_string()
                value=Signal::derive(move || p().text.unwrap_or_default())
                on_change=Callback::new(move |s: String| {
                    set_text.set((!s.trim().is_empty()).then_some(s));
                })
                hint=t("sdpa.text.note").to_string()
                test_id="text"
            />
            <IntSlider
                spec=&N
                value=Signal::derive(move || p().n as i64)
                on_change=Callback::new(move |v: i64| {
                    set_text.set(None);
                    set_n.set(Some(v.to_string()));
                })
            />
            <Select
                label=t(D_MODEL.label).to_string()
                options=d_models
                value=Signal::derive(move || p().d_model.to_string())
                on_change=Callback::new(move |v: String| set_dm.set(Some(v)))
                test_id="d_model"
            />
            <IntSlider spec=&HEADS value=Signal::derive(move || p().heads as i64) hint=d_head_hint />
            <IntSlider
                spec=&HEAD
                value=Signal::derive(move || p().head as i64)
                max=Signal::derive(move || params.with(|p| p.heads as i64 - 1))
            />
            <FlagToggle spec=&CAUSAL value=Signal::derive(move || p().causal) />
            <Select
                label=t(SCALE.label).to_string()
                options=scales
                value=scale_kind
                on_change=Callback::new(move |v: String| {
                    let s = match v.as_str() {
                        "none" => Scale::None,
                        "temp" => Scale::Temperature(TEMPERATURE.default as f32 / 100.0),
                        _ => Scale::InvSqrtDHead,
                    };
                    set_scale.set(Some(scale_word(s)));
                })
                test_id="scale"
            />
            <Show when=move || matches!(p().scale, Scale::Temperature(_))>
                <IntSlider
                    spec=&TEMPERATURE
                    value=hundredths
                    on_change=Callback::new(move |v: i64| set_scale.set(Some(format!("{}", v as f32 / 100.0))))
                    hint=Signal::derive(move || format!("τ = {}", hundredths.get() as f32 / 100.0))
                    test_id="temp"
                />
            </Show>
            <SeedInput spec=&SEED value=Signal::derive(move || p().seed as i64) />
            <ChoiceSelect spec=&POOL value=Signal::derive(move || p().pool) />
        </aside>
    }
}

/// FLOPs and memory of the current layer, and the measured recompute time.
#[component]
fn CostLine(params: ReadSignal<SdpaParams>, run: SdpaRun) -> impl IntoView {
    let text = move || {
        let p = params.get();
        let c = ExactCost::new(p.n, p.d_model, p.heads);
        let kept = p.heads * p.n * p.n <= SCORE_BUDGET;
        tf(
            if kept { "sdpa.cost.kept" } else { "sdpa.cost" },
            &[
                ("flops", &si(c.total())),
                ("quad", &si(c.quadratic())),
                ("bytes", &bytes(score_matrix_bytes(p.n, p.heads, 4))),
            ],
        )
    };
    let timing = move || run.timing.get().map(|ms| tf("sdpa.timing", &[("ms", &millis(ms))]));
    view! {
        <div class="card stats">
            <p data-testid="cost">{text}</p>
            <p class="timing" data-testid="timing">{timing}</p>
        </div>
    }
}

/// Shared handle type of the view's result.
pub type SharedResult = Arc<crate::view_model::sdpa::SdpaResult>;
