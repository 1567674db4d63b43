//! English messages shared by the whole app: shell, navigation, notices, legends.

/// (id, text) pairs.
pub const MESSAGES: &[(&str, &str)] = &[
    ("app.title", "Attention Atlas"),
    ("app.tagline", "Attention mechanisms, computed live in your browser."),
    ("nav.sdpa", "Scaled dot-product"),
    ("nav.heads", "MHA · GQA · MLA"),
    ("nav.sparse", "Sparse patterns"),
    ("nav.approx", "Approximations"),
    ("nav.speed", "Speed"),
    ("nav.aria", "Chapters"),
    ("ui.copy_link", "Copy link"),
    ("ui.copied", "Link copied to the clipboard."),
    ("ui.copy_failed", "Copy this link:"),
    ("ui.embed", "Embed code"),
    (
        "ui.embed_hint",
        "Paste into a blog post: the view renders alone, with its current settings.",
    ),
    ("ui.computing", "Computing… {pct}%"),
    ("ui.notices", "Some parameters were adjusted:"),
    ("ui.dismiss", "Dismiss"),
    ("ui.open_full", "Open in Attention Atlas"),
    ("ui.lang", "Language"),
    ("lang.en", "English"),
    ("lang.zh", "中文"),
    ("ui.error", "This configuration cannot be computed: {msg}"),
    ("notice.range", "{key}={given} is outside {min}…{max}; using {used}."),
    ("notice.nan", "{key}={given} is not a valid value; using {used}."),
    (
        "notice.allowed",
        "{key}={given} is not one of {allowed}; using the nearest, {used}.",
    ),
    ("ui.new_seed", "New seed"),
    ("notice.choice", "{key}={given} is not one of {allowed}; using {used}."),
    ("notice.too_long", "{key} is longer than {max}; using the first {max}."),
    (
        "error.panic",
        "Attention Atlas hit an internal error: {msg}. Reload the page; if it happens again, please report this URL.",
    ),
    (
        "footer.text",
        "Computed in your browser with Rust and WebAssembly. Nothing is sent anywhere; the page works offline.",
    ),
    (
        "legend.weight",
        "attention weight (the top 0.5% of cells share the brightest colour)",
    ),
    ("legend.score", "score"),
    ("legend.value", "value"),
    ("legend.masked", "masked"),
    ("pool.none", "one cell per (query, key) pair"),
    (
        "pool.max",
        "{n}×{n} matrix shown at {px}×{px}: each pixel is the maximum of its block",
    ),
    (
        "pool.mean",
        "{n}×{n} matrix shown at {px}×{px}: each pixel is the mean of its block",
    ),
    ("pool.label.max", "max"),
    ("pool.label.mean", "mean"),
];
