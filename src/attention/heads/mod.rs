//! Chapter "MHA · MQA · GQA · MLA": how many key/value heads attention keeps, how positions enter
//! through rotations (RoPE), how DeepSeek's latent attention compresses the cache, and what all of it
//! costs in memory for real models.

pub mod error;
pub mod grouped;
pub mod kv_cache;
pub mod low_rank;
pub mod mla;
pub mod presets;
pub mod rope;
pub mod total_variation;
pub mod variants;
