//! View 4 — "Approximations": one head's exact attention next to the matrix a cheaper method implies
//! (linear attention, Performer, Linformer, Synthesizer, MLP-Mixer token mixing), the error as the
//! method's size grows, the spectrum that makes low rank plausible, and what each costs against N.

mod cost;
mod driver;
mod matrices;
mod spectrum;
mod sweep;

use leptos::prelude::*;

use crate::ui::figure::Figure;
use crate::ui::render::math::MathFormula;
use crate::view_model::formulas;

use crate::attention::approx::linformer::ProjectionKind;
use crate::attention::approx::synthesizer::SynthesizerKind;
use crate::i18n::{t, tf};
use crate::ui::components::notices::{ErrorBox, Notices};
use crate::ui::components::param_controls::{ChoiceSelect, FlagToggle, IntSlider, SeedInput};
use crate::ui::reactive::relay;
use crate::ui::url::{lookup, query, setter};
use crate::view_model::approx::params::{
    parse, ApproxParams, MethodChoice, CAUSAL, FEATURE_COUNT, FEATURE_MAP, HEAD_WIDTH, HIDDEN, METHOD, N,
    PROJECTED_LEN, PROJECTION, QK_PERCENT, RANK, REDRAW_SEED, SEED, SYNTHESIZER,
};

/// The view.
#[component]
pub fn ApproxView() -> impl IntoView {
    let query = query();
    let parsed = Memo::new(move |_| query.with(|m| parse(&lookup(m))));
    // Through a signal: panels that are rebuilt (a Show, a list) read it (`ui::reactive`).
    let params = relay(Memo::new(move |_| parsed.with(|p| p.params.clone())));
    let notices = Signal::derive(move || parsed.with(|p| p.notices.clone()));
    let run = driver::start(params);
    let formula = Memo::new(move |_| match params.with(|p| p.method) {
        MethodChoice::Linear => (formulas::LINEAR, "approx.formula.linear"),
        MethodChoice::Performer => (formulas::PERFORMER, "approx.formula.performer"),
        MethodChoice::Linformer => (formulas::LINFORMER, "approx.formula.linformer"),
        MethodChoice::Synthesizer => (formulas::SYNTHESIZER, "approx.formula.synthesizer"),
        MethodChoice::Mixer => (formulas::MIXER, "approx.formula.mixer"),
    });
    let source = Signal::derive(move || formula.get().0);
    let fallback = Signal::derive(move || t(formula.get().1).to_string());
    view! {
        <section class="view" data-testid="view-approx">
            <div class="view-head">
                <h2>{t("approx.title")}</h2>
                <p class="lede">{t("approx.lede")}</p>
                <MathFormula source=source fallback=fallback />
            </div>
            <Controls params=params />
            <div class="figures">
                <Notices notices=notices />
                <ErrorBox message=run.compare.error />
                <Figure id="approx-matrices"><matrices::Matrices params=params run=run /></Figure>
                <Figure id="approx-sweep"><sweep::ErrorSweep params=params run=run /></Figure>
                <Figure id="approx-spectrum"><spectrum::SpectrumPanel params=params run=run /></Figure>
                <Figure id="approx-cost"><cost::CostCharts params=params /></Figure>
            </div>
        </section>
    }
}

/// The control panel: every widget takes its range and URL key from the view's schema; only the
/// current method's parameters are shown.
#[component]
fn Controls(params: ReadSignal<ApproxParams>) -> impl IntoView {
    let set_redraw = setter(REDRAW_SEED.key);
    let p = move || params.get();
    // A signal: the method's own controls are rebuilt when it changes (`ui::reactive`).
    let method = relay(Memo::new(move |_| params.with(|p| p.method)));
    let size = move |f: fn(&ApproxParams) -> usize| Signal::derive(move || params.with(f) as i64);
    let redraw = move |_| {
        let next = REDRAW_SEED.clamp(params.with_untracked(|p| p.redraw_seed) as i64 + 1);
        set_redraw.set(Some(next.to_string()));
    };
    let is = move |m: MethodChoice| move || method.get() == m;
    let synthesizer_is =
        move |k: SynthesizerKind| move || method.get() == MethodChoice::Synthesizer && p().synthesizer == k;
    view! {
        <aside class="controls" data-testid="controls">
            <ChoiceSelect spec=&METHOD value=Signal::derive(move || method.get()) />
            <IntSlider spec=&N value=size(|p| p.n) />
            <ChoiceSelect spec=&HEAD_WIDTH value=Signal::derive(move || p().head_width) />
            <IntSlider
                spec=&QK_PERCENT
                value=Signal::derive(move || p().qk_percent as i64)
                hint=Signal::derive(move || t("approx.qk.hint").to_string())
            />
            <SeedInput spec=&SEED value=Signal::derive(move || p().seed as i64) />
            <Show when=move || method.get().supports_causal()>
                <FlagToggle spec=&CAUSAL value=Signal::derive(move || p().causal) />
            </Show>
            <Show when=is(MethodChoice::Performer)>
                <IntSlider spec=&FEATURE_COUNT value=size(|p| p.feature_count) />
                <ChoiceSelect spec=&FEATURE_MAP value=Signal::derive(move || p().feature_map) />
            </Show>
            <Show when=is(MethodChoice::Linformer)>
                <IntSlider
                    spec=&PROJECTED_LEN
                    value=size(|p| p.projected_len)
                    max=size(|p| p.n)
                    hint=Signal::derive(move || tf("approx.k.hint", &[("n", &p().n.to_string())]))
                />
                <ChoiceSelect spec=&PROJECTION value=Signal::derive(move || p().projection) />
            </Show>
            <Show when=is(MethodChoice::Synthesizer)>
                <ChoiceSelect spec=&SYNTHESIZER value=Signal::derive(move || p().synthesizer) />
            </Show>
            <Show when=synthesizer_is(SynthesizerKind::FactorizedRandom)>
                <IntSlider spec=&RANK value=size(|p| p.rank) />
            </Show>
            <Show when=move || is(MethodChoice::Mixer)() || synthesizer_is(SynthesizerKind::Dense)()>
                <IntSlider spec=&HIDDEN value=size(|p| p.hidden) />
            </Show>
            <Show when=move || {
                let p = p();
                p.method != MethodChoice::Linear
                    && !(p.method == MethodChoice::Linformer && p.projection == ProjectionKind::MeanPool)
            }>
                <div class="control">
                    <button class="button" data-testid="redraw" on:click=redraw>
                        {t("approx.redraw")}
                    </button>
                    <div class="hint">{move || tf("approx.redraw.hint", &[("s", &p().redraw_seed.to_string())])}</div>
                </div>
            </Show>
        </aside>
    }
}
