//! One resumable computation, the same for every view: the interface's runner (`ui::jobs`) calls
//! [`Job::step`] in time slices, shows [`Job::progress`], and takes [`Job::finish`] once
//! [`Job::is_done`]; a newer parameter set drops an older job between two steps.

/// A computation cut into bounded steps.
pub trait Job {
    /// What the view shows when the job is done.
    type Output;

    /// Does one bounded unit of work (at most a few milliseconds at the view's largest sizes);
    /// a no-op once the job is done.
    fn step(&mut self);

    /// Fraction of the work done, 0..=1.
    fn progress(&self) -> f64;

    /// True when no step is left.
    fn is_done(&self) -> bool;

    /// The result; runs the steps that are left first, so it is complete whenever it is called.
    fn finish(self) -> Self::Output;

    /// True while the job waits for work it handed to other threads (`view_model::offload`): the
    /// runner then sleeps until a worker answers instead of calling [`Job::step`] in a busy loop.
    fn waiting(&self) -> bool {
        false
    }

    /// What can be shown before the end (points of a curve as they come), if anything.
    fn partial(&self) -> Option<Self::Output> {
        None
    }
}

/// Runs `job` to the end at once (tests, benchmarks, small inputs).
pub fn run_to_end<J: Job>(mut job: J) -> J::Output {
    while !job.is_done() {
        job.step();
    }
    job.finish()
}

/// A job of a fixed list of stages run one per step, for views whose work is a few whole panels.
pub struct Stages<S, O> {
    state: S,
    stages: Vec<fn(&mut S)>,
    next: usize,
    finish: fn(S) -> O,
}

impl<S, O> Stages<S, O> {
    /// Runs `stages` over `state` in order, one per step, then `finish(state)`.
    pub fn new(state: S, stages: Vec<fn(&mut S)>, finish: fn(S) -> O) -> Self {
        Self {
            state,
            stages,
            next: 0,
            finish,
        }
    }
}

impl<S, O> Job for Stages<S, O> {
    type Output = O;

    fn step(&mut self) {
        if let Some(stage) = self.stages.get(self.next) {
            stage(&mut self.state);
            self.next += 1;
        }
    }

    fn progress(&self) -> f64 {
        self.next as f64 / self.stages.len().max(1) as f64
    }

    fn is_done(&self) -> bool {
        self.next >= self.stages.len()
    }

    fn finish(mut self) -> O {
        while !self.is_done() {
            self.step();
        }
        (self.finish)(self.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add_one(v: &mut Vec<u32>) {
        v.push(1);
    }
    fn add_two(v: &mut Vec<u32>) {
        v.push(2);
    }
    fn total(v: Vec<u32>) -> u32 {
        v.iter().sum::<u32>() * 10 + v.len() as u32
    }

    #[test]
    fn stages_run_once_each_in_order_and_finish_completes_an_unfinished_job() {
        let mut job = Stages::new(Vec::new(), vec![add_one, add_two], total);
        assert_eq!(job.progress(), 0.0);
        job.step();
        assert_eq!(job.progress(), 0.5);
        assert!(!job.is_done());
        assert_eq!(job.finish(), 32);
        let mut done = Stages::new(Vec::new(), vec![add_one, add_two], total);
        for _ in 0..5 {
            done.step();
        }
        assert!(done.is_done());
        assert_eq!(done.finish(), 32, "steps past the end are no-ops");
        assert_eq!(run_to_end(Stages::new(Vec::new(), vec![add_two], total)), 21);
    }
}
