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
use leptos_router::hooks::use_query_map;

use crate::attention::sparse::stats::TILE_SIZES;
use crate::i18n::t;
use crate::ui::components::controls::{Select, Slider, Toggle};
use crate::ui::components::notices::Notices;
use crate::ui::url::{lookup, setter};
use crate::view_model::sparse_view::{parse, PatternKind, SparseParams, MAX_N, VS_OFF};

pub use driver::SparseRun;

/// The view.
#[component]
pub fn SparseView() -> impl IntoView {
    let query = use_query_map();
    let parsed = Memo::new(move |_| query.with(|m| parse(&lookup(m))));
    let params = Memo::new(move |_| parsed.with(|p| p.params.clone()));
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
            </div>
            <Controls params=params />
            <div class="figures">
                <Notices notices=notices />
                <Notices notices=engine_notices />
                <maps::MaskMap params=params tokens=tokens run=run />
                <attention::AttentionMaps run=run />
                <compare::Compare params=params run=run />
                <numbers::Numbers params=params run=run />
                <reach::Reach params=params run=run />
                <detail::Detail run=run />
                <heads::Heads run=run />
            </div>
        </section>
    }
}

/// One slider bound to URL key `key`.
fn slider(
    label: &'static str,
    key: &'static str,
    value: Signal<i64>,
    (min, max): (i64, i64),
    log: bool,
) -> impl IntoView {
    let set = setter(key);
    view! {
        <Slider
            label=t(label).to_string()
            value=value
            min=min
            max=max
            log=log
            on_change=Callback::new(move |v: i64| set.set(Some(v.to_string())))
            test_id=key
        />
    }
}

/// The control panel: every control writes its URL key, the URL drives everything else. Only the
/// current pattern's parameters are shown.
#[component]
fn Controls(params: Memo<SparseParams>) -> impl IntoView {
    let (set_pattern, set_causal, set_d) = (setter("pattern"), setter("causal"), setter("d"));
    let (set_vs, set_tile) = (setter("vs"), setter("tile"));
    let p = move || params.get();
    let kind = Memo::new(move |_| params.with(|p| p.pattern));
    let is = move |ks: &'static [PatternKind]| move || ks.contains(&kind.get());
    let v = move |f: fn(&SparseParams) -> usize| Signal::derive(move || f(&params.get()) as i64);
    let patterns: Vec<(String, String)> = PatternKind::ALL
        .iter()
        .map(|k| {
            (
                k.param().to_string(),
                t(&format!("sparse.pattern.{}", k.param())).to_string(),
            )
        })
        .collect();
    let compare: Vec<(String, String)> = std::iter::once((VS_OFF.to_string(), t("sparse.vs.off").to_string()))
        .chain(patterns.iter().cloned())
        .collect();
    let tiles: Vec<(String, String)> = TILE_SIZES.iter().map(|b| (b.to_string(), format!("{b}×{b}"))).collect();
    let widths: Vec<(String, String)> = [16, 32, 64, 128]
        .iter()
        .map(|d| (d.to_string(), d.to_string()))
        .collect();
    use PatternKind::*;
    view! {
        <aside class="controls" data-testid="controls">
            <Select
                label=t("sparse.pattern").to_string()
                options=patterns
                value=Signal::derive(move || p().pattern.param().to_string())
                on_change=Callback::new(move |v: String| set_pattern.set(Some(v)))
                test_id="pattern"
            />
            <Select
                label=t("sparse.vs").to_string()
                options=compare
                value=Signal::derive(move || p().vs.map_or(VS_OFF, |k| k.param()).to_string())
                on_change=Callback::new(move |v: String| set_vs.set((v != VS_OFF).then_some(v)))
                test_id="vs"
            />
            {slider("sparse.n", "n", v(|p| p.n), (2, MAX_N as i64), true)}
            <Show when=move || kind.get().has_causal_flag()>
                <Toggle
                    label=t("sparse.causal").to_string()
                    value=Signal::derive(move || p().causal)
                    on_change=Callback::new(move |c: bool| set_causal.set(Some(if c { "1" } else { "0" }.to_string())))
                    test_id="causal"
                />
            </Show>
            <Show when=is(&[Local, Longformer])>{slider("sparse.w", "w", v(|p| p.w), (0, 128), false)}</Show>
            <Show when=is(&[Strided, Fixed])>{slider("sparse.s", "s", v(|p| p.s), (1, 128), true)}</Show>
            <Show when=is(&[Fixed])>{slider("sparse.c", "c", v(|p| p.c), (0, 16), false)}</Show>
            <Show when=is(&[Longformer])>{slider("sparse.dil", "dil", v(|p| p.dil), (1, 16), false)}</Show>
            <Show when=is(&[Global, Longformer])>{slider("sparse.g", "g", v(|p| p.g), (0, 16), false)}</Show>
            <Show when=is(&[BigBird, Sinkhorn])>{slider("sparse.b", "b", v(|p| p.b), (1, 128), true)}</Show>
            <Show when=is(&[BigBird])>
                {slider("sparse.gb", "gb", v(|p| p.gb), (0, 8), false)}
                {slider("sparse.r", "r", v(|p| p.r), (0, 16), false)}
            </Show>
            <Show when=is(&[Lsh])>
                {slider("sparse.buckets", "buckets", v(|p| p.buckets), (2, 64), true)}
                {slider("sparse.hashes", "hashes", v(|p| p.hashes), (1, 8), false)}
                {slider("sparse.chunk", "chunk", v(|p| p.chunk), (1, 128), true)}
            </Show>
            <Show when=is(&[Sinkhorn])>
                {slider("sparse.k", "k", v(|p| p.k), (0, 50), false)}
                {
                    let set_tau = setter("tau");
                    view! {
                        <Slider
                            label=t("sparse.tau").to_string()
                            value=Signal::derive(move || (params.get().tau * 100.0).round() as i64)
                            min=1
                            max=1000
                            log=true
                            on_change=Callback::new(move |v: i64| set_tau.set(Some(format!("{}", v as f32 / 100.0))))
                            hint=Signal::derive(move || format!("τ = {}", params.get().tau))
                            test_id="tau"
                        />
                    }
                }
            </Show>
            {slider("sparse.layers", "layers", v(|p| p.layers), (1, 32), false)}
            <Select
                label=t("sparse.d").to_string()
                options=widths
                value=Signal::derive(move || p().d.to_string())
                on_change=Callback::new(move |v: String| set_d.set(Some(v)))
                test_id="d"
            />
            <Select
                label=t("sparse.tile").to_string()
                options=tiles
                value=Signal::derive(move || p().tile.to_string())
                on_change=Callback::new(move |v: String| set_tile.set(Some(v)))
                test_id="tile"
            />
            {slider("sparse.seed", "seed", v(|p| p.seed as usize), (0, 999), false)}
        </aside>
    }
}
