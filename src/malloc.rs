//! The allocator's settings, applied once at start-up by the `bpfpress`
//! binary and by the benches that measure what it does.

/// The process allocates through glibc's malloc (Rust's default), with two
/// settings that keep a long report's peak memory under the stock typst
/// CLI's (issue 13; figures in BENCHMARKS.md, "A long report's peak memory
/// under the CLI's"):
/// - a fixed mmap threshold (128 KiB, glibc's initial one): every larger
///   block (the PDF being written, typst's big buffers) is its own mapping,
///   given back to the system when freed. glibc otherwise raises the
///   threshold each time such a block is freed, up to 32 MiB, and the big
///   blocks of the export then land in the heap, where freed holes stay
///   resident;
/// - at most two arenas: the typst compile runs on its own big-stack thread
///   and its rayon workers each took a fresh arena, whose free space no
///   other thread reuses.
///
/// Call it first thing in `main`, before any thread is started.
///
/// mimalloc was the allocator until 2026-12-06: it kept ~50 MiB more than
/// tuned glibc on the long report (retained pages, whatever its purge
/// options); it made `bpfpress check` ~14 ms of CPU faster, a cost inside
/// that command's 100 ms target (BENCHMARKS.md).
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's parameters; callers call
    // it first thing in `main`, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
