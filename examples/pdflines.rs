fn main() {
    let a: Vec<String> = std::env::args().collect();
    let b = std::fs::read(&a[1]).unwrap();
    for l in bpfpress::ingest::pdf::debug_lines(&b, a[2].parse().unwrap()) {
        println!("{l}");
    }
}
