//! Approximations of softmax attention and attention-free token mixers (issue 5).
//!
//! Each method lives in its own file: [`linformer`] (low-rank projection along the sequence),
//! [`linear`] (kernelised attention with elu + 1 features), [`performer`] (FAVOR+ random features),
//! [`synthesizer`] (learned/random logits without query–key products) and [`mixer`] (MLP-Mixer token
//! mixing). [`implied`] turns each into the N×N matrix a view can draw, [`metrics`] measures it against
//! exact attention, [`cost`] counts FLOPs and memory, and [`sweeps`] runs the curves the view plots.
//! Every random quantity is drawn from `rng::stream(seed, label)` with a label per method.

pub mod cost;
pub mod example_head;
pub mod fixed_length;
pub mod implied;
pub mod linear;
pub mod linformer;
pub mod method;
pub mod metrics;
pub mod mixer;
pub mod output;
pub mod performer;
pub mod sweeps;
pub mod synthesizer;
