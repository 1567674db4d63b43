//! A heatmap canvas: the (already pooled) matrix is painted one canvas pixel per cell through a colour
//! lookup table into a reused RGBA buffer with a single `putImageData`; CSS scales the canvas up with
//! `image-rendering: pixelated`, so cells stay crisp at any size. Never one draw call per cell.

use std::cell::RefCell;
use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, ImageData};

use crate::attention::matrix::Matrix;
use crate::i18n::{t, tf};
use crate::ui::browser::now_ms;
use crate::view_model::colormap::{rasterize, Colormap, Lut};
use crate::view_model::format::quantile;
use crate::view_model::heatmap_text::{cell_text, strongest_links, table_fits, RowLinks};

/// What a heatmap shows.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatmapSpec {
    /// The matrix at display resolution (pooled when the source is larger).
    pub matrix: Arc<Matrix>,
    /// Source size (rows, cols) before pooling: hover maps pixels back to these indices.
    pub source: (usize, usize),
    /// Colour scale ends.
    pub lo: f32,
    pub hi: f32,
    pub cmap: Colormap,
}

impl HeatmapSpec {
    /// A spec whose colour range is 0 … the 99.5th percentile of the matrix (attention weights): a
    /// few near-one-hot rows (such as the first rows of a causal map) would otherwise darken the rest.
    /// Values above the top of the range take its colour.
    pub fn weights(matrix: Arc<Matrix>, source: (usize, usize)) -> Self {
        let hi = quantile(&matrix.data, 0.995).unwrap_or(1.0).max(1e-6);
        Self {
            matrix,
            source,
            lo: 0.0,
            hi,
            cmap: Colormap::Viridis,
        }
    }

    /// A spec with a symmetric diverging range −m … m, m = max |value| (scores, embeddings, errors).
    pub fn signed(matrix: Arc<Matrix>, source: (usize, usize)) -> Self {
        let m = matrix
            .data
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0f32, |a, v| if v.abs() > a { v.abs() } else { a })
            .max(1e-6);
        Self {
            matrix,
            source,
            lo: -m,
            hi: m,
            cmap: Colormap::Diverging,
        }
    }
}

thread_local! {
    static PIXELS: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static LUTS: RefCell<Vec<(Colormap, Lut)>> = const { RefCell::new(Vec::new()) };
    static LAST_PAINT_MS: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// Runs `f` with the cached lookup table of `cmap`.
pub fn with_lut<R>(cmap: Colormap, f: impl FnOnce(&Lut) -> R) -> R {
    LUTS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.iter().any(|(c, _)| *c == cmap) {
            cache.push((cmap, Lut::new(cmap)));
        }
        let lut = &cache.iter().find(|(c, _)| *c == cmap).expect("just inserted").1;
        f(lut)
    })
}

/// Paints `spec` into `canvas` (resizing its backing store to the matrix size).
pub fn paint(canvas: &web_sys::HtmlCanvasElement, spec: &HeatmapSpec) {
    let m = &spec.matrix;
    let (w, h) = (m.cols.max(1), m.rows.max(1));
    if canvas.width() != w as u32 {
        canvas.set_width(w as u32);
    }
    if canvas.height() != h as u32 {
        canvas.set_height(h as u32);
    }
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    PIXELS.with(|buf| {
        let mut buf = buf.borrow_mut();
        with_lut(crate::ui::theme::resolve(spec.cmap), |lut| {
            rasterize(&m.data, m.rows, m.cols, w, h, lut, spec.lo, spec.hi, &mut buf)
        });
        if let Ok(img) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&buf[..]), w as u32, h as u32) {
            let _ = ctx.put_image_data(&img, 0.0, 0.0);
        }
    });
    LAST_PAINT_MS.set(now_ms());
}

/// When the latest heatmap finished painting (`performance.now()` ms): a view's driver subtracts
/// its start time to report recompute + repaint.
pub fn last_paint_ms() -> f64 {
    LAST_PAINT_MS.get()
}

/// Largest N for which token labels are drawn along the axes.
pub const MAX_LABELS: usize = 48;

/// A heatmap with optional axis labels, hover reporting, a highlighted cell and a busy overlay.
#[component]
pub fn Heatmap(
    /// The matrix and colour scale; None draws nothing.
    #[prop(into)]
    spec: Signal<Option<HeatmapSpec>>,
    /// CSS width and height of the plotting area, in pixels.
    width: u32,
    height: u32,
    /// Row labels (shown when there are at most [`MAX_LABELS`] and the count matches the rows).
    #[prop(optional, into)]
    row_labels: Option<Signal<Vec<String>>>,
    /// Column labels (same rule).
    #[prop(optional, into)]
    col_labels: Option<Signal<Vec<String>>>,
    /// Called with the source cell (row, col) under the pointer, or None when it leaves.
    #[prop(optional, into)]
    on_hover: Option<Callback<Option<(usize, usize)>>>,
    /// Called with the source cell that was clicked.
    #[prop(optional, into)]
    on_click: Option<Callback<(usize, usize)>>,
    /// A text over the map while it is being recomputed.
    #[prop(optional, into)]
    busy: Option<Signal<Option<String>>>,
    /// Accessible description.
    #[prop(optional, into)]
    aria_label: String,
    #[prop(optional)] test_id: &'static str,
    /// Whether the map has its text alternative in words (for screen readers, and under "In words"
    /// with the data table for a small map). Off for thumbnails, whose name is their text.
    #[prop(default = true)]
    words: bool,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let alt_id = next_alt_id();
    let hover = RwSignal::new(None::<(usize, usize)>);
    crate::ui::figure::FigureCtx::register_here(crate::ui::figure::Source::Heatmap {
        canvas,
        spec,
        rows: row_labels,
        cols: col_labels,
        name: aria_label.clone(),
    });
    let look = crate::ui::theme::watch();
    Effect::new(move |_| {
        look.track();
        let spec = spec.get();
        if let (Some(spec), Some(c)) = (spec, canvas.get()) {
            paint(&c, &spec);
        }
    });
    let source = move || spec.with(|s| s.as_ref().map(|s| s.source).unwrap_or((1, 1)));
    let cell_at = move |ev: &web_sys::MouseEvent| {
        let (rows, cols) = source();
        // The drawn size: CSS may scale the canvas down to fit a narrow screen.
        let (w, h) = canvas
            .get_untracked()
            .map(|c| (c.client_width().max(1) as f64, c.client_height().max(1) as f64))
            .unwrap_or((width as f64, height as f64));
        // The canvas as laid out on screen (CSS or `zoom` may scale it): pointer position over size.
        let (fx, fy) = canvas
            .get_untracked()
            .map(|c| {
                let r = c.get_bounding_client_rect();
                let fx = (ev.client_x() as f64 - r.left()) / r.width().max(1.0);
                let fy = (ev.client_y() as f64 - r.top()) / r.height().max(1.0);
                (fx, fy)
            })
            .unwrap_or((ev.offset_x() as f64 / w, ev.offset_y() as f64 / h));
        let x = (fx.max(0.0) * cols as f64) as usize;
        let y = (fy.max(0.0) * rows as f64) as usize;
        (y.min(rows.saturating_sub(1)), x.min(cols.saturating_sub(1)))
    };
    let labels_for = move |labels: Option<Signal<Vec<String>>>, count: usize| {
        labels
            .map(|l| l.get())
            .filter(|l| l.len() == count && count <= MAX_LABELS && count > 0)
    };
    let row_label_view = move || {
        let (rows, _) = source();
        labels_for(row_labels, rows).map(|ls| {
            let h = height as f64 / rows as f64;
            ls.into_iter()
                .map(|l| view! { <span style:height=format!("{h}px") title=l.clone()>{l.clone()}</span> })
                .collect_view()
        })
    };
    let col_label_view = move || {
        let (_, cols) = source();
        labels_for(col_labels, cols).map(|ls| {
            let w = width as f64 / cols as f64;
            ls.into_iter()
                .map(|l| view! { <span style:width=format!("{w}px") title=l.clone()>{l.clone()}</span> })
                .collect_view()
        })
    };
    let highlight = move || {
        hover.get().and_then(|(i, j)| {
            let (rows, cols) = source();
            let (cw, ch) = (width as f64 / cols as f64, height as f64 / rows as f64);
            (cw >= 4.0 && ch >= 4.0).then(|| {
                // Style properties, not a style attribute: the CSP allows no inline style attributes.
                view! {
                    <div
                        class="hl"
                        style:left=format!("{}px", j as f64 * cw)
                        style:top=format!("{}px", i as f64 * ch)
                        style:width=format!("{cw}px")
                        style:height=format!("{ch}px")
                    ></div>
                }
            })
        })
    };
    // The text alternative: each row's strongest links, in words.
    let links = move || {
        spec.with(|s| {
            s.as_ref().map(|s| {
                let rl = row_labels.map(|l| l.get());
                let cl = col_labels.map(|l| l.get());
                let rows = strongest_links(&s.matrix, s.source, rl.as_deref(), cl.as_deref(), 3, s.lo < 0.0);
                (rows, s.matrix.rows)
            })
        })
    };
    // Thumbnails (`words = false`) keep their name as their only text: they are many, redrawn on
    // every change, and the full-size maps beside them carry the words.
    let sentence = move || {
        if !words {
            return None;
        }
        links().map(|(rows, shown)| {
            let mut parts: Vec<String> = rows.iter().map(row_words).collect();
            if shown > rows.len() {
                parts.push(tf("heat.alt.more", &[("n", &(shown - rows.len()).to_string())]));
            }
            format!("{} {}", t("heat.alt.intro"), parts.join("; "))
        })
    };
    let table_open = RwSignal::new(false);
    let table = move || {
        if !table_open.get() {
            return None;
        }
        spec.with(|s| {
            let s = s.as_ref().filter(|s| table_fits(&s.matrix, s.source))?;
            let m = &s.matrix;
            let rl = row_labels.map(|l| l.get()).filter(|l| l.len() == m.rows);
            let cl = col_labels.map(|l| l.get()).filter(|l| l.len() == m.cols);
            let head = (0..m.cols)
                .map(|j| view! { <th scope="col">{cl.as_ref().map(|l| l[j].clone()).unwrap_or_else(|| j.to_string())}</th> })
                .collect_view();
            let body = (0..m.rows)
                .map(|i| {
                    let cells = (0..m.cols).map(|j| view! { <td>{cell_text(m.get(i, j))}</td> }).collect_view();
                    let name = rl.as_ref().map(|l| l[i].clone()).unwrap_or_else(|| i.to_string());
                    view! { <tr><th scope="row">{name}</th>{cells}</tr> }
                })
                .collect_view();
            Some(view! {
                <div class="heatmap-table-wrap">
                    <table class="heatmap-table" data-testid="heatmap-table">
                        <thead><tr><th></th>{head}</tr></thead>
                        <tbody>{body}</tbody>
                    </table>
                </div>
            })
        })
    };
    let fits = move || spec.with(|s| s.as_ref().is_some_and(|s| table_fits(&s.matrix, s.source)));
    let details = move || {
        words.then(|| {
            view! {
                <details class="heatmap-alt" data-testid="heatmap-alt" style:max-width=format!("{}px", width.max(240))>
                    <summary>{t("heat.alt.summary")}</summary>
                    <ul class="heatmap-words">
                        {move || links().map(|(rows, _)| rows.iter().map(|r| view! { <li>{row_words(r)}</li> }).collect_view())}
                    </ul>
                    <Show when=fits>
                        <button class="button" data-testid="heatmap-table-toggle"
                            aria-expanded=move || table_open.get().to_string()
                            on:click=move |_| table_open.update(|o| *o = !*o)>
                            {move || t(if table_open.get() { "heat.alt.hide_table" } else { "heat.alt.show_table" })}
                        </button>
                    </Show>
                    {table}
                </details>
            }
        })
    };
    view! {
        <div class="heatmap" data-testid=test_id>
            {words.then(|| view! { <p class="visually-hidden" id=alt_id.clone()>{sentence}</p> })}
            <div class="col-labels">{col_label_view}</div>
            <div class="row-labels">{row_label_view}</div>
            <div class="canvas-cell">
                <canvas
                    node_ref=canvas
                    role="img"
                    aria-label=aria_label
                    aria-describedby=words.then_some(alt_id.clone())
                    style:width=format!("{width}px")
                    style:height=format!("{height}px")
                    on:mousemove=move |ev| {
                        let cell = cell_at(&ev);
                        if hover.get_untracked() != Some(cell) {
                            hover.set(Some(cell));
                            if let Some(cb) = on_hover {
                                cb.run(Some(cell));
                            }
                        }
                    }
                    on:mouseleave=move |_| {
                        hover.set(None);
                        if let Some(cb) = on_hover {
                            cb.run(None);
                        }
                    }
                    on:click=move |ev| {
                        if let Some(cb) = on_click {
                            cb.run(cell_at(&ev));
                        }
                    }
                ></canvas>
                {highlight}
                {move || busy.and_then(|b| b.get()).map(|text| view! { <div class="busy">{text}</div> })}
            </div>
            {details}
        </div>
    }
}

/// One row of the text alternative: "“the” → “cat” 0.41, “sat” 0.22".
fn row_words(r: &RowLinks) -> String {
    let links: Vec<String> = r.links.iter().map(|(c, v)| format!("{c} {}", cell_text(*v))).collect();
    tf("heat.alt.row", &[("row", &r.row), ("links", &links.join(", "))])
}

thread_local! {
    static ALT_IDS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A page-unique id for a heatmap's text alternative.
fn next_alt_id() -> String {
    let n = ALT_IDS.get().wrapping_add(1);
    ALT_IDS.set(n);
    format!("heatmap-alt-{n}")
}
