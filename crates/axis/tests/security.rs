//! Attacks on the axis: one system posing as another, a sender forged by a repeated element, a captured request
//! replayed, a package fetched by a client that cannot hold it.

mod common;

use common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::{OffsetDateTime, PrimitiveDateTime};
use vanthu_axis::protocol::{self, VIETNAM};
use vanthu_axis::{ClientError, MessageType};

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

fn assert_fail(v: &Value, code: &str) {
    assert_eq!(v["status"], "FAIL", "{v}");
    assert_eq!(v["ErrorCode"], code, "{v}");
    assert!(!v["ErrorDesc"].as_str().unwrap().is_empty(), "{v}");
}

/// A request forged by hand: `XroadVnpt-systemid: claimed` (whose secret signs), the `signed` pairs (key as
/// written in the sign-header, value) each also sent as a header under the same name, and `extra` headers sent
/// but not signed.
fn forged(
    claimed: &str,
    secret: &str,
    signed: &[(&str, &str)],
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut json = String::from("{");
    for (i, (k, v)) in signed.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!(
            "{}:{}",
            Value::String(k.to_string()),
            Value::String(v.to_string())
        ));
    }
    json.push('}');
    let mut h: Vec<(String, String)> = vec![("XroadVnpt-systemid".into(), claimed.into())];
    for (k, v) in signed {
        if !k.eq_ignore_ascii_case("XroadVnpt-systemid") {
            h.push((k.to_string(), v.to_string()));
        }
    }
    for (k, v) in extra {
        h.push((k.to_string(), v.to_string()));
    }
    h.push(("XroadVnpt-sign-header".into(), json.clone()));
    h.push((
        "XroadVnpt-hash-header".into(),
        protocol::hmac_hex(secret, &json),
    ));
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_system_cannot_act_as_another() {
    for db in TestDb::all().await {
        impersonation(&db).await;
    }
}

async fn impersonation(db: &TestDb) {
    let ax = Axis::start(db).await;
    let e = ax.endpoint.as_str();
    // G22 sends a document to H41; H17 (the attacker, with its own secret) tries to read and acknowledge it.
    let doc_id = ax.g22().send_edoc(MessageType::Edoc, EDOC).await.unwrap();

    // The reported attack: the claimed header selects H17's secret, an unprefixed signed `systemid` names H41.
    let ts = protocol::format_timestamp(vn_now());
    let h = forged(
        H17,
        H17_SECRET,
        &[
            ("systemid", H41),
            ("XroadVnpt-servicetype", "eDoc"),
            ("XroadVnpt-messagetype", "edoc"),
            ("XroadVnpt-timestamp", &ts),
        ],
        &[],
    );
    let (status, v) = raw(e, "getReceivedEdocList", &h, Vec::new()).await;
    assert_eq!(status, 401, "{v}");
    assert_fail(&v, "15");
    for op in ["getEdoc", "downloadEdoc"] {
        let ts = protocol::format_timestamp(vn_now());
        let h = forged(
            H17,
            H17_SECRET,
            &[
                ("systemid", H41),
                ("XroadVnpt-docId", &doc_id),
                ("XroadVnpt-timestamp", &ts),
            ],
            &[],
        );
        let (_, v) = raw(e, op, &h, b"{}".to_vec()).await;
        assert_fail(&v, "15");
    }
    let ts = protocol::format_timestamp(vn_now());
    let h = forged(
        H17,
        H17_SECRET,
        &[
            ("systemid", H41),
            ("XroadVnpt-docId", &doc_id),
            ("XroadVnpt-status", "done"),
            ("XroadVnpt-timestamp", &ts),
        ],
        &[],
    );
    let (_, v) = raw(e, "updateStatus", &h, b"{}".to_vec()).await;
    assert_fail(&v, "15");

    // Sending as H41 (package From H41, from H41), signed with H17's secret.
    let pkg = edoc_from(H41);
    let hash = protocol::lossy_hex(&Sha256::digest(&pkg));
    let ts = protocol::format_timestamp(vn_now());
    let h = forged(
        H17,
        H17_SECRET,
        &[
            ("systemid", H41),
            ("XroadVnpt-from", H41),
            ("XroadVnpt-servicetype", "eDoc"),
            ("XroadVnpt-messagetype", "edoc"),
            ("XroadVnpt-hash-file", &hash),
            ("XroadVnpt-timestamp", &ts),
        ],
        &[],
    );
    let mut body = pkg.clone();
    body.extend_from_slice(b"\r\n");
    let (_, v) = raw(e, "sendEdoc", &h, body).await;
    assert_fail(&v, "15");

    // Registering an agency for H41.
    let ts = protocol::format_timestamp(vn_now());
    let h = forged(
        H17,
        H17_SECRET,
        &[
            ("systemid", H41),
            ("XroadVnpt-code", "000.00.09.H41"),
            ("XroadVnpt-name", "Sở giả mạo"),
            ("XroadVnpt-timestamp", &ts),
        ],
        &[],
    );
    let (_, v) = raw(e, "registerAgency", &h, b"{}".to_vec()).await;
    assert_fail(&v, "15");

    // The same name twice, differing by case only; and with the prefix twice.
    let ts = protocol::format_timestamp(vn_now());
    let h = forged(
        H17,
        H17_SECRET,
        &[
            ("XroadVnpt-systemid", H17),
            ("xroadvnpt-SystemId", H17),
            ("XroadVnpt-servicetype", "eDoc"),
            ("XroadVnpt-messagetype", "edoc"),
            ("XroadVnpt-timestamp", &ts),
        ],
        &[],
    );
    let (_, v) = raw(e, "getReceivedEdocList", &h, Vec::new()).await;
    assert_fail(&v, "15");
    let ts = protocol::format_timestamp(vn_now());
    let h = forged(
        H17,
        H17_SECRET,
        &[
            ("XroadVnpt-systemid", H17),
            ("XroadVnpt-messagetype", "edoc"),
            ("XroadVnpt-MessageType", "status"),
            ("XroadVnpt-timestamp", &ts),
        ],
        &[],
    );
    let (_, v) = raw(e, "getReceivedEdocList", &h, Vec::new()).await;
    assert_fail(&v, "15");

    // The same forged requests with H17's own identity are fine (the forging helper itself is sound).
    let ts = protocol::format_timestamp(vn_now());
    let h = forged(
        H17,
        H17_SECRET,
        &[
            ("XroadVnpt-systemid", H17),
            ("XroadVnpt-servicetype", "eDoc"),
            ("XroadVnpt-messagetype", "edoc"),
            ("XroadVnpt-timestamp", &ts),
        ],
        &[],
    );
    let (_, v) = raw(e, "getReceivedEdocList", &h, Vec::new()).await;
    assert_eq!(v["status"], "OK", "{v}");

    // H41's inbox is untouched: the package still waits, never fetched; nothing was sent in its name.
    let list = ax.h41().received_list(MessageType::Edoc).await.unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].doc_id, doc_id);
    assert_eq!(list[0].status, "pending");
    assert!(
        ax.h41()
            .sent_list(MessageType::Edoc, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        ax.g22()
            .agencies()
            .await
            .unwrap()
            .iter()
            .all(|a| a.code != "000.00.09.H41")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_header_element_cannot_forge_the_sender() {
    let db = TestDb::all().await.remove(0);
    let ax = Axis::start(&db).await;
    let text = std::str::from_utf8(EDOC).unwrap();
    let own = format!("<edXML:OrganId>{G22}</edXML:OrganId>");
    // H17 is the victim named first (what the installation's reader takes), G22 the caller's own code last.
    let two_ids = text.replacen(
        &own,
        &format!("<edXML:OrganId>{H17}</edXML:OrganId>{own}"),
        1,
    );
    let (code, desc) = refused(
        ax.g22()
            .send_edoc(MessageType::Edoc, two_ids.as_bytes())
            .await,
    );
    assert_eq!(code, "22", "{desc}");
    assert!(desc.contains("OrganId"), "{desc}");
    // Two From elements.
    let from_start = text.find("<edXML:From>").unwrap();
    let two_from = format!(
        "{}<edXML:From><edXML:OrganId>{H17}</edXML:OrganId></edXML:From>{}",
        &text[..from_start],
        &text[from_start..]
    );
    let (code, desc) = refused(
        ax.g22()
            .send_edoc(MessageType::Edoc, two_from.as_bytes())
            .await,
    );
    assert_eq!(code, "22", "{desc}");
    assert!(desc.contains("From"), "{desc}");
    // Two MessageHeader elements.
    let mh = text.find("<edXML:MessageHeader>").unwrap();
    let two_mh = format!(
        "{}<edXML:MessageHeader><edXML:From><edXML:OrganId>{H17}</edXML:OrganId></edXML:From></edXML:MessageHeader>{}",
        &text[..mh],
        &text[mh..]
    );
    let (code, desc) = refused(
        ax.g22()
            .send_edoc(MessageType::Edoc, two_mh.as_bytes())
            .await,
    );
    assert_eq!(code, "22", "{desc}");
    assert!(desc.contains("MessageHeader"), "{desc}");
    assert!(
        ax.h41()
            .received_list(MessageType::Edoc)
            .await
            .unwrap()
            .is_empty()
    );

    // What is delivered names the sender the installation's own reader finds in the package.
    ax.g22().send_edoc(MessageType::Edoc, EDOC).await.unwrap();
    let list = ax.h41().received_list(MessageType::Edoc).await.unwrap();
    let got = ax.h41().get_edoc(&list[0].doc_id).await.unwrap();
    let vanthu_edxml::Packet::Edoc(edoc) = vanthu_edxml::read(&got).unwrap().value else {
        panic!("a document package")
    };
    assert_eq!(list[0].from, edoc.header.from.unwrap().organ_id);
    assert_eq!(list[0].from, G22);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_captured_request_cannot_be_replayed() {
    for db in TestDb::all().await {
        replay(&db).await;
    }
}

async fn replay(db: &TestDb) {
    let ax = Axis::start(db).await;
    let e = ax.endpoint.as_str();
    let h = protocol::sign_request(
        H41,
        H41_SECRET,
        &[("servicetype", "eDoc"), ("messagetype", "edoc")],
        "application/json",
        vn_now(),
    );
    let (_, v) = raw(e, "countReceiveEdoc", &h, Vec::new()).await;
    assert_eq!(v["status"], "OK", "{v}");
    // The identical request again: 16, saying it was already used.
    let (status, v) = raw(e, "countReceiveEdoc", &h, Vec::new()).await;
    assert_eq!(status, 401);
    assert_fail(&v, "16");
    assert!(
        v["ErrorDesc"].as_str().unwrap().contains("đã được sử dụng"),
        "{v}"
    );
    // Also when the signature is written in upper case, or at another operation.
    let upper: Vec<(String, String)> = h
        .iter()
        .map(|(k, v)| {
            if k == protocol::H_HASH_HEADER {
                (k.clone(), v.to_uppercase())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    let (_, v) = raw(e, "countReceiveEdoc", &upper, Vec::new()).await;
    assert_fail(&v, "16");
    let (_, v) = raw(e, "getReceivedEdocList", &h, Vec::new()).await;
    assert_fail(&v, "16");

    // A registerAgency captured and replayed as deleteAgency.
    let reg = protocol::sign_request(
        H41,
        H41_SECRET,
        &[
            ("code", "000.00.01.H41"),
            ("name", "Sở Nội vụ tỉnh Nghệ An"),
        ],
        "application/json",
        vn_now(),
    );
    let (_, v) = raw(e, "registerAgency", &reg, b"{}".to_vec()).await;
    assert_eq!(v["status"], "OK", "{v}");
    let (_, v) = raw(e, "deleteAgency", &reg, b"{}".to_vec()).await;
    assert_fail(&v, "16");
    // deleteAgency signed afresh with `code` but no `AgencyCode`: a missing parameter, nothing deleted.
    let del = protocol::sign_request(
        H41,
        H41_SECRET,
        &[("code", "000.00.01.H41")],
        "application/json",
        vn_now(),
    );
    let (_, v) = raw(e, "deleteAgency", &del, b"{}".to_vec()).await;
    assert_fail(&v, "26");
    assert!(
        v["ErrorDesc"].as_str().unwrap().contains("AgencyCode"),
        "{v}"
    );
    assert!(
        ax.h41()
            .agencies()
            .await
            .unwrap()
            .iter()
            .any(|a| a.code == "000.00.01.H41")
    );
    ax.h41().delete_agency("000.00.01.H41").await.unwrap();

    // The client signs each call afresh: many identical calls in a burst are all accepted.
    let c = ax.h41();
    let calls = (0..20).map(|_| c.count_received(MessageType::Edoc));
    for r in futures_util::future::join_all(calls).await {
        assert_eq!(r.unwrap(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temporary_refusals_are_retryable_permanent_ones_are_not() {
    let db = TestDb::all().await.remove(0);
    let ax = Axis::start(&db).await;
    // A secret rotated on the axis before the installation's configuration: retry (with back-off).
    let err = ax
        .client(G22, "wrong-secret-wrong-secret")
        .received_list(MessageType::Edoc)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("15"));
    assert!(err.is_retryable());
    // A system briefly disabled.
    ax.store.set_active(H17, false).await.unwrap();
    let err = ax.h17().received_list(MessageType::Edoc).await.unwrap_err();
    assert_eq!(err.code(), Some("17"));
    assert!(err.is_retryable());
    ax.store.set_active(H17, true).await.unwrap();
    // Refusals of the package itself are final.
    let err = ax
        .g22()
        .send_edoc(MessageType::Edoc, &edoc_to(&["000.00.00.X01"]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("18"));
    assert!(!err.is_retryable());
    let err = ax
        .g22()
        .send_edoc(MessageType::Edoc, b"not a package")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("22"));
    assert!(!err.is_retryable());
    let err = ax.h41().get_edoc("no-such-doc").await.unwrap_err();
    assert_eq!(err.code(), Some("25"));
    assert!(!err.is_retryable());
    assert!(matches!(err, ClientError::Refused { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_does_not_read_an_answer_beyond_its_limit() {
    let db = TestDb::all().await.remove(0);
    let ax = Axis::start(&db).await;
    let doc_id = ax.g22().send_edoc(MessageType::Edoc, EDOC).await.unwrap();
    assert_eq!(ax.h41().max_answer_bytes(), 128 * 1024 * 1024);
    // The sample is 5.7 KB: over a 2 KiB limit, as base64 JSON (getEdoc) and as a file (downloadEdoc).
    let small = ax.h41().with_max_answer_bytes(2048);
    for r in [
        small.get_edoc(&doc_id).await,
        small.download_edoc(&doc_id).await,
    ] {
        let err = r.unwrap_err();
        assert!(matches!(err, ClientError::Protocol(_)), "{err:?}");
        assert!(err.to_string().contains("2048"), "{err}");
    }
    // Nothing was acknowledged: the delivery still waits, and a client with room reads it.
    assert_eq!(ax.h41().get_edoc(&doc_id).await.unwrap(), EDOC);
    assert_eq!(ax.h41().download_edoc(&doc_id).await.unwrap(), EDOC);
    assert_eq!(
        ax.h41()
            .received_list(MessageType::Edoc)
            .await
            .unwrap()
            .len(),
        1
    );

    // An answer without Content-Length (streamed): cut while reading.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(|| async {
        let chunks = (0..64).map(|_| Ok::<_, std::io::Error>(vec![b'A'; 1024]));
        axum::body::Body::from_stream(futures_util::stream::iter(chunks))
    });
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let c = vanthu_axis::Client::new(&format!("http://{addr}"), G22, G22_SECRET)
        .unwrap()
        .with_max_answer_bytes(10 * 1024);
    let err = c.download_edoc("x").await.unwrap_err();
    assert!(matches!(err, ClientError::Protocol(_)), "{err:?}");
    let c = c.with_max_answer_bytes(1024 * 1024);
    assert_eq!(c.download_edoc("x").await.unwrap().len(), 64 * 1024);
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_registration_only_updates_what_an_administrator_added() {
    use vanthu_axis::AgencyRegistration;
    use vanthu_axis::store::NewAgency;
    for db in TestDb::all().await {
        const DEPT: &str = "000.01.00.H41";
        const FREE: &str = "000.02.00.H41";
        let ax = Axis::start_with(&db, |c| c.closed_registration = true).await;
        let h41 = ax.h41();
        let reg = |code: &str, name: &str| AgencyRegistration {
            code: code.into(),
            name: name.into(),
            ..AgencyRegistration::default()
        };
        // A code nobody added: refused, 28; not created.
        let (code, desc) = refused(h41.register_agency(&reg(FREE, "Sở Tư pháp")).await);
        assert_eq!(code, "28", "{}: {desc}", db.label);
        assert!(desc.contains(FREE), "{desc}");
        // Another system's code: 28 as always.
        let (code, _) = refused(h41.register_agency(&reg(H17, "Chiếm mã")).await);
        assert_eq!(code, "28");
        // Its own main code and a code the administrator added for it: updated.
        h41.register_agency(&reg(H41, "Ủy ban nhân dân tỉnh Nghệ An"))
            .await
            .unwrap();
        ax.store
            .add_agency(&NewAgency {
                code: DEPT.into(),
                name: "Sở Nội vụ".into(),
                system: Some(H41.into()),
                ..NewAgency::default()
            })
            .await
            .unwrap();
        h41.register_agency(&reg(DEPT, "Sở Nội vụ tỉnh Nghệ An"))
            .await
            .unwrap();
        let list = ax.store.list_agencies().await.unwrap();
        assert!(list.iter().all(|a| a.code != FREE), "{}", db.label);
        assert_eq!(
            list.iter().find(|a| a.code == DEPT).unwrap().name,
            "Sở Nội vụ tỉnh Nghệ An"
        );
        assert_eq!(
            list.iter().find(|a| a.code == H41).unwrap().name,
            "Ủy ban nhân dân tỉnh Nghệ An"
        );
        // Open (the default): the same code is claimed.
        let mut ax = ax;
        ax.stop().await;
        ax.run(|_| {}).await;
        ax.h41()
            .register_agency(&reg(FREE, "Sở Tư pháp"))
            .await
            .unwrap();
    }
}
