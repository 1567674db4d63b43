//! The benchmarked kernels as the view names them. The engine's [`BenchKernel`] carries no text; here
//! each gets its stable word (used in `data-testid`s and the `speed_<kernel>_<n>` metrics), its full
//! name (table rows, status line) and its short name (chart legend), all message ids.

use crate::attention::bench::BenchKernel;

crate::url_choice!(BenchKernel {
    BenchKernel::Exact => ("exact", "speed.k.exact"),
    BenchKernel::ExactWorkers => ("exact_workers", "workers.k.exact"),
    BenchKernel::Flash => ("flash", "speed.k.flash"),
    BenchKernel::Window => ("window", "speed.k.window"),
    BenchKernel::Strided => ("strided", "speed.k.strided"),
    BenchKernel::BigBird => ("bigbird", "speed.k.bigbird"),
    BenchKernel::Lsh => ("lsh", "speed.k.lsh"),
    BenchKernel::Sinkhorn => ("sinkhorn", "speed.k.sinkhorn"),
    BenchKernel::Linear => ("linear", "speed.k.linear"),
    BenchKernel::Linformer => ("linformer", "speed.k.linformer"),
    BenchKernel::Performer => ("performer", "speed.k.performer"),
    BenchKernel::Synthesizer => ("synthesizer", "speed.k.synthesizer"),
    BenchKernel::Mixer => ("mixer", "speed.k.mixer"),
});

/// The kernel's short name (chart legend) as a message id.
pub trait LegendId {
    fn legend_id(self) -> &'static str;
}

impl LegendId for BenchKernel {
    fn legend_id(self) -> &'static str {
        match self {
            BenchKernel::Exact => "speed.s.exact",
            BenchKernel::ExactWorkers => "workers.s.exact",
            BenchKernel::Flash => "speed.s.flash",
            BenchKernel::Window => "speed.s.window",
            BenchKernel::Strided => "speed.s.strided",
            BenchKernel::BigBird => "speed.s.bigbird",
            BenchKernel::Lsh => "speed.s.lsh",
            BenchKernel::Sinkhorn => "speed.s.sinkhorn",
            BenchKernel::Linear => "speed.s.linear",
            BenchKernel::Linformer => "speed.s.linformer",
            BenchKernel::Performer => "speed.s.performer",
            BenchKernel::Synthesizer => "speed.s.synthesizer",
            BenchKernel::Mixer => "speed.s.mixer",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::schema::UrlChoice;

    #[test]
    fn every_kernel_has_a_word_a_name_and_a_legend_in_table_order() {
        assert_eq!(<BenchKernel as UrlChoice>::ALL[0], BenchKernel::Exact);
        assert_eq!(<BenchKernel as UrlChoice>::ALL[1], BenchKernel::ExactWorkers);
        assert_eq!(&<BenchKernel as UrlChoice>::ALL[2..], &BenchKernel::ALL[1..]);
        assert_eq!(
            BenchKernel::words(),
            vec![
                "exact",
                "exact_workers",
                "flash",
                "window",
                "strided",
                "bigbird",
                "lsh",
                "sinkhorn",
                "linear",
                "linformer",
                "performer",
                "synthesizer",
                "mixer"
            ]
        );
        for k in BenchKernel::ALL {
            assert_eq!(k.label_id(), format!("speed.k.{}", k.word()));
            assert_eq!(k.legend_id(), format!("speed.s.{}", k.word()));
            for id in [k.label_id(), k.legend_id()] {
                assert_ne!(crate::i18n::t(id), id, "no message {id}");
            }
        }
        let w = BenchKernel::ExactWorkers;
        for id in [w.label_id(), w.legend_id()] {
            assert_ne!(crate::i18n::t(id), id, "no message {id}");
        }
    }
}
