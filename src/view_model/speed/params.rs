//! The "Speed" view's parameters: its schema ([`SCHEMA`]), the parser and the canonical URL writer.
//! Every key is declared once below.

use crate::view_model::params::{Notice, ParamReader};
use crate::view_model::schema::{ChoiceParam, FlagParam, QueryWriter, Schema, SnapParam};

/// Sequence lengths the benchmark can visit, in order.
pub const LENGTHS: [usize; 6] = [256, 512, 1024, 2048, 4096, 8192];
/// Default largest N: quick enough (a few seconds) to run on page load of a permalink.
pub const DEFAULT_MAX_N: usize = 2048;
/// Head widths offered (d = d_v).
pub const WIDTHS: [usize; 4] = [16, 32, 64, 128];
/// Default head width, as in GPT-2 / BERT-base (d_model 768 / 12 heads).
pub const DEFAULT_D: usize = 64;

/// Both sizes snap on a log scale (see [`read_log_snapped`]), not with [`SnapParam::read`].
pub const MAX_N: SnapParam = SnapParam {
    key: "max_n",
    label: "speed.max_n",
    doc: "largest N measured (every length up to it; other values snap to the nearest on a log scale, with a notice)",
    default: DEFAULT_MAX_N,
    allowed: &LENGTHS,
};
pub const D: SnapParam = SnapParam {
    key: "d",
    label: "speed.d",
    doc: "head width d = d_v (other values snap to the nearest on a log scale, with a notice)",
    default: DEFAULT_D,
    allowed: &WIDTHS,
};
pub const CAUSAL: FlagParam = FlagParam {
    key: "causal",
    label: "speed.causal",
    doc: "causal form where a kernel has one",
    default: false,
};
/// Where exact attention runs: this thread only, or also split over the page's Web Workers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Threads {
    /// Every kernel on the page's own thread.
    One,
    /// Exact attention also timed on the Web Worker pool (a second row, next to one thread's).
    Workers,
}

crate::url_choice!(Threads {
    Threads::One => ("1", "workers.threads.one"),
    Threads::Workers => ("workers", "workers.threads.workers"),
});

pub const THREADS: ChoiceParam<Threads> = ChoiceParam {
    key: "threads",
    label: "workers.threads",
    doc: "`workers` also times exact attention split over Web Workers (`navigator.hardwareConcurrency`, at most 4; a row next to one thread's, with the speed-up); `1` = one thread only",
    default: Threads::One,
};
pub const RUN: FlagParam = FlagParam {
    key: "run",
    label: "speed.run",
    doc: "start the benchmark (the Run button sets it; Stop sets `0`)",
    default: false,
};
pub const QUALITY: FlagParam = FlagParam {
    key: "quality",
    label: "quality.run",
    doc: "measure the speed-against-quality chart: every kernel at N = 4096 against exact attention (time, error, peak memory)",
    default: false,
};

/// The view's schema, in README order.
pub const SCHEMA: Schema = Schema {
    view: "speed",
    params: &[&MAX_N, &D, &CAUSAL, &THREADS, &RUN, &QUALITY],
};

/// What defines a benchmark: every setting but `run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Largest N measured, one of [`LENGTHS`].
    pub max_n: usize,
    /// Head width d = d_v, one of [`WIDTHS`].
    pub d: usize,
    /// Causal masks where the kernel supports them.
    pub causal: bool,
    /// One thread, or also exact attention on the Web Workers.
    pub threads: Threads,
}

impl Plan {
    /// The lengths this plan visits: every entry of [`LENGTHS`] up to `max_n`.
    pub fn lengths(&self) -> Vec<usize> {
        LENGTHS.iter().copied().filter(|&n| n <= self.max_n).collect()
    }

    /// The kernels this plan times, in table order: [`BenchKernel::ALL`], with exact attention on
    /// the workers right after exact attention when `threads` is `workers`.
    ///
    /// [`BenchKernel::ALL`]: crate::attention::bench::BenchKernel::ALL
    pub fn kernels(&self) -> Vec<crate::attention::bench::BenchKernel> {
        use crate::attention::bench::BenchKernel;
        let mut out = BenchKernel::ALL.to_vec();
        if self.threads == Threads::Workers {
            out.insert(1, BenchKernel::ExactWorkers);
        }
        out
    }

    /// Ok when every kernel at the largest length fits the engine's budget (checked before the run).
    pub fn check_budget(&self) -> Result<(), crate::attention::message::Message> {
        for kernel in crate::attention::bench::BenchKernel::ALL {
            kernel
                .estimate(self.max_n, self.d)
                .check(|| format!("max_n ≤ {}", LENGTHS[0]))?;
        }
        Ok(())
    }
}

/// Every setting of the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpeedParams {
    pub plan: Plan,
    /// Start the benchmark (the Run button sets it; a permalink with `run=1` starts at once).
    pub run: bool,
    /// Measure the speed-against-quality chart (`quality=1`).
    pub quality: bool,
}

impl Default for SpeedParams {
    fn default() -> Self {
        Self {
            plan: Plan {
                max_n: DEFAULT_MAX_N,
                d: DEFAULT_D,
                causal: false,
                threads: Threads::One,
            },
            run: false,
            quality: false,
        }
    }
}

/// Parameters and the corrections made while reading them.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedSpeed {
    pub params: SpeedParams,
    pub notices: Vec<Notice>,
}

/// The entry of `allowed` closest to `v` on a log scale (ties go to the smaller).
fn nearest_on_log_scale(allowed: &[usize], v: usize) -> usize {
    let lv = (v.max(1) as f64).ln();
    allowed
        .iter()
        .copied()
        .min_by(|a, b| {
            let (da, db) = (((*a as f64).ln() - lv).abs(), ((*b as f64).ln() - lv).abs());
            da.total_cmp(&db).then(a.cmp(b))
        })
        .unwrap_or(allowed[0])
}

/// `spec` as a size clamped to its allowed range (a notice when outside), then moved to the nearest
/// allowed value on a log scale (3000 → 4096, as lengths double) with the rule notice `rule`.
pub fn read_log_snapped(r: &mut ParamReader<'_>, spec: &SnapParam, rule: &'static str) -> usize {
    let (lo, hi) = (spec.allowed[0], spec.allowed[spec.allowed.len() - 1]);
    let given = r.size(spec.key, spec.default, lo, hi);
    let used = nearest_on_log_scale(spec.allowed, given);
    if used != given {
        r.rule(spec.key, given, used, rule);
    }
    used
}

/// Parses the view's query; never fails, records corrections as notices.
pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> ParsedSpeed {
    let mut r = ParamReader::new(get);
    let max_n = read_log_snapped(&mut r, &MAX_N, "speed.rule.max_n");
    let d = read_log_snapped(&mut r, &D, "speed.rule.d");
    let causal = CAUSAL.read(&mut r);
    let threads = THREADS.read(&mut r);
    let run = RUN.read(&mut r);
    let quality = QUALITY.read(&mut r);
    ParsedSpeed {
        params: SpeedParams {
            plan: Plan {
                max_n,
                d,
                causal,
                threads,
            },
            run,
            quality,
        },
        notices: r.notices,
    }
}

/// The canonical query that reproduces `p` (every key).
pub fn to_query(p: &SpeedParams) -> Vec<(&'static str, String)> {
    QueryWriter::new(SCHEMA.view)
        .snap(&MAX_N, p.plan.max_n)
        .snap(&D, p.plan.d)
        .flag(&CAUSAL, p.plan.causal)
        .choice(&THREADS, p.plan.threads)
        .flag(&RUN, p.run)
        .flag(&QUALITY, p.quality)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::params::{pairs_lookup, NoticeReason};

    fn parsed(pairs: &[(&str, &str)]) -> ParsedSpeed {
        parse(&pairs_lookup(pairs))
    }

    #[test]
    fn empty_query_gives_the_defaults_without_notices() {
        let p = parsed(&[]);
        assert_eq!(p.params, SpeedParams::default());
        assert!(p.notices.is_empty());
        assert_eq!(p.params.plan.lengths(), vec![256, 512, 1024, 2048]);
    }

    #[test]
    fn garbage_and_off_grid_values_are_snapped_with_notices() {
        let p = parsed(&[
            ("max_n", "3000"),
            ("d", "abc"),
            ("causal", "maybe"),
            ("threads", "9"),
            ("run", "1"),
        ]);
        // On the log scale 3000 is ln(4096/3000) = 0.311 from 4096 and ln(3000/2048) = 0.382 from 2048.
        assert_eq!(p.params.plan.max_n, 4096);
        assert_eq!(p.params.plan.d, DEFAULT_D);
        assert!(!p.params.plan.causal);
        assert!(p.params.run);
        let keys: Vec<&str> = p.notices.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, vec!["max_n", "d", "causal", "threads"]);
        assert_eq!(p.params.plan.threads, Threads::One);
        assert!(matches!(
            p.notices[0].reason,
            NoticeReason::Rule {
                message_id: "speed.rule.max_n"
            }
        ));
        assert_eq!(p.notices[0].used, "4096");
        assert_eq!(p.notices[1].reason, NoticeReason::NotANumber);
        let p = parsed(&[("max_n", "1e9"), ("d", "1")]);
        assert_eq!((p.params.plan.max_n, p.params.plan.d), (8192, 16));
        assert_eq!(p.notices.len(), 2);
        assert_eq!(
            parsed(&[("d", "45")]).params.plan.d,
            32,
            "45 is nearer 32 than 64 on a log scale"
        );
    }

    #[test]
    fn to_query_round_trips_without_notices() {
        let p = SpeedParams {
            plan: Plan {
                max_n: 8192,
                d: 32,
                causal: true,
                threads: Threads::Workers,
            },
            run: true,
            quality: true,
        };
        let pairs = to_query(&p);
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let back = parsed(&borrowed);
        assert_eq!(back.params, p);
        assert!(back.notices.is_empty());
    }

    #[test]
    fn the_writer_writes_exactly_the_schema_keys() {
        let pairs = to_query(&SpeedParams::default());
        assert_eq!(pairs[0], ("view", "speed".to_string()));
        let written: Vec<&str> = pairs.iter().skip(1).map(|(k, _)| *k).collect();
        assert_eq!(written, SCHEMA.keys());
    }

    #[test]
    fn every_label_is_in_the_catalogue() {
        for id in [
            MAX_N.label,
            D.label,
            CAUSAL.label,
            THREADS.label,
            RUN.label,
            QUALITY.label,
        ] {
            assert_ne!(crate::i18n::t(id), id, "no message {id}");
        }
    }
}

/// The chapter's figures (`fig=<id>`), with the controls each needs alone and its file-name keys.
pub const FIGURES: &[crate::view_model::figures::FigureDef] = &[
    crate::view_model::figures::FigureDef {
        id: "speed-chart",
        controls: &["max_n", "d", "causal", "threads", "run"],
        name_keys: &["max_n", "d"],
    },
    crate::view_model::figures::FigureDef {
        id: "speed-table",
        controls: &["max_n", "d", "causal", "threads", "run"],
        name_keys: &["max_n", "d"],
    },
    crate::view_model::figures::FigureDef {
        id: "speed-memory",
        controls: &["max_n", "d", "causal", "threads", "run"],
        name_keys: &["max_n", "d"],
    },
    crate::view_model::figures::FigureDef {
        id: "speed-quality",
        controls: &["d", "causal", "quality"],
        name_keys: &["d"],
    },
];
