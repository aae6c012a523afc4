//! The exchange worker of two installations against an in-memory axis that routes packages by agency code the
//! way the real one does: a province sends to the central office, the central clerk registers, the leader
//! assigns, the specialist handles it, and every status reaches the province's page; repeated polls and resent
//! packages create nothing new; a revocation is answered with 15; an axis that is down is retried with backoff
//! and one that refuses waits for a person; a document that arrives both inside the installation and over the
//! axis is flagged, not doubled; a package for nobody here is kept for the administrator.
//! (`crates/vanthu/tests/exchange_e2e.rs` runs the same story with real processes and the real axis.)

mod common;

use async_trait::async_trait;
use common::{DEMO_PASSWORD, TestServer, multipart, pdf, queue_ids};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use vanthu_server::exchange::worker::Worker;
use vanthu_server::exchange::{AxisAgency, AxisApi, AxisError, Pending};

/// The axis: packages by id, a queue per system, the system hosting each agency code.
#[derive(Default)]
struct Axis {
    packages: HashMap<String, Vec<u8>>,
    queues: HashMap<String, Vec<String>>,
    hosts: Vec<(String, String)>,
    agencies: Vec<AxisAgency>,
    /// Unreachable: every call fails with a retryable error.
    down: bool,
    next: u64,
}

impl Axis {
    fn host(&self, code: &str) -> Option<String> {
        self.hosts
            .iter()
            .find(|(prefix, _)| code == prefix || code.ends_with(prefix.as_str()))
            .map(|(_, s)| s.clone())
    }
}

#[derive(Clone)]
struct Endpoint {
    axis: Arc<Mutex<Axis>>,
    system: String,
}

fn down() -> AxisError {
    AxisError {
        retryable: true,
        message: "không kết nối được trục".into(),
    }
}

#[async_trait]
impl AxisApi for Endpoint {
    async fn send(&self, kind: &str, package: &[u8]) -> Result<String, AxisError> {
        let mut a = self.axis.lock().unwrap();
        if a.down {
            return Err(down());
        }
        let packet = vanthu_edxml::read(package).map_err(|e| AxisError {
            retryable: false,
            message: format!("22: {e}"),
        })?;
        let targets: Vec<String> = match &packet.value {
            vanthu_edxml::Packet::Edoc(e) => {
                assert_eq!(kind, "edoc");
                e.header.to.iter().map(|t| t.organ_id.clone()).collect()
            }
            vanthu_edxml::Packet::Status(s) => {
                assert_eq!(kind, "status");
                vec![s.response_for.organ_id.clone()]
            }
        };
        let mut systems = Vec::new();
        for t in &targets {
            match a.host(t) {
                Some(s) => systems.push(s),
                None => {
                    return Err(AxisError {
                        retryable: false,
                        message: format!("18: đơn vị nhận {t} không tồn tại"),
                    });
                }
            }
        }
        a.next += 1;
        let id = format!("axis-{}", a.next);
        a.packages.insert(id.clone(), package.to_vec());
        for s in systems {
            a.queues.entry(s).or_default().push(id.clone());
        }
        Ok(id)
    }

    async fn pending(&self, kind: &str) -> Result<Vec<Pending>, AxisError> {
        let a = self.axis.lock().unwrap();
        if a.down {
            return Err(down());
        }
        Ok(a.queues
            .get(&self.system)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|id| {
                let p = vanthu_edxml::read(&a.packages[&id]).unwrap();
                let from = match &p.value {
                    vanthu_edxml::Packet::Edoc(e) => {
                        e.header.from.as_ref().unwrap().organ_id.clone()
                    }
                    vanthu_edxml::Packet::Status(s) => s.from.as_ref().unwrap().organ_id.clone(),
                };
                (p.value.kind() == kind).then_some(Pending { doc_id: id, from })
            })
            .collect())
    }

    async fn fetch(&self, doc_id: &str) -> Result<Vec<u8>, AxisError> {
        let a = self.axis.lock().unwrap();
        if a.down {
            return Err(down());
        }
        a.packages.get(doc_id).cloned().ok_or(AxisError {
            retryable: false,
            message: "25: không có gói tin".into(),
        })
    }

    async fn ack(&self, doc_id: &str, _status: &str) -> Result<(), AxisError> {
        let mut a = self.axis.lock().unwrap();
        if a.down {
            return Err(down());
        }
        if let Some(q) = a.queues.get_mut(&self.system) {
            q.retain(|x| x != doc_id);
        }
        Ok(())
    }

    async fn agencies(&self) -> Result<Vec<AxisAgency>, AxisError> {
        Ok(self.axis.lock().unwrap().agencies.clone())
    }

    async fn register(&self, agency: &AxisAgency) -> Result<(), AxisError> {
        let mut a = self.axis.lock().unwrap();
        a.agencies.retain(|x| x.code != agency.code);
        a.agencies.push(agency.clone());
        Ok(())
    }
}

fn signing_key() -> vanthu_edxml::sign::SigningKey {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../edxml/tests/keys");
    vanthu_edxml::sign::SigningKey::from_pem(
        &std::fs::read(dir.join("test-key.pem")).unwrap(),
        &std::fs::read(dir.join("test-cert.pem")).unwrap(),
    )
    .unwrap()
}

/// Issues a document of Ninh Bình's people's committee to `recipients`; returns its id.
async fn issue(s: &TestServer, subject: &str, recipients: Value) -> i64 {
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let drafter = s.token("ubnd.ninhbinh.chuyenvien", DEMO_PASSWORD).await;
    let signer = s.token("ubnd.ninhbinh.lanhdao", DEMO_PASSWORD).await;
    let clerk = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
    let signer_id = s.person_id("ubnd.ninhbinh.lanhdao").await;
    let meta = json!({"unit_id": unit, "doc_type": "cong_van", "subject": subject, "signer_id": signer_id,
        "urgency": "khan", "recipients": recipients});
    let (st, d) = multipart(
        s,
        &drafter,
        "/api/v1/outgoing",
        meta,
        vec![("main", "cong-van.pdf", pdf(subject))],
    )
    .await;
    assert_eq!(st, 201, "{d}");
    let id = d["id"].as_i64().unwrap();
    for (t, path, body) in [
        (&drafter, "submit", json!({})),
        (&signer, "review", json!({"decision": "approve"})),
        (&clerk, "issue", json!({})),
    ] {
        let (st, v) = s
            .send("POST", t, &format!("/api/v1/outgoing/{id}/{path}"), body)
            .await;
        assert_eq!(st, 200, "{path}: {v}");
    }
    id
}

fn recipient<'a>(detail: &'a Value, code: &str) -> &'a Value {
    detail["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code && r["channel"] == "axis")
        .unwrap_or_else(|| panic!("no recipient {code} in {detail}"))
}

#[tokio::test]
async fn a_province_and_the_central_office_exchange_documents_and_statuses() {
    let mut servers = TestServer::demo_all().await;
    // The central office on the last backend (PostgreSQL when configured), the province on SQLite.
    let central = servers.pop().unwrap();
    let province = TestServer::demo().await;
    let axis = Arc::new(Mutex::new(Axis {
        hosts: vec![
            (".H40".into(), "tinh".into()),
            ("000.00.00.D01".into(), "trunguong".into()),
            ("000.00.00.G99".into(), "trunguong".into()),
        ],
        ..Axis::default()
    }));
    let wp = Worker::new(
        province.app.clone(),
        Arc::new(Endpoint {
            axis: axis.clone(),
            system: "tinh".into(),
        }),
        Some(signing_key()),
    );
    let wc = Worker::new(
        central.app.clone(),
        Arc::new(Endpoint {
            axis: axis.clone(),
            system: "trunguong".into(),
        }),
        None,
    );

    // The directory: each installation registers its coded units, then takes the whole list.
    assert!(wp.sync_directory().await.unwrap() > 10);
    assert!(wc.sync_directory().await.unwrap() > 10);
    let pclerk = province.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
    let (_, ag) = province.get(&pclerk, "/api/v1/exchange/agencies").await;
    assert!(
        ag["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["code"] == "000.00.00.D01"),
        "{ag}"
    );

    // The province issues a document to the central office over the axis.
    let id = issue(
        &province,
        "Báo cáo kết quả chuyển đổi số năm 2026",
        json!([{"name": "Văn phòng Trung ương Đảng", "code": "000.00.00.D01"}]),
    )
    .await;
    let (_, d) = province
        .get(&pclerk, &format!("/api/v1/documents/{id}"))
        .await;
    assert_eq!(recipient(&d, "000.00.00.D01")["status"], "pending");
    assert_eq!(d["exchange"][0]["state"], "queued", "{d}");

    // The axis is down: the package waits and is retried later, the reason on the sender's page.
    axis.lock().unwrap().down = true;
    let r = wp.send_due().await;
    assert_eq!(r.retried, 1, "{r:?}");
    let (_, d) = province
        .get(&pclerk, &format!("/api/v1/documents/{id}"))
        .await;
    assert_eq!(d["exchange"][0]["attempts"], 1);
    assert_eq!(d["exchange"][0]["state_label"], "Đang thử gửi lại");
    let note = recipient(&d, "000.00.00.D01")["note"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(note.contains("Chưa gửi được"), "{note}");
    // Not due yet: nothing is tried before the backoff is over.
    axis.lock().unwrap().down = false;
    assert_eq!(wp.send_due().await.sent, 0);
    let mut tx = province.app.store.write().await.unwrap();
    let item = tx
        .outbox_of_document(id)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    tx.outbox_retry(item.id, 0, "đến hạn").await.unwrap();
    tx.commit().await.unwrap();
    let r = wp.send_due().await;
    assert_eq!(r.sent, 1, "{r:?}");
    let (_, d) = province
        .get(&pclerk, &format!("/api/v1/documents/{id}"))
        .await;
    assert_eq!(d["exchange"][0]["state"], "sent");
    let sent_bytes = {
        let a = axis.lock().unwrap();
        a.packages[d["exchange"][0]["axis_doc_id"].as_str().unwrap()].clone()
    };
    // The package is signed and reads back as what was issued.
    let v = vanthu_edxml::sign::verify(&sent_bytes, vanthu_edxml::sign::Trust::Embedded).unwrap();
    assert!(v.valid, "{v:?}");
    let e = vanthu_edxml::read_edoc(&sent_bytes).unwrap().value;
    assert_eq!(e.header.from.as_ref().unwrap().organ_id, "000.00.00.H40");
    assert_eq!(e.header.to[0].organ_id, "000.00.00.D01");
    assert_eq!(e.header.subject, "Báo cáo kết quả chuyển đổi số năm 2026");
    assert_eq!(e.attachments.len(), 1);
    assert_eq!(
        e.attachments[0].data,
        pdf("Báo cáo kết quả chuyển đổi số năm 2026")
    );
    assert_eq!(e.header.other_info.priority, vanthu_edxml::Priority::Urgent);

    // The central office pulls it: an incoming document in the clerk's queue, 01 answered at once.
    let cclerk = central.token("vptw.vanthu", DEMO_PASSWORD).await;
    let r = wc.round().await;
    assert_eq!(r.imported, 1, "{r:?}");
    let waiting = queue_ids(&central, &cclerk, "to_register").await;
    let (_, list) = central.get(&cclerk, "/api/v1/queues/to_register").await;
    let incoming = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["subject"] == "Báo cáo kết quả chuyển đổi số năm 2026")
        .unwrap_or_else(|| panic!("not in the clerk's queue: {list}"));
    let copy = incoming["id"].as_i64().unwrap();
    assert!(waiting.contains(&copy));
    let (_, c) = central
        .get(&cclerk, &format!("/api/v1/documents/{copy}"))
        .await;
    assert_eq!(c["document"]["channel"], "axis", "{c}");
    assert_eq!(c["document"]["author_code"], "000.00.00.H40");
    assert_eq!(c["document"]["urgency"], "khan");
    assert_eq!(c["arrival"]["from_code"], "000.00.00.H40");
    assert_eq!(c["files"].as_array().unwrap().len(), 1);
    let wc_round = wc.round().await;
    assert_eq!(wc_round.sent, 1, "status 01: {wc_round:?}");
    wp.round().await;
    let (_, d) = province
        .get(&pclerk, &format!("/api/v1/documents/{id}"))
        .await;
    assert_eq!(recipient(&d, "000.00.00.D01")["status"], "arrived", "{d}");

    // A repeated poll (the acknowledgement was lost) creates nothing new; nor does the same document resent
    // under a new axis id.
    let first = {
        let a = axis.lock().unwrap();
        a.packages
            .iter()
            .find(|(_, b)| **b == sent_bytes)
            .map(|(k, _)| k.clone())
            .unwrap()
    };
    let again = vanthu_server::exchange::inbox::import(&central.app, &first, &sent_bytes, None)
        .await
        .unwrap();
    assert!(again.again);
    let resent = vanthu_server::exchange::inbox::import(
        &central.app,
        "axis-resent",
        &sent_bytes,
        Some("000.00.00.H40"),
    )
    .await
    .unwrap();
    assert_eq!(resent.outcome, "duplicate", "{resent:?}");
    assert!(resent.documents.is_empty());
    assert_eq!(
        queue_ids(&central, &cclerk, "to_register").await.len(),
        waiting.len()
    );

    // The clerk registers, the leader assigns, the specialist reports and completes: each step goes back.
    let (st, v) = central
        .send(
            "POST",
            &cclerk,
            &format!("/api/v1/incoming/{copy}/register"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let leader = central.token("vptw.lanhdao", DEMO_PASSWORD).await;
    let spec_id = central.person_id("vptw.chuyenvien").await;
    let (st, v) = central
        .send(
            "POST",
            &leader,
            &format!("/api/v1/incoming/{copy}/assign"),
            json!({"direction": "Tổng hợp, báo cáo", "lead": spec_id}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    wc.round().await;
    wp.round().await;
    let (_, d) = province
        .get(&pclerk, &format!("/api/v1/documents/{id}"))
        .await;
    assert_eq!(recipient(&d, "000.00.00.D01")["status"], "assigned", "{d}");
    let spec = central.token("vptw.chuyenvien", DEMO_PASSWORD).await;
    let (st, _) = central
        .send(
            "POST",
            &spec,
            &format!("/api/v1/incoming/{copy}/progress"),
            json!({"report": "Đang tổng hợp"}),
        )
        .await;
    assert_eq!(st, 200);
    wc.round().await;
    wp.round().await;
    let (_, d) = province
        .get(&pclerk, &format!("/api/v1/documents/{id}"))
        .await;
    assert_eq!(recipient(&d, "000.00.00.D01")["status"], "processing");
    let (st, _) = central
        .send(
            "POST",
            &spec,
            &format!("/api/v1/incoming/{copy}/complete"),
            json!({"report": "Đã báo cáo"}),
        )
        .await;
    assert_eq!(st, 200);
    wc.round().await;
    wp.round().await;
    let (_, d) = province
        .get(&pclerk, &format!("/api/v1/documents/{id}"))
        .await;
    assert_eq!(recipient(&d, "000.00.00.D01")["status"], "done", "{d}");
    let (_, h) = province
        .get(&pclerk, &format!("/api/v1/documents/{id}/history"))
        .await;
    let trail: Vec<&str> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        trail.iter().filter(|a| **a == "document.status").count() >= 5,
        "{trail:?}"
    );
    let (_, ch) = central
        .get(&cclerk, &format!("/api/v1/documents/{copy}"))
        .await;
    let codes: Vec<&str> = ch["exchange"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["01", "03", "04", "05", "06"], "{ch}");

    // Revocation: the province revokes, the central office's copy is revoked and 15 comes back.
    let id2 = issue(
        &province,
        "Công văn ban hành nhầm",
        json!([{"name": "Văn phòng Trung ương Đảng", "code": "000.00.00.D01"}]),
    )
    .await;
    wp.round().await;
    wc.round().await;
    let (_, list) = central.get(&cclerk, "/api/v1/queues/to_register").await;
    let copy2 = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["subject"] == "Công văn ban hành nhầm")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (st, v) = province
        .send(
            "POST",
            &pclerk,
            &format!("/api/v1/documents/{id2}/revoke"),
            json!({"reason": "Ban hành nhầm"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    wp.round().await;
    wc.round().await;
    wc.round().await;
    wp.round().await;
    let (_, c2) = central
        .get(&cclerk, &format!("/api/v1/documents/{copy2}"))
        .await;
    assert_eq!(c2["document"]["state"], "revoked", "{c2}");
    let (_, d2) = province
        .get(&pclerk, &format!("/api/v1/documents/{id2}"))
        .await;
    let r2 = recipient(&d2, "000.00.00.D01");
    assert_eq!(r2["status"], "revoked");
    assert_eq!(r2["note"], "Nơi nhận đã đồng ý thu hồi", "{d2}");

    // A code the axis's directory does not have is refused when the draft is saved.
    let unit = province.unit_id("ubnd.ninhbinh").await;
    let drafter = province
        .token("ubnd.ninhbinh.chuyenvien", DEMO_PASSWORD)
        .await;
    let (st, e) = multipart(
        &province,
        &drafter,
        "/api/v1/outgoing",
        json!({"unit_id": unit, "doc_type": "cong_van", "subject": "Mã sai",
            "signer_id": province.person_id("ubnd.ninhbinh.lanhdao").await,
            "recipients": [{"name": "Cơ quan không có", "code": "000.00.00.G77"}]}),
        vec![("main", "x.pdf", pdf("x"))],
    )
    .await;
    assert_eq!(st, 422, "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("không có trong danh bạ"),
        "{e}"
    );
    // Codes the directory lists but the axis cannot deliver to (out of step): the axis refuses, the packet
    // waits for a person, who sends it again.
    for code in ["000.00.00.G77", "000.00.00.G66", "000.00.00.G88"] {
        axis.lock().unwrap().agencies.push(AxisAgency {
            code: code.into(),
            name: format!("Cơ quan {code}"),
            pcode: None,
        });
    }
    wp.sync_directory().await.unwrap();
    let id3 = issue(
        &province,
        "Gửi nhầm mã định danh",
        json!([{"name": "Cơ quan không có", "code": "000.00.00.G77"}]),
    )
    .await;
    let r = wp.send_due().await;
    assert_eq!(r.failed, 1, "{r:?}");
    let (_, d3) = province
        .get(&pclerk, &format!("/api/v1/documents/{id3}"))
        .await;
    assert_eq!(d3["exchange"][0]["state"], "failed");
    assert!(
        recipient(&d3, "000.00.00.G77")["note"]
            .as_str()
            .unwrap()
            .contains("từ chối"),
        "{d3}"
    );
    let pid = d3["exchange"][0]["id"].as_i64().unwrap();
    let (st, _) = province
        .send(
            "POST",
            &pclerk,
            &format!("/api/v1/exchange/outbox/{pid}/retry"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let (st, _) = province
        .send(
            "POST",
            &pclerk,
            &format!("/api/v1/exchange/outbox/{pid}/retry"),
            json!({}),
        )
        .await;
    assert_eq!(st, 409);
    let admin = province.token("admin", DEMO_PASSWORD).await;
    let (st, v) = province
        .get(&admin, "/api/v1/exchange/outbox?state=queued")
        .await;
    assert_eq!(st, 200);
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == pid)
    );
    assert_eq!(
        province.get(&pclerk, "/api/v1/exchange/outbox").await.0,
        403
    );

    // A package for an agency nobody here hosts is kept for the administrator.
    axis.lock()
        .unwrap()
        .hosts
        .push(("000.00.00.G88".into(), "trunguong".into()));
    issue(
        &province,
        "Văn bản gửi cơ quan chưa có trong hệ thống",
        json!([{"name": "Cơ quan G88", "code": "000.00.00.G88"}]),
    )
    .await;
    wp.round().await;
    wc.round().await;
    let cadmin = central.token("admin", DEMO_PASSWORD).await;
    let (_, inbox) = central
        .get(&cadmin, "/api/v1/exchange/inbox?outcome=unaddressed")
        .await;
    let kept = &inbox["items"][0];
    assert_eq!(kept["outcome_label"], "Không có đơn vị nhận", "{inbox}");
    let r = central
        .client()
        .get(central.url(&format!("/api/v1/exchange/inbox/{}/package", kept["id"])))
        .bearer_auth(&cadmin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let raw = r.bytes().await.unwrap();
    assert!(vanthu_edxml::read_edoc(&raw).is_ok());

    // On the web: the administrator's exchange page lists it; the province's clerk sends a refused packet again
    // from the document's page.
    let (web, _) = common::web::sign_in(&central, "admin").await;
    let (st, page) = common::web::get(&web, &central, "/admin/exchange").await;
    assert_eq!(st, 200);
    assert!(page.contains("Liên thông văn bản qua trục"), "{page}");
    assert!(page.contains("Không có đơn vị nhận"));
    assert!(page.contains("000.00.00.D01"), "the directory is listed");
    let (cweb, _) = common::web::sign_in(&central, "vptw.vanthu").await;
    assert_eq!(
        common::web::get(&cweb, &central, "/admin/exchange").await.0,
        403
    );
    let id4 = issue(
        &province,
        "Gửi nhầm mã định danh lần nữa",
        json!([{"name": "Cơ quan không có", "code": "000.00.00.G66"}]),
    )
    .await;
    assert_eq!(wp.send_due().await.failed, 1);
    let (pweb, csrf) = common::web::sign_in(&province, "ubnd.ninhbinh.vanthu").await;
    let (st, page) = common::web::get(&pweb, &province, &format!("/documents/{id4}")).await;
    assert_eq!(st, 200);
    assert!(page.contains("Liên thông qua trục"), "{page}");
    assert!(page.contains("Bị từ chối, chờ xử lý"), "{page}");
    let (_, d4) = province
        .get(&pclerk, &format!("/api/v1/documents/{id4}"))
        .await;
    let pid4 = d4["exchange"][0]["id"].as_i64().unwrap().to_string();
    let (st, to, _) = common::web::post(
        &pweb,
        &province,
        &format!("/documents/{id4}/resend"),
        &[("_csrf", &csrf), ("packet_id", &pid4)],
    )
    .await;
    assert_eq!(
        (st, to.as_str()),
        (303, format!("/documents/{id4}?done=resend").as_str())
    );
    let (_, d4) = province
        .get(&pclerk, &format!("/api/v1/documents/{id4}"))
        .await;
    assert_eq!(d4["exchange"][0]["state"], "queued");
    // A packet of another document cannot be sent again through this one.
    let (st, _, _) = common::web::post(
        &pweb,
        &province,
        &format!("/documents/{id}/resend"),
        &[("_csrf", &csrf), ("packet_id", &pid4)],
    )
    .await;
    assert_eq!(st, 404);

    // Garbage from the axis is recorded and acknowledged as failed, nothing created.
    let bad = vanthu_server::exchange::inbox::import(
        &central.app,
        "axis-garbage",
        b"<khong-phai-edxml/>",
        None,
    )
    .await
    .unwrap();
    assert_eq!(bad.outcome, "invalid");
    assert_eq!(bad.ack(), "fail");
    province.stop().await;
    central.stop().await;
}

#[tokio::test]
async fn a_document_that_also_came_inside_the_installation_is_flagged_not_doubled() {
    let s = TestServer::demo().await;
    let axis = Arc::new(Mutex::new(Axis {
        hosts: vec![(".H40".into(), "tinh".into())],
        ..Axis::default()
    }));
    let w = Worker::new(
        s.app.clone(),
        Arc::new(Endpoint {
            axis: axis.clone(),
            system: "tinh".into(),
        }),
        None,
    );
    let hoalu = s.unit_id("ubnd.ninhbinh.hoalu").await;
    // Sent to the ward both inside the installation and, by mistake, over the axis to its code.
    let id = issue(
        &s,
        "Kế hoạch kiểm tra công tác văn thư",
        json!([{"unit_id": hoalu}, {"name": "UBND phường Hoa Lư", "code": "001.00.10.H40"}]),
    )
    .await;
    let r = w.round().await;
    assert_eq!(r.sent, 1, "{r:?}");
    w.round().await;
    let hclerk = s.token("ubnd.ninhbinh.hoalu.vanthu", DEMO_PASSWORD).await;
    let (_, list) = s.get(&hclerk, "/api/v1/queues/to_register").await;
    let copies: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["subject"] == "Kế hoạch kiểm tra công tác văn thư")
        .collect();
    assert_eq!(copies.len(), 1, "{list}");
    let copy = copies[0]["id"].as_i64().unwrap();
    let (_, h) = s
        .get(&hclerk, &format!("/api/v1/documents/{copy}/history"))
        .await;
    assert!(
        h["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "document.also_axis"),
        "{h}"
    );
    let admin = s.token("admin", DEMO_PASSWORD).await;
    let (_, inbox) = s.get(&admin, "/api/v1/exchange/inbox").await;
    let package = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "edoc")
        .unwrap();
    assert_eq!(package["outcome"], "also_internal", "{inbox}");
    // Registering the copy tells both: the internal sender row and the axis sender.
    let (st, _) = s
        .send(
            "POST",
            &hclerk,
            &format!("/api/v1/incoming/{copy}/register"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    w.round().await;
    w.round().await;
    let clerk = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
    let (_, d) = s.get(&clerk, &format!("/api/v1/documents/{id}")).await;
    assert_eq!(recipient(&d, "001.00.10.H40")["status"], "accepted", "{d}");
    s.stop().await;
}

#[tokio::test]
async fn revocations_never_lose_a_race_and_forged_senders_are_refused() {
    let s = TestServer::demo().await;
    let axis = Arc::new(Mutex::new(Axis {
        hosts: vec![("000.00.00.D01".into(), "trunguong".into())],
        ..Axis::default()
    }));
    let w = Worker::new(
        s.app.clone(),
        Arc::new(Endpoint {
            axis: axis.clone(),
            system: "tinh".into(),
        }),
        None,
    );
    let clerk = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
    let to = json!([{"name": "Văn phòng Trung ương Đảng", "code": "000.00.00.D01"}]);
    let packets = |d: &Value| -> Vec<(String, String)> {
        d["exchange"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["code"].as_str().unwrap().to_string(),
                    p["state"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };

    // Revoked before it was ever tried: cancelled, no revocation sent (it never left).
    let a = issue(&s, "Chưa kịp gửi", to.clone()).await;
    let (st, _) = s
        .send(
            "POST",
            &clerk,
            &format!("/api/v1/documents/{a}/revoke"),
            json!({"reason": "Nhầm"}),
        )
        .await;
    assert_eq!(st, 200);
    let (_, d) = s.get(&clerk, &format!("/api/v1/documents/{a}")).await;
    assert_eq!(
        packets(&d),
        [("new".to_string(), "cancelled".to_string())],
        "{d}"
    );
    assert_eq!(w.send_due().await.sent, 0);

    // Tried once while the axis was unreachable (it may have arrived): cancelled and followed by a revocation.
    let b = issue(&s, "Đã thử gửi một lần", to.clone()).await;
    axis.lock().unwrap().down = true;
    assert_eq!(w.send_due().await.retried, 1);
    axis.lock().unwrap().down = false;
    let (st, _) = s
        .send(
            "POST",
            &clerk,
            &format!("/api/v1/documents/{b}/revoke"),
            json!({"reason": "Nhầm"}),
        )
        .await;
    assert_eq!(st, 200);
    let (_, d) = s.get(&clerk, &format!("/api/v1/documents/{b}")).await;
    assert_eq!(
        packets(&d),
        [
            ("new".to_string(), "cancelled".to_string()),
            ("revoke".to_string(), "queued".to_string())
        ],
        "{d}"
    );

    // Refused by the axis, then revoked: cancelled, no revocation; it cannot be sent again.
    let c = issue(
        &s,
        "Bị trục từ chối rồi thu hồi",
        json!([{"name": "Cơ quan G55", "code": "000.00.00.G55"}]),
    )
    .await;
    assert_eq!(w.send_due().await.failed, 1);
    let (_, d) = s.get(&clerk, &format!("/api/v1/documents/{c}")).await;
    let pid = d["exchange"][0]["id"].as_i64().unwrap();
    let (st, _) = s
        .send(
            "POST",
            &clerk,
            &format!("/api/v1/documents/{c}/revoke"),
            json!({"reason": "Nhầm"}),
        )
        .await;
    assert_eq!(st, 200);
    let (_, d) = s.get(&clerk, &format!("/api/v1/documents/{c}")).await;
    assert_eq!(
        packets(&d),
        [("new".to_string(), "cancelled".to_string())],
        "{d}"
    );
    let (st, e) = s
        .send(
            "POST",
            &clerk,
            &format!("/api/v1/exchange/outbox/{pid}/retry"),
            json!({}),
        )
        .await;
    assert_eq!(st, 409, "{e}");

    // A package whose From is not the sender the axis checked is refused, acknowledged `fail`.
    issue(&s, "Gói tin hợp lệ", to.clone()).await;
    w.send_due().await;
    let bytes = {
        let a = axis.lock().unwrap();
        a.packages
            .values()
            .find(|b| {
                vanthu_edxml::read_edoc(b).is_ok_and(|e| e.value.header.subject == "Gói tin hợp lệ")
            })
            .unwrap()
            .clone()
    };
    let forged = vanthu_server::exchange::inbox::import(
        &s.app,
        "axis-forged",
        &bytes,
        Some("000.00.00.D99"),
    )
    .await
    .unwrap();
    assert_eq!(forged.outcome, "invalid", "{forged:?}");
    assert_eq!(forged.ack(), "fail");
    assert!(forged.note.unwrap().contains("khác nơi gửi"));

    // A status 13 from a document's sender revokes the copy here and is answered 15, once.
    let edoc = {
        let mut e = vanthu_edxml::read_edoc(&bytes).unwrap().value;
        e.header.to = vec![vanthu_edxml::Organization::new("000.00.00.H40")];
        e.header.from = Some(vanthu_edxml::Organization::new("000.00.00.G07"));
        e.header.document_id = "000.00.00.G07,2026/11/21,45/BTC-VP".into();
        e
    };
    let got = vanthu_server::exchange::inbox::import(
        &s.app,
        "axis-btc",
        &vanthu_edxml::write_edoc(&edoc).unwrap(),
        Some("000.00.00.G07"),
    )
    .await
    .unwrap();
    let copy = got.documents[0];
    let thirteen = vanthu_edxml::Status {
        from: Some(vanthu_edxml::Organization::new("000.00.00.G07")),
        response_for: vanthu_edxml::ResponseFor {
            organ_id: "000.00.00.G07".into(),
            code: "45/BTC-VP".into(),
            promulgation_date: vanthu_edxml::EdDate::from_text("2026/11/21"),
            document_id: "000.00.00.G07,2026/11/21,45/BTC-VP".into(),
        },
        status_code: vanthu_edxml::StatusCode::Revoked,
        description: Some("Thu hồi do sai sót".into()),
        ..Default::default()
    };
    let packet = vanthu_edxml::write_status(&thirteen);
    for id in ["axis-13", "axis-13-again"] {
        let r = vanthu_server::exchange::inbox::import(&s.app, id, &packet, Some("000.00.00.G07"))
            .await
            .unwrap();
        assert_eq!(r.outcome, "revoked", "{r:?}");
    }
    let (_, c) = s
        .get(&clerk_token(&s).await, &format!("/api/v1/documents/{copy}"))
        .await;
    assert_eq!(c["document"]["state"], "revoked", "{c}");
    let codes: Vec<&str> = c["exchange"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["01", "15"], "{c}");

    // A package that became a document is read through the document, not downloaded raw by the administrator.
    let created = vanthu_server::exchange::inbox::import(
        &s.app,
        "axis-self",
        &{
            let mut e = vanthu_edxml::read_edoc(&bytes).unwrap().value;
            e.header.to = vec![vanthu_edxml::Organization::new("001.00.10.H40")];
            e.header.from = Some(vanthu_edxml::Organization::new("000.00.00.G06"));
            e.header.document_id = "000.00.00.G06,2026/11/20,12/BNV-VP".into();
            vanthu_edxml::write_edoc(&e).unwrap()
        },
        None,
    )
    .await
    .unwrap();
    assert_eq!(created.outcome, "created", "{created:?}");
    let admin = s.token("admin", DEMO_PASSWORD).await;
    let (_, inbox) = s
        .get(&admin, "/api/v1/exchange/inbox?outcome=created")
        .await;
    let iid = inbox["items"][0]["id"].as_i64().unwrap();
    let r = s
        .client()
        .get(s.url(&format!("/api/v1/exchange/inbox/{iid}/package")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    s.stop().await;
}

/// The clerk of Ninh Bình's people's committee, who sees what arrives there.
async fn clerk_token(s: &TestServer) -> String {
    s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await
}
