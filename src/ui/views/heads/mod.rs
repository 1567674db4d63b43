//! View 2 — "MHA · GQA · MLA": how many key/value heads attention keeps. A toy layer computed live as
//! MHA, GQA/MQA and MLA (sharing diagram, heatmaps, the absorbed-MLA check, the low-rank curve), the
//! RoPE rotations, and a KV-cache calculator for real models. `part=` shows one panel alone (for an
//! embed): `memory` the calculator, `sharing`, `mla` or `rope`.

mod cache;
mod driver;
mod latent;
mod memory_bars;
mod rotary;
mod sharing;
mod variant_table;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::i18n::{t, tf};
use crate::ui::components::controls::{Select, Slider, Toggle};
use crate::ui::components::notices::{ErrorBox, Notices};
use crate::ui::url::{lookup, setter};
use crate::view_model::format::millis;
use crate::view_model::heads_view::{parse, HeadsParams, Part, D_MODELS, MAX_D_C, MAX_D_R, MAX_HEADS, MAX_N};

pub use driver::HeadsRun;

/// The view.
#[component]
pub fn HeadsView() -> impl IntoView {
    let query = use_query_map();
    let parsed = Memo::new(move |_| query.with(|m| parse(&lookup(m))));
    let params = Memo::new(move |_| parsed.with(|p| p.params.clone()));
    let notices = Signal::derive(move || parsed.with(|p| p.notices.clone()));
    let run = driver::start(params);
    let timing = move || run.timing.get().map(|ms| tf("heads.timing", &[("ms", &millis(ms))]));
    let part = Memo::new(move |_| params.with(|p| p.part));
    let shows = move |panel: Part| part.get().shows(panel);
    // Without the toy controls the figures take the whole width.
    let layout = move || (!part.get().needs_toy_controls()).then_some("grid-template-columns:minmax(0,1fr)");

    view! {
        <section class="view" data-testid="view-heads" style=layout>
            <Show when=move || part.get() == Part::All>
                <div class="view-head" data-testid="heads-head">
                    <h2>{t("heads.title")}</h2>
                    <p class="lede">{t("heads.lede")}</p>
                    <div class="formula">{t("heads.formula")}</div>
                </div>
            </Show>
            <Show when=move || part.get().needs_toy_controls()>
                <Controls params=params />
            </Show>
            <div class="figures">
                <Notices notices=notices />
                <ErrorBox message=run.error />
                <Show when=move || shows(Part::Sharing)>
                    <sharing::Sharing params=params run=run />
                </Show>
                <Show when=move || shows(Part::Mla)>
                    <latent::Latent params=params run=run />
                </Show>
                <Show when=move || shows(Part::Rope)>
                    <rotary::Rotary params=params />
                </Show>
                <Show when=move || shows(Part::Memory)>
                    <cache::Calculator params=params />
                </Show>
                <Show when=move || part.get().needs_toy_controls()>
                    <p class="timing" data-testid="timing">{timing}</p>
                </Show>
            </div>
        </section>
    }
}

/// The toy layer's controls: every control writes its URL key, the URL drives everything else.
#[component]
fn Controls(params: Memo<HeadsParams>) -> impl IntoView {
    let (set_n, set_dm, set_heads, set_kv) = (setter("n"), setter("d_model"), setter("heads"), setter("kv"));
    let (set_head, set_causal, set_seed) = (setter("head"), setter("causal"), setter("seed"));
    let (set_dc, set_dr) = (setter("d_c"), setter("d_r"));
    let p = move || params.get();
    let head_count = Memo::new(move |_| params.with(|p| p.heads));
    let d_models: Vec<(String, String)> = D_MODELS.iter().map(|d| (d.to_string(), d.to_string())).collect();
    let heads_hint = Signal::derive(move || {
        let p = p();
        tf("heads.d_head", &[("d_head", &p.d_head().to_string())])
    });
    let kv_hint = Signal::derive(move || {
        let p = p();
        let id = if p.kv == p.heads {
            "heads.kind.mha"
        } else if p.kv == 1 {
            "heads.kind.mqa"
        } else {
            "heads.kind.gqa"
        };
        tf(id, &[("g", &(p.heads / p.kv.max(1)).to_string())])
    });
    view! {
        <aside class="controls" data-testid="controls">
            <Slider
                label=t("heads.n").to_string()
                value=Signal::derive(move || p().n as i64)
                min=2
                max=MAX_N as i64
                on_change=Callback::new(move |v: i64| set_n.set(Some(v.to_string())))
                test_id="n"
            />
            <Select
                label=t("heads.d_model").to_string()
                options=d_models
                value=Signal::derive(move || p().d_model.to_string())
                on_change=Callback::new(move |v: String| set_dm.set(Some(v)))
                test_id="d_model"
            />
            <Slider
                label=t("heads.heads").to_string()
                value=Signal::derive(move || p().heads as i64)
                min=1
                max=MAX_HEADS as i64
                on_change=Callback::new(move |v: i64| set_heads.set(Some(v.to_string())))
                hint=heads_hint
                test_id="heads"
            />
            // Rebuilt only when the head count changes, so both ranges always match it.
            {move || {
                let heads = head_count.get() as i64;
                view! {
                    <Slider
                        label=t("heads.kv").to_string()
                        value=Signal::derive(move || p().kv as i64)
                        min=1
                        max=heads
                        on_change=Callback::new(move |v: i64| set_kv.set(Some(v.to_string())))
                        hint=kv_hint
                        test_id="kv"
                    />
                    <Slider
                        label=t("heads.head").to_string()
                        value=Signal::derive(move || p().head as i64)
                        min=0
                        max=heads - 1
                        on_change=Callback::new(move |v: i64| set_head.set(Some(v.to_string())))
                        test_id="head"
                    />
                }
            }}
            <Toggle
                label=t("heads.causal").to_string()
                value=Signal::derive(move || p().causal)
                on_change=Callback::new(move |c: bool| set_causal.set(Some(if c { "1" } else { "0" }.to_string())))
                test_id="causal"
            />
            <Slider
                label=t("heads.seed").to_string()
                value=Signal::derive(move || p().seed as i64)
                min=0
                max=999
                on_change=Callback::new(move |v: i64| set_seed.set(Some(v.to_string())))
                test_id="seed"
            />
            <Slider
                label=t("heads.d_c").to_string()
                value=Signal::derive(move || p().d_c as i64)
                min=1
                max=MAX_D_C as i64
                on_change=Callback::new(move |v: i64| set_dc.set(Some(v.to_string())))
                hint=Signal::derive(move || t("heads.d_c.hint").to_string())
                test_id="d_c"
            />
            <Slider
                label=t("heads.d_r").to_string()
                value=Signal::derive(move || p().d_r as i64)
                min=2
                max=MAX_D_R as i64
                step=2
                on_change=Callback::new(move |v: i64| set_dr.set(Some(v.to_string())))
                test_id="d_r"
            />
            <div class="derived">{t("heads.limits")}</div>
        </aside>
    }
}
