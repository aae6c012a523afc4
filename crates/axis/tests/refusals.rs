//! Every refusal answers a JSON body with its own `ErrorCode` and a Vietnamese `ErrorDesc`; and a request built
//! by hand literally as standards.md §5.4 describes the official SDK's is accepted.

mod common;

use base64::Engine as _;
use common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::{OffsetDateTime, PrimitiveDateTime};
use vanthu_axis::protocol::{self, VIETNAM};
use vanthu_axis::{Client, MessageType};

fn vn_now() -> PrimitiveDateTime {
    let n = OffsetDateTime::now_utc().to_offset(VIETNAM);
    PrimitiveDateTime::new(n.date(), n.time())
}

/// Sends headers and a body as they are; answers the HTTP status and the JSON body.
async fn raw(
    endpoint: &str,
    op: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new().post(format!("{endpoint}/{op}"));
    for (k, v) in headers {
        req = req.header(
            reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            reqwest::header::HeaderValue::from_bytes(v.as_bytes()).unwrap(),
        );
    }
    let r = req.body(body).send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, v)
}

fn set(headers: &mut [(String, String)], name: &str, value: &str) {
    headers.iter_mut().find(|(k, _)| k == name).unwrap().1 = value.to_string();
}

/// Signed `sendEdoc` headers for a package (lossy hash, as the SDK).
fn send_headers(
    system: &str,
    secret: &str,
    kind: &str,
    package: &[u8],
    at: PrimitiveDateTime,
) -> Vec<(String, String)> {
    let hash = protocol::lossy_hex(&Sha256::digest(package));
    protocol::sign_request(
        system,
        secret,
        &[
            ("from", system),
            ("servicetype", "eDoc"),
            ("messagetype", kind),
            ("hash-file", &hash),
        ],
        "application/octet-stream",
        at,
    )
}

fn with_crlf(p: &[u8]) -> Vec<u8> {
    let mut v = p.to_vec();
    v.extend_from_slice(b"\r\n");
    v
}

fn assert_fail(v: &Value, code: &str) {
    assert_eq!(v["status"], "FAIL", "{v}");
    assert_eq!(v["ErrorCode"], code, "{v}");
    let desc = v["ErrorDesc"].as_str().unwrap();
    assert!(!desc.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_each_have_their_code_and_a_json_body() {
    for db in TestDb::all().await {
        refusals(&db).await;
    }
}

async fn refusals(db: &TestDb) {
    let ax = Axis::start_with(db, |c| c.max_package_bytes = 256 * 1024).await;
    let e = ax.endpoint.as_str();
    let g22 = ax.g22();

    // Wrong secret, unknown system.
    let (code, desc) = refused(
        ax.client(G22, "not-the-right-secret!")
            .send_edoc(MessageType::Edoc, EDOC)
            .await,
    );
    assert_eq!(code, "15", "{desc}");
    assert!(desc.contains("khóa bí mật"), "{desc}");
    let (code, desc) = refused(
        ax.client("000.99.99.H99", "whatever-secret-123")
            .received_list(MessageType::Edoc)
            .await,
    );
    assert_eq!(code, "15");
    assert!(desc.contains("000.99.99.H99"), "{desc}");

    // Stale timestamp (20 minutes old, in Vietnam time and in UTC alike): 16, HTTP 401.
    let old = vn_now() - time::Duration::minutes(20);
    let (status, v) = raw(
        e,
        "sendEdoc",
        &send_headers(G22, G22_SECRET, "edoc", EDOC, old),
        with_crlf(EDOC),
    )
    .await;
    assert_eq!(status, 401);
    assert_fail(&v, "16");
    let future = vn_now() + time::Duration::minutes(20);
    let (_, v) = raw(
        e,
        "getReceivedEdocList",
        &protocol::sign_request(
            G22,
            G22_SECRET,
            &[("servicetype", "eDoc"), ("messagetype", "edoc")],
            "application/json",
            future,
        ),
        Vec::new(),
    )
    .await;
    assert_fail(&v, "16");
    // A client whose clock is on UTC is fine.
    let utc = OffsetDateTime::now_utc();
    let (_, v) = raw(
        e,
        "countReceiveEdoc",
        &protocol::sign_request(
            G22,
            G22_SECRET,
            &[("servicetype", "eDoc"), ("messagetype", "edoc")],
            "application/json",
            PrimitiveDateTime::new(utc.date(), utc.time()),
        ),
        Vec::new(),
    )
    .await;
    assert_eq!(v["status"], "OK", "{v}");

    // A signed header altered on the way: 15.
    let mut h = send_headers(G22, G22_SECRET, "edoc", EDOC, vn_now());
    set(&mut h, "XroadVnpt-messagetype", "status");
    let (status, v) = raw(e, "sendEdoc", &h, with_crlf(EDOC)).await;
    assert_eq!(status, 401);
    assert_fail(&v, "15");
    // The sign-header altered (its HMAC no longer matches): 15.
    let mut h = send_headers(G22, G22_SECRET, "edoc", EDOC, vn_now());
    let sh = h
        .iter()
        .find(|(k, _)| k == "XroadVnpt-sign-header")
        .unwrap()
        .1
        .replace("\"edoc\"", "\"status\"");
    set(&mut h, "XroadVnpt-sign-header", &sh);
    set(&mut h, "XroadVnpt-messagetype", "status");
    let (_, v) = raw(e, "sendEdoc", &h, with_crlf(EDOC)).await;
    assert_fail(&v, "15");
    // A parameter sent but not signed: 15.
    let mut h = protocol::sign_request(
        H41,
        H41_SECRET,
        &[("servicetype", "eDoc")],
        "application/json",
        vn_now(),
    );
    h.push(("XroadVnpt-messagetype".into(), "edoc".into()));
    let (_, v) = raw(e, "getReceivedEdocList", &h, Vec::new()).await;
    assert_fail(&v, "15");
    assert!(
        v["ErrorDesc"].as_str().unwrap().contains("messagetype"),
        "{v}"
    );
    // No signature at all.
    let (_, v) = raw(
        e,
        "getAgenciesList",
        &[("XroadVnpt-systemid".into(), G22.into())],
        Vec::new(),
    )
    .await;
    assert_fail(&v, "15");
    let (status, v) = raw(e, "getAgenciesList", &[], Vec::new()).await;
    assert_eq!(status, 401);
    assert_fail(&v, "15");
    // `from` other than the calling system.
    let hash = protocol::lossy_hex(&Sha256::digest(EDOC));
    let h = protocol::sign_request(
        G22,
        G22_SECRET,
        &[
            ("from", H41),
            ("servicetype", "eDoc"),
            ("messagetype", "edoc"),
            ("hash-file", &hash),
        ],
        "application/octet-stream",
        vn_now(),
    );
    let (_, v) = raw(e, "sendEdoc", &h, with_crlf(EDOC)).await;
    assert_fail(&v, "15");

    // Hash mismatch: 10.
    let h = send_headers(G22, G22_SECRET, "edoc", EDOC, vn_now());
    let mut tampered = EDOC.to_vec();
    tampered[500] ^= 0x20;
    let (status, v) = raw(e, "sendEdoc", &h, with_crlf(&tampered)).await;
    assert_eq!(status, 400);
    assert_fail(&v, "10");
    // Missing hash-file: 26.
    let h2 = protocol::sign_request(
        G22,
        G22_SECRET,
        &[
            ("from", G22),
            ("servicetype", "eDoc"),
            ("messagetype", "edoc"),
        ],
        "application/octet-stream",
        vn_now(),
    );
    let (_, v) = raw(e, "sendEdoc", &h2, with_crlf(EDOC)).await;
    assert_fail(&v, "26");
    // Empty package: 10.
    let h = protocol::sign_request(
        G22,
        G22_SECRET,
        &[
            ("from", G22),
            ("servicetype", "eDoc"),
            ("messagetype", "edoc"),
            ("hash-file", &protocol::lossy_hex(&Sha256::digest(b""))),
        ],
        "application/octet-stream",
        vn_now(),
    );
    let (_, v) = raw(e, "sendEdoc", &h, b"\r\n".to_vec()).await;
    assert_fail(&v, "10");

    // Not edXML: 22.
    for junk in [
        &b"%PDF-1.4 not a package"[..],
        b"<html><body>x</body></html>",
        b"<edXML xmlns=\"urn:other\"/>",
    ] {
        let (code, desc) = refused(g22.send_edoc(MessageType::Edoc, junk).await);
        assert_eq!(code, "22", "{desc}");
    }
    // messagetype that does not match the package: 22.
    let (code, desc) = refused(g22.send_edoc(MessageType::Status, EDOC).await);
    assert_eq!(code, "22");
    assert!(desc.contains("messagetype"), "{desc}");
    // Unknown messagetype: 26.
    let h = protocol::sign_request(
        G22,
        G22_SECRET,
        &[("servicetype", "eDoc"), ("messagetype", "fax")],
        "application/json",
        vn_now(),
    );
    let (status, v) = raw(e, "getReceivedEdocList", &h, Vec::new()).await;
    assert_eq!(status, 400);
    assert_fail(&v, "26");

    // From/OrganId not hosted by the caller: 19.
    let (code, desc) = refused(g22.send_edoc(MessageType::Edoc, &edoc_from(H17)).await);
    assert_eq!(code, "19", "{desc}");
    assert!(desc.contains(H17), "{desc}");

    // Unknown recipients: 18, the whole package refused, the codes listed.
    let (code, desc) = refused(
        g22.send_edoc(
            MessageType::Edoc,
            &edoc_to(&[H41, "000.00.00.X01", "000.00.00.X02"]),
        )
        .await,
    );
    assert_eq!(code, "18");
    assert!(
        desc.contains("000.00.00.X01") && desc.contains("000.00.00.X02") && !desc.contains(H41),
        "{desc}"
    );
    assert!(
        ax.h41()
            .received_list(MessageType::Edoc)
            .await
            .unwrap()
            .is_empty()
    );

    // Disabled recipient: 23; disabled calling system: 17; re-enabled, it works.
    ax.store.set_active(H17, false).await.unwrap();
    let (code, desc) = refused(
        g22.send_edoc(MessageType::Edoc, &edoc_to(&[H41, H17]))
            .await,
    );
    assert_eq!(code, "23");
    assert!(desc.contains(H17), "{desc}");
    let (code, _) = refused(ax.h17().received_list(MessageType::Edoc).await);
    assert_eq!(code, "17");
    assert!(g22.agencies().await.unwrap().iter().all(|a| a.code != H17));
    ax.store.set_active(H17, true).await.unwrap();
    g22.send_edoc(MessageType::Edoc, &edoc_to(&[H41, H17]))
        .await
        .unwrap();

    // Oversized (limit 256 KiB here): 24, HTTP 413, whether the length is declared or not.
    let big = vec![b'x'; 300 * 1024];
    let (status, v) = raw(
        e,
        "sendEdoc",
        &send_headers(G22, G22_SECRET, "edoc", &big, vn_now()),
        with_crlf(&big),
    )
    .await;
    assert_eq!(status, 413);
    assert_fail(&v, "24");
    let (code, _) = refused(g22.send_edoc(MessageType::Edoc, &big).await);
    assert_eq!(code, "24");
    // A large body on a small operation: 24.
    let h = protocol::sign_request(G22, G22_SECRET, &[], "application/json", vn_now());
    let (status, v) = raw(e, "getAgenciesList", &h, vec![b' '; 100 * 1024]).await;
    assert_eq!(status, 413);
    assert_fail(&v, "24");

    // Unknown docId: 25.
    let (status, v) = raw(
        e,
        "getEdoc",
        &protocol::sign_request(
            H41,
            H41_SECRET,
            &[("docId", "00000000-0000-4000-8000-000000000000")],
            "application/json",
            vn_now(),
        ),
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(status, 404);
    assert_fail(&v, "25");
    // Missing docId: 26.
    let (_, v) = raw(
        e,
        "getEdoc",
        &protocol::sign_request(H41, H41_SECRET, &[], "application/json", vn_now()),
        b"{}".to_vec(),
    )
    .await;
    assert_fail(&v, "26");

    // Unknown operation: 404 + 27; wrong method: 405 + 27.
    let (status, v) = raw(
        e,
        "sendFax",
        &protocol::sign_request(G22, G22_SECRET, &[], "application/json", vn_now()),
        Vec::new(),
    )
    .await;
    assert_eq!(status, 404);
    assert_fail(&v, "27");
    let r = reqwest::Client::new()
        .get(format!("{e}/sendEdoc"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    let v: Value = r.json().await.unwrap();
    assert_fail(&v, "27");
    let r = reqwest::Client::new()
        .delete(format!("{e}/getEdoc"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    // downloadEdoc and the counts also answer GET.
    let mut req = reqwest::Client::new().get(format!("{e}/countReceiveEdoc"));
    for (k, v) in protocol::sign_request(
        H41,
        H41_SECRET,
        &[("servicetype", "eDoc"), ("messagetype", "edoc")],
        "application/json",
        vn_now(),
    ) {
        req = req.header(k, v);
    }
    let v: Value = req.send().await.unwrap().json().await.unwrap();
    assert_eq!(v["status"], "OK", "{v}");
    assert_eq!(v["count"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_built_literally_as_the_sdk_sends_it_is_accepted() {
    let db = TestDb::all().await.remove(0);
    let ax = Axis::start(&db).await;
    let e = ax.endpoint.as_str();
    // The package, its SHA-256 as Java's Integer.toHexString per byte writes it (no zero padding).
    let digest = Sha256::digest(EDOC);
    let lossy: String = digest.iter().map(|b| format!("{b:x}")).collect();
    // Local (Vietnam) time, milliseconds zero-padded to four digits after '+'.
    let t = vn_now();
    let ts = format!(
        "{:02}{:02}{:04}T{:02}{:02}{:02}+{:04}",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    );
    // Java HashMap order, compact JSON over the prefixed names.
    let sign_header = format!(
        "{{\"XroadVnpt-systemid\":\"{G22}\",\"XroadVnpt-hash-file\":\"{lossy}\",\"XroadVnpt-servicetype\":\"eDoc\",\"XroadVnpt-from\":\"{G22}\",\"XroadVnpt-messagetype\":\"edoc\",\"XroadVnpt-timestamp\":\"{ts}\",\"XroadVnpt-Content-Type\":\"application/octet-stream\"}}"
    );
    let hash_header = {
        use hmac::{KeyInit, Mac};
        let mut m = hmac::Hmac::<Sha256>::new_from_slice(G22_SECRET.as_bytes()).unwrap();
        m.update(sign_header.as_bytes());
        hex::encode(m.finalize().into_bytes())
    };
    let headers: Vec<(String, String)> = [
        ("XroadVnpt-systemid", G22),
        ("XroadVnpt-hash-file", &lossy),
        ("XroadVnpt-servicetype", "eDoc"),
        ("XroadVnpt-from", G22),
        ("XroadVnpt-messagetype", "edoc"),
        ("XroadVnpt-timestamp", &ts),
        ("Content-Type", "application/octet-stream"),
        ("XroadVnpt-Content-Type", "application/octet-stream"),
        (
            "XroadVnpt-sign-header-key",
            "systemid;hash-file;servicetype;from;messagetype;timestamp;Content-Type",
        ),
        ("XroadVnpt-sign-header", &sign_header),
        ("XroadVnpt-hash-header", &hash_header),
        ("User-Agent", "JAVASDKAgent/1.0.0 XRoad/VPCP"),
        ("XroadVnpt-version", "3.0.201608"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (status, v) = raw(e, "sendEdoc", &headers, with_crlf(EDOC)).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "OK");
    assert_eq!(v["ErrorCode"], "0");
    let doc_id = v["DocId"].as_str().unwrap().to_string();

    // getReceivedEdocList as the SDK: application/json, empty body; fields of §5.1.
    let h = protocol::sign_request(
        H41,
        H41_SECRET,
        &[("servicetype", "eDoc"), ("messagetype", "edoc")],
        "application/json",
        vn_now(),
    );
    let (_, v) = raw(e, "getReceivedEdocList", &h, Vec::new()).await;
    let item = &v["data"][0];
    for key in [
        "docId",
        "serviceType",
        "messageType",
        "created_time",
        "updated_time",
        "from",
        "to",
        "status",
        "status_desc",
    ] {
        assert!(item.get(key).is_some(), "{key} in {item}");
    }
    assert_eq!(item["docId"], doc_id.as_str());
    assert_eq!(item["serviceType"], "eDoc");

    // getEdoc as the SDK: docId and its own filePath (signed, ignored), body {} with Expect: 100-continue.
    let mut h = protocol::sign_request(
        H41,
        H41_SECRET,
        &[("docId", &doc_id), ("filePath", "/opt/vxp/store")],
        "application/json",
        vn_now(),
    );
    h.push(("Expect".into(), "100-continue".into()));
    let (status, v) = raw(e, "getEdoc", &h, b"{}".to_vec()).await;
    assert_eq!(status, 200);
    assert_eq!(v["status"], "OK");
    let data = base64::engine::general_purpose::STANDARD
        .decode(v["data"].as_str().unwrap())
        .unwrap();
    assert_eq!(data, EDOC, "the package without the trailing CRLF");

    // updateStatus as the SDK.
    let h = protocol::sign_request(
        H41,
        H41_SECRET,
        &[("docId", &doc_id), ("status", "done")],
        "application/json",
        vn_now(),
    );
    let (_, v) = raw(e, "updateStatus", &h, b"{}".to_vec()).await;
    assert_eq!(v["status"], "OK", "{v}");

    // getSentEdocList fields of §5.1.
    let h = protocol::sign_request(
        G22,
        G22_SECRET,
        &[
            ("servicetype", "eDoc"),
            ("messagetype", "edoc"),
            ("docId", ""),
        ],
        "application/json",
        vn_now(),
    );
    let (_, v) = raw(e, "getSentEdocList", &h, Vec::new()).await;
    let item = &v["data"][0];
    for key in [
        "serviceType",
        "senderDocId",
        "receiverDocId",
        "fromCode",
        "toCode",
        "title",
        "notation",
        "messageType",
        "sentTime",
        "receivedTime",
        "sendStatus",
        "sendStatusDesc",
        "receiveStatus",
        "receiveStatusDesc",
    ] {
        assert!(item.get(key).is_some(), "{key} in {item}");
    }
    assert_eq!(item["receiveStatus"], "done");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_without_the_trailing_crlf_and_with_a_plain_hash_is_accepted() {
    let db = TestDb::all().await.remove(0);
    let ax = Axis::start(&db).await;
    // The package ends with CRLF itself; no extra CRLF is sent; hash-file is ordinary 64-char hex of the body.
    assert!(EDOC.ends_with(b"\r\n"));
    let hash = hex::encode(Sha256::digest(EDOC));
    let h = protocol::sign_request(
        G22,
        G22_SECRET,
        &[
            ("from", G22),
            ("servicetype", "eDoc"),
            ("messagetype", "edoc"),
            ("hash-file", &hash),
        ],
        "application/octet-stream",
        vn_now(),
    );
    let (_, v) = raw(&ax.endpoint, "sendEdoc", &h, EDOC.to_vec()).await;
    assert_eq!(v["status"], "OK", "{v}");
    let doc_id = v["DocId"].as_str().unwrap();
    assert_eq!(
        ax.h41().get_edoc(doc_id).await.unwrap(),
        EDOC,
        "the package's own CRLF is kept"
    );
    // A package not ending in CRLF, sent with the SDK's extra CRLF: the CRLF is dropped.
    let trimmed = &VPCP_SAMPLE[..VPCP_SAMPLE.len() - 1];
    assert!(!trimmed.ends_with(b"\n"));
    let sample_to = String::from_utf8(trimmed.to_vec())
        .unwrap()
        .replace("28.22.H17", H41)
        .replace("002.00.20.H13", G22);
    let id = ax
        .g22()
        .send_edoc(MessageType::Edoc, sample_to.as_bytes())
        .await
        .unwrap();
    assert_eq!(ax.h41().get_edoc(&id).await.unwrap(), sample_to.as_bytes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_secret_replaces_the_old_one() {
    let db = TestDb::all().await.remove(0);
    let ax = Axis::start(&db).await;
    ax.store
        .rotate_secret(H41, "a-brand-new-secret-0004")
        .await
        .unwrap();
    assert_eq!(
        refused(ax.h41().received_list(MessageType::Edoc).await).0,
        "15"
    );
    let c = Client::new(&ax.endpoint, H41, "a-brand-new-secret-0004").unwrap();
    assert!(c.received_list(MessageType::Edoc).await.unwrap().is_empty());
    assert!(ax.store.rotate_secret(H41, "short").await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_failures_and_temporary_refusals_are_retryable_others_are_not() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = Client::new(&format!("http://127.0.0.1:{port}"), G22, G22_SECRET).unwrap();
    let err = c.received_list(MessageType::Edoc).await.unwrap_err();
    assert!(
        matches!(err, vanthu_axis::ClientError::Transport(_)),
        "{err:?}"
    );
    assert!(err.is_retryable());
    let db = TestDb::all().await.remove(0);
    let ax = Axis::start(&db).await;
    let err = ax
        .client(G22, "wrong-secret-wrong-secret")
        .received_list(MessageType::Edoc)
        .await
        .unwrap_err();
    // A secret rotated on the axis before the installation's configuration: retried with back-off.
    assert!(err.is_retryable());
    assert_eq!(err.code(), Some("15"));
    // A refusal of the request itself is final.
    let err = ax.h41().get_edoc("no-such-doc").await.unwrap_err();
    assert_eq!(err.code(), Some("25"));
    assert!(!err.is_retryable());
    assert!(Client::new("https://axis.example", G22, G22_SECRET).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_chunked_upload_is_cut_at_the_limit() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = TestDb::all().await.remove(0);
    let ax = Axis::start_with(&db, |c| c.max_package_bytes = 256 * 1024).await;
    // No Content-Length: the limit can only be found while streaming.
    let big = vec![b'x'; 400 * 1024];
    let headers = send_headers(G22, G22_SECRET, "edoc", &big, vn_now());
    let addr = ax.endpoint.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut head = format!(
        "POST /sendEdoc HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
    );
    for (k, v) in &headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).await.unwrap();
    for chunk in with_crlf(&big).chunks(16 * 1024) {
        if s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await
            .is_err()
            || s.write_all(chunk).await.is_err()
            || s.write_all(b"\r\n").await.is_err()
        {
            break;
        }
    }
    let _ = s.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"ErrorCode\":\"24\""), "{answer}");
    // Nothing was kept: no package file, no temporary file left behind.
    let tmp = std::fs::read_dir(ax.data.path().join("packages/tmp"))
        .unwrap()
        .count();
    assert_eq!(tmp, 0);
}
