//! View 3 — "Sparse attention zoo": pick a pattern, see which (query, key) pairs it keeps, what that
//! saves and loses, how many stacked layers it needs to connect everything, the pattern's own
//! machinery (BigBird blocks, LSH buckets, Sinkhorn iterates), and a layer mixing patterns per head.

mod attention;
mod compare;
mod detail;
mod driver;
mod heads;
mod maps;
mod numbers;
mod reach;
mod tiles;

use leptos::prelude::*;

use crate::ui::figure::Figure;
use crate::ui::render::math::MathFormula;
use crate::view_model::formulas;

use crate::attention::sparse::zoo::PatternKind;
use crate::i18n::t;
use crate::ui::components::controls::Select;
use crate::ui::components::notices::{ErrorBox, Notices};
use crate::ui::components::param_controls::{ChoiceSelect, FlagToggle, IntSlider, SeedInput};
use crate::ui::reactive::relay;
use crate::ui::url::{lookup, query, setter};
use crate::view_model::schema::{IntParam, UrlChoice};
use crate::view_model::sparse::params::{
    parse, SparseParams, BLOCK, BUCKETS, CAUSAL, CHUNK, D, DILATION, GLOBALS, GLOBAL_BLOCKS, HASHES, ITERATIONS,
    LAYERS, N, PATTERN, RANDOM_BLOCKS, SEED, STRIDE, SUMMARY, TEMPERATURE, TEMPERATURE_HUNDREDTHS, TILE, VS, VS_OFF,
    WINDOW,
};

pub use driver::SparseRun;

/// The view.
#[component]
pub fn SparseView() -> impl IntoView {
    let query = query();
    let parsed = Memo::new(move |_| query.with(|m| parse(&lookup(m))));
    // Through a signal: panels that are rebuilt (a Show, a list) read it (`ui::reactive`).
    let params = relay(Memo::new(move |_| parsed.with(|p| p.params.clone())));
    let tokens = Memo::new(move |_| parsed.with(|p| p.tokens.clone()));
    let notices = Signal::derive(move || parsed.with(|p| p.notices.clone()));
    let run = driver::start(params, tokens);
    let engine_notices = Signal::derive(move || {
        run.result
            .with(|r| r.as_ref().map(|r| r.notices.clone()).unwrap_or_default())
    });

    view! {
        <section class="view" data-testid="view-sparse">
            <div class="view-head">
                <h2>{t("sparse.title")}</h2>
                <p class="lede">{t("sparse.lede")}</p>
                <MathFormula source=formulas::SPARSE fallback=t("sparse.formula").to_string() />
            </div>
            <Controls params=params />
            <div class="figures">
                <Notices notices=notices />
                <Notices notices=engine_notices />
                <ErrorBox message=run.error />
                <Figure id="sparse-mask"><maps::MaskMap params=params tokens=tokens run=run /></Figure>
                <Figure id="sparse-attention"><attention::AttentionMaps run=run /></Figure>
                <Figure id="sparse-compare"><compare::Compare params=params run=run /></Figure>
                <numbers::Numbers params=params run=run />
                <Figure id="sparse-reach"><reach::Reach params=params run=run /></Figure>
                <Figure id="sparse-detail"><detail::Detail run=run /></Figure>
                <Figure id="sparse-heads"><heads::Heads run=run /></Figure>
            </div>
        </section>
    }
}

/// A slider of one pattern's parameter: its schema constant, the patterns that read it, its value
/// and its live upper bound.
struct PatternSlider {
    spec: &'static IntParam,
    patterns: &'static [PatternKind],
    value: fn(&SparseParams) -> usize,
    max: fn(&SparseParams) -> usize,
}

/// No live bound: the slider spans the schema's range.
fn schema_bound(_: &SparseParams) -> usize {
    usize::MAX >> 1
}

/// Every pattern parameter's slider, in panel order. Bounds that depend on N (or on the stride) are
/// live; the parser's bounds always cap them.
fn pattern_sliders() -> Vec<PatternSlider> {
    use PatternKind::*;
    let n = |p: &SparseParams| p.n;
    vec![
        PatternSlider {
            spec: &WINDOW,
            patterns: &[Local, Longformer],
            value: |p| p.settings.window,
            max: |p| p.n - 1,
        },
        PatternSlider {
            spec: &STRIDE,
            patterns: &[Strided, Fixed],
            value: |p| p.settings.stride,
            max: n,
        },
        PatternSlider {
            spec: &SUMMARY,
            patterns: &[Fixed],
            value: |p| p.settings.summary,
            max: |p| p.settings.stride,
        },
        PatternSlider {
            spec: &DILATION,
            patterns: &[Longformer],
            value: |p| p.settings.dilation,
            max: schema_bound,
        },
        PatternSlider {
            spec: &GLOBALS,
            patterns: &[Global, Longformer],
            value: |p| p.settings.globals,
            max: n,
        },
        PatternSlider {
            spec: &BLOCK,
            patterns: &[BigBird, Sinkhorn],
            value: |p| p.settings.block,
            max: n,
        },
        PatternSlider {
            spec: &GLOBAL_BLOCKS,
            patterns: &[BigBird],
            value: |p| p.settings.global_blocks,
            max: |p| p.n.div_ceil(p.settings.block.max(1)),
        },
        PatternSlider {
            spec: &RANDOM_BLOCKS,
            patterns: &[BigBird],
            value: |p| p.settings.random_blocks,
            max: |p| p.n.div_ceil(p.settings.block.max(1)),
        },
        PatternSlider {
            spec: &BUCKETS,
            patterns: &[Lsh],
            value: |p| p.settings.buckets,
            max: schema_bound,
        },
        PatternSlider {
            spec: &HASHES,
            patterns: &[Lsh],
            value: |p| p.settings.hashes,
            max: schema_bound,
        },
        PatternSlider {
            spec: &CHUNK,
            patterns: &[Lsh],
            value: |p| p.settings.chunk,
            max: n,
        },
        PatternSlider {
            spec: &ITERATIONS,
            patterns: &[Sinkhorn],
            value: |p| p.settings.iterations,
            max: schema_bound,
        },
    ]
}

/// The control panel: every widget takes its range and URL key from the view's schema; only the
/// current pattern's parameters are shown.
#[component]
fn Controls(params: ReadSignal<SparseParams>) -> impl IntoView {
    let (set_vs, set_tau) = (setter(VS.key), setter(TEMPERATURE.key));
    let p = move || params.get();
    let kind = Memo::new(move |_| params.with(|p| p.pattern));
    let size = move |f: fn(&SparseParams) -> usize| Signal::derive(move || params.with(f) as i64);
    let compare: Vec<(String, String)> = std::iter::once((VS_OFF.to_string(), t("sparse.vs.off").to_string()))
        .chain(
            PatternKind::ALL
                .iter()
                .map(|k| (k.word().to_string(), t(k.label_id()).to_string())),
        )
        .collect();
    let tau = Signal::derive(move || (params.with(|p| p.settings.temperature) as f64 * 100.0).round() as i64);
    let sliders = pattern_sliders()
        .into_iter()
        .map(|s| {
            let shown = move || s.patterns.contains(&kind.get());
            view! {
                <Show when=shown>
                    <IntSlider spec=s.spec value=size(s.value) max=size(s.max) />
                </Show>
            }
        })
        .collect_view();
    view! {
        <aside class="controls" data-testid="controls">
            <ChoiceSelect spec=&PATTERN value=Signal::derive(move || p().pattern) />
            <Select
                label=t(VS.label).to_string()
                options=compare
                value=Signal::derive(move || p().vs.map_or(VS_OFF, |k| k.word()).to_string())
                on_change=Callback::new(move |v: String| set_vs.set((v != VS_OFF).then_some(v)))
                test_id=VS.key
            />
            <IntSlider spec=&N value=size(|p| p.n) />
            <Show when=move || kind.get().has_causal_flag()>
                <FlagToggle spec=&CAUSAL value=Signal::derive(move || p().settings.causal) />
            </Show>
            {sliders}
            <Show when=move || kind.get() == PatternKind::Sinkhorn>
                <IntSlider
                    spec=&TEMPERATURE_HUNDREDTHS
                    value=tau
                    on_change=Callback::new(move |v: i64| set_tau.set(Some(format!("{}", v as f32 / 100.0))))
                    hint=Signal::derive(move || format!("τ = {}", params.with(|p| p.settings.temperature)))
                />
            </Show>
            <IntSlider spec=&LAYERS value=size(|p| p.layers) />
            <IntSlider spec=&D value=size(|p| p.d) />
            <ChoiceSelect spec=&TILE value=Signal::derive(move || p().tile) />
            <SeedInput spec=&SEED value=Signal::derive(move || p().settings.seed as i64) />
        </aside>
    }
}
