//! ChaCha8 four blocks at a time, one block per lane of `[u32; 4]` words: the same keystream as
//! `rand_chacha::ChaCha8Rng` (Bernstein 2008, "ChaCha, a variant of Salsa20": 4 double rounds of
//! quarter-rounds with rotations 16, 12, 8, 7; state = constants, 256-bit key, 64-bit block counter in
//! words 12–13, 64-bit stream in words 14–15), written so that LLVM turns every lane operation into
//! one wasm simd128 instruction (and, under wasm simd128, written with its intrinsics). `rand_chacha`'s portable backend, the one wasm gets, keeps its state
//! in `u128`s and was 2.6 ns per random byte in the page: the largest part of a seed change.
//!
//! [`draw_from`] continues a `ChaCha8Rng` with this core and hands the position back, so a caller
//! gets exactly the numbers `rand_chacha` would have given (module tests compare the streams).

use rand::rand_core::block::{BlockRng, BlockRngCore};
use rand_chacha::ChaCha8Rng;

/// Words per ChaCha block.
const BLOCK_WORDS: usize = 16;
/// Blocks per refill (as `rand_chacha`: its `BlockRng` buffer holds 4 blocks).
const BLOCKS: usize = 4;

/// Four blocks of output, in block order.
#[derive(Clone)]
pub struct Results(pub [u32; BLOCK_WORDS * BLOCKS]);

impl Default for Results {
    fn default() -> Self {
        Self([0; BLOCK_WORDS * BLOCKS])
    }
}
impl AsRef<[u32]> for Results {
    fn as_ref(&self) -> &[u32] {
        &self.0
    }
}
impl AsMut<[u32]> for Results {
    fn as_mut(&mut self) -> &mut [u32] {
        &mut self.0
    }
}

/// The ChaCha8 block function over four consecutive counters.
#[derive(Clone)]
pub struct Core {
    key: [u32; 8],
    /// The next block to generate.
    block: u64,
    stream: u64,
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
type Lanes = [u32; 4];

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn add(a: Lanes, b: Lanes) -> Lanes {
    [
        a[0].wrapping_add(b[0]),
        a[1].wrapping_add(b[1]),
        a[2].wrapping_add(b[2]),
        a[3].wrapping_add(b[3]),
    ]
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn xor_rot(a: Lanes, b: Lanes, r: u32) -> Lanes {
    [
        (a[0] ^ b[0]).rotate_left(r),
        (a[1] ^ b[1]).rotate_left(r),
        (a[2] ^ b[2]).rotate_left(r),
        (a[3] ^ b[3]).rotate_left(r),
    ]
}

/// The quarter-round on words a, b, c, d of every lane.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn quarter(x: &mut [Lanes; 16], a: usize, b: usize, c: usize, d: usize) {
    x[a] = add(x[a], x[b]);
    x[d] = xor_rot(x[d], x[a], 16);
    x[c] = add(x[c], x[d]);
    x[b] = xor_rot(x[b], x[c], 12);
    x[a] = add(x[a], x[b]);
    x[d] = xor_rot(x[d], x[a], 8);
    x[c] = add(x[c], x[d]);
    x[b] = xor_rot(x[b], x[c], 7);
}

impl Core {
    /// The core `rng` runs on, positioned at `rng`'s next block boundary at or before its word.
    fn of(rng: &ChaCha8Rng) -> Self {
        let seed = rng.get_seed();
        let key = std::array::from_fn(|i| {
            u32::from_le_bytes([seed[4 * i], seed[4 * i + 1], seed[4 * i + 2], seed[4 * i + 3]])
        });
        Self {
            key,
            block: 0,
            stream: rng.get_stream(),
        }
    }
}

/// "expand 32-byte k", ChaCha's constant words 0–3.
const K: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// The block function with wasm simd128 vectors: one `v128` per state word, a block per lane.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::*;

    #[inline(always)]
    fn rot(x: v128, r: u32) -> v128 {
        v128_or(u32x4_shl(x, r), u32x4_shr(x, 32 - r))
    }

    #[inline(always)]
    fn quarter(x: &mut [v128; 16], a: usize, b: usize, c: usize, d: usize) {
        x[a] = u32x4_add(x[a], x[b]);
        x[d] = rot(v128_xor(x[d], x[a]), 16);
        x[c] = u32x4_add(x[c], x[d]);
        x[b] = rot(v128_xor(x[b], x[c]), 12);
        x[a] = u32x4_add(x[a], x[b]);
        x[d] = rot(v128_xor(x[d], x[a]), 8);
        x[c] = u32x4_add(x[c], x[d]);
        x[b] = rot(v128_xor(x[b], x[c]), 7);
    }

    /// Four blocks from `key`, counters `block .. block + 4` and `stream`, into `out` in block order.
    pub fn blocks(key: &[u32; 8], block: u64, stream: u64, out: &mut [u32; 64]) {
        let c = |b: u64| block.wrapping_add(b);
        let mut init = [u32x4_splat(0); 16];
        for (w, k) in super::K.iter().enumerate() {
            init[w] = u32x4_splat(*k);
        }
        for (w, k) in key.iter().enumerate() {
            init[4 + w] = u32x4_splat(*k);
        }
        init[12] = u32x4(c(0) as u32, c(1) as u32, c(2) as u32, c(3) as u32);
        init[13] = u32x4(
            (c(0) >> 32) as u32,
            (c(1) >> 32) as u32,
            (c(2) >> 32) as u32,
            (c(3) >> 32) as u32,
        );
        init[14] = u32x4_splat(stream as u32);
        init[15] = u32x4_splat((stream >> 32) as u32);
        let mut x = init;
        for _ in 0..4 {
            quarter(&mut x, 0, 4, 8, 12);
            quarter(&mut x, 1, 5, 9, 13);
            quarter(&mut x, 2, 6, 10, 14);
            quarter(&mut x, 3, 7, 11, 15);
            quarter(&mut x, 0, 5, 10, 15);
            quarter(&mut x, 1, 6, 11, 12);
            quarter(&mut x, 2, 7, 8, 13);
            quarter(&mut x, 3, 4, 9, 14);
        }
        for w in 0..16 {
            let v = u32x4_add(x[w], init[w]);
            out[w] = u32x4_extract_lane::<0>(v);
            out[16 + w] = u32x4_extract_lane::<1>(v);
            out[32 + w] = u32x4_extract_lane::<2>(v);
            out[48 + w] = u32x4_extract_lane::<3>(v);
        }
    }
}

impl BlockRngCore for Core {
    type Item = u32;
    type Results = Results;

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn generate(&mut self, out: &mut Results) {
        simd::blocks(&self.key, self.block, self.stream, &mut out.0);
        self.block = self.block.wrapping_add(BLOCKS as u64);
    }

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    fn generate(&mut self, out: &mut Results) {
        let counters: [u64; 4] = std::array::from_fn(|b| self.block.wrapping_add(b as u64));
        let mut init = [[0u32; 4]; 16];
        for (w, k) in K.iter().enumerate() {
            init[w] = [*k; 4];
        }
        for (w, k) in self.key.iter().enumerate() {
            init[4 + w] = [*k; 4];
        }
        init[12] = counters.map(|c| c as u32);
        init[13] = counters.map(|c| (c >> 32) as u32);
        init[14] = [self.stream as u32; 4];
        init[15] = [(self.stream >> 32) as u32; 4];
        let mut x = init;
        for _ in 0..4 {
            quarter(&mut x, 0, 4, 8, 12);
            quarter(&mut x, 1, 5, 9, 13);
            quarter(&mut x, 2, 6, 10, 14);
            quarter(&mut x, 3, 7, 11, 15);
            quarter(&mut x, 0, 5, 10, 15);
            quarter(&mut x, 1, 6, 11, 12);
            quarter(&mut x, 2, 7, 8, 13);
            quarter(&mut x, 3, 4, 9, 14);
        }
        for w in 0..BLOCK_WORDS {
            let v = add(x[w], init[w]);
            for (b, word) in v.iter().enumerate() {
                out.0[b * BLOCK_WORDS + w] = *word;
            }
        }
        self.block = self.block.wrapping_add(BLOCKS as u64);
    }
}

/// Runs `f` on a generator that continues `rng` word for word, then moves `rng` past every word `f`
/// used: the numbers are exactly those `rng` itself would have given.
pub fn draw_from<R>(rng: &mut ChaCha8Rng, f: impl FnOnce(&mut BlockRng<Core>) -> R) -> R {
    let start = rng.get_word_pos();
    let mut core = Core::of(rng);
    core.block = (start / BLOCK_WORDS as u128) as u64;
    let mut fast = BlockRng::new(core);
    fast.generate_and_set((start % BLOCK_WORDS as u128) as usize);
    let out = f(&mut fast);
    // The buffer holds blocks [block − 4, block); `index` words of it are used.
    let buffer_start = fast.core.block.wrapping_sub(BLOCKS as u64) as u128 * BLOCK_WORDS as u128;
    rng.set_word_pos(buffer_start + fast.index() as u128);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngCore, SeedableRng};

    fn reference(seed: u64, stream: u64) -> ChaCha8Rng {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        r.set_stream(stream);
        r
    }

    #[test]
    fn the_four_lane_core_gives_rand_chachas_stream_word_for_word() {
        for (seed, stream) in [(0u64, 0u64), (7, 0xdead_beef_0123_4567), (u64::MAX, 1)] {
            let mut want = reference(seed, stream);
            let mut ours = reference(seed, stream);
            let got: Vec<u64> = draw_from(&mut ours, |r| (0..1000).map(|_| r.next_u64()).collect());
            let expect: Vec<u64> = (0..1000).map(|_| want.next_u64()).collect();
            assert_eq!(got, expect, "seed {seed} stream {stream}");
            // Both are left at the same place: the next words agree too.
            assert_eq!(ours.next_u32(), want.next_u32());
            assert_eq!(ours.get_word_pos(), want.get_word_pos());
        }
    }

    #[test]
    fn it_picks_up_mid_block_and_mid_buffer_and_mixes_word_sizes() {
        for skip in [0usize, 1, 15, 16, 17, 63, 64, 65, 127] {
            let mut want = reference(3, 9);
            let mut ours = reference(3, 9);
            for _ in 0..skip {
                want.next_u32();
                ours.next_u32();
            }
            let got: Vec<u64> = draw_from(&mut ours, |r| {
                (0..77)
                    .map(|i| if i % 3 == 0 { r.next_u32() as u64 } else { r.next_u64() })
                    .collect()
            });
            let expect: Vec<u64> = (0..77)
                .map(|i| {
                    if i % 3 == 0 {
                        want.next_u32() as u64
                    } else {
                        want.next_u64()
                    }
                })
                .collect();
            assert_eq!(got, expect, "after {skip} words");
            assert_eq!(ours.get_word_pos(), want.get_word_pos(), "after {skip} words");
        }
    }
}
