//! The page's look, as URL words: `theme=auto|light|dark` and `cmap=viridis|cividis|magma` (each
//! colour-map choice is a sequential map for weights and a diverging one for signed values).

use crate::view_model::colormap::Colormap;
use crate::view_model::schema::ChoiceParam;

/// Light or dark, or the system's choice (`prefers-color-scheme`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeChoice {
    Auto,
    Light,
    Dark,
}

crate::url_choice!(ThemeChoice {
    ThemeChoice::Auto => ("auto", "theme.auto"),
    ThemeChoice::Light => ("light", "theme.light"),
    ThemeChoice::Dark => ("dark", "theme.dark"),
});

/// The colour maps of a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmapChoice {
    /// Viridis (perceptually uniform) and red–blue.
    Viridis,
    /// Cividis (uniform and readable with red–green colour blindness) and purple–orange.
    Cividis,
    /// Magma and red–yellow–blue.
    Magma,
}

crate::url_choice!(CmapChoice {
    CmapChoice::Viridis => ("viridis", "cmap.viridis"),
    CmapChoice::Cividis => ("cividis", "cmap.cividis"),
    CmapChoice::Magma => ("magma", "cmap.magma"),
});

impl CmapChoice {
    /// The map a figure asking for `c` gets: weights' sequential and signed values' diverging maps
    /// follow the choice; the others (masks, reach) stay.
    pub fn apply(self, c: Colormap) -> Colormap {
        match (self, c) {
            (CmapChoice::Viridis, c) => c,
            (CmapChoice::Cividis, Colormap::Viridis) => Colormap::Cividis,
            (CmapChoice::Cividis, Colormap::Diverging) => Colormap::PurpleOrange,
            (CmapChoice::Magma, Colormap::Viridis) => Colormap::Magma,
            (CmapChoice::Magma, Colormap::Diverging) => Colormap::RedYellowBlue,
            (_, c) => c,
        }
    }
}

pub const THEME: ChoiceParam<ThemeChoice> = ChoiceParam {
    key: "theme",
    label: "ui.theme",
    doc: "colour theme: `auto` follows the system (`prefers-color-scheme`)",
    default: ThemeChoice::Auto,
};

pub const CMAP: ChoiceParam<CmapChoice> = ChoiceParam {
    key: "cmap",
    label: "ui.cmap",
    doc: "colour maps: `viridis` (+ red–blue for signed values), `cividis` (colour-blind-safe, + purple–orange), `magma` (+ red–yellow–blue)",
    default: CmapChoice::Viridis,
};

/// Classroom mode's full-screen figure: the zoom that fits a `w` × `h` figure into a `vw` × `vh` window (never below 1, at most 3).
pub fn fit_zoom(w: f64, h: f64, vw: f64, vh: f64) -> f64 {
    if w <= 0.0 || h <= 0.0 {
        return 1.0;
    }
    ((vw * 0.94) / w).min((vh * 0.88) / h).clamp(1.0, 3.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_swaps_weights_and_signed_maps_only() {
        assert_eq!(CmapChoice::Cividis.apply(Colormap::Viridis), Colormap::Cividis);
        assert_eq!(CmapChoice::Cividis.apply(Colormap::Diverging), Colormap::PurpleOrange);
        assert_eq!(CmapChoice::Magma.apply(Colormap::Blues), Colormap::Blues);
        assert_eq!(CmapChoice::Viridis.apply(Colormap::Diverging), Colormap::Diverging);
    }

    #[test]
    fn a_figure_is_zoomed_to_fit_the_window_but_never_shrunk() {
        assert!((fit_zoom(800.0, 400.0, 1920.0, 1080.0) - 1920.0 * 0.94 / 800.0).abs() < 1e-9);
        assert!(
            (fit_zoom(800.0, 1200.0, 1920.0, 1080.0) - 1.0).abs() < 1e-9,
            "tall: 1, scrolls"
        );
        assert_eq!(fit_zoom(100.0, 50.0, 3840.0, 2160.0), 3.0);
        assert_eq!(fit_zoom(0.0, 50.0, 3840.0, 2160.0), 1.0);
    }
}
