//! Arbitrary bytes → `vanthu_edxml::sign::verify`, with the embedded certificate, the test certificate and the
//! input itself as the trust anchor: never a panic (see `tests/common/exercise.rs`).
#![no_main]

#[path = "../../tests/common/exercise.rs"]
#[allow(dead_code)]
mod exercise;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    exercise::exercise_verify(data);
});
