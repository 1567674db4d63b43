//! The approximations view's enum-valued keys: each variant with its URL word and its label's message
//! id, declared once (`url_choice!`).

use crate::attention::approx::linformer::ProjectionKind;
use crate::attention::approx::performer::FeatureKind;
use crate::attention::approx::synthesizer::SynthesizerKind;

/// Which approximation the view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodChoice {
    Performer,
    Linear,
    Linformer,
    Synthesizer,
    Mixer,
}

crate::url_choice!(MethodChoice {
    MethodChoice::Performer => ("performer", "approx.method.performer"),
    MethodChoice::Linear => ("linear", "approx.method.linear"),
    MethodChoice::Linformer => ("linformer", "approx.method.linformer"),
    MethodChoice::Synthesizer => ("synthesizer", "approx.method.synthesizer"),
    MethodChoice::Mixer => ("mixer", "approx.method.mixer"),
});

impl MethodChoice {
    /// Whether the method has a causal form (linear attention and the Performer).
    pub fn supports_causal(self) -> bool {
        matches!(self, MethodChoice::Linear | MethodChoice::Performer)
    }
}

/// The head widths offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadWidth {
    D8,
    D16,
    D32,
    D64,
}

crate::url_choice!(HeadWidth {
    HeadWidth::D8 => ("8", "approx.d.8"),
    HeadWidth::D16 => ("16", "approx.d.16"),
    HeadWidth::D32 => ("32", "approx.d.32"),
    HeadWidth::D64 => ("64", "approx.d.64"),
});

impl HeadWidth {
    /// d.
    pub fn size(self) -> usize {
        match self {
            HeadWidth::D8 => 8,
            HeadWidth::D16 => 16,
            HeadWidth::D32 => 32,
            HeadWidth::D64 => 64,
        }
    }
}

crate::url_choice!(ProjectionKind {
    ProjectionKind::MeanPool => ("mean", "approx.proj.mean"),
    ProjectionKind::Gaussian => ("gaussian", "approx.proj.gaussian"),
});

crate::url_choice!(FeatureKind {
    FeatureKind::Positive => ("positive", "approx.features.positive"),
    FeatureKind::Trigonometric => ("trig", "approx.features.trig"),
});

crate::url_choice!(SynthesizerKind {
    SynthesizerKind::Dense => ("dense", "approx.synth.dense"),
    SynthesizerKind::Random => ("random", "approx.synth.random"),
    SynthesizerKind::FactorizedDense => ("fdense", "approx.synth.fdense"),
    SynthesizerKind::FactorizedRandom => ("frandom", "approx.synth.frandom"),
});
