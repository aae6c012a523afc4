//! Replays, in a normal `cargo test`, every input the fuzzers start from or once failed on: the seeds of
//! `fuzz/corpus/read` and `fuzz/corpus/verify`, and the minimized crash or timeout inputs of `tests/regressions`.
//! Each must go through the reader (with the round trip of `common/exercise.rs`) and the verifier without a
//! panic. A regression file's name ends in `.refused`, `.edoc` or `.status` (before any further extension): what
//! the reader must make of it (a `ReadError`, a document package, a status packet).

mod common;

use common::exercise::{Outcome, exercise_read, exercise_verify};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            !name.starts_with('.') && !name.ends_with(".md")
        })
        .collect();
    out.sort();
    out
}

/// Runs `check` on every file, catching panics so that every failing file is named, not only the first.
fn replay(paths: &[PathBuf], check: impl Fn(&Path, &[u8]) -> Result<(), String>) {
    let mut failures = Vec::new();
    for path in paths {
        let bytes = std::fs::read(path).unwrap();
        match catch_unwind(AssertUnwindSafe(|| check(path, &bytes))) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failures.push(format!("{}: {e}", path.display())),
            Err(panic) => {
                let text = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{}: panicked: {text}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn expected(path: &Path) -> Option<Outcome> {
    let name = path.file_name()?.to_str()?;
    let mut parts = name.split('.').skip(1);
    parts.find_map(|p| match p {
        "refused" => Some(Outcome::Refused),
        "edoc" => Some(Outcome::Edoc),
        "status" => Some(Outcome::Status),
        _ => None,
    })
}

/// The seeds kept in the repository: the `*.edxml` files of a corpus directory (what libFuzzer adds there while
/// it runs has no extension and is not kept, see `fuzz/.gitignore`).
fn seeds(dir: &str) -> Vec<PathBuf> {
    files(&root().join(dir))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "edxml"))
        .collect()
}

#[test]
fn fuzz_seeds_replay() {
    let read_seeds = seeds("fuzz/corpus/read");
    let verify_seeds = seeds("fuzz/corpus/verify");
    assert!(
        read_seeds.len() >= 3 && verify_seeds.len() >= 3,
        "the seed corpora are missing"
    );
    let all: Vec<PathBuf> = read_seeds.iter().chain(&verify_seeds).cloned().collect();
    replay(&all, |_, bytes| {
        // The seeds are real or well-formed packages: every one of them reads.
        if exercise_read(bytes) == Outcome::Refused {
            return Err("a seed package is refused by the reader".into());
        }
        exercise_verify(bytes);
        Ok(())
    });
}

#[test]
fn fuzz_regressions_replay() {
    let paths = files(&root().join("tests/regressions"));
    assert!(!paths.is_empty(), "tests/regressions is empty");
    replay(&paths, |path, bytes| {
        let want = expected(path).ok_or("name has no .refused/.edoc/.status part")?;
        let got = exercise_read(bytes);
        exercise_verify(bytes);
        if got != want {
            return Err(format!("read as {got:?}, expected {want:?}"));
        }
        Ok(())
    });
}
