//! The app shell: header with the chapters, the current view chosen by `view=`, and `embed=1` / `lang=`
//! handling shared by every view.

use leptos::prelude::*;
use leptos_router::components::Router;

use crate::i18n::{lang, set_lang, t, Lang};
use crate::ui::components::notices::Notices;
use crate::ui::components::share::CopyLink;
use crate::ui::figure::provide_focus;
use crate::ui::reactive::relay;
use crate::ui::theme::provide_look;
use crate::ui::url::setter;
use crate::ui::url::{lookup, provide_query};
use crate::ui::views::{self, ViewId};
use crate::view_model::look::{CmapChoice, ThemeChoice};
use crate::view_model::permalink::page_query;
use crate::view_model::schema::UrlChoice;
use crate::view_model::shell;

/// Reads `lang=` from the page URL before anything renders (messages are looked up once).
fn init_lang() {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let code = search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "lang")
        .map(|(_, v)| v.to_string());
    if let Some(l) = code.as_deref().and_then(Lang::from_code) {
        set_lang(l);
    }
    // The page's language and title follow: the language picks the fonts and the screen reader's voice.
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        if let Some(html) = doc.document_element() {
            let _ = html.set_attribute("lang", lang().html_tag());
        }
        doc.set_title(t("app.title"));
    }
}

/// The whole application.
#[component]
pub fn App() -> impl IntoView {
    init_lang();
    view! {
        <Router>
            <Shell />
        </Router>
    }
}

/// Header, current view and footer; in embed mode only the view (and a link back to the full app).
#[component]
fn Shell() -> impl IntoView {
    let query = provide_query();
    // Through a signal that changes whenever embed mode does: the header and footer are rebuilt
    // then, and what their parts read must forget them (`ui::reactive`).
    let shell = relay(Memo::new(move |_| query.with(|m| shell::parse(&lookup(m)))));
    let view_id = Memo::new(move |_| shell.with(|s| s.view));
    let embed = Memo::new(move |_| shell.with(|s| s.embed));
    let fig = Memo::new(move |_| shell.with(|s| s.fig));
    let controls = Memo::new(move |_| shell.with(|s| s.controls));
    let theme = Memo::new(move |_| shell.with(|s| s.theme));
    let cmap = Memo::new(move |_| shell.with(|s| s.cmap));
    provide_focus(fig.into());
    provide_look(theme.into(), cmap.into());
    let drawer = RwSignal::new(false);
    let notices = Signal::derive(move || shell.with(|s| s.notices.clone()));
    Effect::new(move |_| {
        let mut class = Vec::new();
        if embed.get() {
            class.push("embed");
            crate::ui::embed_height::start(fig.get().map(|f| f.id).unwrap_or_default().to_string());
        }
        if fig.get().is_some() {
            class.push("fig-only");
            if !controls.get() {
                class.push("fig-nocontrols");
            }
        }
        if drawer.get() {
            class.push("drawer-open");
        }
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            body.set_class_name(&class.join(" "));
        }
    });
    let (set_theme, set_cmap) = (setter("theme"), setter("cmap"));
    let toggle_theme = move |_| {
        let dark = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("data-theme"))
            .is_some_and(|t| t == "dark");
        let next = if dark { ThemeChoice::Light } else { ThemeChoice::Dark };
        set_theme.set(Some(next.word().to_string()));
    };
    // The header is rebuilt when an embed is switched off: its parts read the choice through a
    // signal (`ui::reactive`), never the memo.
    let cmap_now = relay(cmap);
    let cmaps = move || {
        CmapChoice::ALL
            .iter()
            .map(|c| {
                let c = *c;
                view! { <option value=c.word() selected=move || cmap_now.get() == c>{t(c.label_id())}</option> }
            })
            .collect_view()
    };
    let lang_suffix = move || {
        if lang() == Lang::En {
            String::new()
        } else {
            format!("&lang={}", lang().code())
        }
    };
    let nav = move || {
        ViewId::CHAPTERS
            .iter()
            .map(|v| {
                let v = *v;
                let href = format!("?view={}{}", v.word(), lang_suffix());
                view! {
                    <a
                        href=href
                        data-testid=format!("nav-{}", v.word())
                        aria-current=move || shell.with(|s| s.view == v).then_some("page")
                    >
                        {t(v.label_id())}
                    </a>
                }
            })
            .collect_view()
    };
    // Read by the embed's link, which is rebuilt each time an embed is switched on (`ui::reactive`).
    let full_query = relay(Memo::new(move |_| query.with(|m| page_query(&lookup(m), lang()))));
    let open_full = move || {
        let here = crate::ui::browser::href();
        let base = here.split(['?', '#']).next().unwrap_or_default().to_string();
        let href = format!("{base}{}", full_query.get());
        view! {
            <div class="embed-link">
                <a href=href target="_blank" rel="noopener">
                    {t("ui.open_full")}
                    " ↗"
                </a>
            </div>
        }
    };
    view! {
        <Show when=move || !embed.get()>
            <header class="app-header">
                <div class="brand">
                    <a class="name" href="?">
                        {t("app.title")}
                    </a>
                    <span class="tagline">{t("app.tagline")}</span>
                </div>
                <nav class="app-nav" aria-label=t("nav.aria")>
                    {nav}
                </nav>
                <div class="header-tools">
                    <button
                        class="button"
                        data-testid="theme-toggle"
                        title=t("ui.theme")
                        on:click=toggle_theme
                    >
                        {t("ui.theme_toggle")}
                    </button>
                    <label class="cmap-pick">
                        <span>{t("ui.cmap")}</span>
                        <select
                            data-testid="cmap"
                            on:change=move |ev| set_cmap.set(Some(event_target_value(&ev)))
                        >
                            {cmaps}
                        </select>
                    </label>
                    <CopyLink />
                </div>
            </header>
        </Show>
        <button
            class="drawer-toggle button"
            data-testid="drawer-toggle"
            aria-expanded=move || drawer.get().to_string()
            on:click=move |_| drawer.update(|d| *d = !*d)
        >
            {move || t(if drawer.get() { "ui.drawer_close" } else { "ui.drawer_open" })}
        </button>
        <main class="app-main" data-testid="main">
            <Notices notices=notices />
            {move || views::render(view_id.get())}
            <Show when=move || embed.get()>{open_full}</Show>
        </main>
        <Show when=move || !embed.get()>
            <footer class="app-footer">{t("footer.text")}</footer>
        </Show>
    }
}
