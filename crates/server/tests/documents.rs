//! Documents against the real server on every backend: the whole life of an incoming and an outgoing document
//! through the API for every role, dispatch inside the installation with the sender watching each recipient's
//! status, revocation, duplicates, files that are not what they say, secrecy in every list and count, and 200
//! concurrent issues into one register giving exactly 1..200.

mod common;

use common::{DEMO_PASSWORD, TestServer, multipart, pdf, queue_ids};
use serde_json::{Value, json};

#[tokio::test]
async fn incoming_document_from_registration_to_done() {
    for s in TestServer::demo_all().await {
        let unit = s.unit_id("ubnd.ninhbinh").await;
        let clerk = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
        let leader = s.token("ubnd.ninhbinh.lanhdao", DEMO_PASSWORD).await;
        let spec = s.token("ubnd.ninhbinh.chuyenvien", DEMO_PASSWORD).await;
        let other = s.token("tu.ninhbinh.vanthu", DEMO_PASSWORD).await;
        let leader_id = s.person_id("ubnd.ninhbinh.lanhdao").await;
        let spec_id = s.person_id("ubnd.ninhbinh.chuyenvien").await;
        let vp_spec_id = s.person_id("ubnd.ninhbinh.vp.chuyenvien").await;
        let meta = json!({
            "unit_id": unit, "doc_type": "cong_van", "subject": "Về việc báo cáo tình hình tiếp nhận văn bản điện tử",
            "notation": "123/BNV-VP", "doc_date": "20/11/2026", "author": "Bộ Nội vụ",
            "urgency": "Khẩn", "pages": 2, "deadline": "2026-12-31"
        });
        let body = pdf("incoming");

        // Not a PDF although named so: refused, nothing registered.
        let (st, e) = multipart(
            &s,
            &clerk,
            "/api/v1/incoming",
            meta.clone(),
            vec![("main", "cv.pdf", b"<html>".to_vec())],
        )
        .await;
        assert_eq!(st, 422, "{e}");
        assert_eq!(e["field"], "file");
        // A specialist is no clerk.
        let (st, _) = multipart(
            &s,
            &spec,
            "/api/v1/incoming",
            meta.clone(),
            vec![("main", "cv.pdf", body.clone())],
        )
        .await;
        assert_eq!(st, 403);

        let (st, d) = multipart(
            &s,
            &clerk,
            "/api/v1/incoming",
            meta.clone(),
            vec![("main", "Công văn 123.pdf", body.clone())],
        )
        .await;
        assert_eq!(st, 201, "{d}");
        assert_eq!(d["state"], "registered");
        assert_eq!(d["reg_number"], 1);
        assert_eq!(d["urgency"], "khan");
        assert_eq!(d["doc_date"], "2026-11-20");
        let id = d["id"].as_i64().unwrap();

        // The same document again: a warning with the earlier one, unless confirmed.
        let dup = json!({"unit_id": unit, "subject": "Bản chụp lại", "notation": "123 / bnv-vp", "doc_date": "2026-11-20", "author": "BỘ NỘI VỤ"});
        let (st, e) = multipart(&s, &clerk, "/api/v1/incoming", dup.clone(), vec![]).await;
        assert_eq!(st, 409, "{e}");
        assert_eq!(e["error"], "duplicate");
        assert_eq!(e["duplicates"], json!([id]));
        let mut confirmed = dup.clone();
        confirmed["confirm_duplicate"] = json!(true);
        let (st, d2) = multipart(&s, &clerk, "/api/v1/incoming", confirmed, vec![]).await;
        assert_eq!(st, 201, "{d2}");
        assert_eq!(d2["reg_number"], 2);

        // Other units see nothing of it.
        let (st, _) = s.get(&other, &format!("/api/v1/documents/{id}")).await;
        assert_eq!(st, 404);
        assert_eq!(
            s.get(&spec, &format!("/api/v1/documents/{id}")).await.0,
            404
        );

        // The file comes back byte for byte, with its hash.
        let (_, detail) = s.get(&clerk, &format!("/api/v1/documents/{id}")).await;
        let file = &detail["files"][0];
        assert_eq!(file["name"], "Công văn 123.pdf");
        assert_eq!(file["frozen"], true);
        let r = s
            .client()
            .get(s.url(&format!("/api/v1/documents/{id}/files/{}", file["id"])))
            .bearer_auth(&clerk)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert_eq!(r.bytes().await.unwrap().to_vec(), body);

        // Out of order: assigning before the clerk presents is the leader's right, but a specialist cannot.
        let (st, _) = s
            .send(
                "POST",
                &spec,
                &format!("/api/v1/incoming/{id}/assign"),
                json!({"direction": "x", "lead": spec_id}),
            )
            .await;
        assert_eq!(st, 404, "the specialist does not see it yet");
        assert!(queue_ids(&s, &clerk, "to_present").await.contains(&id));
        let (st, d) = s
            .send(
                "POST",
                &clerk,
                &format!("/api/v1/incoming/{id}/present"),
                json!({"leader_id": leader_id}),
            )
            .await;
        assert_eq!(st, 200, "{d}");
        assert_eq!(d["state"], "presented");
        assert!(queue_ids(&s, &leader, "to_direct").await.contains(&id));
        // Assigning someone outside the unit is refused.
        let tu_spec = s.person_id("tu.ninhbinh.chuyenvien").await;
        let (st, e) = s
            .send(
                "POST",
                &leader,
                &format!("/api/v1/incoming/{id}/assign"),
                json!({"direction": "Giao xử lý", "lead": tu_spec}),
            )
            .await;
        assert_eq!(st, 422, "{e}");
        let (st, d) = s
            .send(
                "POST",
                &leader,
                &format!("/api/v1/incoming/{id}/assign"),
                json!({
                    "direction": "Giao chuyên viên chủ trì tham mưu trả lời;\nVăn phòng phối hợp.",
                    "lead": spec_id, "co": [vp_spec_id], "deadline": "2026-12-15"
                }),
            )
            .await;
        assert_eq!(st, 200, "{d}");
        assert_eq!(d["state"], "assigned");
        assert_eq!(d["deadline"], "2026-12-15");
        assert!(queue_ids(&s, &spec, "assigned").await.contains(&id));
        // Directing again with the same lead keeps the lead (a new deadline).
        let (st, d) = s
            .send("POST", &leader, &format!("/api/v1/incoming/{id}/assign"), json!({"direction": "Đẩy nhanh tiến độ", "lead": spec_id, "deadline": "2026-12-10"}))
            .await;
        assert_eq!(st, 200, "{d}");
        assert!(queue_ids(&s, &spec, "assigned").await.contains(&id));

        let (st, d) = s
            .send(
                "POST",
                &spec,
                &format!("/api/v1/incoming/{id}/progress"),
                json!({"report": "Đang tổng hợp số liệu"}),
            )
            .await;
        assert_eq!(st, 200, "{d}");
        assert_eq!(d["state"], "processing");
        let (st, _) = s
            .send(
                "POST",
                &spec,
                &format!("/api/v1/documents/{id}/comments"),
                json!({"body": "Đề nghị Văn phòng gửi số liệu trước ngày 10/12."}),
            )
            .await;
        assert_eq!(st, 201);
        let (st, d) = s
            .send(
                "POST",
                &spec,
                &format!("/api/v1/incoming/{id}/complete"),
                json!({"report": "Đã có văn bản trả lời"}),
            )
            .await;
        assert_eq!(st, 200, "{d}");
        assert_eq!(d["state"], "done");
        // Completing twice: a clear error, nothing changed.
        let (st, e) = s
            .send(
                "POST",
                &spec,
                &format!("/api/v1/incoming/{id}/complete"),
                json!({}),
            )
            .await;
        assert_eq!(st, 409, "{e}");
        assert!(!queue_ids(&s, &spec, "assigned").await.contains(&id));
        // The co-handler's part closed with the document.
        let vp_spec = s.token("ubnd.ninhbinh.vp.chuyenvien", DEMO_PASSWORD).await;
        assert!(!queue_ids(&s, &vp_spec, "assigned").await.contains(&id));

        let (st, h) = s
            .get(&spec, &format!("/api/v1/documents/{id}/history"))
            .await;
        assert_eq!(st, 200);
        let actions: Vec<&str> = h["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "document.register",
                "document.present",
                "document.assign",
                "document.assign",
                "document.progress",
                "document.comment",
                "document.complete"
            ],
            "{h}"
        );
        assert!(
            h["items"][0]["summary"]
                .as_str()
                .unwrap()
                .contains("số đến 1")
        );
        // Files larger than axum's default limit pass (a 3 MB scan).
        let mut big = b"%PDF-1.4\n".to_vec();
        big.extend(std::iter::repeat_n(b'0', 3 * 1024 * 1024));
        big.extend_from_slice(b"\n%%EOF\n");
        let (st, d) = multipart(&s, &clerk, "/api/v1/incoming", json!({"unit_id": unit, "subject": "Bản quét", "author": "Bộ Tài chính", "notation": "9/BTC"}), vec![("main", "scan.pdf", big)]).await;
        assert_eq!(st, 201, "{d}");
        // A document type code with a NUL byte is refused cleanly on every backend.
        let (st, e) = multipart(
            &s,
            &clerk,
            "/api/v1/incoming",
            json!({"unit_id": unit, "subject": "X", "author": "Y", "doc_type": "cong\u{0}van"}),
            vec![],
        )
        .await;
        assert_eq!(st, 422, "{e}");
        s.stop().await;
    }
}

#[tokio::test]
async fn outgoing_document_reviewed_issued_dispatched_and_revoked() {
    for s in TestServer::demo_all().await {
        let unit = s.unit_id("ubnd.ninhbinh").await;
        let hoalu = s.unit_id("ubnd.ninhbinh.hoalu").await;
        let drafter = s.token("ubnd.ninhbinh.chuyenvien", DEMO_PASSWORD).await;
        let clerk = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
        let signer = s.token("ubnd.ninhbinh.lanhdao", DEMO_PASSWORD).await;
        let r1 = s.token("ubnd.ninhbinh.vp.chuyenvien", DEMO_PASSWORD).await;
        let r2 = s.token("ubnd.ninhbinh.snv.lanhdao", DEMO_PASSWORD).await;
        let r3 = s.token("ubnd.ninhbinh.vp.lanhdao", DEMO_PASSWORD).await;
        let ids = [
            s.person_id("ubnd.ninhbinh.lanhdao").await,
            s.person_id("ubnd.ninhbinh.vp.chuyenvien").await,
            s.person_id("ubnd.ninhbinh.snv.lanhdao").await,
            s.person_id("ubnd.ninhbinh.vp.lanhdao").await,
            s.person_id("ubnd.ninhbinh.hoalu.lanhdao").await,
        ];
        let meta = json!({
            "unit_id": unit, "doc_type": "quyet_dinh", "subject": "Quyết định về việc phê duyệt kế hoạch chuyển đổi số năm 2027",
            "signer_id": ids[0],
            "reviewers": [{"mode": "all", "people": [ids[1], ids[2]]}, {"mode": "any", "people": [ids[3], ids[4]]}],
            "recipients": [{"unit_id": hoalu}, {"name": "Bộ Nội vụ", "code": "000.00.00.G06"}, {"name": "Lưu: VT", "channel": "paper"}],
            "copies": 5
        });
        // A draft without its main file cannot be submitted.
        let (st, d) = multipart(&s, &drafter, "/api/v1/outgoing", meta.clone(), vec![]).await;
        assert_eq!(st, 201, "{d}");
        let id = d["id"].as_i64().unwrap();
        assert_eq!(d["state"], "draft");
        let (st, e) = s
            .send(
                "POST",
                &drafter,
                &format!("/api/v1/outgoing/{id}/submit"),
                json!({}),
            )
            .await;
        assert_eq!(st, 409, "{e}");
        // Issuing a draft that is not approved: refused.
        let (st, e) = s
            .send(
                "POST",
                &clerk,
                &format!("/api/v1/outgoing/{id}/issue"),
                json!({}),
            )
            .await;
        assert_eq!(st, 409, "{e}");
        // Two versions of the main file.
        for v in ["v1", "v2"] {
            let (st, f) = multipart(
                &s,
                &drafter,
                &format!("/api/v1/documents/{id}/files"),
                json!({}),
                vec![("main", "du-thao.pdf", pdf(v))],
            )
            .await;
            assert_eq!(st, 201, "{f}");
        }
        let (_, detail) = s.get(&drafter, &format!("/api/v1/documents/{id}")).await;
        let versions: Vec<i64> = detail["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["version"].as_i64().unwrap())
            .collect();
        assert_eq!(versions, [1, 2]);
        assert!(
            detail["actions"]
                .as_array()
                .unwrap()
                .contains(&json!("submit"))
        );

        let (st, d) = s
            .send(
                "POST",
                &drafter,
                &format!("/api/v1/outgoing/{id}/submit"),
                json!({}),
            )
            .await;
        assert_eq!(st, 200, "{d}");
        assert_eq!(d["state"], "in_review");
        // The signer is not asked before the reviewers.
        assert!(!queue_ids(&s, &signer, "to_review").await.contains(&id));
        let (st, _) = s
            .send(
                "POST",
                &signer,
                &format!("/api/v1/outgoing/{id}/review"),
                json!({"decision": "approve"}),
            )
            .await;
        assert_eq!(st, 403);
        // Step 1, all of two.
        assert!(queue_ids(&s, &r1, "to_review").await.contains(&id));
        let (st, d) = s
            .send(
                "POST",
                &r1,
                &format!("/api/v1/outgoing/{id}/review"),
                json!({"decision": "approve"}),
            )
            .await;
        assert_eq!(st, 200, "{d}");
        assert!(
            !queue_ids(&s, &r3, "to_review").await.contains(&id),
            "step 2 waits for step 1"
        );
        // Returning without a comment is refused; with one, the draft goes back.
        let (st, _) = s
            .send(
                "POST",
                &r2,
                &format!("/api/v1/outgoing/{id}/review"),
                json!({"decision": "return"}),
            )
            .await;
        assert_eq!(st, 422);
        let (st, d) = s
            .send(
                "POST",
                &r2,
                &format!("/api/v1/outgoing/{id}/review"),
                json!({"decision": "return", "comment": "Bổ sung căn cứ pháp lý."}),
            )
            .await;
        assert_eq!(st, 200, "{d}");
        assert_eq!(d["state"], "draft");
        assert_eq!(d["reason"], "Bổ sung căn cứ pháp lý.");
        // Round 2.
        let (st, _) = s
            .send(
                "POST",
                &drafter,
                &format!("/api/v1/outgoing/{id}/submit"),
                json!({}),
            )
            .await;
        assert_eq!(st, 200);
        for t in [&r1, &r2] {
            let (st, d) = s
                .send(
                    "POST",
                    t,
                    &format!("/api/v1/outgoing/{id}/review"),
                    json!({"decision": "approve"}),
                )
                .await;
            assert_eq!(st, 200, "{d}");
        }
        // Step 2, any of two: one is enough, and the other is no longer asked.
        let (st, _) = s
            .send(
                "POST",
                &r3,
                &format!("/api/v1/outgoing/{id}/review"),
                json!({"decision": "approve", "comment": "Đồng ý."}),
            )
            .await;
        assert_eq!(st, 200);
        let hoalu_leader = s.token("ubnd.ninhbinh.hoalu.lanhdao", DEMO_PASSWORD).await;
        assert!(
            !queue_ids(&s, &hoalu_leader, "to_review")
                .await
                .contains(&id)
        );
        let (st, d) = s
            .send(
                "POST",
                &signer,
                &format!("/api/v1/outgoing/{id}/review"),
                json!({"decision": "approve"}),
            )
            .await;
        assert_eq!(st, 200, "{d}");
        assert_eq!(d["state"], "approved");
        assert!(queue_ids(&s, &clerk, "to_issue").await.contains(&id));

        // Only the clerk issues; the answer is the number and notation.
        let (st, _) = s
            .send(
                "POST",
                &drafter,
                &format!("/api/v1/outgoing/{id}/issue"),
                json!({}),
            )
            .await;
        assert_eq!(st, 403);
        let (st, iss) = s
            .send(
                "POST",
                &clerk,
                &format!("/api/v1/outgoing/{id}/issue"),
                json!({}),
            )
            .await;
        assert_eq!(st, 200, "{iss}");
        assert_eq!(iss["number"], 1);
        assert_eq!(iss["notation"], "01/QĐ-UBND");
        assert_eq!(iss["display"], "Số: 01/QĐ-UBND");
        assert_eq!(iss["document"]["state"], "issued");
        // Only the latest main file goes out; earlier drafts stay home.
        assert_eq!(iss["file_hashes"].as_array().unwrap().len(), 1);
        // Issued files never change.
        let (st, _) = multipart(
            &s,
            &drafter,
            &format!("/api/v1/documents/{id}/files"),
            json!({}),
            vec![("main", "sua.pdf", pdf("v3"))],
        )
        .await;
        assert_eq!(st, 409);
        let (st, _) = s
            .send(
                "POST",
                &clerk,
                &format!("/api/v1/outgoing/{id}/issue"),
                json!({}),
            )
            .await;
        assert_eq!(st, 409, "issuing twice");

        // The recipient inside the installation has it in its clerk's queue at once.
        let status = |d: &Value, name: &str| -> String {
            d["recipients"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["name"].as_str().unwrap().contains(name))
                .unwrap()["status"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let (_, sent) = s.get(&clerk, &format!("/api/v1/documents/{id}")).await;
        assert_eq!(status(&sent, "Hoa Lư"), "arrived");
        assert_eq!(status(&sent, "Bộ Nội vụ"), "pending");
        let hclerk = s.token("ubnd.ninhbinh.hoalu.vanthu", DEMO_PASSWORD).await;
        let waiting = queue_ids(&s, &hclerk, "to_register").await;
        assert_eq!(waiting.len(), 1);
        let copy = waiting[0];
        let (_, c) = s.get(&hclerk, &format!("/api/v1/documents/{copy}")).await;
        assert_eq!(c["document"]["notation"], "01/QĐ-UBND");
        assert_eq!(c["document"]["source_id"], id);
        assert_eq!(c["files"].as_array().unwrap().len(), 1);
        assert_eq!(c["files"][0]["version"], 2);
        // The sending clerk does not see the recipient's copy; the recipient is not told it is late.
        assert_eq!(
            s.get(&clerk, &format!("/api/v1/documents/{copy}")).await.0,
            404
        );
        let (_, al) = s.get(&hclerk, "/api/v1/alerts").await;
        assert!(
            al["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["kind"] != "unregistered"),
            "{al}"
        );
        // Each step at the recipient shows on the sender's page.
        let (st, _) = s
            .send(
                "POST",
                &hclerk,
                &format!("/api/v1/incoming/{copy}/register"),
                json!({}),
            )
            .await;
        assert_eq!(st, 200);
        let (_, sent) = s.get(&clerk, &format!("/api/v1/documents/{id}")).await;
        assert_eq!(status(&sent, "Hoa Lư"), "accepted");
        let hspec = s.person_id("ubnd.ninhbinh.hoalu.chuyenvien").await;
        let (st, _) = s
            .send(
                "POST",
                &hoalu_leader,
                &format!("/api/v1/incoming/{copy}/assign"),
                json!({"direction": "Triển khai", "lead": hspec}),
            )
            .await;
        assert_eq!(st, 200);
        let (_, sent) = s.get(&clerk, &format!("/api/v1/documents/{id}")).await;
        assert_eq!(status(&sent, "Hoa Lư"), "assigned");
        let hspec_t = s
            .token("ubnd.ninhbinh.hoalu.chuyenvien", DEMO_PASSWORD)
            .await;
        let (st, _) = s
            .send(
                "POST",
                &hspec_t,
                &format!("/api/v1/incoming/{copy}/progress"),
                json!({"report": "Đang triển khai"}),
            )
            .await;
        assert_eq!(st, 200);
        let (_, sent) = s.get(&clerk, &format!("/api/v1/documents/{id}")).await;
        assert_eq!(status(&sent, "Hoa Lư"), "processing");

        // Revocation reaches the copy: its handler's work stops.
        let (st, _) = s
            .send(
                "POST",
                &drafter,
                &format!("/api/v1/documents/{id}/revoke"),
                json!({"reason": "Sai căn cứ"}),
            )
            .await;
        assert_eq!(st, 403);
        let (st, d) = s
            .send(
                "POST",
                &clerk,
                &format!("/api/v1/documents/{id}/revoke"),
                json!({"reason": "Ban hành nhầm căn cứ"}),
            )
            .await;
        assert_eq!(st, 200, "{d}");
        assert_eq!(d["state"], "revoked");
        let (_, sent) = s.get(&clerk, &format!("/api/v1/documents/{id}")).await;
        assert_eq!(status(&sent, "Hoa Lư"), "revoked");
        let (_, c) = s.get(&hclerk, &format!("/api/v1/documents/{copy}")).await;
        assert_eq!(c["document"]["state"], "revoked");
        assert!(!queue_ids(&s, &hspec_t, "assigned").await.contains(&copy));
        let (st, h) = s
            .get(&drafter, &format!("/api/v1/documents/{id}/history"))
            .await;
        assert_eq!(st, 200);
        let n = h["items"].as_array().unwrap().len();
        assert!(n >= 12, "{h}");
        s.stop().await;
    }
}

#[tokio::test]
async fn secret_documents_never_appear_without_clearance() {
    for s in TestServer::demo_all().await {
        let unit = s.unit_id("ubnd.ninhbinh").await;
        let admin = s.token("admin", DEMO_PASSWORD).await;
        // A second clerk of the unit, not cleared for secret documents.
        let (st, p) = s
            .send("POST", &admin, "/api/v1/people", json!({
                "username": "vanthu2.ubnd", "full_name": "Lê Thị Văn Thư", "password": "MatKhau@2026x",
                "memberships": [{"unit_id": unit, "roles": ["clerk"], "is_primary": true}]
            }))
            .await;
        assert_eq!(st, 201, "{p}");
        let first = s.token("vanthu2.ubnd", "MatKhau@2026x").await;
        let (st, _) = s
            .send(
                "POST",
                &first,
                "/api/v1/me/password",
                json!({"current_password": "MatKhau@2026x", "new_password": "MatKhau@2027y"}),
            )
            .await;
        assert_eq!(st, 204);
        let plain = s.token("vanthu2.ubnd", "MatKhau@2027y").await;
        let clerk = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
        let meta = |secrecy: &str, n: i32| json!({"unit_id": unit, "subject": format!("Tài liệu số {n}"), "author": "Bộ Công an", "notation": format!("{n}/BCA"), "secrecy": secrecy});
        let (st, d) = multipart(
            &s,
            &clerk,
            "/api/v1/incoming",
            meta("mat", 1),
            vec![("main", "m.pdf", pdf("m"))],
        )
        .await;
        assert_eq!(st, 201, "{d}");
        let secret = d["id"].as_i64().unwrap();
        // Secret documents have their own series.
        assert_eq!(d["reg_number"], 1);
        let (st, d) = multipart(&s, &clerk, "/api/v1/incoming", meta("", 2), vec![]).await;
        assert_eq!(st, 201);
        assert_eq!(d["reg_number"], 1);
        // A clerk cleared for Mật only cannot register a Tối mật document.
        let (st, _) = multipart(&s, &clerk, "/api/v1/incoming", meta("toi_mat", 3), vec![]).await;
        assert_eq!(st, 403);
        // The uncleared clerk: not in lists, not in counts, not by id, not its file.
        let (st, l) = s
            .get(&plain, &format!("/api/v1/documents?unit_id={unit}"))
            .await;
        assert_eq!(st, 200, "{l}");
        assert_eq!(l["total"], 1);
        assert!(
            l["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["id"] != secret)
        );
        let (_, l) = s
            .get(&clerk, &format!("/api/v1/documents?unit_id={unit}"))
            .await;
        assert_eq!(l["total"], 2);
        let (_, q) = s.get(&plain, "/api/v1/queues").await;
        let to_present = q["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["queue"] == "to_present")
            .unwrap()["count"]
            .clone();
        assert_eq!(to_present, 1);
        let (_, l) = s
            .get(
                &plain,
                &format!("/api/v1/documents?unit_id={unit}&q=tai lieu so 1"),
            )
            .await;
        assert_eq!(l["total"], 0);
        assert_eq!(
            s.get(&plain, &format!("/api/v1/documents/{secret}"))
                .await
                .0,
            404
        );
        assert_eq!(
            s.get(&plain, &format!("/api/v1/documents/{secret}/history"))
                .await
                .0,
            404
        );
        let (_, det) = s.get(&clerk, &format!("/api/v1/documents/{secret}")).await;
        let fid = det["files"][0]["id"].as_i64().unwrap();
        assert_eq!(
            s.get(&plain, &format!("/api/v1/documents/{secret}/files/{fid}"))
                .await
                .0,
            404
        );
        let (st, _) = s
            .send(
                "POST",
                &plain,
                &format!("/api/v1/incoming/{secret}/present"),
                json!({}),
            )
            .await;
        assert_eq!(st, 404);
        // Nobody uncleared can be given it.
        let leader = s.token("ubnd.ninhbinh.lanhdao", DEMO_PASSWORD).await;
        let spec = s.person_id("ubnd.ninhbinh.chuyenvien").await;
        let (st, e) = s
            .send(
                "POST",
                &leader,
                &format!("/api/v1/incoming/{secret}/assign"),
                json!({"direction": "Xử lý", "lead": spec}),
            )
            .await;
        assert_eq!(st, 422, "{e}");
        // Reading the secret document and its file were recorded.
        let (_, h) = s
            .get(&clerk, &format!("/api/v1/documents/{secret}/history"))
            .await;
        let acts: Vec<&str> = h["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(acts.contains(&"document.read"), "{acts:?}");
        // A duplicate warning never names a document the clerk may not know of.
        let (st, d) = multipart(&s, &plain, "/api/v1/incoming", meta("", 1), vec![]).await;
        assert_eq!(st, 201, "{d}");
        s.stop().await;
    }
}

#[tokio::test]
async fn two_hundred_issues_at_once_number_one_to_two_hundred() {
    for s in TestServer::demo_all().await {
        let unit = s.unit_id("ubnd.ninhbinh.snv").await;
        let drafter = s.token("ubnd.ninhbinh.snv.chuyenvien", DEMO_PASSWORD).await;
        let signer = s.token("ubnd.ninhbinh.snv.lanhdao", DEMO_PASSWORD).await;
        let clerk = s.token("ubnd.ninhbinh.snv.vanthu", DEMO_PASSWORD).await;
        let signer_id = s.person_id("ubnd.ninhbinh.snv.lanhdao").await;
        let mut ids = Vec::new();
        for i in 0..200 {
            let meta = json!({"unit_id": unit, "doc_type": "cong_van", "subject": format!("Công văn số {i}"), "signer_id": signer_id});
            let (st, d) = multipart(
                &s,
                &drafter,
                "/api/v1/outgoing",
                meta,
                vec![("main", "cv.pdf", pdf(&i.to_string()))],
            )
            .await;
            assert_eq!(st, 201, "{d}");
            let id = d["id"].as_i64().unwrap();
            assert_eq!(
                s.send(
                    "POST",
                    &drafter,
                    &format!("/api/v1/outgoing/{id}/submit"),
                    json!({})
                )
                .await
                .0,
                200
            );
            assert_eq!(
                s.send(
                    "POST",
                    &signer,
                    &format!("/api/v1/outgoing/{id}/review"),
                    json!({"decision": "approve"})
                )
                .await
                .0,
                200
            );
            ids.push(id);
        }
        let mut tasks = Vec::new();
        for id in ids {
            let c = s.client();
            let url = s.url(&format!("/api/v1/outgoing/{id}/issue"));
            let t = clerk.clone();
            tasks.push(tokio::spawn(async move {
                let r = c
                    .post(url)
                    .bearer_auth(t)
                    .json(&json!({"extra": ["VP"]}))
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), r.json::<Value>().await.unwrap())
            }));
        }
        let mut numbers = Vec::new();
        for t in tasks {
            let (st, v) = t.await.unwrap();
            assert_eq!(st, 200, "{v}");
            let n = v["number"].as_i64().unwrap();
            // State công văn: the body and the drafting unit.
            assert_eq!(v["notation"], format!("{n:02}/SNV-VP"));
            numbers.push(n);
        }
        numbers.sort();
        assert_eq!(
            numbers,
            (1..=200).collect::<Vec<i64>>(),
            "{} backend",
            s.backend
        );
        s.stop().await;
    }
}

#[tokio::test]
async fn demo_documents_fill_every_state() {
    let s = TestServer::demo().await;
    let made = vanthu_server::demo_docs::seed_documents(&s.app)
        .await
        .unwrap();
    assert!(made >= 300, "{made}");
    let clerk = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let mut states = std::collections::BTreeSet::new();
    for key in ["ubnd.ninhbinh", "ubnd.ninhbinh.hoalu"] {
        let t = s.token(&format!("{key}.vanthu"), DEMO_PASSWORD).await;
        let u = s.unit_id(key).await;
        let (st, l) = s
            .get(&t, &format!("/api/v1/documents?unit_id={u}&limit=500"))
            .await;
        assert_eq!(st, 200, "{l}");
        for d in l["items"].as_array().unwrap() {
            states.insert(d["state"].as_str().unwrap().to_string());
        }
    }
    for want in [
        "registered",
        "presented",
        "assigned",
        "processing",
        "done",
        "draft",
        "in_review",
        "approved",
        "issued",
        "revoked",
        "received",
    ] {
        assert!(
            states.contains(want),
            "no demo document in state {want}: {states:?}"
        );
    }
    // Every demo PDF opens as a PDF with a cross-reference table.
    let (_, l) = s
        .get(&clerk, &format!("/api/v1/documents?unit_id={unit}&limit=1"))
        .await;
    let id = l["items"][0]["id"].as_i64().unwrap();
    let (_, d) = s.get(&clerk, &format!("/api/v1/documents/{id}")).await;
    let fid = d["files"][0]["id"].as_i64().unwrap();
    let bytes = s
        .client()
        .get(s.url(&format!("/api/v1/documents/{id}/files/{fid}")))
        .bearer_auth(&clerk)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.starts_with("%PDF-")
            && text.contains("startxref")
            && text.trim_end().ends_with("%%EOF")
    );
    // The demo file speaks Vietnamese: its title comes back with its diacritics.
    let doc = lopdf::Document::load_mem(&bytes).expect("a PDF lopdf reads");
    let page_text = doc.extract_text(&[1]).unwrap();
    assert!(
        page_text.contains("Tài liệu mẫu do vanthu tạo"),
        "{page_text}"
    );
    s.stop().await;
}

#[tokio::test]
async fn register_books_print_every_number_in_pdf_and_xlsx() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let clerk = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
    let spec = s.token("ubnd.ninhbinh.chuyenvien", DEMO_PASSWORD).await;
    let subjects = [
        "Về việc tăng cường quản lý, sử dụng chữ ký số chuyên dùng",
        "Quyết định về việc phê duyệt Đề án chuyển đổi số tỉnh Ninh Bình",
    ];
    let mut reg = 0;
    for (i, subj) in subjects.iter().enumerate() {
        let meta = json!({"unit_id": unit, "subject": subj, "author": "Ủy ban nhân dân tỉnh Thanh Hóa", "notation": format!("{i}/UBND-VX"), "doc_date": "2026-11-02", "doc_type": "cong_van"});
        let (st, d) = multipart(&s, &clerk, "/api/v1/incoming", meta, vec![]).await;
        assert_eq!(st, 201, "{d}");
        reg = d["register_id"].as_i64().unwrap();
    }
    // The specialist may not print the book.
    assert_eq!(
        s.get(&spec, &format!("/api/v1/registers/{reg}/book"))
            .await
            .0,
        403
    );
    let get = |format: &'static str| {
        let c = s.client();
        let url = s.url(&format!("/api/v1/registers/{reg}/book?format={format}"));
        let t = clerk.clone();
        async move {
            let r = c.get(url).bearer_auth(t).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.bytes().await.unwrap().to_vec()
        }
    };
    let pdf_bytes = get("pdf").await;
    assert!(pdf_bytes.starts_with(b"%PDF-"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.pdf");
    std::fs::write(&path, &pdf_bytes).unwrap();
    match std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(o) => {
            // Cells wrap: compare with every run of whitespace as one space.
            let text = String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            assert!(text.contains("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"), "{text}");
            assert!(text.contains("Ủy ban nhân dân tỉnh Thanh Hóa"), "{text}");
            assert!(text.contains("chữ ký số chuyên dùng"), "{text}");
        }
        Err(_) => eprintln!("skipped: pdftotext not installed, the book's text was not extracted"),
    }
    let xlsx = get("xlsx").await;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    use calamine::Reader;
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = sheet
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(
        cells
            .iter()
            .any(|c| c.contains("Công văn: Về việc tăng cường quản lý")),
        "{cells:?}"
    );
    assert!(cells.iter().any(|c| c == "1/UBND-VX"), "{cells:?}");
    let (st, e) = s
        .get(&clerk, &format!("/api/v1/registers/{reg}/book?format=docx"))
        .await;
    assert_eq!(st, 422, "{e}");
    s.stop().await;
}

#[tokio::test]
async fn alerts_for_deadlines_and_units_without_clerk() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let clerk = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
    let leader = s.token("ubnd.ninhbinh.lanhdao", DEMO_PASSWORD).await;
    let spec = s.token("ubnd.ninhbinh.chuyenvien", DEMO_PASSWORD).await;
    let spec_id = s.person_id("ubnd.ninhbinh.chuyenvien").await;
    let (_, a) = s.get(&spec, "/api/v1/alerts").await;
    assert_eq!(a["items"], json!([]));
    let meta = json!({"unit_id": unit, "subject": "Báo cáo gấp", "author": "Bộ Nội vụ"});
    let (_, d) = multipart(&s, &clerk, "/api/v1/incoming", meta, vec![]).await;
    let id = d["id"].as_i64().unwrap();
    let (st, _) = s
        .send(
            "POST",
            &leader,
            &format!("/api/v1/incoming/{id}/assign"),
            json!({"direction": "Xử lý ngay", "lead": spec_id, "deadline": "2020-01-01"}),
        )
        .await;
    assert_eq!(st, 200);
    let (_, a) = s.get(&spec, "/api/v1/alerts").await;
    assert_eq!(a["items"][0]["kind"], "overdue", "{a}");
    assert_eq!(a["items"][0]["count"], 1);
    let (_, a) = s.get(&leader, "/api/v1/alerts").await;
    assert!(
        a["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "unit_overdue"),
        "{a}"
    );
    // The only clerk of Hoa Lư leaves: administrators are told nobody receives its documents.
    let admin = s.token("admin", DEMO_PASSWORD).await;
    let hclerk = s.person_id("ubnd.ninhbinh.hoalu.vanthu").await;
    let (st, _) = s
        .send(
            "POST",
            &admin,
            &format!("/api/v1/people/{hclerk}/deactivate"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let (_, a) = s.get(&admin, "/api/v1/alerts").await;
    let msgs: Vec<&str> = a["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "no_clerk")
        .map(|x| x["message"].as_str().unwrap())
        .collect();
    assert_eq!(msgs.len(), 1, "{a}");
    assert!(msgs[0].contains("Hoa Lư"), "{msgs:?}");
    s.stop().await;
}

#[tokio::test]
async fn the_drafter_withdraws_a_draft_under_review() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let drafter = s.token("ubnd.ninhbinh.chuyenvien", DEMO_PASSWORD).await;
    let signer = s.token("ubnd.ninhbinh.lanhdao", DEMO_PASSWORD).await;
    let signer_id = s.person_id("ubnd.ninhbinh.lanhdao").await;
    let meta = json!({"unit_id": unit, "doc_type": "thong_bao", "subject": "Thông báo nghỉ lễ", "signer_id": signer_id});
    let (_, d) = multipart(
        &s,
        &drafter,
        "/api/v1/outgoing",
        meta,
        vec![("main", "tb.pdf", pdf("tb"))],
    )
    .await;
    let id = d["id"].as_i64().unwrap();
    let (st, _) = s
        .send(
            "POST",
            &drafter,
            &format!("/api/v1/outgoing/{id}/withdraw"),
            json!({}),
        )
        .await;
    assert_eq!(st, 409, "nothing to withdraw before submitting");
    assert_eq!(
        s.send(
            "POST",
            &drafter,
            &format!("/api/v1/outgoing/{id}/submit"),
            json!({})
        )
        .await
        .0,
        200
    );
    let (st, _) = s
        .send(
            "POST",
            &signer,
            &format!("/api/v1/outgoing/{id}/withdraw"),
            json!({}),
        )
        .await;
    assert_eq!(st, 403);
    let (st, d) = s
        .send(
            "POST",
            &drafter,
            &format!("/api/v1/outgoing/{id}/withdraw"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{d}");
    assert_eq!(d["state"], "draft");
    let (_, q) = s.get(&signer, "/api/v1/queues/to_review").await;
    assert!(q["items"].as_array().unwrap().iter().all(|x| x["id"] != id));
    s.stop().await;
}

#[tokio::test]
async fn senders_and_clerks_are_told_what_waits_too_long() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let hoalu = s.unit_id("ubnd.ninhbinh.hoalu").await;
    let drafter = s.token("ubnd.ninhbinh.chuyenvien", DEMO_PASSWORD).await;
    let signer = s.token("ubnd.ninhbinh.lanhdao", DEMO_PASSWORD).await;
    let clerk = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
    let hclerk = s.token("ubnd.ninhbinh.hoalu.vanthu", DEMO_PASSWORD).await;
    let signer_id = s.person_id("ubnd.ninhbinh.lanhdao").await;
    let meta = json!({"unit_id": unit, "doc_type": "thong_bao", "subject": "Thông báo", "signer_id": signer_id, "recipients": [{"unit_id": hoalu}]});
    let (_, d) = multipart(
        &s,
        &drafter,
        "/api/v1/outgoing",
        meta,
        vec![("main", "tb.pdf", pdf("tb"))],
    )
    .await;
    let id = d["id"].as_i64().unwrap();
    assert_eq!(
        s.send(
            "POST",
            &drafter,
            &format!("/api/v1/outgoing/{id}/submit"),
            json!({})
        )
        .await
        .0,
        200
    );
    assert_eq!(
        s.send(
            "POST",
            &signer,
            &format!("/api/v1/outgoing/{id}/review"),
            json!({"decision": "approve"})
        )
        .await
        .0,
        200
    );
    assert_eq!(
        s.send(
            "POST",
            &clerk,
            &format!("/api/v1/outgoing/{id}/issue"),
            json!({})
        )
        .await
        .0,
        200
    );
    let actor = |t: String| {
        let app = s.app.clone();
        async move {
            app.authenticate(&t, vanthu_store::TokenKind::Api)
                .await
                .unwrap()
                .0
        }
    };
    let sender = actor(clerk.clone()).await;
    let receiver = actor(hclerk.clone()).await;
    let now = vanthu_store::now_ms();
    let kinds = |v: Vec<vanthu_server::app::documents::alerts::AlertView>| {
        v.into_iter().map(|a| a.kind).collect::<Vec<_>>()
    };
    // Now: nothing is late.
    assert!(
        kinds(s.app.alerts_at(&sender, now).await.unwrap())
            .iter()
            .all(|k| k != "unacknowledged")
    );
    assert!(
        kinds(s.app.alerts_at(&receiver, now).await.unwrap())
            .iter()
            .all(|k| k != "unregistered")
    );
    // Five hours later the receiving clerk is told; two days later the sender too.
    assert!(
        kinds(
            s.app
                .alerts_at(&receiver, now + 5 * 3_600_000)
                .await
                .unwrap()
        )
        .contains(&"unregistered".to_string())
    );
    assert!(
        kinds(
            s.app
                .alerts_at(&sender, now + 48 * 3_600_000)
                .await
                .unwrap()
        )
        .contains(&"unacknowledged".to_string())
    );
    // Once the recipient registers it, the sender's alert goes.
    let copy = {
        let (_, q) = s.get(&hclerk, "/api/v1/queues/to_register").await;
        q["items"][0]["id"].as_i64().unwrap()
    };
    assert_eq!(
        s.send(
            "POST",
            &hclerk,
            &format!("/api/v1/incoming/{copy}/register"),
            json!({})
        )
        .await
        .0,
        200
    );
    assert!(
        kinds(
            s.app
                .alerts_at(&sender, now + 48 * 3_600_000)
                .await
                .unwrap()
        )
        .iter()
        .all(|k| k != "unacknowledged")
    );
    s.stop().await;
}

#[tokio::test]
async fn review_steps_past_their_days_alert_the_reviewer_and_the_units_leaders() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let drafter = s.token("ubnd.ninhbinh.chuyenvien", DEMO_PASSWORD).await;
    let reviewer = s.token("ubnd.ninhbinh.snv.lanhdao", DEMO_PASSWORD).await;
    let reviewer_id = s.person_id("ubnd.ninhbinh.snv.lanhdao").await;
    let leader = s.token("ubnd.ninhbinh.lanhdao", DEMO_PASSWORD).await;
    let signer_id = s.person_id("ubnd.ninhbinh.lanhdao").await;
    let meta = |days: i64| {
        json!({"unit_id": unit, "doc_type": "thong_bao", "subject": "Thông báo lịch họp", "signer_id": signer_id,
               "reviewers": [{"mode": "all", "people": [reviewer_id], "days": days}]})
    };
    let (st, e) = multipart(
        &s,
        &drafter,
        "/api/v1/outgoing",
        meta(0),
        vec![("main", "tb.pdf", pdf("tb"))],
    )
    .await;
    assert_eq!(st, 422, "a step of 0 days is refused: {e}");
    assert!(
        e["message"].as_str().unwrap().contains("1 đến 365 ngày"),
        "{e}"
    );
    let (st, d) = multipart(
        &s,
        &drafter,
        "/api/v1/outgoing",
        meta(2),
        vec![("main", "tb.pdf", pdf("tb"))],
    )
    .await;
    assert_eq!(st, 201, "{d}");
    let id = d["id"].as_i64().unwrap();
    let (st, d) = s
        .send(
            "POST",
            &drafter,
            &format!("/api/v1/outgoing/{id}/submit"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{d}");
    assert!(d["step_due_at"].is_string(), "{d}");
    assert_eq!(d["step_overdue"], false);

    let actor = |t: String| {
        let app = s.app.clone();
        async move {
            app.authenticate(&t, vanthu_store::TokenKind::Api)
                .await
                .unwrap()
                .0
        }
    };
    let reviewer_actor = actor(reviewer.clone()).await;
    let leader_actor = actor(leader.clone()).await;
    let count = |v: Vec<vanthu_server::app::documents::alerts::AlertView>, kind: &str| {
        v.into_iter()
            .find(|a| a.kind == kind)
            .map(|a| a.count)
            .unwrap_or(0)
    };
    let now = vanthu_store::now_ms();
    let later = now + 3 * 86_400_000;
    let mine_now = count(
        s.app.alerts_at(&reviewer_actor, now).await.unwrap(),
        "review_overdue",
    );
    let mine_later = count(
        s.app.alerts_at(&reviewer_actor, later).await.unwrap(),
        "review_overdue",
    );
    assert_eq!(mine_now, 0, "two days are not over yet");
    assert!(mine_later >= 1, "three days later the reviewer is told");
    let unit_later = count(
        s.app.alerts_at(&leader_actor, later).await.unwrap(),
        "unit_review_overdue",
    );
    assert!(
        unit_later >= 1,
        "and the unit's leaders are told (escalation)"
    );

    // The reviewer agrees: the signer's step has no days, so the alerts go.
    let (st, d) = s
        .send(
            "POST",
            &reviewer,
            &format!("/api/v1/outgoing/{id}/review"),
            json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(st, 200, "{d}");
    assert!(d["step_due_at"].is_null(), "{d}");
    assert_eq!(
        count(
            s.app.alerts_at(&reviewer_actor, later).await.unwrap(),
            "review_overdue"
        ),
        mine_later - 1
    );
    assert_eq!(
        count(
            s.app.alerts_at(&leader_actor, later).await.unwrap(),
            "unit_review_overdue"
        ),
        unit_later - 1
    );
    s.stop().await;
}

#[tokio::test]
async fn a_long_list_is_counted_up_to_a_cap() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let clerk = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
    for i in 1..=5 {
        let meta = json!({"unit_id": unit, "subject": format!("Công văn số {i}"), "author": "Bộ Nội vụ", "notation": format!("{i}/BNV-VP")});
        let (st, d) = multipart(&s, &clerk, "/api/v1/incoming", meta, vec![]).await;
        assert_eq!(st, 201, "{d}");
    }
    let (st, page) = s
        .get(&clerk, &format!("/api/v1/documents?unit_id={unit}&limit=5"))
        .await;
    assert_eq!(st, 200, "{page}");
    let total = page["total"].as_i64().unwrap();
    assert!(total > 3, "the demo unit has documents: {page}");
    assert_eq!(page["total_exact"], true, "far below the cap");
    // The store's capped count stops at the cap and counts exactly below it.
    let f = vanthu_store::DocFilter::new(
        vanthu_domain::Clearance(Some(vanthu_domain::Secrecy::TuyetMat)),
        vanthu_store::DocScope::Units(vec![unit]),
    );
    let mut r = s.app.store.read().await.unwrap();
    let exact = r.count_documents(&f).await.unwrap();
    assert_eq!(r.count_documents_upto(&f, 3).await.unwrap(), 3);
    assert_eq!(r.count_documents_upto(&f, exact + 10).await.unwrap(), exact);
    drop(r);
    s.stop().await;
}

#[tokio::test]
async fn the_sweep_keeps_every_file_a_document_refers_to() {
    for s in TestServer::demo_all().await {
        let unit = s.unit_id("ubnd.ninhbinh").await;
        let clerk = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
        let meta = json!({"unit_id": unit, "subject": "Công văn có tệp", "author": "Bộ Tài chính", "notation": "9/BTC-VP"});
        let (st, d) = multipart(
            &s,
            &clerk,
            "/api/v1/incoming",
            meta,
            vec![("main", "cv.pdf", pdf("cv"))],
        )
        .await;
        assert_eq!(st, 201, "{d}");
        let id = d["id"].as_i64().unwrap();
        // A file a failed request left behind.
        let orphan = s.app.blobs.put_blocking(&pdf("bỏ lại")).unwrap();
        let path = |sha: &str| {
            s.app
                .blobs
                .root()
                .join(&sha[0..2])
                .join(&sha[2..4])
                .join(sha)
        };
        let (_, detail) = s.get(&clerk, &format!("/api/v1/documents/{id}")).await;
        let kept = detail["files"][0]["sha256"].as_str().unwrap().to_string();
        let two_days_ago =
            std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86_400);
        for sha in [&kept, &orphan] {
            std::fs::File::options()
                .write(true)
                .open(path(sha))
                .unwrap()
                .set_modified(two_days_ago)
                .unwrap();
        }
        let report = s
            .app
            .sweep_blobs(vanthu_server::app::BLOB_SWEEP_AGE)
            .await
            .unwrap();
        assert!(report.removed >= 1, "{report:?}");
        assert!(!path(&orphan).exists(), "the orphan is gone");
        assert!(path(&kept).exists(), "the document's file stays");
        let file_id = detail["files"][0]["id"].as_i64().unwrap();
        let r = s
            .client()
            .get(s.url(&format!("/api/v1/documents/{id}/files/{file_id}")))
            .bearer_auth(&clerk)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        s.stop().await;
    }
}
