//! Link the `bpfpress` binary as a position-dependent executable on Linux.
//!
//! Typst and its dependencies hold ~100,000 pointers in static tables. In
//! a position-independent executable (PIE, the default) the dynamic loader
//! relocates every one of them at each start, touching ~1.8 MB of pages:
//! about 1.5 ms of a 3 ms `bpfpress --version` on the reference machine,
//! and a visible share of a one-file `ingest` or `render`. A non-PIE
//! binary starts with them already in place. The cost is that the
//! binary's own code is not address-randomised (libraries, heap and stack
//! still are); bpfpress is a batch tool that reads documents and opens no
//! network port except the SMTP client it starts itself. Only the binary
//! is affected: the library, tests and benches link as usual.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
