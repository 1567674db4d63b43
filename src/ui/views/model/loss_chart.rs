//! Per-token loss as an SVG line chart: one or two series (the trained model, the changed one), an
//! optional split (the repeated run's second half) shaded, and each series' mean on either side.

use leptos::prelude::*;

use crate::view_model::format::sig3;

/// One series: its CSS class (colour) and the loss of tokens 1 … n−1.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub class: &'static str,
    pub losses: Vec<f32>,
}

/// The chart.
#[component]
pub fn LossChart(
    #[prop(into)] series: Signal<Vec<Series>>,
    /// First token of the shaded part (the second half of a repeated run).
    #[prop(into)]
    split: Signal<Option<usize>>,
    aria_label: String,
    test_id: &'static str,
) -> impl IntoView {
    const W: f64 = 640.0;
    const H: f64 = 200.0;
    const PAD_L: f64 = 40.0;
    const PAD_B: f64 = 22.0;
    let chart = move || {
        let all = series.get();
        let n = all.iter().map(|s| s.losses.len()).max().unwrap_or(0);
        if n == 0 {
            return ().into_any();
        }
        let top = all
            .iter()
            .flat_map(|s| s.losses.iter().copied())
            .filter(|v| v.is_finite())
            .fold(1.0f32, f32::max) as f64;
        let top = (top * 1.1).ceil();
        // Loss index k is token k + 1.
        let x = move |k: usize| PAD_L + (k as f64 + 0.5) / n as f64 * (W - PAD_L - 6.0);
        let y = move |v: f32| 6.0 + (1.0 - (v.max(0.0) as f64 / top).min(1.0)) * (H - PAD_B - 6.0);
        let shade = split.get().filter(|s| *s >= 1 && *s - 1 < n).map(|s| {
            let x0 = x(s - 1) - (W - PAD_L - 6.0) / n as f64 / 2.0;
            view! { <rect class="loss-shade" x=x0 y=6.0 width=W - 6.0 - x0 height=H - PAD_B - 6.0></rect> }
        });
        let paths = all
            .iter()
            .map(|s| {
                let d: String = s
                    .losses
                    .iter()
                    .enumerate()
                    .map(|(k, v)| format!("{}{:.1},{:.1}", if k == 0 { "M" } else { " L" }, x(k), y(*v)))
                    .collect();
                view! { <path class=format!("loss-line {}", s.class) d=d></path> }
            })
            .collect_view();
        let ticks = (0..=4)
            .map(|i| {
                let v = top * i as f64 / 4.0;
                let yy = y(v as f32);
                view! {
                    <g class="tick">
                        <line x1=PAD_L - 4.0 x2=W - 6.0 y1=yy y2=yy></line>
                        <text x=PAD_L - 6.0 y=yy + 4.0 text-anchor="end">{sig3(v)}</text>
                    </g>
                }
            })
            .collect_view();
        view! {
            <svg class="loss-chart" width=W height=H viewBox=format!("0 0 {W} {H}") role="img" aria-label=aria_label.clone() data-testid=test_id>
                {shade}
                {ticks}
                {paths}
                <text class="axis-label" x=PAD_L y=H - 4.0>{crate::i18n::t("model.loss.axis")}</text>
            </svg>
        }
        .into_any()
    };
    view! { <div class="loss-chart-box">{chart}</div> }
}
