//! Writes sample register books (PDF and XLSX) into a directory.
//!
//! `cargo run -p vanthu-books --example sample_books [OUT_DIR] [ROWS]`
//! (default: `$TMPDIR/vanthu-books-sample`, 60 rows).

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::time::Instant;

/// Produces the bytes of one sample file.
type Job<'a> = Box<dyn Fn() -> Result<Vec<u8>, vanthu_books::BookError> + 'a>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("vanthu-books-sample"));
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(60);
    std::fs::create_dir_all(&dir)?;

    let mut incoming = common::incoming_rows(n);
    if n > 3 {
        incoming[3].type_and_subject = common::long_subject(2_000);
        incoming[3].note = "Trích yếu dài 2.000 ký tự".into();
    }
    let outgoing = common::outgoing_rows(n);

    let jobs: Vec<(&str, Job)> = vec![
        (
            "so-den.pdf",
            Box::new(|| vanthu_books::incoming_pdf(&common::meta_incoming(false), &incoming)),
        ),
        (
            "so-den-mat.pdf",
            Box::new(|| vanthu_books::incoming_pdf(&common::meta_incoming(true), &incoming)),
        ),
        (
            "so-di.pdf",
            Box::new(|| vanthu_books::outgoing_pdf(&common::meta_outgoing(), &outgoing)),
        ),
        (
            "so-trong.pdf",
            Box::new(|| vanthu_books::incoming_pdf(&common::meta_incoming(false), &[])),
        ),
        (
            "so-den.xlsx",
            Box::new(|| vanthu_books::incoming_xlsx(&common::meta_incoming(true), &incoming)),
        ),
        (
            "so-di.xlsx",
            Box::new(|| vanthu_books::outgoing_xlsx(&common::meta_outgoing(), &outgoing)),
        ),
    ];
    for (name, job) in jobs {
        let start = Instant::now();
        let bytes = job()?;
        let path = dir.join(name);
        std::fs::write(&path, &bytes)?;
        println!(
            "{} ({} bytes, {:.2?})",
            path.display(),
            bytes.len(),
            start.elapsed()
        );
    }
    Ok(())
}
