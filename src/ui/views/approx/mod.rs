//! View 4 — "Approximations": one head's exact attention next to the matrix a cheaper method implies
//! (linear attention, Performer, Linformer, Synthesizer, MLP-Mixer token mixing), the error as the
//! method's size grows, the spectrum that makes low rank plausible, and what each costs against N.

mod cost;
mod driver;
mod matrices;
mod spectrum;
mod sweep;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::attention::approx::linformer::ProjectionKind;
use crate::attention::approx::performer::FeatureKind;
use crate::attention::approx::synthesizer::SynthesizerKind;
use crate::i18n::{t, tf};
use crate::ui::components::controls::{Select, Slider, Toggle};
use crate::ui::components::notices::{ErrorBox, Notices};
use crate::ui::url::{lookup, setter};
use crate::view_model::approx_view::{parse, ApproxParams, MethodChoice, D_CHOICES, MAX_HIDDEN, MAX_M, MAX_N, METHODS};

/// The view.
#[component]
pub fn ApproxView() -> impl IntoView {
    let query = use_query_map();
    let parsed = Memo::new(move |_| query.with(|m| parse(&lookup(m))));
    let params = Memo::new(move |_| parsed.with(|p| p.params.clone()));
    let notices = Signal::derive(move || parsed.with(|p| p.notices.clone()));
    let run = driver::start(params);
    let formula = move || {
        t(match params.with(|p| p.method) {
            MethodChoice::Linear => "approx.formula.linear",
            MethodChoice::Performer => "approx.formula.performer",
            MethodChoice::Linformer => "approx.formula.linformer",
            MethodChoice::Synthesizer => "approx.formula.synthesizer",
            MethodChoice::Mixer => "approx.formula.mixer",
        })
    };
    view! {
        <section class="view" data-testid="view-approx">
            <div class="view-head">
                <h2>{t("approx.title")}</h2>
                <p class="lede">{t("approx.lede")}</p>
                <div class="formula" data-testid="formula">{formula}</div>
            </div>
            <Controls params=params />
            <div class="figures">
                <Notices notices=notices />
                <ErrorBox message=run.error />
                <matrices::Matrices params=params run=run />
                <sweep::ErrorSweep params=params run=run />
                <spectrum::SpectrumPanel params=params run=run />
                <cost::CostCharts params=params />
            </div>
        </section>
    }
}

/// (URL value, message id) pairs as select options.
fn options(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(v, id)| (v.to_string(), t(id).to_string())).collect()
}

/// The control panel: every control writes its URL key, the URL drives everything else.
#[component]
fn Controls(params: Memo<ApproxParams>) -> impl IntoView {
    let (set_method, set_n, set_d, set_seed) = (setter("method"), setter("n"), setter("d"), setter("seed"));
    let (set_qk, set_causal, set_k, set_proj) = (setter("qk"), setter("causal"), setter("k"), setter("proj"));
    let (set_m, set_features, set_fseed, set_synth) =
        (setter("m"), setter("features"), setter("fseed"), setter("synth"));
    let (set_rank, set_hidden) = (setter("rank"), setter("hidden"));
    let p = move || params.get();
    let method = Memo::new(move |_| params.with(|p| p.method));
    let methods: Vec<(String, String)> = METHODS
        .iter()
        .map(|m| (m.to_string(), t(&format!("approx.method.{m}")).to_string()))
        .collect();
    let ds: Vec<(String, String)> = D_CHOICES.iter().map(|d| (d.to_string(), d.to_string())).collect();
    let synth_kind = Signal::derive(move || {
        match p().synth {
            SynthesizerKind::Dense => "dense",
            SynthesizerKind::Random => "random",
            SynthesizerKind::FactorizedDense => "fdense",
            SynthesizerKind::FactorizedRandom => "frandom",
        }
        .to_string()
    });
    let redraw = move |_| {
        let next = params.with_untracked(|p| p.fseed) + 1;
        set_fseed.set(Some(next.to_string()));
    };
    view! {
        <aside class="controls" data-testid="controls">
            <Select
                label=t("approx.method").to_string()
                options=methods
                value=Signal::derive(move || method.get().param().to_string())
                on_change=Callback::new(move |v: String| set_method.set(Some(v)))
                test_id="method"
            />
            <Slider
                label=t("approx.n").to_string()
                value=Signal::derive(move || p().n as i64)
                min=1
                max=MAX_N as i64
                log=true
                on_change=Callback::new(move |v: i64| set_n.set(Some(v.to_string())))
                test_id="n"
            />
            <Select
                label=t("approx.d").to_string()
                options=ds
                value=Signal::derive(move || p().d.to_string())
                on_change=Callback::new(move |v: String| set_d.set(Some(v)))
                test_id="d"
            />
            <Slider
                label=t("approx.qk").to_string()
                value=Signal::derive(move || p().qk as i64)
                min=10
                max=200
                step=5
                on_change=Callback::new(move |v: i64| set_qk.set(Some(v.to_string())))
                hint=Signal::derive(move || t("approx.qk.hint").to_string())
                test_id="qk"
            />
            <Slider
                label=t("approx.seed").to_string()
                value=Signal::derive(move || p().seed as i64)
                min=0
                max=999
                on_change=Callback::new(move |v: i64| set_seed.set(Some(v.to_string())))
                test_id="seed"
            />
            <Show when=move || method.get().supports_causal()>
                <Toggle
                    label=t("approx.causal").to_string()
                    value=Signal::derive(move || p().causal)
                    on_change=Callback::new(move |c: bool| set_causal.set(Some(if c { "1" } else { "0" }.to_string())))
                    test_id="causal"
                />
            </Show>
            <Show when=move || method.get() == MethodChoice::Performer>
                <Slider
                    label=t("approx.m").to_string()
                    value=Signal::derive(move || p().m as i64)
                    min=1
                    max=MAX_M as i64
                    log=true
                    on_change=Callback::new(move |v: i64| set_m.set(Some(v.to_string())))
                    test_id="m"
                />
                <Select
                    label=t("approx.features").to_string()
                    options=options(&[("positive", "approx.features.positive"), ("trig", "approx.features.trig")])
                    value=Signal::derive(move || {
                        if p().features == FeatureKind::Trigonometric { "trig" } else { "positive" }.to_string()
                    })
                    on_change=Callback::new(move |v: String| set_features.set(Some(v)))
                    test_id="features"
                />
            </Show>
            <Show when=move || method.get() == MethodChoice::Linformer>
                <Slider
                    label=t("approx.k").to_string()
                    value=Signal::derive(move || p().k as i64)
                    min=1
                    max=MAX_N as i64
                    log=true
                    on_change=Callback::new(move |v: i64| set_k.set(Some(v.to_string())))
                    hint=Signal::derive(move || tf("approx.k.hint", &[("n", &p().n.to_string())]))
                    test_id="k"
                />
                <Select
                    label=t("approx.proj").to_string()
                    options=options(&[("mean", "approx.proj.mean"), ("gaussian", "approx.proj.gaussian")])
                    value=Signal::derive(move || {
                        if p().proj == ProjectionKind::Gaussian { "gaussian" } else { "mean" }.to_string()
                    })
                    on_change=Callback::new(move |v: String| set_proj.set(Some(v)))
                    test_id="proj"
                />
            </Show>
            <Show when=move || method.get() == MethodChoice::Synthesizer>
                <Select
                    label=t("approx.synth").to_string()
                    options=options(&[
                        ("dense", "approx.synth.dense"),
                        ("random", "approx.synth.random"),
                        ("fdense", "approx.synth.fdense"),
                        ("frandom", "approx.synth.frandom"),
                    ])
                    value=synth_kind
                    on_change=Callback::new(move |v: String| set_synth.set(Some(v)))
                    test_id="synth"
                />
                <Show when=move || p().synth == SynthesizerKind::FactorizedRandom>
                    <Slider
                        label=t("approx.rank").to_string()
                        value=Signal::derive(move || p().rank as i64)
                        min=1
                        max=64
                        on_change=Callback::new(move |v: i64| set_rank.set(Some(v.to_string())))
                        test_id="rank"
                    />
                </Show>
            </Show>
            <Show when=move || {
                method.get() == MethodChoice::Mixer
                    || (method.get() == MethodChoice::Synthesizer && p().synth == SynthesizerKind::Dense)
            }>
                <Slider
                    label=t("approx.hidden").to_string()
                    value=Signal::derive(move || p().hidden as i64)
                    min=1
                    max=MAX_HIDDEN as i64
                    log=true
                    on_change=Callback::new(move |v: i64| set_hidden.set(Some(v.to_string())))
                    test_id="hidden"
                />
            </Show>
            <Show when=move || {
                let p = p();
                p.method != MethodChoice::Linear
                    && !(p.method == MethodChoice::Linformer && p.proj == ProjectionKind::MeanPool)
            }>
                <div class="control">
                    <button class="button" data-testid="redraw" on:click=redraw>
                        {t("approx.redraw")}
                    </button>
                    <div class="hint">{move || tf("approx.redraw.hint", &[("s", &p().fseed.to_string())])}</div>
                </div>
            </Show>
        </aside>
    }
}
