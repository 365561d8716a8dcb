//! What is measured, and how: process CPU time (user + system, from `getrusage`) rather
//! than wall time, because the machine is shared and wall time counts other people's
//! work; and the resident-set high-water mark (`VmHWM` in `/proc/self/status`, else
//! `ru_maxrss`) for memory.

use std::time::Duration;

/// CPU time this process has used so far (user + system).
pub fn cpu_time() -> Duration {
    usage_time(libc::RUSAGE_SELF)
}

/// CPU time used by the children this process has waited for.
pub fn children_cpu_time() -> Duration {
    usage_time(libc::RUSAGE_CHILDREN)
}

fn usage_time(who: libc::c_int) -> Duration {
    // SAFETY: `getrusage` only writes into the struct it is given, which is zeroed and
    // of the right type; it cannot fail for RUSAGE_SELF/RUSAGE_CHILDREN.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut usage);
        usage
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Peak resident set size of this process so far, in bytes.
pub fn peak_rss() -> u64 {
    status_kib("VmHWM:").map_or_else(max_rss, |kib| kib * 1024)
}

fn status_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(key))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn max_rss() -> u64 {
    // SAFETY: as in `usage_time`.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    // Linux reports kibibytes.
    usage.ru_maxrss as u64 * 1024
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_grows_with_work() {
        let before = cpu_time();
        let mut x = 1u64;
        for i in 0..50_000_000u64 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i);
        }
        std::hint::black_box(x);
        assert!(cpu_time() > before);
    }

    #[test]
    fn peak_rss_sees_a_large_allocation() {
        // Larger than anything the process held so far (other tests run alongside), so
        // the high-water mark must move up to at least its size.
        let before = peak_rss();
        let size = usize::try_from(before).unwrap_or(usize::MAX / 2) + 64 * 1024 * 1024;
        let block = vec![1u8; size];
        std::hint::black_box(&block);
        let after = peak_rss();
        assert!(after >= size as u64, "{before} → {after}, block {size}");
    }
}
