//! The app shell: header with the chapters, the current view chosen by `view=`, and `embed=1` / `lang=`
//! handling shared by every view.

use leptos::prelude::*;
use leptos_router::components::Router;

use crate::i18n::{lang, set_lang, t, Lang};
use crate::ui::components::notices::Notices;
use crate::ui::components::share::CopyLink;
use crate::ui::figure::provide_focus;
use crate::ui::reactive::relay;
use crate::ui::teaching::keys::{self, TeachingKey};
use crate::ui::teaching::{full_screen, tour::TourPanel};
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
    // No `lang=`: the browser's preferred languages decide (the first of English or Chinese listed).
    let preferred = || {
        let nav = web_sys::window()?.navigator();
        let list: Vec<String> = nav.languages().iter().filter_map(|v| v.as_string()).collect();
        crate::i18n::from_browser(&list, nav.language().as_deref())
    };
    if let Some(l) = code.as_deref().and_then(Lang::from_code).or_else(preferred) {
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
    let classroom = Memo::new(move |_| shell.with(|s| s.classroom));
    // Read by the tour panel and the chapter's tour link, which come and go (`ui::reactive`).
    let tour = relay(Memo::new(move |_| shell.with(|s| s.tour)));
    provide_focus(fig.into());
    provide_look(theme.into(), cmap.into(), classroom.into());
    let full = full_screen::provide();
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
        if classroom.get() {
            class.push("classroom");
        }
        if tour.get().is_some() && !embed.get() {
            class.push("touring");
        }
        if full_screen::is_on() {
            class.push("has-full-figure");
        }
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            body.set_class_name(&class.join(" "));
        }
    });
    // F shows one figure full-screen (the tour step's, when a tour runs), Esc puts it back.
    let on_key = move |ev: web_sys::KeyboardEvent| match keys::teaching_key(&ev) {
        Some(TeachingKey::FullScreen) => {
            let focus = tour
                .get_untracked()
                .and_then(|(v, k)| crate::view_model::tour::of(v).map(|t| t.steps[k].focus))
                .and_then(|f| f.first().copied());
            full_screen::toggle(focus);
            ev.prevent_default();
        }
        Some(TeachingKey::Escape) => {
            if full_screen::exit() {
                ev.prevent_default();
            }
        }
        _ => {}
    };
    // One listener for the page's lifetime.
    std::mem::forget(window_event_listener(leptos::ev::keydown, on_key));
    let (set_theme, set_cmap, set_class) = (setter("theme"), setter("cmap"), setter("class"));
    let toggle_class = move |_| {
        let on = classroom.get_untracked();
        set_class.set((!on).then(|| "1".to_string()));
    };
    let classroom_now = relay(classroom);
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
    // The header's language switch: this page in the other language (a reload: messages are read once).
    let other = if lang() == Lang::En { Lang::Zh } else { Lang::En };
    // English is written out (`lang=en`), or a browser that prefers Chinese would open Chinese again.
    let other_href = Signal::derive(move || {
        let q = query.with(|m| page_query(&lookup(m), other));
        if other == Lang::En {
            format!("{q}&lang=en")
        } else {
            q
        }
    });
    let other_lang = (other_href, other);
    // "Take this chapter's tour", above a chapter that has one while no tour runs.
    let tour_link = move || {
        let v = view_id.get();
        let chapter_tour = crate::view_model::tour::of(v)?;
        if tour.get().is_some() {
            return None;
        }
        let href = crate::view_model::tour::start_href(chapter_tour, &lang_suffix());
        Some(view! {
            <p class="chapter-tour">
                <a class="button" href=href data-testid="tour-start">{t("tour.start.chapter")}" →"</a>
            </p>
        })
    };
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
                    <button
                        class="button"
                        data-testid="class-toggle"
                        title=t("class.title")
                        aria-pressed=move || classroom_now.get().to_string()
                        on:click=toggle_class
                    >
                        {t("class.toggle")}
                    </button>
                    <a class="button lang-toggle" data-testid="lang-toggle" rel="external" href=other_lang.0
                        hreflang=other_lang.1.code() lang=other_lang.1.code()>
                        {t(other_lang.1.label_id())}
                    </a>
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
            <Show when=move || !embed.get()>{tour_link}</Show>
            {move || views::render(view_id.get())}
            <Show when=move || embed.get()>{open_full}</Show>
        </main>
        <Show when=move || !embed.get()>
            <TourPanel at=tour />
        </Show>
        <Show when=move || full.get()>
            <button class="button fig-full-exit" data-testid="fig-full-exit"
                on:click=move |_| { full_screen::exit(); }>{t("class.exit")}</button>
        </Show>
        <Show when=move || !embed.get()>
            <footer class="app-footer">{t("footer.text")}</footer>
        </Show>
    }
}
