//! A layer whose heads use different patterns (local, strided, global tokens, BigBird) built from the
//! current parameters: sparse models mix patterns across heads so that together they cover more.

use std::sync::Arc;

use leptos::prelude::*;

use crate::i18n::{t, tf};
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::view_model::colormap::Colormap;
use crate::view_model::format::sig3;
use crate::view_model::schema::UrlChoice;

use super::SparseRun;

/// CSS size of each head's map.
const HEAD_PX: u32 = 150;

/// The small multiples.
#[component]
pub fn Heads(run: SparseRun) -> impl IntoView {
    let heads = move || {
        run.result.with(|r| {
            r.as_ref().map(|r| {
                let n = r.n;
                r.heads
                    .iter()
                    .enumerate()
                    .map(|(h, head)| {
                        let spec = HeatmapSpec {
                            matrix: Arc::new(head.map.clone()),
                            source: (n, n),
                            lo: 0.0,
                            hi: 1.0,
                            cmap: Colormap::Blues,
                        };
                        let label = tf(
                            "sparse.heads.head",
                            &[
                                ("h", &h.to_string()),
                                ("pattern", t(head.kind.label_id())),
                                ("pct", &sig3(100.0 * head.nnz as f64 / (n * n).max(1) as f64)),
                            ],
                        );
                        view! {
                            <div class="multiple" data-testid=format!("sparse-head-{h}")>
                                <Heatmap spec=Signal::derive(move || Some(spec.clone())) width=HEAD_PX height=HEAD_PX words=false aria_label=label.clone() />
                                <span>{label.clone()}</span>
                            </div>
                        }
                    })
                    .collect_view()
            })
        })
    };
    view! {
        <div class="card">
            <h3>{t("sparse.heads.title")}</h3>
            <p class="caption">{t("sparse.heads.caption")}</p>
            <div class="multiples" data-testid="sparse-heads">{heads}</div>
        </div>
    }
}
