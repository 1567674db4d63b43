//! `F4`: four f32 lanes, the one vector type of the hand-tiled kernels ([`crate::attention::fast_exact`]).
//!
//! On wasm32 with `simd128` it is a `v128` and every method is one wasm SIMD instruction (loads are
//! unaligned, which wasm allows); elsewhere it is `[f32; 4]` with lane-wise loops, which the native
//! compiler turns into SSE/NEON. Both compute the same IEEE operations in the same order, so a kernel
//! written with `F4` gives bit-identical results natively and in the browser (no FMA: a·b + c rounds
//! twice, as the scalar reference does).

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::*;

    /// Four f32 lanes in a wasm `v128`.
    #[derive(Clone, Copy)]
    pub struct F4(v128);

    impl F4 {
        #[inline(always)]
        pub fn splat(x: f32) -> F4 {
            F4(f32x4_splat(x))
        }
        /// Lanes `p[0..4]`.
        /// # Safety
        /// `p..p + 4` must be readable.
        #[inline(always)]
        pub unsafe fn load(p: *const f32) -> F4 {
            F4(unsafe { v128_load(p as *const v128) })
        }
        /// `*p` in every lane (`v128.load32_splat`: one load, no shuffle).
        /// # Safety
        /// `p` must be readable.
        #[inline(always)]
        pub unsafe fn load_splat(p: *const f32) -> F4 {
            F4(unsafe { v128_load32_splat(p as *const u32) })
        }
        /// Writes the lanes to `p[0..4]`.
        /// # Safety
        /// `p..p + 4` must be writable.
        #[inline(always)]
        pub unsafe fn store(self, p: *mut f32) {
            unsafe { v128_store(p as *mut v128, self.0) }
        }
        #[inline(always)]
        pub fn add(self, o: F4) -> F4 {
            F4(f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        pub fn sub(self, o: F4) -> F4 {
            F4(f32x4_sub(self.0, o.0))
        }
        #[inline(always)]
        pub fn mul(self, o: F4) -> F4 {
            F4(f32x4_mul(self.0, o.0))
        }
        /// a·b + self in one `f32x4.relaxed_madd` (relaxed SIMD): fused, rounded once, where the
        /// CPU has FMA; a multiply and an add where it does not.
        ///
        /// # Safety
        /// Only in a module built for relaxed SIMD (the engine's `relaxed-simd` feature), from a
        /// function compiled with that target feature, so the intrinsic inlines.
        #[cfg(feature = "relaxed-simd")]
        #[inline(always)]
        pub unsafe fn relaxed_madd(self, a: F4, b: F4) -> F4 {
            F4(f32x4_relaxed_madd(a.0, b.0, self.0))
        }
        /// Lane-wise `if o > self { o } else { self }` (`f32x4.pmax`: one `maxps`, NaN in `o` ignored).
        #[inline(always)]
        pub fn max(self, o: F4) -> F4 {
            F4(f32x4_pmax(self.0, o.0))
        }
        /// Lane-wise ⌊x⌋.
        #[inline(always)]
        pub fn floor(self) -> F4 {
            F4(f32x4_floor(self.0))
        }
        /// Lane-wise `if x < t { 0 } else { self }`.
        #[inline(always)]
        pub fn zero_where_below(self, x: F4, t: F4) -> F4 {
            F4(v128_andnot(self.0, f32x4_lt(x.0, t.0)))
        }
        /// The bits of each lane shifted left by `s` (as u32).
        #[inline(always)]
        pub fn shl_bits(self, s: u32) -> F4 {
            F4(i32x4_shl(self.0, s))
        }
        #[inline(always)]
        pub fn lanes(self) -> [f32; 4] {
            [
                f32x4_extract_lane::<0>(self.0),
                f32x4_extract_lane::<1>(self.0),
                f32x4_extract_lane::<2>(self.0),
                f32x4_extract_lane::<3>(self.0),
            ]
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod imp {
    /// Four f32 lanes as an array (the compiler vectorises the lane loops).
    #[derive(Clone, Copy)]
    pub struct F4([f32; 4]);

    #[inline(always)]
    fn map2(a: [f32; 4], b: [f32; 4], f: impl Fn(f32, f32) -> f32) -> F4 {
        F4([f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])])
    }

    impl F4 {
        #[inline(always)]
        pub fn splat(x: f32) -> F4 {
            F4([x; 4])
        }
        /// # Safety
        /// `p..p + 4` must be readable.
        #[inline(always)]
        pub unsafe fn load(p: *const f32) -> F4 {
            F4(unsafe { (p as *const [f32; 4]).read_unaligned() })
        }
        /// # Safety
        /// `p` must be readable.
        #[inline(always)]
        pub unsafe fn load_splat(p: *const f32) -> F4 {
            F4([unsafe { *p }; 4])
        }
        /// # Safety
        /// `p..p + 4` must be writable.
        #[inline(always)]
        pub unsafe fn store(self, p: *mut f32) {
            unsafe { (p as *mut [f32; 4]).write_unaligned(self.0) }
        }
        #[inline(always)]
        pub fn add(self, o: F4) -> F4 {
            map2(self.0, o.0, |a, b| a + b)
        }
        #[inline(always)]
        pub fn sub(self, o: F4) -> F4 {
            map2(self.0, o.0, |a, b| a - b)
        }
        #[inline(always)]
        pub fn mul(self, o: F4) -> F4 {
            map2(self.0, o.0, |a, b| a * b)
        }
        #[inline(always)]
        pub fn max(self, o: F4) -> F4 {
            map2(self.0, o.0, |a, b| if b > a { b } else { a })
        }
        #[inline(always)]
        pub fn floor(self) -> F4 {
            F4(self.0.map(f32::floor))
        }
        #[inline(always)]
        pub fn zero_where_below(self, x: F4, t: F4) -> F4 {
            let (v, x, t) = (self.0, x.0, t.0);
            F4(std::array::from_fn(|l| if x[l] < t[l] { 0.0 } else { v[l] }))
        }
        #[inline(always)]
        pub fn shl_bits(self, s: u32) -> F4 {
            F4(self.0.map(|x| f32::from_bits(x.to_bits() << s)))
        }
        #[inline(always)]
        pub fn lanes(self) -> [f32; 4] {
            self.0
        }
    }
}

pub use imp::F4;

impl F4 {
    /// a·b + self, rounded twice (a multiply, then an add).
    #[inline(always)]
    pub fn mul_acc(self, a: F4, b: F4) -> F4 {
        self.add(a.mul(b))
    }

    /// Σ of the four lanes, as ((l0 + l1) + (l2 + l3)).
    #[inline(always)]
    pub fn sum(self) -> f32 {
        let l = self.lanes();
        (l[0] + l[1]) + (l[2] + l[3])
    }

    /// The largest lane.
    #[inline(always)]
    pub fn max_lane(self) -> f32 {
        let l = self.lanes();
        let a = if l[1] > l[0] { l[1] } else { l[0] };
        let b = if l[3] > l[2] { l[3] } else { l[2] };
        if b > a {
            b
        } else {
            a
        }
    }

    /// e^x lane-wise for x ≤ 0, the same steps as [`crate::attention::softmax::exp_nonpositive`]:
    /// n = ⌊x·log₂e + ½⌋, r = x − n·ln2 (Cody–Waite), e^r by its degree-6 Taylor polynomial, times 2^n
    /// built in the exponent bits; x < −87.3 (and −∞) gives 0.
    #[inline(always)]
    pub fn exp_nonpositive(self) -> F4 {
        let lo = F4::splat(-87.3);
        let xc = self.max(lo);
        let n = xc.mul(F4::splat(std::f32::consts::LOG2_E)).add(F4::splat(0.5)).floor();
        let r = xc
            .sub(n.mul(F4::splat(0.693_145_75)))
            .sub(n.mul(F4::splat(1.428_606_8e-6)));
        let c = |v: f32| F4::splat(v);
        let p = c(1.0 / 720.0).mul(r).add(c(1.0 / 120.0));
        let p = p.mul(r).add(c(1.0 / 24.0));
        let p = p.mul(r).add(c(1.0 / 6.0));
        let p = p.mul(r).add(c(0.5));
        let p = p.mul(r).add(c(1.0));
        let p = p.mul(r).add(c(1.0));
        let scale = n.add(c(127.0 + 12_582_912.0)).shl_bits(23);
        p.mul(scale).zero_where_below(self, lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::softmax::exp_nonpositive;

    #[test]
    fn lane_exp_matches_the_scalar_exp() {
        let mut x = -90.0f32;
        while x <= 0.0 {
            let xs = [x, x * 0.5, x * 0.25, x * 0.125];
            let v = unsafe { F4::load(xs.as_ptr()) }.exp_nonpositive().lanes();
            for (got, &x) in v.iter().zip(&xs) {
                let want = exp_nonpositive(x);
                assert!((got - want).abs() <= want * 3e-7, "x = {x}: {got} vs {want}");
            }
            x += 0.0173;
        }
        let inf = [f32::NEG_INFINITY, -1000.0, 0.0, -87.0];
        let v = unsafe { F4::load(inf.as_ptr()) }.exp_nonpositive().lanes();
        assert_eq!(&v[..3], &[0.0, 0.0, 1.0]);
    }
}
