//! What an approximate kernel returns: its output and the size of its largest scratch buffer.

use crate::attention::matrix::Matrix;

/// The output O of an approximate attention kernel, with the length (in `f32` values) of the largest
/// intermediate buffer the kernel allocated besides its inputs and O itself.
///
/// `peak_intermediate_len` is how the tests check the memory claim of each method: a linear-time
/// kernel keeps it at O(N·d) (feature matrices, a d×d′ summary), the quadratic order at N².
#[derive(Clone, Debug, PartialEq)]
pub struct ApproxOutput {
    /// N × d_v output rows, one per query.
    pub output: Matrix,
    /// Length of the largest intermediate buffer, in `f32` values.
    pub peak_intermediate_len: usize,
}
