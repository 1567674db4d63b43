//! Simplified Chinese messages of the home page and of the words inside typeset formulas.

/// (id, text) pairs; every id must exist in the English catalogue with the same placeholders.
pub const MESSAGES: &[(&str, &str)] = &[
    ("nav.home", "首页"),
    ("home.title", "Attention Atlas · 注意力图谱"),
    (
        "home.intro1",
        "Attention Atlas 在你的浏览器里实时计算 Transformer 的注意力机制：这些页面上的每一张注意力图、每一个掩码和每一个内存数字都是真实的计算结果，拖动滑块即重新计算。",
    ),
    (
        "home.intro2",
        "六个章节沿着讲义的顺序展开：缩放点积注意力，多头注意力及其更省内存的变体——多查询注意力（MQA）、分组查询注意力（GQA）和多头潜在注意力（MLA），稀疏注意力模式，线性复杂度的近似注意力，实测速度，以及一个真实的语言模型。",
    ),
    (
        "home.intro3",
        "每个视图都是可以分享或嵌入的永久链接，所有数据都不会离开你的电脑：页面可离线使用。",
    ),
    ("home.chapters", "章节"),
    ("home.open", "打开本章 →"),
    ("home.lang", "语言："),
    ("home.card.sdpa", "Q·Kᵀ、1/√d 缩放、因果掩码、逐行 softmax 与 ×V，逐个注意力头展示。"),
    ("home.card.heads", "多头注意力、多查询注意力、分组查询注意力与多头潜在注意力的对比，旋转位置编码（RoPE），以及真实模型的键值缓存。"),
    ("home.card.sparse", "局部注意力、步长注意力、全局注意力、Longformer、BigBird、Reformer 的局部敏感哈希与 Sinkhorn 掩码。"),
    ("home.card.approx", "Linformer、线性注意力、Performer、Synthesizer 与 MLP 混合，与精确注意力逐一对照。"),
    ("home.card.speed", "每个算子都在你的浏览器里计时，并比较速度与质量。"),
    (
        "home.card.model",
        "SmolLM2-135M（需下载 98 MB，30 层，9 个查询头共享 3 个键值头）：逐词元查看它真实的注意力。这里不加载任何东西——请在本章中加载。",
    ),
    ("home.thumb", "引擎为这张卡片计算的 {n}×{n} 示例"),
    ("home.thumb.speed", "精确注意力的计算量（FLOPs，对数刻度）：行为 d_model 16 … 512，列为 N 16 … 16384"),
    ("formula.kv_per_token", "每层每个词元的键值缓存"),
    ("formula.if_allowed", "若 (i, j) 属于该模式"),
    ("formula.otherwise", "否则"),
    ("formula.or", "或"),
    ("formula.causal", "因果"),
    ("formula.then", "然后"),
    ("formula.layers", "层"),
    (
        "sparse.formula",
        "softmax(Q·Kᵀ/√d + M)·V，其中若 (i, j) 属于该模式则 M_ij = 0，否则为 −∞。",
    ),
];
