//! The allocator's settings, applied once at start-up by the `bpfpress`
//! binary (for the command it runs) and by the benches that measure what it
//! does.

/// What the process is about to do, as far as the allocator is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Typesetting a report (render, takeaways, summaries, build, serve):
    /// few big, short-lived blocks; peak memory matters (issue 13).
    Report,
    /// A mailing (`letters`): hundreds of letters and messages whose
    /// buffers of the same sizes come and go; speed matters (issue 14).
    Mailing,
    /// Everything else (check, ingest, init): small and short.
    Other,
}

/// The process allocates through glibc's malloc (Rust's default), with
/// settings chosen per workload (figures in BENCHMARKS.md, "A long report's
/// peak memory under the CLI's" and "Letters and the allocator"):
/// - always at most two arenas: the typst compile runs on its own big-stack
///   thread and its rayon workers each took a fresh arena, whose free space
///   no other thread reuses;
/// - for [`Workload::Report`], a fixed mmap threshold (128 KiB, glibc's
///   initial one): every larger block (the PDF being written, typst's big
///   buffers) is its own mapping, given back to the system when freed.
///   glibc otherwise raises the threshold each time such a block is freed,
///   up to 32 MiB, and the big blocks of the export then land in the heap,
///   where freed holes stay resident. It keeps a 342-page report under the
///   typst CLI's peak memory — but it costs a mailing 25 % of its time (each
///   0.6 MB message buffer is mapped and unmapped again), so `letters`
///   keeps glibc's adaptive threshold (its peak stays ~230 MiB).
///
/// Call it first thing, before any thread is started.
///
/// mimalloc was the allocator until 2026-12-06: it kept ~50 MiB more than
/// tuned glibc on the long report (retained pages, whatever its purge
/// options); it made `bpfpress check` ~14 ms of CPU faster.
pub fn tune(workload: Workload) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's parameters; callers call
    // it before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        if workload == Workload::Report {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = workload;
}
