//! Randomised input: the reader returns `Ok` or `Err`, never panics, and what it reads can be validated and
//! written again. The same properties are checked by the cargo-fuzz targets in `fuzz/` (see its README section),
//! which run far longer; this is the quick version that runs with every `cargo test`.

mod common;

use common::exercise as props;
use common::*;
use proptest::prelude::*;

/// Reading, and for what reads, validating, writing and reading again, and verifying, must not panic; the
/// round-trip properties are those of the cargo-fuzz targets (`common/exercise.rs`).
fn exercise(bytes: &[u8]) {
    props::exercise_verify(bytes);
    props::exercise_read(bytes);
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Flip(at, x) => {
                if !bytes.is_empty() {
                    let i = at % len;
                    bytes[i] ^= x;
                }
            }
            Mutation::Delete(at, n) => {
                let i = at % len;
                let end = (i + n).min(bytes.len());
                if i < end {
                    bytes.drain(i..end);
                }
            }
            Mutation::Insert(at, data) => {
                let i = (at % len).min(bytes.len());
                bytes.splice(i..i, data.iter().copied());
            }
            Mutation::Truncate(at) => bytes.truncate(at % len),
            Mutation::Duplicate(at, n) => {
                let i = at % len;
                let end = (i + n).min(bytes.len());
                if i < end {
                    let piece = bytes[i..end].to_vec();
                    bytes.splice(i..i, piece);
                }
            }
        }
    }
    bytes
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let xmlish = prop_oneof![
        Just(b"<".to_vec()),
        Just(b">".to_vec()),
        Just(b"</edXML:To>".to_vec()),
        Just(b"<edXML:Attachment>".to_vec()),
        Just(b"&amp;".to_vec()),
        Just(b"&#0;".to_vec()),
        Just(b"PK\x03\x04".to_vec()),
        Just("ệ".as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 1..16),
    ];
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(a, x)| Mutation::Flip(a, x)),
        (any::<usize>(), 1usize..64).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), xmlish).prop_map(|(a, d)| Mutation::Insert(a, d)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..200).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
    ]
}

fn samples() -> Vec<Vec<u8>> {
    vec![
        sample(GOLDEN_EDOC),
        sample(GOLDEN_STATUS),
        sample(VPCP_SAMPLE),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn mutated_samples_never_panic(which in 0usize..3, mutations in proptest::collection::vec(mutation(), 1..6)) {
        let bytes = apply(samples()[which].clone(), &mutations);
        exercise(&bytes);
    }

    #[test]
    fn mutated_signed_packages_never_panic_the_verifier(which in 0usize..4, mutations in proptest::collection::vec(mutation(), 1..4)) {
        let keys = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/keys");
        let name = ["legacy-vpcp-style.edxml", "legacy-dsig-ns.edxml"][which % 2];
        let mut bytes = std::fs::read(keys.join(name)).unwrap();
        if which == 2 {
            bytes = sample(VPCP_SAMPLE);
        }
        if which == 3 {
            // A standard signature of ours, checked by bergshamra's verifier.
            let key = vanthu_edxml::sign::SigningKey::from_pem(
                &std::fs::read(keys.join("test-key.pem")).unwrap(),
                &std::fs::read(keys.join("test-cert.pem")).unwrap(),
            )
            .unwrap();
            bytes = vanthu_edxml::sign::sign(&sample(GOLDEN_EDOC), &key, Default::default()).unwrap();
        }
        let bytes = apply(bytes, &mutations);
        let _ = vanthu_edxml::sign::verify(&bytes, vanthu_edxml::sign::Trust::Embedded);
        exercise(&bytes);
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        exercise(&bytes);
    }

    #[test]
    fn random_text_in_fields_never_panics(text in "\\PC{0,40}", field in 0usize..8) {
        // Arbitrary (escaped) text in a field of the golden package.
        let golden = String::from_utf8(sample(GOLDEN_EDOC)).unwrap();
        let targets = [
            "000.00.00.H41", "2024/05/20", "Công văn", ">1<", "2026/11/22 14:53:17", "van-ban-thu-nghiem.pdf",
            "application/pdf", "Văn phòng Chính phủ",
        ];
        let escaped = text.replace('&', "&amp;").replace('<', "&lt;");
        let bytes = golden.replacen(targets[field], &escaped, 1).into_bytes();
        exercise(&bytes);
    }
}

#[test]
fn every_line_removed_and_every_cut() {
    for s in samples() {
        let text = String::from_utf8(s.clone()).unwrap();
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        for i in 0..lines.len() {
            let without: String = lines
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, l)| *l)
                .collect();
            exercise(without.as_bytes());
        }
        for cut in (0..s.len()).step_by(37) {
            exercise(&s[..cut]);
        }
    }
}
