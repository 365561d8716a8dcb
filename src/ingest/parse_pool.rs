//! The threads that parse a fetch run's bodies and prepare their entries for the store:
//! a fixed set, one per core (or as many as `OMROEP_THREADS` says, see
//! [`crate::parallel::threads`]), fed in the order the bodies arrive.
//!
//! Why not tokio's blocking pool: it starts a thread whenever none is idle at the moment
//! work is handed over, and a parse is handed over just as the previous one ends, before
//! its thread is counted idle again; so a run over many feeds ends with many more
//! threads than cores taking turns at the parses. The allocator keeps memory per thread
//! (each thread's freed pages wait for that thread), so every extra thread that took a
//! turn keeps its share, and the run's peak memory grows with the number of threads
//! (BENCHMARKS.md has the figures). As many threads as cores is also the limit on parses
//! at once (more than that only makes the thread that writes the store wait longer for
//! a core).

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

type Job = Box<dyn FnOnce() + Send>;

/// Why work handed to [`ParsePool::run`] gave no result. A panic reads as tokio words a
/// task's panic (without the task's number), its message quoted and escaped: it ends up
/// in a source's stored error and report line, which stay one line whatever the panic
/// said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkError {
    #[error("panicked with message {0:?}")]
    Panicked(String),
    /// A panic whose payload is not text.
    #[error("panicked")]
    PanickedWithoutMessage,
    #[error("the parse threads have stopped")]
    Stopped,
    #[error("a parse thread stopped before its work was done")]
    Lost,
}

/// A fixed number of threads running the work handed to [`ParsePool::run`], first come
/// first served. Dropping the pool lets the threads finish the work already queued (work
/// whose caller has stopped waiting is skipped) and waits for them.
pub struct ParsePool {
    jobs: Option<mpsc::Sender<Job>>,
    threads: Vec<JoinHandle<()>>,
}

impl ParsePool {
    /// Starts `threads` threads (at least one).
    pub fn new(threads: usize) -> std::io::Result<ParsePool> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let mut pool = ParsePool {
            jobs: Some(jobs),
            threads: Vec::new(),
        };
        for number in 0..threads.max(1) {
            let queue = queue.clone();
            let thread = std::thread::Builder::new()
                .name(format!("omroep-parse-{number}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting for the next job. A job
                        // cannot poison it (panics are caught inside the job).
                        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                        let Ok(job) = next else { break };
                        job();
                    }
                })?;
            // On an error above, the threads already started end with the pool's drop.
            pool.threads.push(thread);
        }
        Ok(pool)
    }

    /// Runs `work` on one of the pool's threads once one is free, and gives its result,
    /// or its panic (a bug in the work must cost only that piece of work).
    pub async fn run<T, F>(&self, work: F) -> Result<T, WorkError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // Nobody waits for it any more (the run is ending): the work is not done.
            if reply.is_closed() {
                return;
            }
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(|panic| {
                panic
                    .downcast_ref::<&str>()
                    .map(|message| (*message).to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .map_or(WorkError::PanickedWithoutMessage, WorkError::Panicked)
            });
            let _ = reply.send(outcome);
        });
        let sent = self
            .jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send(job).is_ok());
        if !sent {
            return Err(WorkError::Stopped);
        }
        answer.await.unwrap_or(Err(WorkError::Lost))
    }
}

impl Drop for ParsePool {
    fn drop(&mut self) {
        // Closing the queue ends each thread once the queue is empty.
        self.jobs = None;
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_time()
            .build()
            .unwrap()
    }

    #[test]
    fn work_runs_on_the_pool_s_threads_and_never_more_at_once_than_it_has() {
        let pool = Arc::new(ParsePool::new(3).unwrap());
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let names = runtime().block_on(async {
            let tasks: Vec<_> = (0..40)
                .map(|n| {
                    let (pool, running, most) = (pool.clone(), running.clone(), most.clone());
                    tokio::spawn(async move {
                        pool.run(move || {
                            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(now, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(2));
                            running.fetch_sub(1, Ordering::SeqCst);
                            (n * 2, std::thread::current().name().unwrap().to_string())
                        })
                        .await
                        .unwrap()
                    })
                })
                .collect();
            let mut names = HashSet::new();
            for (n, task) in tasks.into_iter().enumerate() {
                let (doubled, name) = task.await.unwrap();
                assert_eq!(doubled, n * 2);
                names.insert(name);
            }
            names
        });
        assert!(names.len() <= 3 && !names.is_empty(), "{names:?}");
        assert!(names.iter().all(|name| name.starts_with("omroep-parse-")));
        assert!(most.load(Ordering::SeqCst) <= 3);
    }

    #[test]
    fn a_panic_is_that_work_s_error_and_the_thread_goes_on() {
        let pool = ParsePool::new(1).unwrap();
        runtime().block_on(async {
            let error = pool
                .run(|| -> u32 { panic!("a bug in one parse") })
                .await
                .unwrap_err();
            assert_eq!(error, WorkError::Panicked("a bug in one parse".into()));
            let formatted = pool
                .run(|| -> u32 { panic!("{} of {}", "\"3\"\n", 4) })
                .await
                .unwrap_err();
            assert_eq!(formatted, WorkError::Panicked("\"3\"\n of 4".into()));
            // Quoted and escaped, as tokio shows a task's panic.
            assert_eq!(
                formatted.to_string(),
                r#"panicked with message "\"3\"\n of 4""#
            );
            let silent = pool
                .run(|| -> u32 { std::panic::panic_any(12_u8) })
                .await
                .unwrap_err();
            assert_eq!(silent.to_string(), "panicked");
            assert_eq!(pool.run(|| 7).await, Ok(7));
        });
    }

    #[test]
    fn work_nobody_waits_for_is_skipped_and_dropping_waits_for_the_threads() {
        let pool = Arc::new(ParsePool::new(1).unwrap());
        let done = Arc::new(AtomicUsize::new(0));
        let (started, has_started) = mpsc::channel::<()>();
        let (release, hold) = mpsc::channel::<()>();
        let rt = runtime();
        // The one thread is held in a first job while a second is queued and then
        // abandoned by its caller.
        let first = {
            let (pool, done) = (pool.clone(), done.clone());
            rt.spawn(async move {
                pool.run(move || {
                    started.send(()).unwrap();
                    hold.recv().unwrap();
                    done.fetch_add(1, Ordering::SeqCst);
                })
                .await
            })
        };
        has_started.recv().unwrap();
        // What the abandoned work holds is dropped on the pool's thread, slowly: the
        // pool's drop must wait for that too.
        let dropped = Arc::new(AtomicBool::new(false));
        let held = SlowToDrop(dropped.clone());
        let abandoned = {
            let done = done.clone();
            pool.run(move || {
                let _held = held;
                done.fetch_add(10, Ordering::SeqCst);
            })
        };
        rt.block_on(async {
            tokio::select! {
                _ = abandoned => unreachable!("the thread is busy"),
                _ = tokio::time::sleep(std::time::Duration::from_millis(5)) => {}
            }
        });
        release.send(()).unwrap();
        assert_eq!(rt.block_on(first).unwrap(), Ok(()));
        let pool = Arc::into_inner(pool).expect("the only owner left");
        drop(pool);
        assert!(
            dropped.load(Ordering::SeqCst),
            "the pool's drop returned before its threads ended"
        );
        assert_eq!(done.load(Ordering::SeqCst), 1);
    }

    /// Sets its flag when dropped, a while after being asked to.
    struct SlowToDrop(Arc<AtomicBool>);

    impl Drop for SlowToDrop {
        fn drop(&mut self) {
            std::thread::sleep(std::time::Duration::from_millis(200));
            self.0.store(true, Ordering::SeqCst);
        }
    }
}
