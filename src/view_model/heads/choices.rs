//! The heads view's choices: the panels (`part`), the RoPE base (`theta`), the URL words of the RoPE
//! layout and of the number formats, and the calculator's model preset (`model`), a key over a table
//! of real models rather than an enum.

use crate::attention::heads::kv_cache::Dtype;
use crate::attention::heads::presets::{default_preset, ModelPreset, PRESETS};
use crate::attention::heads::rope::{RopeLayout, LLAMA2_ROPE_THETA, LLAMA3_ROPE_THETA};
use crate::view_model::params::{NoticeReason, ParamReader};
use crate::view_model::schema::ParamSpec;

/// Which panels the view shows (`part=`): all of them, or one alone for an embed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    All,
    /// The KV-cache calculator with its bars, table and chart.
    Memory,
    /// The K/V sharing diagram and maps.
    Sharing,
    /// Latent attention and the low-rank curve.
    Mla,
    /// The RoPE panel.
    Rope,
}

crate::url_choice!(Part {
    Part::All => ("all", "heads.part.all"),
    Part::Memory => ("memory", "heads.part.memory"),
    Part::Sharing => ("sharing", "heads.part.sharing"),
    Part::Mla => ("mla", "heads.part.mla"),
    Part::Rope => ("rope", "heads.part.rope"),
});

impl Part {
    /// Whether panel `panel` is shown under this setting.
    pub fn shows(self, panel: Part) -> bool {
        self == Part::All || self == panel
    }

    /// Whether the toy layer's controls are needed (the sharing and MLA panels use them).
    pub fn needs_toy_controls(self) -> bool {
        matches!(self, Part::All | Part::Sharing | Part::Mla)
    }
}

/// The RoPE bases offered: LLaMA-2's (RoFormer's) and LLaMA-3's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RopeBase {
    /// θ = 10,000 (RoFormer, LLaMA-2).
    Llama2,
    /// θ = 500,000 (LLaMA-3).
    Llama3,
}

crate::url_choice!(RopeBase {
    RopeBase::Llama2 => ("10000", "heads.rope.theta.llama2"),
    RopeBase::Llama3 => ("500000", "heads.rope.theta.llama3"),
});

impl RopeBase {
    /// The base θ.
    pub fn theta(self) -> f64 {
        match self {
            RopeBase::Llama2 => LLAMA2_ROPE_THETA,
            RopeBase::Llama3 => LLAMA3_ROPE_THETA,
        }
    }
}

crate::url_choice!(RopeLayout {
    RopeLayout::RotateHalf => ("half", "heads.rope.layout.half"),
    RopeLayout::Interleaved => ("interleaved", "heads.rope.layout.interleaved"),
});

crate::url_choice!(Dtype {
    Dtype::F32 => ("fp32", "heads.dtype.fp32"),
    Dtype::F16 => ("fp16", "heads.dtype.fp16"),
    Dtype::Bf16 => ("bf16", "heads.dtype.bf16"),
    Dtype::Fp8 => ("fp8", "heads.dtype.fp8"),
    Dtype::Int4 => ("int4", "heads.dtype.int4"),
});

/// The calculator's model: one of [`PRESETS`], named by its id (`model=llama2-7b`).
///
/// The presets are data (a table of real models), not an enum, so this key is its own kind of
/// schema row: it reads and lists the preset ids, and labels each option with the model's name.
pub struct PresetParam {
    pub key: &'static str,
    pub label: &'static str,
    pub doc: &'static str,
}

impl PresetParam {
    /// The preset named in the query (the default preset when absent; unknown ids → default with a
    /// notice listing the known ones).
    pub fn read(&self, r: &mut ParamReader<'_>) -> &'static ModelPreset {
        let Some(raw) = r.raw(self.key) else {
            return default_preset();
        };
        PRESETS
            .iter()
            .find(|p| p.id.eq_ignore_ascii_case(&raw))
            .unwrap_or_else(|| {
                let allowed = PRESETS.iter().map(|p| p.id).collect();
                r.note(
                    self.key,
                    raw,
                    default_preset().id.into(),
                    NoticeReason::UnknownChoice { allowed },
                );
                default_preset()
            })
    }
}

impl ParamSpec for PresetParam {
    fn key(&self) -> &'static str {
        self.key
    }
    fn doc(&self) -> &'static str {
        self.doc
    }
    fn values(&self) -> String {
        PRESETS
            .iter()
            .map(|p| format!("`{}`", p.id))
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn default_text(&self) -> String {
        format!("`{}`", default_preset().id)
    }
}
