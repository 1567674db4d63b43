//! The tile picture: the pattern at tile edge B (`tile=`), one cell per B×B tile coloured by the
//! share of its pairs that are kept, skipped tiles grey, with "T of U tiles computed".

use leptos::prelude::*;

use crate::i18n::{t, tf};
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::ui::render::legend::Legend;
use crate::view_model::colormap::Colormap;
use crate::view_model::format::sig3;

use super::SparseRun;

/// CSS size of the tile picture.
const TILE_PX: u32 = 240;

/// Tile fill map with its count line.
#[component]
pub fn TilePicture(run: SparseRun) -> impl IntoView {
    let spec = Memo::new(move |_| {
        run.result.with(|r| {
            r.as_ref().map(|r| {
                let f = &r.tile_picture.fill;
                HeatmapSpec {
                    matrix: f.clone(),
                    source: (f.rows, f.cols),
                    lo: 0.0,
                    hi: 1.0,
                    cmap: Colormap::Viridis,
                }
            })
        })
    });
    let block = move || run.result.with(|r| r.as_ref().map_or(0, |r| r.tile_picture.block));
    let count = move || {
        run.result.with(|r| {
            r.as_ref().map(|r| {
                let tp = &r.tile_picture;
                tf(
                    "sparse.tilepic.count",
                    &[
                        ("t", &tp.occupied.to_string()),
                        ("u", &tp.total.to_string()),
                        ("pct", &sig3(100.0 * tp.occupied as f64 / tp.total.max(1) as f64)),
                    ],
                )
            })
        })
    };
    view! {
        <h3 class="section-head">{move || tf("sparse.tilepic.title", &[("b", &block().to_string())])}</h3>
        <p class="caption">{t("sparse.tilepic.caption")}</p>
        <div class="row-wrap">
            <Heatmap spec=spec width=TILE_PX height=TILE_PX aria_label=t("sparse.tilepic.caption").to_string() test_id="tile-picture" />
            <div class="figures">
                <Legend cmap=Colormap::Viridis lo=0.0 hi=1.0 label=t("sparse.tilepic.legend").to_string() masked=true />
                <p data-testid="tile-count">{count}</p>
            </div>
        </div>
    }
}
