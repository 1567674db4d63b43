//! View 1 — "Scaled dot-product attention": controls, the selected head's weights with a hover
//! readout, all heads as small multiples, the pipeline step by step, and the scaling lesson.

mod driver;
mod maps;
mod pipeline;
mod scaling;

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::attention::cost::{score_matrix_bytes, ExactCost};
use crate::attention::pooling::PoolMode;
use crate::attention::scale::Scale;
use crate::attention::tokenizer::MAX_TOKENS;
use crate::i18n::{t, tf};
use crate::ui::components::controls::{Select, Slider, TextBox, Toggle};
use crate::ui::components::notices::{ErrorBox, Notices};
use crate::ui::url::{lookup, setter};
use crate::view_model::format::{bytes, millis, si};
use crate::view_model::sdpa::{scale_to_param, SCORE_BUDGET};
use crate::view_model::sdpa_params::{parse, SdpaParams, MAX_D_MODEL, MAX_HEADS};

pub use driver::SdpaRun;

/// The view.
#[component]
pub fn SdpaView() -> impl IntoView {
    let query = use_query_map();
    let parsed = Memo::new(move |_| query.with(|m| parse(&lookup(m))));
    let params = Memo::new(move |_| parsed.with(|p| p.params.clone()));
    let tokens = Memo::new(move |_| parsed.with(|p| p.tokens.clone()));
    let notices = Signal::derive(move || parsed.with(|p| p.notices.clone()));
    let run = driver::start(params, tokens);

    view! {
        <section class="view" data-testid="view-sdpa">
            <div class="view-head">
                <h2>{t("sdpa.title")}</h2>
                <p class="lede">{t("sdpa.lede")}</p>
                <div class="formula">{t("sdpa.formula")}</div>
            </div>
            <Controls params=params />
            <div class="figures">
                <Notices notices=notices />
                <ErrorBox message=run.error />
                <maps::MainMap params=params tokens=tokens run=run />
                <maps::Multiples params=params run=run />
                <pipeline::Pipeline params=params run=run />
                <scaling::ScalingLesson params=params />
                <CostLine params=params run=run />
            </div>
        </section>
    }
}

/// The control panel: every control writes its URL key, the URL drives everything else.
#[component]
fn Controls(params: Memo<SdpaParams>) -> impl IntoView {
    let (set_text, set_n, set_dm, set_heads) = (setter("text"), setter("n"), setter("d_model"), setter("heads"));
    let (set_seed, set_causal, set_scale, set_head) =
        (setter("seed"), setter("causal"), setter("scale"), setter("head"));
    let set_pool = setter("pool");
    let p = move || params.get();
    let head_count = Memo::new(move |_| params.with(|p| p.heads));
    let scale_kind = Signal::derive(move || {
        match p().scale {
            Scale::InvSqrtDHead => "sqrt",
            Scale::None => "none",
            Scale::Temperature(_) => "temp",
        }
        .to_string()
    });
    let temperature = Signal::derive(move || match p().scale {
        Scale::Temperature(t) => (t * 10.0).round() as i64,
        _ => 10,
    });
    let d_head_hint = Signal::derive(move || {
        let p = p();
        tf("sdpa.d_head", &[("d_head", &(p.d_model / p.heads).to_string())])
    });
    let d_models: Vec<(String, String)> = [8, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024]
        .iter()
        .map(|d| (d.to_string(), d.to_string()))
        .collect();
    let scales = vec![
        ("sqrt".to_string(), t("sdpa.scale.sqrt").to_string()),
        ("none".to_string(), t("sdpa.scale.none").to_string()),
        ("temp".to_string(), t("sdpa.scale.temp").to_string()),
    ];
    let pools = vec![
        ("max".to_string(), t("pool.label.max").to_string()),
        ("mean".to_string(), t("pool.label.mean").to_string()),
    ];
    view! {
        <aside class="controls" data-testid="controls">
            <TextBox
                label=t("sdpa.text").to_string()
                placeholder=t("sdpa.text.placeholder").to_string()
                value=Signal::derive(move || p().text.unwrap_or_default())
                on_change=Callback::new(move |s: String| {
                    set_text.set((!s.trim().is_empty()).then_some(s));
                })
                hint=t("sdpa.text.note").to_string()
                test_id="text"
            />
            <Slider
                label=t("sdpa.n").to_string()
                value=Signal::derive(move || p().n as i64)
                min=1
                max=MAX_TOKENS as i64
                log=true
                on_change=Callback::new(move |v: i64| {
                    set_text.set(None);
                    set_n.set(Some(v.to_string()));
                })
                test_id="n"
            />
            <Select
                label=t("sdpa.d_model").to_string()
                options=d_models
                value=Signal::derive(move || p().d_model.to_string())
                on_change=Callback::new(move |v: String| set_dm.set(Some(v)))
                test_id="d_model"
            />
            <Slider
                label=t("sdpa.heads").to_string()
                value=Signal::derive(move || p().heads as i64)
                min=1
                max=16.min(MAX_HEADS as i64)
                on_change=Callback::new(move |v: i64| set_heads.set(Some(v.to_string())))
                hint=d_head_hint
                test_id="heads"
            />
            // Rebuilt only when the head count changes, so the range always matches it.
            {move || {
                let last = head_count.get() as i64 - 1;
                view! {
                    <Slider
                        label=t("sdpa.head").to_string()
                        value=Signal::derive(move || p().head as i64)
                        min=0
                        max=last
                        on_change=Callback::new(move |v: i64| set_head.set(Some(v.to_string())))
                        test_id="head"
                    />
                }
            }}
            <Toggle
                label=t("sdpa.causal").to_string()
                value=Signal::derive(move || p().causal)
                on_change=Callback::new(move |c: bool| set_causal.set(Some(if c { "1" } else { "0" }.to_string())))
                test_id="causal"
            />
            <Select
                label=t("sdpa.scale").to_string()
                options=scales
                value=scale_kind
                on_change=Callback::new(move |v: String| {
                    let s = match v.as_str() {
                        "none" => Scale::None,
                        "temp" => Scale::Temperature(2.0),
                        _ => Scale::InvSqrtDHead,
                    };
                    set_scale.set(Some(scale_to_param(s)));
                })
                test_id="scale"
            />
            <Show when=move || matches!(p().scale, Scale::Temperature(_))>
                <Slider
                    label=t("sdpa.temp").to_string()
                    value=temperature
                    min=1
                    max=500
                    log=true
                    on_change=Callback::new(move |v: i64| set_scale.set(Some(format!("{}", v as f32 / 10.0))))
                    hint=Signal::derive(move || format!("τ = {}", temperature.get() as f32 / 10.0))
                    test_id="temp"
                />
            </Show>
            <Slider
                label=t("sdpa.seed").to_string()
                value=Signal::derive(move || p().seed as i64)
                min=0
                max=999
                on_change=Callback::new(move |v: i64| set_seed.set(Some(v.to_string())))
                test_id="seed"
            />
            <Select
                label=t("sdpa.pool").to_string()
                options=pools
                value=Signal::derive(move || if p().pool == PoolMode::Mean { "mean" } else { "max" }.to_string())
                on_change=Callback::new(move |v: String| set_pool.set(Some(v)))
                test_id="pool"
            />
            <div class="derived">{move || format!("d_model ≤ {MAX_D_MODEL}, N ≤ {MAX_TOKENS}")}</div>
        </aside>
    }
}

/// FLOPs and memory of the current layer, and the measured recompute time.
#[component]
fn CostLine(params: Memo<SdpaParams>, run: SdpaRun) -> impl IntoView {
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
