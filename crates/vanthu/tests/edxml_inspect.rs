//! `vanthu edxml inspect`: the real binary on the golden samples of `vanthu-edxml`, on packages signed at test time
//! with the crate's test key, on a tampered package and on garbage.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use vanthu_edxml::sign::{self, Algorithm, SigningKey};

fn edxml_tests() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../edxml/tests")
}

fn sample_path(name: &str) -> String {
    edxml_tests()
        .join("samples")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

fn key_path(name: &str) -> String {
    edxml_tests()
        .join("keys")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Runs `vanthu edxml inspect ARGS`, feeding `stdin` (for `-`).
fn inspect(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vanthu"))
        .arg("edxml")
        .arg("inspect")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run vanthu");
    // The binary may not read its input (a file argument, a usage error): a closed pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

/// Asserts the exit code and returns the JSON on stdout.
fn json(o: &Output, code: i32) -> Value {
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

fn signed_golden(algorithm: Algorithm) -> Vec<u8> {
    let key = SigningKey::from_pem(
        &read(&key_path("test-key.pem")),
        &read(&key_path("test-cert.pem")),
    )
    .expect("test key");
    sign::sign(
        &read(&sample_path("official-sdk-edoc-pdf.edxml")),
        &key,
        algorithm,
    )
    .expect("signs")
}

#[test]
fn golden_document_package() {
    let path = sample_path("official-sdk-edoc-pdf.edxml");
    let bytes = read(&path);
    let v = json(&inspect(&[&path], b""), 0);
    assert_eq!(v["file"], path.as_str());
    assert_eq!(v["size"], bytes.len());
    assert_eq!(v["kind"], "edoc");
    assert_eq!(v["problems"], serde_json::json!([]));

    let h = &v["package"]["header"];
    assert_eq!(h["from"]["organ_id"], "000.00.00.G22");
    assert_eq!(h["to"][0]["organ_id"], "000.00.00.H41");
    assert_eq!(h["code"]["number"], "123");
    assert_eq!(h["code"]["notation"], "VPCP-TTĐT");
    assert_eq!(h["document_id"], "000.00.00.G22,2024/05/20,123/VPCP-TTĐT");
    assert_eq!(h["subject"], "V/v thử nghiệm liên thông văn bản");
    assert_eq!(h["promulgation"]["date"]["raw"], "2024/05/20");
    assert_eq!(h["promulgation"]["date"]["iso"], "2024-05-20");
    assert_eq!(h["other_info"]["priority"]["code"], "1");
    assert_eq!(h["other_info"]["priority"]["name"], "Khẩn");

    // The attachment is described, not carried: size and SHA-256 of the decoded file.
    let decoded = vanthu_edxml::read_edoc(&bytes).unwrap().value;
    let file = &decoded.attachments[0];
    let a = &v["package"]["attachments"][0];
    assert_eq!(a["name"], "van-ban-thu-nghiem.pdf");
    assert_eq!(a["content_type"], "application/pdf");
    assert_eq!(a["description"], "Tệp đính kèm thử nghiệm");
    assert_eq!(a["size"], file.data.len());
    assert!(file.data.starts_with(b"%PDF-"));
    assert_eq!(a["sha256"], hex::encode(Sha256::digest(&file.data)));
    assert_eq!(
        a.as_object().unwrap().len(),
        6,
        "no bytes in the JSON: {a:#}"
    );

    let s = &v["signature"];
    assert_eq!(s["present"], false);
    assert_eq!(s["verified"], false);
    assert_eq!(
        s["reason"],
        "Gói tin không có chữ ký (Signature) trong edXMLHeader."
    );
}

#[test]
fn golden_status_packet_from_stdin() {
    let bytes = read(&sample_path("official-sdk-status-03.edxml"));
    let v = json(&inspect(&["-"], &bytes), 0);
    assert_eq!(v["file"], "-");
    assert_eq!(v["size"], bytes.len());
    assert_eq!(v["kind"], "status");
    assert_eq!(v["problems"], serde_json::json!([]));
    let p = &v["package"];
    assert_eq!(p["status_code"]["code"], "03");
    assert_eq!(p["status_code"]["name"], "Đã tiếp nhận");
    assert_eq!(p["from"]["organ_id"], "000.00.00.H41");
    assert_eq!(p["response_for"]["code"], "123/VPCP-TTĐT");
    assert_eq!(p["timestamp"]["raw"], "2026/11/22 14:53:18");
    assert_eq!(p["timestamp"]["iso"], "2026-11-22T14:53:18");
    assert_eq!(v["signature"]["present"], false);
}

#[test]
fn problems_are_reported_with_exit_zero() {
    let v = json(
        &inspect(&[&sample_path("vpcp-sdk-sample_edoc_new.edxml")], b""),
        0,
    );
    let problems = v["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p["path"] == "MessageHeader/To[1]/OrganId"
                && p["kind"] == "bad_agency_code"
                && p["severity"] == "error"
                && p["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("28.22.H17"))),
        "{problems:#?}"
    );
    // Its signature is an unqualified dummy: described, checked, invalid.
    let s = &v["signature"];
    assert_eq!(s["present"], true);
    assert_eq!(s["legacy_form"], true);
    assert_eq!(s["verified"], false);
    assert!(s["reason"].is_string());
}

#[test]
fn signed_package_verifies() {
    let signed = signed_golden(Algorithm::RsaSha256);
    let cert = key_path("test-cert.pem");

    // Against the sender's certificate.
    let v = json(&inspect(&["-", "--cert", &cert], &signed), 0);
    assert_eq!(v["problems"], serde_json::json!([]));
    let s = &v["signature"];
    assert_eq!(s["present"], true, "{s:#}");
    assert_eq!(s["verified"], true, "{s:#}");
    assert_eq!(s["reason"], Value::Null);
    assert_eq!(s["algorithm"], "RSA-SHA256");
    assert_eq!(
        s["signature_method"],
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    );
    assert_eq!(
        s["digest_method"],
        "http://www.w3.org/2001/04/xmlenc#sha256"
    );
    assert_eq!(s["legacy_form"], false);
    assert_eq!(s["trust"], "certificate");
    assert_eq!(s["certificate"], cert.as_str());
    assert_eq!(s["integrity_only"], false);
    assert_eq!(
        s["subject_name"],
        "CN=vanthu edxml test signer,O=vanthu (TEST ONLY),C=VN"
    );
    assert_eq!(s["embedded_certificate_sha256"].as_str().unwrap().len(), 64);

    // Against the certificate the package carries: integrity only, and the JSON says so.
    let v = json(&inspect(&["-"], &signed), 0);
    let s = &v["signature"];
    assert_eq!(s["verified"], true, "{s:#}");
    assert_eq!(s["trust"], "embedded");
    assert_eq!(s["certificate"], Value::Null);
    assert_eq!(s["integrity_only"], true);
    assert!(
        s["note"]
            .as_str()
            .unwrap()
            .contains("chỉ chứng minh tính toàn vẹn"),
        "{s:#}"
    );

    // RSA-SHA1 is named as such.
    let v = json(
        &inspect(&["-", "--cert", &cert], &signed_golden(Algorithm::RsaSha1)),
        0,
    );
    assert_eq!(v["signature"]["verified"], true);
    assert_eq!(v["signature"]["algorithm"], "RSA-SHA1");

    // Another certificate does not verify it.
    let v = json(
        &inspect(&["-", "--cert", &key_path("other-cert.pem")], &signed),
        0,
    );
    let s = &v["signature"];
    assert_eq!(s["verified"], false);
    assert!(
        s["reason"]
            .as_str()
            .unwrap()
            .starts_with("Chữ ký không hợp lệ"),
        "{s:#}"
    );
}

#[test]
fn tampered_package_fails_verification() {
    let signed = String::from_utf8(signed_golden(Algorithm::RsaSha256)).unwrap();
    let tampered = signed.replacen(
        "V/v thử nghiệm liên thông văn bản",
        "V/v thử nghiệm liên thông văn bản đã sửa",
        1,
    );
    assert_ne!(tampered, signed);
    for args in [vec!["-", "--cert", &key_path("test-cert.pem")], vec!["-"]] {
        let v = json(&inspect(&args, tampered.as_bytes()), 0);
        assert_eq!(
            v["package"]["header"]["subject"],
            "V/v thử nghiệm liên thông văn bản đã sửa"
        );
        let s = &v["signature"];
        assert_eq!(s["present"], true);
        assert_eq!(s["verified"], false, "{args:?}: {s:#}");
        assert!(
            s["reason"]
                .as_str()
                .unwrap()
                .starts_with("Chữ ký không hợp lệ"),
            "{s:#}"
        );
    }
}

#[test]
fn unreadable_input_exits_one_with_json() {
    // Garbage from stdin.
    let o = inspect(&["-"], b"\x00\x01 this is not a package");
    let v = json(&o, 1);
    assert_eq!(v["file"], "-");
    let error = v["error"].as_str().unwrap();
    assert!(error.starts_with("Gói tin"), "{error}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.starts_with("Lỗi: ") && stderr.contains(error),
        "{stderr}"
    );

    // XML, but not edXML.
    let v = json(&inspect(&["-"], b"<?xml version=\"1.0\"?><html/>"), 1);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("Gói tin không phải edXML"),
        "{v:#}"
    );

    // A missing file.
    let missing = edxml_tests().join("khong-co.edxml");
    let missing = missing.to_str().unwrap();
    let v = json(&inspect(&[missing], b""), 1);
    assert_eq!(v["file"], missing);
    assert!(
        v["error"].as_str().unwrap().contains("không tìm thấy tệp"),
        "{v:#}"
    );

    // A missing certificate file.
    let v = json(
        &inspect(
            &[
                &sample_path("official-sdk-edoc-pdf.edxml"),
                "--cert",
                missing,
            ],
            b"",
        ),
        1,
    );
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .starts_with("Không đọc được tệp chứng thư số"),
        "{v:#}"
    );
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(inspect(&[], b"").status.code(), Some(2));
    assert_eq!(inspect(&["a", "b"], b"").status.code(), Some(2));
}
