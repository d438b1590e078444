//! Deterministic inputs shared by the benchmarks and the cross-language comparison scripts in
//! `bench/`, so that every contender hashes exactly the same CPR numbers.

/// The `i`-th benchmark CPR number as ten ASCII digits: always a valid date (day 1 to 28).
///
/// `bench/pseudonyms_python.py` computes the same sequence; change both together.
pub fn benchmark_cpr(i: u64) -> [u8; 10] {
    let day = 1 + i % 28;
    let month = 1 + (i / 28) % 12;
    let year = (i / 336) % 100;
    let serial = (i * 7919) % 10_000;
    let mut digits = [0u8; 10];
    let text = format!("{day:02}{month:02}{year:02}{serial:04}");
    digits.copy_from_slice(text.as_bytes());
    digits
}

/// The run key every benchmark uses: bytes 0, 1, 2, ..., 31.
pub fn benchmark_run_key_bytes() -> [u8; 32] {
    std::array::from_fn(|i| i as u8)
}
