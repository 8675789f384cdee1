//! Runs each job on its own thread, bounded in time, cancellable, with panics caught.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::{DocError, Limits};

/// Asks running work to stop. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What a job sees: its limits, and a checkpoint to call between steps (pages, streams).
#[derive(Debug)]
pub(crate) struct Ctx {
    pub(crate) limits: Limits,
    cancel: CancelToken,
    deadline: Instant,
}

impl Ctx {
    /// A job's view with the default limits and a fresh deadline, for unit tests of one step.
    #[cfg(test)]
    pub(crate) fn for_tests() -> Ctx {
        let limits = Limits::default();
        Ctx {
            deadline: Instant::now() + limits.time_per_document,
            limits,
            cancel: CancelToken::new(),
        }
    }

    /// Stops the job when it was cancelled or its time is up (the caller has already been
    /// answered then; this frees the thread sooner).
    pub(crate) fn checkpoint(&self) -> Result<(), DocError> {
        if self.cancel.is_cancelled() {
            return Err(DocError::Cancelled);
        }
        if Instant::now() >= self.deadline {
            return Err(DocError::TimedOut {
                after: self.limits.time_per_document,
            });
        }
        Ok(())
    }
}

/// Lowers the calling thread's scheduling priority to the least (Linux's nice values are per
/// thread), for work nobody waits for beside the officer's window: a background recognition's
/// decoding, cleaning and straightening of a scan (a core for a few hundred milliseconds a
/// page), the cache's integrity check. Best effort: at the usual priority the work is only
/// slower to leave way.
pub fn yield_to_the_officer() {
    #[cfg(target_os = "linux")]
    {
        let _ = rustix::process::nice(19);
    }
}

/// Big enough that deep but finite recursion in a parser does not overflow. Overflow cannot be
/// caught (it aborts the process), so the PDF checks refuse unbounded recursion beforehand.
const STACK_SIZE: usize = 16 * 1024 * 1024;
/// How often the waiting caller looks at the cancel token.
const POLL: Duration = Duration::from_millis(25);

/// Counts running jobs, including abandoned ones; clones share the count.
#[derive(Debug, Clone, Default)]
pub(crate) struct Worker {
    in_flight: Arc<AtomicUsize>,
}

/// Decrements the in-flight count when dropped: when the job ends, however it ends (a panic
/// is caught first).
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Worker {
    /// Runs `job` on a new thread and waits at most `limits.time_per_document` for it.
    ///
    /// A panic becomes [`DocError::Malformed`]; running out of time [`DocError::TimedOut`] and a
    /// cancellation [`DocError::Cancelled`], both answered at once. Rust cannot stop a thread, so a
    /// job stuck inside a library is abandoned: it stops at its next checkpoint, or keeps its
    /// CPU and memory until the library returns. `max_jobs_in_flight` bounds how many such
    /// threads can pile up.
    pub(crate) fn run<T, F>(
        &self,
        limits: &Limits,
        cancel: &CancelToken,
        job: F,
    ) -> Result<T, DocError>
    where
        T: Send + 'static,
        F: FnOnce(&Ctx) -> Result<T, DocError> + Send + 'static,
    {
        if cancel.is_cancelled() {
            return Err(DocError::Cancelled);
        }
        let slot = self.take_slot(limits.max_jobs_in_flight)?;
        let deadline = Instant::now() + limits.time_per_document;
        let ctx = Ctx {
            limits: limits.clone(),
            cancel: cancel.clone(),
            deadline,
        };
        let (tx, rx) = mpsc::sync_channel(1);
        let low_priority = limits.low_priority;
        std::thread::Builder::new()
            .name("migdesk-docs".into())
            .stack_size(STACK_SIZE)
            .spawn(move || {
                if low_priority {
                    yield_to_the_officer();
                }
                let result = catch_unwind(AssertUnwindSafe(|| job(&ctx)))
                    .unwrap_or_else(|panic| Err(panicked(panic.as_ref())));
                // Free the slot before answering, so the caller's next call finds it free.
                drop(slot);
                // The caller may have stopped waiting; nothing to do then.
                let _ = tx.send(result);
            })
            .map_err(|_| DocError::Busy)?;
        wait(&rx, cancel, deadline, limits.time_per_document)
    }

    fn take_slot(&self, max: usize) -> Result<Slot, DocError> {
        let before = self.in_flight.fetch_add(1, Ordering::SeqCst);
        let slot = Slot(Arc::clone(&self.in_flight));
        if before >= max {
            return Err(DocError::Busy);
        }
        Ok(slot)
    }

    /// How many jobs are running now (including abandoned ones).
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }
}

fn wait<T>(
    rx: &mpsc::Receiver<Result<T, DocError>>,
    cancel: &CancelToken,
    deadline: Instant,
    allowed: Duration,
) -> Result<T, DocError> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left.min(POLL)) {
            Ok(result) => return result,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(DocError::malformed(
                    "the document reader stopped unexpectedly",
                ));
            }
            Err(mpsc::RecvTimeoutError::Timeout) if cancel.is_cancelled() => {
                return Err(DocError::Cancelled);
            }
            Err(mpsc::RecvTimeoutError::Timeout) if left.is_zero() => {
                return Err(DocError::TimedOut { after: allowed });
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
    }
}

fn panicked(payload: &(dyn Any + Send)) -> DocError {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no details".into());
    DocError::malformed(format!("the reader failed on this file ({message})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick() -> Limits {
        Limits {
            time_per_document: Duration::from_millis(300),
            max_jobs_in_flight: 2,
            ..Limits::default()
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn work_nobody_waits_for_runs_at_the_lowest_priority() {
        let worker = Worker::default();
        // `nice(0)` answers the calling thread's nice value and changes nothing.
        let own = || {
            rustix::process::nice(0).map_err(|e| DocError::Malformed {
                detail: e.to_string(),
            })
        };
        let usual = worker.run(&quick(), &CancelToken::new(), move |_| own());
        assert_eq!(usual, own(), "the usual job keeps its caller's priority");
        let background = Limits {
            low_priority: true,
            ..quick()
        };
        let lowered = worker.run(&background, &CancelToken::new(), move |_| own());
        assert_eq!(lowered, Ok(19));
        assert_eq!(own(), usual, "the caller's own priority is untouched");
    }

    #[test]
    fn returns_the_job_result() {
        let worker = Worker::default();
        let got = worker.run(&quick(), &CancelToken::new(), |_| Ok(42));
        assert_eq!(got, Ok(42));
    }

    #[test]
    fn calls_one_after_another_never_find_the_worker_busy() {
        let worker = Worker::default();
        let one_at_a_time = Limits {
            max_jobs_in_flight: 1,
            ..quick()
        };
        for i in 0..200 {
            assert_eq!(
                worker.run(&one_at_a_time, &CancelToken::new(), move |_| Ok(i)),
                Ok(i)
            );
        }
    }

    #[test]
    fn a_panic_becomes_a_malformed_error() {
        let worker = Worker::default();
        // Printing the panic's backtrace (when RUST_BACKTRACE is set) can take longer than
        // `quick()`'s 300 ms on a busy machine; this test is about the panic, not the clock.
        let patient = Limits {
            time_per_document: Duration::from_secs(60),
            ..quick()
        };
        let got: Result<(), _> = worker.run(&patient, &CancelToken::new(), |_| {
            panic!("index out of bounds")
        });
        let err = got.unwrap_err();
        assert_eq!(err.kind(), "malformed");
        assert!(err.to_string().contains("index out of bounds"), "{err}");
        // The slot was given back before the answer.
        assert_eq!(worker.in_flight(), 0);
    }

    #[test]
    fn a_stuck_job_times_out_and_is_counted_until_it_ends() {
        let worker = Worker::default();
        let limits = quick();
        let started = Instant::now();
        // The job runs ten times the limit, so a busy machine cannot blur the answer at the
        // limit with the job's own end.
        let got: Result<(), _> = worker.run(&limits, &CancelToken::new(), |_| {
            std::thread::sleep(Duration::from_secs(3));
            Ok(())
        });
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(
            got,
            Err(DocError::TimedOut {
                after: limits.time_per_document
            })
        );
        assert_eq!(worker.in_flight(), 1);
        // A second stuck job fills the last slot; a third call is refused.
        let _ = worker.run(&limits, &CancelToken::new(), |_| {
            std::thread::sleep(Duration::from_secs(3));
            Ok(())
        });
        assert_eq!(
            worker.run(&limits, &CancelToken::new(), |_| Ok(())),
            Err(DocError::Busy)
        );
        // Both end on their own, and give their slots back.
        let until = Instant::now() + Duration::from_secs(15);
        while worker.in_flight() > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(worker.in_flight(), 0);
        assert_eq!(worker.run(&limits, &CancelToken::new(), |_| Ok(1)), Ok(1));
    }

    #[test]
    fn cancelling_answers_at_once_and_the_job_sees_it() {
        let worker = Worker::default();
        let cancel = CancelToken::new();
        let limits = Limits {
            time_per_document: Duration::from_secs(10),
            ..quick()
        };
        let (seen_tx, seen_rx) = mpsc::channel();
        let trigger = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            trigger.cancel();
        });
        let started = Instant::now();
        let got: Result<(), _> = worker.run(&limits, &cancel, move |ctx| {
            loop {
                if let Err(e) = ctx.checkpoint() {
                    let _ = seen_tx.send(e.clone());
                    return Err(e);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        assert_eq!(got, Err(DocError::Cancelled));
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(
            seen_rx.recv_timeout(Duration::from_secs(2)),
            Ok(DocError::Cancelled)
        );
        // Already cancelled: refused without starting.
        assert_eq!(
            worker.run(&limits, &cancel, |_| Ok(())),
            Err(DocError::Cancelled)
        );
    }
}
