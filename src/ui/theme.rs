//! The page's theme and colour maps: `theme=` (or the system's `prefers-color-scheme`) sets
//! `data-theme` on `<html>` for the stylesheet, and a [`Palette`] for everything drawn on a canvas;
//! `cmap=` chooses the heatmaps' maps. Both are page-wide signals that canvases redraw on.

use std::cell::Cell;

use leptos::prelude::*;
use plotters::style::RGBColor;

use crate::view_model::colormap::Colormap;
use crate::view_model::look::{CmapChoice, ThemeChoice};

thread_local! {
    static DARK: Cell<bool> = const { Cell::new(false) };
    static CMAP: Cell<CmapChoice> = const { Cell::new(CmapChoice::Viridis) };
    static CLASSROOM: Cell<bool> = const { Cell::new(false) };
}

/// How much larger charts are drawn in classroom mode (`class=1`): their backing store and so their
/// lines, text and size on the page; heatmaps are enlarged by the stylesheet instead.
pub const CLASSROOM_CHART_SCALE: f64 = 1.5;

/// The scale charts are drawn at now (untracked: charts track [`watch`]).
pub fn chart_scale() -> f64 {
    if CLASSROOM.get() {
        CLASSROOM_CHART_SCALE
    } else {
        1.0
    }
}

/// The page-wide look signals (made once, by the shell).
#[derive(Clone, Copy)]
pub struct Look {
    pub dark: RwSignal<bool>,
    pub cmap: RwSignal<CmapChoice>,
    /// Classroom mode (`class=1`).
    pub classroom: RwSignal<bool>,
}

/// The canvas colours of a theme.
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    pub background: RGBColor,
    pub text: RGBColor,
    pub grid: RGBColor,
    pub axis: RGBColor,
    pub muted: RGBColor,
}

impl Palette {
    /// `rgb(…)` of the background.
    pub fn background_css(&self) -> String {
        css(self.background)
    }
    /// `rgb(…)` of the text.
    pub fn text_css(&self) -> String {
        css(self.text)
    }
}

fn css(c: RGBColor) -> String {
    format!("rgb({},{},{})", c.0, c.1, c.2)
}

const LIGHT: Palette = Palette {
    background: RGBColor(255, 255, 255),
    text: RGBColor(20, 24, 33),
    grid: RGBColor(235, 238, 244),
    axis: RGBColor(60, 64, 72),
    muted: RGBColor(120, 120, 120),
};

const DARK_PALETTE: Palette = Palette {
    background: RGBColor(24, 27, 34),
    text: RGBColor(226, 230, 238),
    grid: RGBColor(52, 57, 68),
    axis: RGBColor(170, 176, 188),
    muted: RGBColor(150, 156, 168),
};

/// The current canvas palette (untracked: canvases that draw with it track [`look`]).
pub fn palette() -> Palette {
    if DARK.get() {
        DARK_PALETTE
    } else {
        LIGHT
    }
}

/// Whether the system prefers a dark scheme.
fn system_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Makes the look signals and keeps `<html data-theme>` on the choice in the URL.
pub fn provide_look(theme: Signal<ThemeChoice>, cmap: Signal<CmapChoice>, classroom: Signal<bool>) -> Look {
    let look = Look {
        dark: RwSignal::new(false),
        cmap: RwSignal::new(CmapChoice::Viridis),
        classroom: RwSignal::new(false),
    };
    provide_context(look);
    // The system's preference, followed live while `theme=auto`.
    let system = RwSignal::new(system_dark());
    if let Some(mq) = web_sys::window().and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten()) {
        let on_change = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || system.set(system_dark()));
        let _ = mq.add_event_listener_with_callback("change", wasm_bindgen::JsCast::unchecked_ref(on_change.as_ref()));
        // One listener for the page's lifetime.
        on_change.forget();
    }
    Effect::new(move |_| {
        let dark = match theme.get() {
            ThemeChoice::Auto => system.get(),
            ThemeChoice::Light => false,
            ThemeChoice::Dark => true,
        };
        DARK.set(dark);
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("data-theme", if dark { "dark" } else { "light" });
        }
        if look.dark.get_untracked() != dark {
            look.dark.set(dark);
        }
    });
    Effect::new(move |_| {
        let c = cmap.get();
        CMAP.set(c);
        if look.cmap.get_untracked() != c {
            look.cmap.set(c);
        }
    });
    Effect::new(move |_| {
        let c = classroom.get();
        CLASSROOM.set(c);
        if look.classroom.get_untracked() != c {
            look.classroom.set(c);
        }
    });
    look
}

/// The look as a signal of the calling component's own (`ui::reactive::follow`): a canvas effect
/// tracks it to redraw when the theme or colour maps change. Not the page-wide signals directly: an
/// effect that read those would stay in their subscriber lists after its component is gone (every
/// rebuilt heatmap kept about 120 bytes).
pub fn watch() -> ReadSignal<(bool, CmapChoice, bool)> {
    let look = use_context::<Look>();
    crate::ui::reactive::follow(move || {
        look.map(|l| (l.dark.get(), l.cmap.get(), l.classroom.get()))
            .unwrap_or((false, CmapChoice::Viridis, false))
    })
}

/// The map a canvas draws for a figure that asks for `c`, under the page's `cmap=`.
pub fn resolve(c: Colormap) -> Colormap {
    CMAP.get().apply(c)
}
