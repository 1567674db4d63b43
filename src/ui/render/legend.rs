//! A colour legend: the scale as a gradient bar with its end and middle values.

use leptos::prelude::*;

use crate::i18n::t;
use crate::ui::render::heatmap::with_lut;
use crate::view_model::colormap::{Colormap, MASKED_RGB};
use crate::view_model::format::sig3;

/// Gradient bar for `cmap` from `lo` to `hi`, titled `label`; `masked` adds the grey swatch.
#[component]
pub fn Legend(
    cmap: Colormap,
    #[prop(into)] lo: Signal<f32>,
    #[prop(into)] hi: Signal<f32>,
    label: String,
    #[prop(optional)] masked: bool,
) -> impl IntoView {
    let look = crate::ui::theme::watch();
    let cmap_now = Signal::derive(move || {
        look.track();
        crate::ui::theme::resolve(cmap)
    });
    crate::ui::figure::FigureCtx::register_here(crate::ui::figure::Source::Legend {
        cmap: cmap_now,
        lo,
        hi,
        label: label.clone(),
    });
    let gradient = move || with_lut(cmap_now.get(), |lut| lut.css_gradient());
    let [r, g, b] = MASKED_RGB;
    view! {
        <div class="legend" data-testid="legend">
            <span>{label}</span>
            <div class="bar" style:background=gradient></div>
            <div class="ticks">
                <span>{move || sig3(lo.get() as f64)}</span>
                <span>{move || sig3(((lo.get() + hi.get()) / 2.0) as f64)}</span>
                <span>{move || sig3(hi.get() as f64)}</span>
            </div>
            {masked
                .then(|| {
                    view! {
                        <span>
                            <span class="swatch" style:background=format!("rgb({r},{g},{b})")></span>
                            {t("legend.masked")}
                        </span>
                    }
                })}
        </div>
    }
}
