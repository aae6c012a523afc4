//! Package signatures: ours verify with ours and with xmlsec1, xmlsec1's verify with ours, and the legacy form
//! of real packages (non-standard exc-c14n URI, unqualified Signature) verifies through our reference check.

mod common;

use common::*;
use std::path::PathBuf;
use std::process::Command;
use vanthu_edxml::sign::{self, Algorithm, SignError, SigningKey, Trust};
use vanthu_edxml::*;

fn keys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/keys")
}

fn key_file(name: &str) -> Vec<u8> {
    std::fs::read(keys_dir().join(name)).unwrap()
}

fn test_key() -> SigningKey {
    SigningKey::from_pem(&key_file("test-key.pem"), &key_file("test-cert.pem"))
        .expect("test key loads")
}

fn tamper(signed: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(signed.to_vec()).unwrap();
    let changed = text.replacen(
        "V/v thử nghiệm liên thông văn bản",
        "V/v thử nghiệm liên thông văn bản đã sửa",
        1,
    );
    assert_ne!(changed, text);
    changed.into_bytes()
}

#[test]
fn sign_and_verify_rsa_sha256_by_default() {
    let golden = sample(GOLDEN_EDOC);
    let signed = sign::sign(&golden, &test_key(), Algorithm::default()).expect("signs");
    let text = String::from_utf8(signed.clone()).unwrap();
    assert!(text.contains("<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">"));
    assert!(text.contains("xmldsig-more#rsa-sha256"));
    assert!(
        text.contains("<X509SubjectName>") && !text.contains("<X509Certificate></X509Certificate>")
    );
    // After TraceHeaderList, inside edXMLHeader.
    let sig_at = text.find("<Signature").unwrap();
    assert!(text.find("</edXML:TraceHeaderList>").unwrap() < sig_at);
    assert!(sig_at < text.find("</edXML:edXMLHeader>").unwrap());

    let cert = key_file("test-cert.pem");
    let v = sign::verify(&signed, Trust::Certificate(&cert)).unwrap();
    assert!(v.valid, "{:?}", v.reason);
    assert!(!v.legacy_form);
    assert_eq!(
        v.signature_method,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    );
    assert!(v.embedded_certificate.is_some());
    assert!(sign::verify(&signed, Trust::Embedded).unwrap().valid);

    // Another certificate, or a changed package, does not verify.
    let other = key_file("other-cert.pem");
    let v = sign::verify(&signed, Trust::Certificate(&other)).unwrap();
    assert!(!v.valid);
    assert!(v.reason.unwrap().starts_with("Chữ ký không hợp lệ"));
    let v = sign::verify(&tamper(&signed), Trust::Certificate(&cert)).unwrap();
    assert!(!v.valid, "tampering must be detected");

    // The signed package still reads as the same document, with its signature described.
    let d = read_edoc(&signed).unwrap();
    assert!(d.problems.is_empty(), "{:#?}", d.problems);
    let sig = d.value.signature.clone().expect("signature info");
    assert!(sig.in_dsig_namespace && sig.has_certificate);
    assert_eq!(
        sig.subject_name.as_deref(),
        Some("CN=vanthu edxml test signer,O=vanthu (TEST ONLY),C=VN")
    );
    let mut model = d.value;
    model.signature = None;
    assert_eq!(model, read_edoc(&golden).unwrap().value);
}

#[test]
fn sign_and_verify_rsa_sha1() {
    let signed = sign::sign(&sample(GOLDEN_EDOC), &test_key(), Algorithm::RsaSha1).unwrap();
    let v = sign::verify(&signed, Trust::Certificate(&key_file("test-cert.pem"))).unwrap();
    assert!(v.valid, "{:?}", v.reason);
    assert_eq!(
        v.signature_method,
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    );
}

#[test]
fn signing_errors() {
    let signed = sign::sign(&sample(GOLDEN_EDOC), &test_key(), Algorithm::default()).unwrap();
    assert_eq!(
        sign::sign(&signed, &test_key(), Algorithm::default()),
        Err(SignError::AlreadySigned)
    );
    assert!(matches!(
        sign::sign(b"<html/>", &test_key(), Algorithm::default()),
        Err(SignError::Package(_))
    ));
    assert!(matches!(
        sign::sign(b"not xml", &test_key(), Algorithm::default()),
        Err(SignError::Package(_))
    ));
    assert_eq!(
        sign::verify(&sample(GOLDEN_EDOC), Trust::Embedded),
        Err(SignError::NotSigned)
    );
    assert!(matches!(
        SigningKey::from_pem(b"garbage", &key_file("test-cert.pem")),
        Err(SignError::Key(_))
    ));
    assert_eq!(
        SignError::NotSigned.to_string(),
        "Gói tin không có chữ ký (Signature) trong edXMLHeader."
    );
}

#[test]
fn legacy_form_verifies_through_our_reference_check() {
    // Fixtures made by tests/keys/make_legacy_fixtures.py with libxml2 (lxml) and OpenSSL, independently of us.
    let cert = key_file("test-cert.pem");
    for (name, method) in [
        (
            "legacy-vpcp-style.edxml",
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        ),
        (
            "legacy-dsig-ns.edxml",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        ),
    ] {
        let package = key_file(name);
        let v = sign::verify(&package, Trust::Certificate(&cert)).unwrap();
        assert!(v.valid, "{name}: {:?}", v.reason);
        assert!(v.legacy_form, "{name}");
        assert_eq!(v.signature_method, method);
        assert!(
            sign::verify(&package, Trust::Embedded).unwrap().valid,
            "{name}"
        );
        let v = sign::verify(&tamper(&package), Trust::Certificate(&cert)).unwrap();
        assert!(!v.valid, "{name}: tampering must be detected");
        assert!(v.reason.unwrap().contains("DigestValue"));
        let v = sign::verify(&package, Trust::Certificate(&key_file("other-cert.pem"))).unwrap();
        assert!(!v.valid);
        assert!(v.reason.unwrap().contains("SignatureValue"));
        // And the reader takes the package as the golden document.
        let mut model = read_edoc(&package).unwrap().value;
        assert!(model.signature.take().is_some());
        assert_eq!(model, read_edoc(&sample(GOLDEN_EDOC)).unwrap().value);
    }
}

#[test]
fn vpcp_sample_signature_is_a_dummy() {
    // Its values are placeholders: the check runs and reports, it does not fail or panic.
    let v = sign::verify(&sample(VPCP_SAMPLE), Trust::Embedded).unwrap();
    assert!(!v.valid);
    assert!(v.legacy_form);
    assert!(v.reason.is_some());
}

/// Prints "skipped: …" straight to stderr, which the test harness does not capture, so that it shows in a normal
/// `cargo test` run.
fn skipped(what: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {what}");
}

fn xmlsec1() -> Option<PathBuf> {
    let out = Command::new("xmlsec1").arg("--version").output().ok()?;
    if out.status.success() {
        Some(PathBuf::from("xmlsec1"))
    } else {
        None
    }
}

#[test]
fn xmlsec1_verifies_our_signatures() {
    let Some(xmlsec) = xmlsec1() else {
        skipped(
            "xmlsec1_verifies_our_signatures: xmlsec1 is not installed (apt-get install xmlsec1)",
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cert = keys_dir().join("test-cert.pem");
    for algorithm in [Algorithm::RsaSha256, Algorithm::RsaSha1] {
        let signed = sign::sign(&sample(GOLDEN_EDOC), &test_key(), algorithm).unwrap();
        let good = dir.path().join("signed.edxml");
        std::fs::write(&good, &signed).unwrap();
        let out = Command::new(&xmlsec)
            .args(["--verify", "--pubkey-cert-pem"])
            .arg(&cert)
            .arg(&good)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{algorithm:?}: xmlsec1 refused our signature: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bad = dir.path().join("tampered.edxml");
        std::fs::write(&bad, tamper(&signed)).unwrap();
        let out = Command::new(&xmlsec)
            .args(["--verify", "--pubkey-cert-pem"])
            .arg(&cert)
            .arg(&bad)
            .output()
            .unwrap();
        assert!(!out.status.success(), "xmlsec1 accepted a tampered package");
    }
}

#[test]
fn we_verify_xmlsec1_signatures() {
    let Some(xmlsec) = xmlsec1() else {
        skipped("we_verify_xmlsec1_signatures: xmlsec1 is not installed (apt-get install xmlsec1)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let golden = String::from_utf8(sample(GOLDEN_EDOC)).unwrap();
    for (method, c14n, digest) in [
        (
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
            "http://www.w3.org/2001/04/xmlenc#sha256",
        ),
        (
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            "http://www.w3.org/2001/10/xml-exc-c14n#",
            "http://www.w3.org/2000/09/xmldsig#sha1",
        ),
    ] {
        let template = format!(
            "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo><CanonicalizationMethod Algorithm=\"{c14n}\"/><SignatureMethod Algorithm=\"{method}\"/><Reference URI=\"\"><Transforms><Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/><Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></Transforms><DigestMethod Algorithm=\"{digest}\"/><DigestValue/></Reference></SignedInfo><SignatureValue/><KeyInfo><X509Data/></KeyInfo></Signature>\r\n    </edXML:edXMLHeader>"
        );
        let input = dir.path().join("template.edxml");
        std::fs::write(
            &input,
            golden.replacen("</edXML:edXMLHeader>", &template, 1),
        )
        .unwrap();
        let output = dir.path().join("by-xmlsec1.edxml");
        let keys = format!(
            "{},{}",
            keys_dir().join("test-key.pem").display(),
            keys_dir().join("test-cert.pem").display()
        );
        let out = Command::new(&xmlsec)
            .args(["--sign", "--privkey-pem", &keys, "--output"])
            .arg(&output)
            .arg(&input)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "xmlsec1 --sign: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let signed = std::fs::read(&output).unwrap();
        let v = sign::verify(&signed, Trust::Certificate(&key_file("test-cert.pem"))).unwrap();
        assert!(v.valid, "{method}: {:?}", v.reason);
        assert!(
            !sign::verify(&tamper(&signed), Trust::Embedded)
                .unwrap()
                .valid
        );
    }
}
