//! A figure's buttons: Share (copies the full-page permalink to this figure), Embed (the `<iframe>`
//! snippet of this figure with the current state, sized to it), and the exports: PNG at 1× and 2×,
//! SVG (charts, small heatmaps), and the data as CSV and JSON.

use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::sources::FigureCtx;
use super::{download, png, svg};
use crate::i18n::{lang, t};
use crate::ui::browser::{copy_text, href};
use crate::ui::url::{lookup, query};
use crate::view_model::export::{csv, json};
use crate::view_model::figures::{file_stem, find};
use crate::view_model::permalink::{embed_query, page_query};
use crate::view_model::shell;

/// The page's URL without query or hash.
fn base_url() -> String {
    href().split(['?', '#']).next().unwrap_or_default().to_string()
}

/// Extra height an embed adds to the figure's own: the link below it, and the controls if shown.
const EMBED_EXTRA_PX: i32 = 48;

/// The `<iframe>` snippet of `src`, `w` × `h` CSS pixels.
pub fn iframe_snippet(src: &str, w: i32, h: i32, title: &str) -> String {
    format!(
        "<iframe src=\"{src}\" width=\"{w}\" height=\"{h}\" title=\"{title}\" loading=\"lazy\" \
         sandbox=\"allow-scripts allow-popups\" style=\"border:0;max-width:100%\"></iframe>"
    )
}

/// The toolbar of figure `ctx`, whose card is `root`.
#[component]
pub fn Toolbar(ctx: FigureCtx, root: NodeRef<Div>) -> impl IntoView {
    let query = query();
    let id = ctx.id;
    let status = RwSignal::new(None::<&'static str>);
    let snippet = RwSignal::new(None::<String>);
    let params = move || {
        query.with_untracked(|m| {
            let q = page_query(&lookup(m), lang());
            q.trim_start_matches('?')
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        js_sys::decode_uri_component(&v.replace('+', " "))
                            .map(String::from)
                            .unwrap_or_else(|_| v.to_string()),
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    // Every parameter of the view (defaults included), so file names say what the file is.
    let stem = move |extra: &str| {
        let pairs = params();
        let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        let view = shell::parse(&get).view;
        match find(view, id) {
            Some(f) => file_stem(f, &get, extra),
            None => format!("atlas-{id}"),
        }
    };
    let share = move |_| {
        let url = format!(
            "{}{}#fig-{id}",
            base_url(),
            query.with_untracked(|m| page_query(&lookup(m), lang()))
        );
        spawn_local(async move {
            let ok = copy_text(&url).await;
            status.set(Some(if ok { "fig.copied" } else { "ui.copy_failed" }));
            if !ok {
                snippet.set(Some(url));
            }
        });
    };
    let embed = move |_| {
        if snippet.get_untracked().is_some() {
            snippet.set(None);
            return;
        }
        let src = format!(
            "{}{}",
            base_url(),
            query.with_untracked(|m| embed_query(&lookup(m), lang(), id))
        );
        let (w, h) = root
            .get_untracked()
            .map(|r| (r.offset_width(), r.offset_height()))
            .unwrap_or((640, 480));
        let title = format!("{} — {id}", t("app.title"));
        snippet.set(Some(iframe_snippet(&src, w.max(320), h + EMBED_EXTRA_PX, &title)));
    };
    let export_png = move |scale: f64| {
        let Some(r) = root.get_untracked() else { return };
        let Some(canvas) = png::render(ctx, &r, scale) else {
            status.set(Some("fig.no_png"));
            return;
        };
        {
            let extra = if scale == 1.0 {
                String::new()
            } else {
                format!("{scale}x")
            };
            download::save_png(format!("{}.png", stem(&extra)), &canvas);
        }
    };
    let export_svg = move |_| match svg::render(ctx, None) {
        Some(s) => download::save_text(&format!("{}.svg", stem("")), "image/svg+xml", &s),
        None => status.set(Some("fig.no_svg")),
    };
    // The Speed chapter's numbers depend on the machine: its exports carry the machine's description.
    let data = move || {
        let mut parts = root.get_untracked().map(|r| ctx.data(&r)).unwrap_or_default();
        if id.starts_with("speed-") && !parts.is_empty() {
            parts.push(crate::view_model::export::FigureData::Table(machine_table()));
        }
        parts
    };
    let export_csv = move |_| {
        let parts = data();
        if parts.is_empty() {
            status.set(Some("fig.no_png"));
            return;
        }
        download::save_text(&format!("{}.csv", stem("")), "text/csv", &csv(&parts))
    };
    let export_json = move |_| {
        download::save_text(
            &format!("{}.json", stem("")),
            "application/json",
            &json(id, &params(), &data()),
        )
    };
    // Full screen (F does the same for the focused or most visible figure; Esc returns).
    let full = move |_| {
        if crate::ui::teaching::full_screen::exit() {
            return;
        }
        if let Some(el) = root.get_untracked() {
            let el: &web_sys::HtmlElement = &el;
            crate::ui::teaching::full_screen::enter(el.clone());
        }
    };
    view! {
        <div class="fig-tools" role="toolbar" aria-label=t("fig.tools")>
            <button class="mini" data-testid=format!("{id}-full") title=t("class.full.title") on:click=full>{t("class.full")}</button>
            <button class="mini" data-testid=format!("{id}-share") on:click=share>{t("fig.share")}</button>
            <button class="mini" data-testid=format!("{id}-embed") on:click=embed>{t("fig.embed")}</button>
            <span class="fig-export">
                <button class="mini" data-testid=format!("{id}-png1") on:click=move |_| export_png(1.0)>{t("fig.png")}</button>
                <button class="mini" data-testid=format!("{id}-png2") on:click=move |_| export_png(2.0)>{t("fig.png2")}</button>
                <button class="mini" data-testid=format!("{id}-svg") on:click=export_svg>{t("fig.svg")}</button>
                <button class="mini" data-testid=format!("{id}-csv") on:click=export_csv>{t("fig.csv")}</button>
                <button class="mini" data-testid=format!("{id}-json") on:click=export_json>{t("fig.json")}</button>
            </span>
            {move || status.get().map(|s| view! { <span class="fig-status" data-testid=format!("{id}-status")>{t(s)}</span> })}
        </div>
        {move || {
            snippet
                .get()
                .map(|s| {
                    view! {
                        <div class="fig-snippet">
                            <p class="hint">{t("fig.embed_hint")}</p>
                            <textarea readonly rows="3" data-testid=format!("{id}-snippet") prop:value=s></textarea>
                        </div>
                    }
                })
        }}
    }
}

/// Where relaxed SIMD's fused multiply-add is used: by the workers' exact kernel when they loaded
/// that build (the main thread's wasm is simd128 only).
fn workers_build() -> &'static str {
    match crate::ui::workers::relaxed_simd() {
        Some(true) => "workers (relaxed_madd in the exact kernel); not on the main thread",
        Some(false) => "no (the workers run the simd128 build)",
        None => "no (no workers)",
    }
}

/// The machine a measurement ran on, as an export table: user agent, logical cores, wasm SIMD, and
/// the Web Workers the page started.
fn machine_table() -> crate::view_model::export::TableData {
    let nav = web_sys::window().map(|w| w.navigator());
    let ua = nav.as_ref().and_then(|n| n.user_agent().ok()).unwrap_or_default();
    let cores = nav.as_ref().map(|n| n.hardware_concurrency()).unwrap_or(0.0);
    let simd = if cfg!(target_feature = "simd128") {
        "simd128"
    } else {
        "none"
    };
    crate::view_model::export::TableData {
        header: vec!["machine".into(), "value".into()],
        rows: vec![
            vec!["user_agent".into(), ua],
            vec!["logical_cores".into(), format!("{cores:.0}")],
            vec!["wasm_simd".into(), simd.into()],
            vec!["relaxed_simd_fma".into(), workers_build().into()],
            vec!["workers".into(), crate::ui::workers::threads().to_string()],
        ],
    }
}
