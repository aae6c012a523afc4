//! Arbitrary bytes → `vanthu_edxml::read`: never a panic; what reads is validated, written, read again and
//! compared (the properties are in `tests/common/exercise.rs`, shared with the replay test).
#![no_main]

#[path = "../../tests/common/exercise.rs"]
#[allow(dead_code)]
mod exercise;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    exercise::exercise_read(data);
});
