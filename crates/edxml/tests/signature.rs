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

/// One identity for the tests below (RSA-2048 generation is the slow part of a debug build).
fn generated() -> &'static (SigningKey, String, String) {
    static IDENTITY: std::sync::OnceLock<(SigningKey, String, String)> = std::sync::OnceLock::new();
    IDENTITY.get_or_init(|| {
        sign::generate_self_signed(
            "Hệ thống vanthu, trục liên thông",
            "UBND tỉnh Thử Nghiệm",
            365,
        )
        .expect("generates")
    })
}

#[test]
fn generated_identity_signs_and_verifies() {
    let (key, key_pem, cert_pem) = generated();
    assert!(
        key_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"),
        "PKCS#8 PEM"
    );
    assert!(cert_pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    let golden = sample(GOLDEN_EDOC);
    let signed = sign::sign(&golden, key, Algorithm::default()).unwrap();
    let v = sign::verify(&signed, Trust::Certificate(cert_pem.as_bytes())).unwrap();
    assert!(v.valid, "{:?}", v.reason);
    assert!(!v.legacy_form);
    assert!(sign::verify(&signed, Trust::Embedded).unwrap().valid);
    assert!(
        !sign::verify(&tamper(&signed), Trust::Certificate(cert_pem.as_bytes()))
            .unwrap()
            .valid
    );
    // Not the test certificate's key, nor another test certificate's.
    for other in ["test-cert.pem", "other-cert.pem"] {
        let v = sign::verify(&signed, Trust::Certificate(&key_file(other))).unwrap();
        assert!(!v.valid, "{other}");
    }
    // The embedded certificate is the one returned, and its subject is the one asked for.
    let pem_body: String = cert_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD
        .decode(pem_body)
        .unwrap();
    assert_eq!(v_embedded(&signed), der);
    let sig = read_edoc(&signed).unwrap().value.signature.unwrap();
    let subject = sig.subject_name.unwrap();
    assert!(
        subject.contains("Hệ thống vanthu") && subject.contains("UBND tỉnh Thử Nghiệm"),
        "{subject}"
    );

    // The stored PEMs give the same identity back.
    let reloaded = SigningKey::from_pem(key_pem.as_bytes(), cert_pem.as_bytes()).unwrap();
    let signed_again = sign::sign(&golden, &reloaded, Algorithm::RsaSha1).unwrap();
    let v = sign::verify(&signed_again, Trust::Certificate(cert_pem.as_bytes())).unwrap();
    assert!(v.valid, "{:?}", v.reason);
}

fn v_embedded(signed: &[u8]) -> Vec<u8> {
    sign::verify(signed, Trust::Embedded)
        .unwrap()
        .embedded_certificate
        .expect("certificate in KeyInfo")
}

#[test]
fn generated_identities_are_distinct() {
    let (_, key_pem, cert_pem) = generated();
    let (other_key, other_key_pem, other_cert_pem) =
        sign::generate_self_signed("vanthu", "Sở Thử Nghiệm", 1).unwrap();
    assert_ne!(key_pem, &other_key_pem);
    assert_ne!(cert_pem, &other_cert_pem);
    let signed = sign::sign(&sample(GOLDEN_EDOC), &other_key, Algorithm::default()).unwrap();
    assert!(
        sign::verify(&signed, Trust::Certificate(other_cert_pem.as_bytes()))
            .unwrap()
            .valid
    );
    assert!(
        !sign::verify(&signed, Trust::Certificate(cert_pem.as_bytes()))
            .unwrap()
            .valid
    );
}

#[test]
fn generation_refuses_bad_arguments() {
    let message = |r: Result<(SigningKey, String, String), SignError>| match r {
        Err(e @ SignError::Generation(_)) => e.to_string(),
        Err(e) => panic!("another error: {e}"),
        Ok(_) => panic!("accepted"),
    };
    assert_eq!(
        message(sign::generate_self_signed("  ", "UBND", 365)),
        "Không tạo được khóa ký và chứng thư tự ký: tên chủ thể (CN) trống."
    );
    assert!(
        message(sign::generate_self_signed("vanthu", "", 365)).contains("tên tổ chức (O) trống")
    );
    assert!(message(sign::generate_self_signed("vanthu", "UBND", 0)).contains("thời hạn hiệu lực"));
    assert!(
        message(sign::generate_self_signed(
            "vanthu",
            "UBND",
            sign::MAX_VALID_DAYS + 1
        ))
        .contains("thời hạn hiệu lực")
    );
    assert!(message(sign::generate_self_signed(&"x".repeat(65), "UBND", 1)).contains("64 ký tự"));
}

#[test]
fn xmlsec1_verifies_packages_signed_with_a_generated_identity() {
    let Some(xmlsec) = xmlsec1() else {
        skipped(
            "xmlsec1_verifies_packages_signed_with_a_generated_identity: xmlsec1 is not installed (apt-get install xmlsec1)",
        );
        return;
    };
    let (key, _, cert_pem) = generated();
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("generated-cert.pem");
    std::fs::write(&cert, cert_pem).unwrap();
    let signed = sign::sign(&sample(GOLDEN_EDOC), key, Algorithm::default()).unwrap();
    let good = dir.path().join("signed.edxml");
    std::fs::write(&good, &signed).unwrap();
    // With the certificate's key alone, and with the certificate as the trusted root (OpenSSL checks it then:
    // self-signature, validity dates, extensions).
    for how in ["--pubkey-cert-pem", "--trusted-pem"] {
        let out = Command::new(&xmlsec)
            .args(["--verify", how])
            .arg(&cert)
            .arg(&good)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{how}: xmlsec1 refused a package signed with a generated identity: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Another root is not trusted for it.
    let out = Command::new(&xmlsec)
        .args(["--verify", "--trusted-pem"])
        .arg(keys_dir().join("test-cert.pem"))
        .arg(&good)
        .output()
        .unwrap();
    assert!(!out.status.success(), "xmlsec1 trusted another root");
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

#[test]
fn openssl_reads_the_generated_certificate() {
    let (_, key_pem, cert_pem) = generated();
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("generated-cert.pem");
    std::fs::write(&cert, cert_pem).unwrap();
    let Ok(out) = Command::new("openssl")
        .args([
            "x509",
            "-noout",
            "-text",
            "-nameopt",
            "utf8,sep_comma_plus",
            "-in",
        ])
        .arg(&cert)
        .output()
    else {
        skipped("openssl_reads_the_generated_certificate: openssl is not installed");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "Version: 3 (0x2)",
        "Signature Algorithm: sha256WithRSAEncryption",
        "Public-Key: (2048 bit)",
        "Subject: C=VN,O=UBND tỉnh Thử Nghiệm,CN=Hệ thống vanthu, trục liên thông",
        "Issuer: C=VN,O=UBND tỉnh Thử Nghiệm,CN=Hệ thống vanthu, trục liên thông",
        "X509v3 Basic Constraints: critical",
        "CA:FALSE",
        "X509v3 Key Usage: critical",
        "Digital Signature, Non Repudiation",
        "X509v3 Subject Key Identifier",
        "X509v3 Authority Key Identifier",
    ] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
    // The private key is an RSA key that matches the certificate.
    let key = dir.path().join("generated-key.pem");
    std::fs::write(&key, key_pem).unwrap();
    let modulus = |args: &[&str], path: &std::path::Path| {
        let out = Command::new("openssl")
            .args(args)
            .arg(path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        modulus(&["x509", "-noout", "-modulus", "-in"], &cert),
        modulus(&["rsa", "-noout", "-modulus", "-in"], &key)
    );
}
