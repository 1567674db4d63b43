//! What a figure's heatmaps, charts and legends register with it (through the context its card
//! provides), so the exports can redraw them at any scale and write their data.

use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::ui::render::heatmap::HeatmapSpec;
use crate::ui::render::plot::{ChartArea, LineChartSpec};
use crate::view_model::colormap::Colormap;
use crate::view_model::export::{FigureData, MatrixData, SeriesData, TableData};

/// A chart's draw function (the same one that paints its canvas).
pub type DrawFn = Rc<dyn Fn(&ChartArea<'_>) -> Result<(), String>>;

/// One registered part of a figure.
#[derive(Clone)]
pub enum Source {
    /// A heatmap: its canvas, spec and axis labels.
    Heatmap {
        canvas: NodeRef<Canvas>,
        spec: Signal<Option<HeatmapSpec>>,
        rows: Option<Signal<Vec<String>>>,
        cols: Option<Signal<Vec<String>>>,
        name: String,
    },
    /// A plotters chart: its canvas, layout size, draw function and (line charts) series.
    Chart {
        canvas: NodeRef<Canvas>,
        size: (u32, u32),
        draw: DrawFn,
        series: Option<Signal<LineChartSpec>>,
        table: Option<Signal<TableData>>,
    },
    /// A colour legend.
    Legend {
        cmap: Signal<Colormap>,
        lo: Signal<f32>,
        hi: Signal<f32>,
        label: String,
    },
}

/// The figure a part belongs to: its id and what registered with it.
#[derive(Clone, Copy)]
pub struct FigureCtx {
    pub id: &'static str,
    sources: StoredValue<Vec<(u64, Source)>, LocalStorage>,
    next: StoredValue<u64>,
}

impl FigureCtx {
    /// An empty figure `id`.
    pub fn new(id: &'static str) -> Self {
        Self {
            id,
            sources: StoredValue::new_local(Vec::new()),
            next: StoredValue::new(0),
        }
    }

    /// Registers `source` for as long as the calling component lives.
    pub fn register(self, source: Source) {
        let key = self.next.get_value();
        self.next.set_value(key + 1);
        self.sources.update_value(|s| s.push((key, source)));
        on_cleanup(move || {
            let _ = self.sources.try_update_value(|s| s.retain(|(k, _)| *k != key));
        });
    }

    /// Registers `source` with the enclosing figure, if there is one.
    pub fn register_here(source: Source) {
        if let Some(ctx) = use_context::<FigureCtx>() {
            ctx.register(source);
        }
    }

    /// Every registered part, in registration order.
    pub fn sources(self) -> Vec<Source> {
        self.sources.with_value(|s| s.iter().map(|(_, s)| s.clone()).collect())
    }

    /// The chart or heatmap drawn on `canvas`, if one registered it.
    pub fn source_of(self, canvas: &web_sys::HtmlCanvasElement) -> Option<Source> {
        self.sources().into_iter().find(|s| match s {
            Source::Heatmap { canvas: c, .. } | Source::Chart { canvas: c, .. } => c.get_untracked().is_some_and(|c| {
                let e: &web_sys::HtmlCanvasElement = &c;
                e == canvas
            }),
            Source::Legend { .. } => false,
        })
    }

    /// The data of every heatmap and chart, then every table under `root` as shown.
    pub fn data(self, root: &web_sys::Element) -> Vec<FigureData> {
        let mut out: Vec<FigureData> = self.sources().iter().filter_map(data_of).collect();
        out.extend(tables_under(root).into_iter().map(FigureData::Table));
        out
    }
}

fn data_of(s: &Source) -> Option<FigureData> {
    match s {
        Source::Heatmap {
            spec, rows, cols, name, ..
        } => {
            let spec = spec.get_untracked()?;
            let m = &spec.matrix;
            let labels = |l: &Option<Signal<Vec<String>>>, n: usize| {
                l.map(|l| l.get_untracked())
                    .filter(|l| l.len() == n)
                    .unwrap_or_default()
            };
            Some(FigureData::Matrix(MatrixData {
                name: name.clone(),
                rows: m.rows,
                cols: m.cols,
                values: m.data.clone(),
                row_labels: labels(rows, m.rows),
                col_labels: labels(cols, m.cols),
                source: spec.source,
            }))
        }
        Source::Chart { series: Some(spec), .. } => {
            let spec = spec.get_untracked();
            Some(FigureData::Series(SeriesData {
                x_label: spec.x_label.clone(),
                y_label: spec.y_label.clone(),
                series: spec
                    .series
                    .iter()
                    .map(|s| (s.label.clone(), s.points.clone()))
                    .collect(),
            }))
        }
        Source::Chart { table: Some(table), .. } => Some(FigureData::Table(table.get_untracked())),
        _ => None,
    }
}

fn cells(row: &web_sys::Element, selector: &str) -> Vec<String> {
    let Ok(list) = row.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .map(|e| e.inner_text().trim().to_string())
        .collect()
}

/// Every `<table>` under `root`, as its header and body cells' visible text.
pub fn tables_under(root: &web_sys::Element) -> Vec<TableData> {
    let Ok(tables) = root.query_selector_all("table") else {
        return Vec::new();
    };
    (0..tables.length())
        .filter_map(|i| tables.item(i)?.dyn_into::<web_sys::Element>().ok())
        .map(|table| {
            let rows = table.query_selector_all("tr").ok();
            let rows: Vec<web_sys::Element> = rows
                .map(|l| (0..l.length()).filter_map(|i| l.item(i)?.dyn_into().ok()).collect())
                .unwrap_or_default();
            let mut header = Vec::new();
            let mut body = Vec::new();
            for r in rows {
                let th = cells(&r, "th");
                if header.is_empty() && !th.is_empty() && cells(&r, "td").is_empty() {
                    header = th;
                } else {
                    body.push(cells(&r, "th, td"));
                }
            }
            TableData { header, rows: body }
        })
        .collect()
}
