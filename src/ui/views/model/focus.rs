//! One head large: its map with the tokens along both axes and a hover readout, and for short inputs
//! the line view — the tokens in two columns, a line from each query to each key it reads, as thick
//! as the weight (the picture of BertViz and of the Transformer paper's appendix); hovering a token
//! keeps only its lines.

use std::sync::Arc;

use leptos::prelude::*;

use crate::attention::matrix::Matrix;
use crate::i18n::{t, tf};
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::ui::views::model::Ctx;
use crate::view_model::format::fixed4;

/// Longest input the line view draws (beyond it the lines are a blur).
pub const MAX_LINE_TOKENS: usize = 40;
/// Weights below this draw no line.
const MIN_LINE_WEIGHT: f32 = 0.02;

/// The selected head's map and line view.
#[component]
pub fn Focus(ctx: Ctx) -> impl IntoView {
    let run = ctx.analysis;
    let params = ctx.params;
    let selected = Memo::new(move |_| params.with(|p| (p.layer, p.head)));
    let weights = Memo::new(move |_| {
        let (l, h) = selected.get();
        run.result
            .get()
            .and_then(|a| a.attention.get(l).and_then(|layer| layer.get(h)).cloned().map(Arc::new))
    });
    let labels = Signal::derive(move || {
        run.result
            .get()
            .map(|a| a.chips.iter().map(|c| c.text.clone()).collect::<Vec<_>>())
            .unwrap_or_default()
    });
    let spec = Signal::derive(move || {
        weights
            .get()
            .map(|w| HeatmapSpec::weights(Arc::clone(&w), (w.rows, w.cols)))
    });
    let hover = RwSignal::new(None::<(usize, usize)>);
    let readout = move || match (hover.get(), weights.get()) {
        (Some((i, j)), Some(w)) => {
            let l = labels.get();
            let name = |k: usize| l.get(k).cloned().unwrap_or_default();
            tf(
                "model.focus.readout",
                &[
                    ("i", &i.to_string()),
                    ("q", &name(i)),
                    ("j", &j.to_string()),
                    ("k", &name(j)),
                    ("w", &fixed4(w.get(i, j))),
                ],
            )
        }
        _ => t("model.focus.hint").to_string(),
    };
    let title = move || {
        let (l, h) = selected.get();
        tf(
            "model.focus.title",
            &[
                ("layer", &l.to_string()),
                ("head", &h.to_string()),
                ("kv", &(h / 3).to_string()),
            ],
        )
    };
    let short = move || weights.get().is_some_and(|w| w.rows <= MAX_LINE_TOKENS);
    view! {
        <div class="row-wrap focus" data-testid="model-focus">
            <div>
                <h4 class="fig-title" data-testid="model-focus-title">{title}</h4>
                <Heatmap
                    spec=spec
                    width=420
                    height=420
                    row_labels=labels
                    col_labels=labels
                    on_hover=Callback::new(move |c| hover.set(c))
                    aria_label=t("model.focus.aria").to_string()
                    test_id="model-focus-map"
                />
                <p class="readout" data-testid="model-focus-readout">{readout}</p>
            </div>
            <Show when=short fallback=|| view! { <p class="caption">{tf("model.lines.too_long", &[("max", &MAX_LINE_TOKENS.to_string())])}</p> }>
                <LineView weights=weights labels=labels />
            </Show>
        </div>
    }
}

/// The two-column line picture of one head.
#[component]
fn LineView(weights: Memo<Option<Arc<Matrix>>>, labels: Signal<Vec<String>>) -> impl IntoView {
    let focus = RwSignal::new(None::<usize>);
    const ROW: f64 = 18.0;
    const WIDTH: f64 = 380.0;
    const LEFT: f64 = 120.0;
    const RIGHT: f64 = 260.0;
    let svg = move || {
        let Some(w) = weights.get() else { return ().into_any() };
        let n = w.rows;
        let height = n as f64 * ROW + 8.0;
        let y = |i: usize| i as f64 * ROW + ROW / 2.0 + 4.0;
        let only = focus.get();
        let mut lines = Vec::new();
        for i in 0..n {
            if only.is_some_and(|f| f != i) {
                continue;
            }
            for j in 0..=i.min(w.cols.saturating_sub(1)) {
                let v = w.get(i, j);
                if v < MIN_LINE_WEIGHT {
                    continue;
                }
                lines.push(view! {
                    <line
                        x1=LEFT + 4.0
                        y1=y(i)
                        x2=RIGHT - 4.0
                        y2=y(j)
                        stroke-width=format!("{:.2}", 0.5 + 4.5 * v)
                        stroke-opacity=format!("{:.2}", (0.15 + 0.85 * v).min(1.0))
                    ></line>
                });
            }
        }
        let names = labels.get();
        let left = names
            .iter()
            .enumerate()
            .map(|(i, s)| {
                view! {
                    <text
                        x=LEFT
                        y=y(i) + 4.0
                        text-anchor="end"
                        class=move || if focus.get() == Some(i) { "tok on" } else { "tok" }
                        on:mouseenter=move |_| focus.set(Some(i))
                        on:mouseleave=move |_| focus.set(None)
                    >
                        {s.clone()}
                    </text>
                }
            })
            .collect_view();
        let right = names
            .iter()
            .enumerate()
            .map(|(j, s)| view! { <text x=RIGHT y=y(j) + 4.0 class="tok">{s.clone()}</text> })
            .collect_view();
        view! {
            <svg
                class="line-view"
                width=WIDTH
                height=height
                viewBox=format!("0 0 {WIDTH} {height}")
                role="img"
                aria-label=t("model.lines.aria")
                data-testid="model-lines"
            >
                <g class="lines">{lines}</g>
                {left}
                {right}
            </svg>
        }
        .into_any()
    };
    view! {
        <div>
            <h4 class="fig-title">{t("model.lines.title")}</h4>
            <p class="caption">{t("model.lines.caption")}</p>
            {svg}
        </div>
    }
}
