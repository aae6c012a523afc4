//! The properties every input must keep, shared by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs` include this
//! file by path), the replay of the corpus and regression files (`tests/regressions.rs`) and the proptest
//! mutations (`tests/fuzz.rs`), so that all three check the same thing.
//!
//! - Reading returns `Ok` or `Err`, never panics.
//! - What reads can be validated and written. What we write reads again, as the same model, except for what the
//!   writer changes on purpose: the signature is not written, and an attachment's `content_type` becomes the type
//!   its name gives (the writer zips every file but a PDF and the reader names the unwrapped file by its name).
//! - Writing what was read back from our own output gives the same bytes again (our output is a fixed point).
//!   (Both hold while a package's files unzip to less than `attachment::MAX_UNZIPPED` together, as any input of
//!   a fuzzer's size does; past that budget the reader leaves files wrapped, and a rewrite of a package at the
//!   edge of it could end up on the other side.)
//! - Signature verification returns `Ok` or `Err`, never panics, whatever the trust anchor.

use vanthu_edxml::sign::{self, Trust};
use vanthu_edxml::*;

/// What one input gave, for the replay test to count (a fuzz target ignores it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A `ReadError`: not an edXML package.
    Refused,
    /// Read as a document package, and our rewrite of it round-tripped.
    Edoc,
    /// Read as a status packet, and our rewrite of it round-tripped.
    Status,
}

fn options() -> ValidateOptions {
    ValidateOptions {
        extra_agency_codes: vec!["vxp.saas.03".to_string()],
    }
}

/// The model the reader must give for the bytes `write_edoc(e)` produced.
pub fn expected_after_write(e: &Edoc) -> Edoc {
    let mut e = e.clone();
    e.signature = None;
    for a in &mut e.attachments {
        a.content_type = attachment::mime_for_name(&a.name).to_string();
    }
    e
}

/// Reads `bytes` and, when they read, validates, writes and reads again, asserting the round-trip properties.
pub fn exercise_read(bytes: &[u8]) -> Outcome {
    let Ok(decoded) = read(bytes) else {
        return Outcome::Refused;
    };
    match decoded.value {
        Packet::Edoc(e) => {
            let _ = e.validate();
            let _ = e.validate_with(&options());
            let Ok(first) = write_edoc(&e) else {
                // A file that cannot be zipped is a WriteError, not a panic; nothing to compare.
                return Outcome::Edoc;
            };
            let again = match read_edoc(&first) {
                Ok(d) => d.value,
                Err(err) => panic!("our own output does not read: {err}"),
            };
            assert_eq!(
                again,
                expected_after_write(&e),
                "the package we wrote reads as another model"
            );
            let second = write_edoc(&again).expect("what we wrote once writes again");
            assert!(
                first == second,
                "writing what we read from our own output gives other bytes"
            );
            Outcome::Edoc
        }
        Packet::Status(s) => {
            let _ = s.validate();
            let _ = s.validate_with(&options());
            let first = write_status(&s);
            let again = match read_status(&first) {
                Ok(d) => d.value,
                Err(err) => panic!("our own status output does not read: {err}"),
            };
            assert_eq!(
                again, *s,
                "the status packet we wrote reads as another model"
            );
            assert!(
                write_status(&again) == first,
                "writing what we read from our own status output gives other bytes"
            );
            Outcome::Status
        }
    }
}

/// The test certificate of `tests/keys` (the fuzz targets embed it too).
pub const TEST_CERT_PEM: &[u8] = include_bytes!("../keys/test-cert.pem");

/// Verifies `bytes` with the embedded certificate, the test certificate, and garbage as the trust anchor; none may
/// panic. A valid outcome must say so consistently: a signature valid under the test certificate is valid under
/// the embedded one only if the package carries that certificate, so only the shape of the outcome is checked.
pub fn exercise_verify(bytes: &[u8]) {
    for trust in [
        Trust::Embedded,
        Trust::Certificate(TEST_CERT_PEM),
        Trust::Certificate(bytes),
    ] {
        if let Ok(v) = sign::verify(bytes, trust) {
            assert_eq!(
                v.valid,
                v.reason.is_none(),
                "a verification is valid exactly when it gives no reason"
            );
        }
    }
}
