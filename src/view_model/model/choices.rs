//! The real-model view's enum-valued keys, each variant's URL word and label id declared once.

/// Which tokens the model reads: the reader's prompt, or the standard induction test (a random run
/// of tokens followed by the same run again; Olsson et al. 2022).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    Prompt,
    Repeat,
}

crate::url_choice!(Input {
    Input::Prompt => ("prompt", "model.input.prompt"),
    Input::Repeat => ("repeat", "model.input.repeat"),
});

/// How generation picks each next token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sampling {
    /// The most probable token (argmax).
    Greedy,
    /// A draw from softmax(logits / T) over the top 40, seeded.
    Sample,
}

crate::url_choice!(Sampling {
    Sampling::Greedy => ("greedy", "model.sample.greedy"),
    Sampling::Sample => ("sample", "model.sample.sample"),
});

/// The per-head score the head finder colours and sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Score {
    /// Mean weight on the previous token.
    Previous,
    /// Mean weight on the token after the previous occurrence of the current one (repeated input).
    Induction,
    /// Mean weight on the first token (the attention sink).
    First,
    /// Mean weight on the token itself.
    Own,
}

crate::url_choice!(Score {
    Score::Previous => ("prev", "model.score.prev"),
    Score::Induction => ("induction", "model.score.induction"),
    Score::First => ("first", "model.score.first"),
    Score::Own => ("self", "model.score.self"),
});

impl Score {
    /// Index into a head's four scores ([previous, induction, first, self]).
    pub fn index(self) -> usize {
        match self {
            Score::Previous => 0,
            Score::Induction => 1,
            Score::First => 2,
            Score::Own => 3,
        }
    }
}

/// What replaces the model's own attention in the chosen layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Nothing: the model as trained.
    None,
    /// Each token sees only the previous w tokens and itself (sliding window).
    Local,
    /// Window plus every s-th earlier token (Child et al. 2019).
    Strided,
    /// Longformer: window plus global tokens (Beltagy et al. 2020), kept causal.
    Longformer,
    /// BigBird: window, global and random blocks (Zaheer et al. 2020), kept causal.
    BigBird,
    /// Reformer LSH buckets of the keys (Kitaev et al. 2020), kept causal.
    Lsh,
    /// Causal linear attention, φ = elu + 1 (Katharopoulos et al. 2020).
    Linear,
    /// Causal Performer FAVOR+ with m positive random features (Choromanski et al. 2021).
    Performer,
}

crate::url_choice!(Change {
    Change::None => ("none", "model.change.none"),
    Change::Local => ("local", "sparse.pattern.local"),
    Change::Strided => ("strided", "sparse.pattern.strided"),
    Change::Longformer => ("longformer", "sparse.pattern.longformer"),
    Change::BigBird => ("bigbird", "sparse.pattern.bigbird"),
    Change::Lsh => ("lsh", "sparse.pattern.lsh"),
    Change::Linear => ("linear", "model.change.linear"),
    Change::Performer => ("performer", "model.change.performer"),
});
