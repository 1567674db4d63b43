//! English messages of the figure toolbars, embeds, themes, colour maps and the controls drawer.

/// (id, text) pairs.
pub const MESSAGES: &[(&str, &str)] = &[
    ("fig.tools", "Figure tools"),
    ("fig.share", "Share"),
    ("fig.embed", "Embed"),
    ("fig.png", "PNG"),
    ("fig.png2", "PNG 2×"),
    ("fig.svg", "SVG"),
    ("fig.csv", "CSV"),
    ("fig.json", "JSON"),
    ("fig.copied", "Link to this figure copied."),
    ("fig.no_svg", "No SVG for this figure (too many cells, or nothing drawn): use PNG."),
    (
        "fig.embed_hint",
        "Paste into a page: this figure alone, with its current settings, sized to fit (see the README for the resize script).",
    ),
    ("ui.fig", "Figure"),
    ("ui.controls", "Controls"),
    ("ui.theme", "Colour theme"),
    ("ui.theme_toggle", "Light / dark"),
    ("ui.cmap", "Colours"),
    ("theme.auto", "System"),
    ("theme.light", "Light"),
    ("theme.dark", "Dark"),
    ("cmap.viridis", "Viridis"),
    ("cmap.cividis", "Cividis (colour-blind-safe)"),
    ("cmap.magma", "Magma"),
    ("ui.drawer_open", "☰ Controls"),
    ("ui.drawer_close", "✕ Close controls"),
    ("fig.no_png", "Nothing drawn yet: run or change the figure first."),
];
