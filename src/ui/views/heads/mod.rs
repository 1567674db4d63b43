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

use crate::ui::figure::Figure;
use crate::ui::render::math::MathFormula;
use crate::view_model::formulas;

use crate::i18n::{t, tf};
use crate::ui::components::notices::{ErrorBox, Notices};
use crate::ui::components::param_controls::{FlagToggle, IntSlider, SeedInput, SnapSelect};
use crate::ui::reactive::relay;
use crate::ui::url::{lookup, query};
use crate::view_model::format::millis;
use crate::view_model::heads::params::{CAUSAL, D_C, D_MODEL, D_R, HEAD, HEADS, KV, N, SEED};
use crate::view_model::heads::{parse, HeadsParams, Part};

pub use driver::HeadsRun;

/// The view.
#[component]
pub fn HeadsView() -> impl IntoView {
    let query = query();
    let parsed = Memo::new(move |_| query.with(|m| parse(&lookup(m))));
    // Through a signal: panels that are rebuilt (a Show, a list) read it (`ui::reactive`).
    let params = relay(Memo::new(move |_| parsed.with(|p| p.params.clone())));
    let notices = Signal::derive(move || parsed.with(|p| p.notices.clone()));
    let run = driver::start(params);
    let timing = move || run.timing().map(|ms| tf("heads.timing", &[("ms", &millis(ms))]));
    let part = Memo::new(move |_| params.with(|p| p.part));
    let shows = move |panel: Part| part.get().shows(panel);
    // Without the toy controls the figures take the whole width.
    let columns = move || (!part.get().needs_toy_controls()).then_some("minmax(0,1fr)");

    view! {
        <section class="view" data-testid="view-heads" style:grid-template-columns=columns>
            <Show when=move || part.get() == Part::All>
                <div class="view-head" data-testid="heads-head">
                    <h2>{t("heads.title")}</h2>
                    <p class="lede">{t("heads.lede")}</p>
                    <MathFormula source=formulas::HEADS fallback=t("heads.formula").to_string() />
                </div>
            </Show>
            <Show when=move || part.get().needs_toy_controls()>
                <Controls params=params />
            </Show>
            <div class="figures">
                <Notices notices=notices />
                <ErrorBox message=run.error />
                <Show when=move || shows(Part::Sharing)>
                    <Figure id="heads-sharing"><sharing::Sharing params=params run=run /></Figure>
                </Show>
                <Show when=move || shows(Part::Mla)>
                    <Figure id="heads-mla"><latent::Latent params=params run=run /></Figure>
                </Show>
                <Show when=move || shows(Part::Rope)>
                    <Figure id="heads-rope"><rotary::Rotary params=params /></Figure>
                </Show>
                <Show when=move || shows(Part::Memory)>
                    <Figure id="heads-memory"><cache::Calculator params=params /></Figure>
                </Show>
                <Show when=move || part.get().needs_toy_controls()>
                    <p class="timing" data-testid="timing">{timing}</p>
                </Show>
            </div>
        </section>
    }
}

/// The toy layer's controls: each widget takes its range and URL key from the view's schema; the K/V
/// and head sliders end at the current head count.
#[component]
fn Controls(params: ReadSignal<HeadsParams>) -> impl IntoView {
    let p = move || params.get();
    let head_count = Signal::derive(move || params.with(|p| p.n_heads as i64));
    let heads_hint = Signal::derive(move || {
        let p = p();
        tf("heads.d_head", &[("d_head", &p.d_head().to_string())])
    });
    let kv_hint = Signal::derive(move || {
        let p = p();
        let id = if p.n_kv_heads == p.n_heads {
            "heads.kind.mha"
        } else if p.n_kv_heads == 1 {
            "heads.kind.mqa"
        } else {
            "heads.kind.gqa"
        };
        tf(id, &[("g", &(p.n_heads / p.n_kv_heads.max(1)).to_string())])
    });
    view! {
        <aside class="controls" data-testid="controls">
            <IntSlider spec=&N value=Signal::derive(move || p().n as i64) />
            <SnapSelect spec=&D_MODEL value=Signal::derive(move || p().d_model) />
            <IntSlider spec=&HEADS value=head_count hint=heads_hint />
            <IntSlider
                spec=&KV
                value=Signal::derive(move || p().n_kv_heads as i64)
                max=head_count
                hint=kv_hint
            />
            <IntSlider
                spec=&HEAD
                value=Signal::derive(move || p().selected_head as i64)
                max=Signal::derive(move || head_count.get() - 1)
            />
            <FlagToggle spec=&CAUSAL value=Signal::derive(move || p().causal) />
            <SeedInput spec=&SEED value=Signal::derive(move || p().seed as i64) />
            <IntSlider
                spec=&D_C
                value=Signal::derive(move || p().d_c as i64)
                hint=Signal::derive(move || t("heads.d_c.hint").to_string())
            />
            <IntSlider spec=&D_R value=Signal::derive(move || p().d_r as i64) step=2 />
            <div class="derived">{t("heads.limits")}</div>
        </aside>
    }
}
