//! The app shell: header with the chapters, the current view chosen by `view=`, and `embed=1` / `lang=`
//! handling shared by every view.

use leptos::prelude::*;
use leptos_router::components::Router;

use crate::i18n::{lang, set_lang, t, Lang};
use crate::ui::components::notices::Notices;
use crate::ui::components::share::CopyLink;
use crate::ui::reactive::relay;
use crate::ui::url::{lookup, provide_query};
use crate::ui::views::{self, ViewId};
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
    let notices = Signal::derive(move || shell.with(|s| s.notices.clone()));
    Effect::new(move |_| {
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            body.set_class_name(if embed.get() { "embed" } else { "" });
        }
    });
    let lang_suffix = move || {
        if lang() == Lang::En {
            String::new()
        } else {
            format!("&lang={}", lang().code())
        }
    };
    let nav = move || {
        ViewId::ALL
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
    let open_full = move || {
        let href = crate::ui::browser::href()
            .replace("&embed=1", "")
            .replace("embed=1&", "")
            .replace("?embed=1", "?");
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
                    <CopyLink />
                </div>
            </header>
        </Show>
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
