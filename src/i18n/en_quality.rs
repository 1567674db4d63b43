//! English messages of the Speed chapter's speed-against-quality chart (`quality=1`).

/// (id, text) pairs; ids start with `quality.`.
pub const MESSAGES: &[(&str, &str)] = &[
    ("quality.run", "Speed against quality"),
    ("quality.title", "Speed against quality at N = {n}, measured here"),
    ("quality.caption", "Every kernel on the same seeded Q, K and V. x: its speed relative to exact attention, timed now (best of two calls). y: its fidelity to exact attention, 1 − ‖O − O_exact‖ / ‖O_exact‖. Bubble area: the peak memory its call allocated, relative to exact attention's. Grey diamonds: the published Long Range Arena results (Tay et al. 2021): speed-up at 4K (Table 2), average score relative to the Transformer's 54.39 (Table 1), area by memory at 4K. The inputs have the locality of language: each query and key carries a code of its position, so exact attention falls off over about 8 tokens, as most heads of trained models do. Patterns that keep the nearby pairs stay close to it; methods that smooth the softmax kernel over all 4096 keys lose its peaks (fidelity 0: error of 100% or more)."),
    ("quality.x", "speed-up over exact attention (log scale)"),
    ("quality.y", "fidelity · LRA score ÷ Transformer's"),
    ("quality.measured", "measured here: fidelity to exact attention"),
    ("quality.lra.legend", "Long Range Arena, published"),
    ("quality.button", "Measure (a few seconds)"),
    ("quality.stop", "Stop"),
    ("quality.again", "Measure again"),
    ("quality.empty", "Press Measure to time every kernel at N = 4096 against exact attention and measure its error and memory."),
    ("quality.col.method", "method"),
    ("quality.col.ms", "time"),
    ("quality.col.speedup", "speed-up"),
    ("quality.col.error", "relative error"),
    ("quality.col.fidelity", "fidelity"),
    ("quality.col.memory", "peak memory"),
    ("quality.lra_note", "The two layers measure different things: LRA's are training speed on TPUs and accuracy on five tasks after training; ours are one untrained layer's speed on this device and how closely it reproduces exact attention. Compare where the methods sit, not the values."),
];
