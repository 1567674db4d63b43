//! The model view: all 30 × 9 heads as thumbnails, a column per layer, the query heads grouped in
//! bands by the K/V head they share; a click shows that head large (`focus`).

use std::sync::Arc;

use leptos::prelude::*;

use crate::i18n::{t, tf};
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::ui::url::keys_setter;
use crate::ui::views::model::focus::Focus;
use crate::ui::views::model::Ctx;
use crate::view_model::colormap::Colormap;
use crate::view_model::model::grid::{grid, Grid};
use crate::view_model::model::params::{HEAD, LAYER};

/// Thumbnail side in canvas pixels (at most; short prompts use one pixel per token).
const THUMB: usize = 24;
/// CSS width of the grid.
const WIDTH: f64 = 930.0;

/// The thumbnails card, with the selected head's large map and line view under it.
#[component]
pub fn HeadsPanel(ctx: Ctx) -> impl IntoView {
    let run = ctx.analysis;
    let params = ctx.params;
    let layout = Memo::new(move |_| run.result.get().map(|a| Arc::new(grid(&a.attention, THUMB, 3))));
    let spec = Signal::derive(move || {
        layout.get().map(|g: Arc<Grid>| HeatmapSpec {
            source: (g.image.rows, g.image.cols),
            matrix: Arc::new(g.image.clone()),
            lo: 0.0,
            hi: 1.0,
            cmap: Colormap::Viridis,
        })
    });
    let set_keys = keys_setter();
    let on_click = Callback::new(move |(y, x): (usize, usize)| {
        if let Some((l, h)) = layout.get_untracked().and_then(|g| g.head_at(y, x)) {
            set_keys(&[(LAYER.key, Some(l.to_string())), (HEAD.key, Some(h.to_string()))]);
        }
    });
    let hovered = RwSignal::new(None::<(usize, usize)>);
    let on_hover = Callback::new(move |cell: Option<(usize, usize)>| {
        hovered.set(cell.and_then(|(y, x)| layout.get_untracked().and_then(|g| g.head_at(y, x))));
    });
    // The canvas is scaled to WIDTH; each band label is as tall as its band.
    let zoom = Memo::new(move |_| layout.get().map_or(1.0, |g| WIDTH / g.image.cols.max(1) as f64));
    let size = Memo::new(move |_| {
        let z = zoom.get();
        layout
            .get()
            .map(|g| ((g.image.cols as f64 * z) as u32, (g.image.rows as f64 * z) as u32))
            .unwrap_or((WIDTH as u32, 240))
    });
    let band_px = move |band: usize| {
        layout.get().map_or(0.0, |g| {
            let (top, _) = g.origin(0, band * 3);
            let (last, _) = g.origin(0, band * 3 + 2);
            (last + g.thumb - top) as f64 * zoom.get()
        })
    };
    let gap_px = move || crate::view_model::model::grid::BAND_GAP as f64 * zoom.get();
    let readout = move || {
        let (l, h) = hovered.get().unwrap_or_else(|| params.with(|p| (p.layer, p.head)));
        tf(
            "model.thumbs.readout",
            &[
                ("layer", &l.to_string()),
                ("head", &h.to_string()),
                ("kv", &(h / 3).to_string()),
            ],
        )
    };
    let band_labels = (0..3)
        .map(|g| {
            let text = tf("model.thumbs.band", &[("kv", &g.to_string()), ("a", &(3 * g).to_string()), ("b", &(3 * g + 2).to_string())]);
            view! {
                <span class="band-label" style:height=move || format!("{:.1}px", band_px(g)) style:margin-bottom=move || format!("{:.1}px", gap_px())>
                    {text}
                </span>
            }
        })
        .collect_view();
    let busy = run.busy_text();
    view! {
        <div class="card" data-testid="model-heads">
            <h3>{t("model.thumbs.title")}</h3>
            <p class="caption">{t("model.thumbs.caption")}</p>
            <div class="thumb-grid">
                <div class="band-labels">{band_labels}</div>
                {move || {
                    let (w, h) = size.get();
                    view! {
                        <Heatmap
                            spec=spec
                            width=w
                            height=h
                            words=false
                            on_click=on_click
                            on_hover=on_hover
                            busy=busy
                            aria_label=t("model.thumbs.aria").to_string()
                            test_id="model-thumbs"
                        />
                    }
                }}
            </div>
            <p class="caption thumbs-axis">{t("model.thumbs.axis")}</p>
            <p class="readout compact" data-testid="model-thumbs-readout">{readout}</p>
            <Focus ctx=ctx />
        </div>
    }
}
