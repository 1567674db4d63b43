//! English messages of the home page and of the words inside typeset formulas.

/// (id, text) pairs.
pub const MESSAGES: &[(&str, &str)] = &[
    ("nav.home", "Home"),
    ("home.title", "Attention Atlas"),
    (
        "home.intro1",
        "Attention Atlas computes the attention mechanisms of transformers live in your browser: every map, mask and memory figure on these pages is the real computation, redone when you move a slider.",
    ),
    (
        "home.intro2",
        "Six chapters follow the lectures: scaled dot-product attention, multi-head attention and its cheaper cousins MQA, GQA and MLA, sparse attention patterns, linear-time approximations, measured speed, and a real language model.",
    ),
    (
        "home.intro3",
        "Every view is a permalink you can share or embed, and nothing leaves your machine: the page works offline.",
    ),
    ("home.chapters", "Chapters"),
    ("home.open", "Open the chapter →"),
    ("home.lang", "Language:"),
    ("home.card.sdpa", "Q·Kᵀ, the 1/√d scale, the causal mask, softmax rows and ×V, head by head."),
    ("home.card.heads", "MHA, MQA, GQA and MLA side by side, RoPE, and the KV cache of real models."),
    ("home.card.sparse", "Local, strided, global, Longformer, BigBird, Reformer's LSH and Sinkhorn masks."),
    ("home.card.approx", "Linformer, linear attention, Performer, Synthesizer and MLP mixing against exact attention."),
    ("home.card.speed", "Every kernel timed in your browser, and speed against quality."),
    (
        "home.card.model",
        "SmolLM2-135M (a 98 MB download, 30 layers, 9 query heads sharing 3 K/V heads): its real attention, token by token. Nothing is loaded here — load it in its chapter.",
    ),
    ("home.thumb", "A {n}×{n} example computed by the engine for this card"),
    ("home.thumb.speed", "Cost of exact attention in FLOPs (log scale): rows d_model 16 … 512, columns N 16 … 16384"),
    ("formula.kv_per_token", "KV cache per token per layer"),
    ("formula.if_allowed", "if (i, j) is in the pattern"),
    ("formula.otherwise", "otherwise"),
    ("formula.or", "or"),
    ("formula.causal", "causal"),
    ("formula.then", "then"),
    ("formula.layers", "layers"),
    (
        "sparse.formula",
        "softmax(Q·Kᵀ/√d + M)·V, where M_ij = 0 if (i, j) is in the pattern and −∞ otherwise.",
    ),
];
