//! English messages of the engine's refusals (`attention::message::Message` ids) and of the budget.

/// (id, text) pairs; ids start with `error.`.
pub const MESSAGES: &[(&str, &str)] = &[
    ("error.zero", "{what} must be at least 1."),
    ("error.heads_divide", "{heads} heads do not divide d_model = {d_model}."),
    (
        "error.kv_divide",
        "{kv} key/value heads do not divide {heads} query heads.",
    ),
    (
        "error.odd_rope",
        "The RoPE width {d} is odd; RoPE rotates pairs of coordinates.",
    ),
    ("error.width", "{what} has width {got}, expected {expected}."),
    (
        "error.svd",
        "The singular value decomposition failed (a non-finite entry or no convergence).",
    ),
    (
        "error.too_long",
        "N = {n} is longer than the {max} positions these position-indexed weights were drawn for.",
    ),
    ("error.no_causal", "{method} has no causal form."),
    (
        "error.not_square",
        "A {rows}×{cols} pattern cannot be stacked into layers: it must be square.",
    ),
    ("error.qk_width", "Queries have width {q} but keys have width {k}."),
    ("error.kv_length", "{k} keys but {v} values."),
    (
        "error.pattern_shape",
        "The pattern is {shape} but attention is {expected}.",
    ),
    (
        "error.budget_time",
        "This would take about {need} of work, more than the {limit} one recomputation may take here; {fits}.",
    ),
    (
        "error.budget",
        "This would need about {need} of memory, more than the {limit} this page allows itself; {fits}.",
    ),
];
