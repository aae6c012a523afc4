//! Processing flows: templates copied into a unit, versions, documents keeping the version they started with,
//! one unit's edits never reaching another, export and import.

mod common;

use common::{DEMO_PASSWORD, TestServer};
use serde_json::{Value, json};

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec()
}

async fn draft(s: &TestServer, token: &str, meta: Value) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .text("metadata", meta.to_string())
        .part(
            "main",
            reqwest::multipart::Part::bytes(pdf()).file_name("d.pdf"),
        );
    let r = s
        .client()
        .post(s.url("/api/v1/outgoing"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let st = r.status().as_u16();
    (st, r.json().await.unwrap())
}

#[tokio::test]
async fn unit_flows_are_versioned_and_kept_by_documents() {
    for s in TestServer::demo_all().await {
        let a = s.unit_id("ubnd.ninhbinh").await;
        let b = s.unit_id("ubnd.ninhbinh.snv").await;
        let admin_a = s.token("ubnd.ninhbinh.quantri", DEMO_PASSWORD).await;
        let admin_b = s.token("ubnd.ninhbinh.snv.quantri", DEMO_PASSWORD).await;
        let drafter = s.token("ubnd.ninhbinh.chuyenvien", DEMO_PASSWORD).await;
        let signer = s.person_id("ubnd.ninhbinh.lanhdao").await;
        let below_leaders = [
            s.person_id("ubnd.ninhbinh.vp.lanhdao").await,
            s.person_id("ubnd.ninhbinh.snv.lanhdao").await,
            s.person_id("ubnd.ninhbinh.hoalu.lanhdao").await,
        ];
        let vp_spec = s.person_id("ubnd.ninhbinh.vp.chuyenvien").await;

        let (st, t) = s.get(&drafter, "/api/v1/flow-templates").await;
        assert_eq!(st, 200);
        let templates = t["items"].as_array().unwrap();
        assert_eq!(templates.len(), 4);
        let review_template = templates
            .iter()
            .find(|f| {
                f["definition"]["steps"]
                    .as_array()
                    .is_some_and(|x| !x.is_empty())
            })
            .unwrap()["id"]
            .clone();

        // Without a flow, a draft must name its signer.
        let meta = |unit: i64| json!({"unit_id": unit, "doc_type": "ke_hoach", "subject": "Kế hoạch cải cách hành chính năm 2027"});
        let (st, e) = draft(&s, &drafter, meta(a)).await;
        assert_eq!(st, 422, "{e}");
        assert_eq!(e["field"], "signer_id");

        // The unit administrator copies the template; a specialist may not.
        let (st, _) = s
            .send(
                "POST",
                &drafter,
                &format!("/api/v1/units/{a}/flows"),
                json!({"template_id": review_template}),
            )
            .await;
        assert_eq!(st, 403);
        let (st, f) = s
            .send(
                "POST",
                &admin_a,
                &format!("/api/v1/units/{a}/flows"),
                json!({"template_id": review_template}),
            )
            .await;
        assert_eq!(st, 201, "{f}");
        let flow = f["id"].as_i64().unwrap();
        assert_eq!(f["current_version"], 1);

        // The draft follows it: reviewers are the leaders of the units below, the signer the unit's leader.
        let (st, d1) = draft(&s, &drafter, meta(a)).await;
        assert_eq!(st, 201, "{d1}");
        assert_eq!(d1["signer_id"], signer);
        let v1 = d1["flow_version_id"].as_i64().unwrap();
        let id1 = d1["id"].as_i64().unwrap();
        let (st, _) = s
            .send(
                "POST",
                &drafter,
                &format!("/api/v1/outgoing/{id1}/submit"),
                json!({}),
            )
            .await;
        assert_eq!(st, 200);
        let (_, det) = s.get(&drafter, &format!("/api/v1/documents/{id1}")).await;
        let mut asked: Vec<i64> = det["reviews"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["step"] == 0)
            .map(|r| r["person"]["id"].as_i64().unwrap())
            .collect();
        asked.sort();
        let mut want = below_leaders.to_vec();
        want.sort();
        assert_eq!(asked, want);

        // A new version: the Office's specialist checks instead.
        let mut def = f["definition"].clone();
        def["steps"] = json!([{"name": "Văn phòng thẩm định", "assignee": {"person": vp_spec}, "mode": "all", "deadline_days": 1}]);
        let (st, e) = s
            .send(
                "PUT",
                &admin_b,
                &format!("/api/v1/flows/{flow}"),
                json!({"name": "Luồng mới", "active": true, "definition": def}),
            )
            .await;
        assert_eq!(st, 403, "another unit's administrator cannot edit it: {e}");
        let (st, f2) = s.send("PUT", &admin_a, &format!("/api/v1/flows/{flow}"), json!({"name": "Văn bản đi có thẩm định của Văn phòng", "active": true, "definition": def})).await;
        assert_eq!(st, 200, "{f2}");
        assert_eq!(f2["current_version"], 2);
        // The running document keeps version 1 and its reviewers.
        let (_, det) = s.get(&drafter, &format!("/api/v1/documents/{id1}")).await;
        assert_eq!(det["document"]["flow_version_id"], v1);
        assert!(
            det["reviews"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["person"]["id"] != vp_spec)
        );
        // A new draft follows version 2.
        let (st, d2) = draft(&s, &drafter, meta(a)).await;
        assert_eq!(st, 201, "{d2}");
        assert_ne!(d2["flow_version_id"], v1);
        let id2 = d2["id"].as_i64().unwrap();
        let (st, _) = s
            .send(
                "POST",
                &drafter,
                &format!("/api/v1/outgoing/{id2}/submit"),
                json!({}),
            )
            .await;
        assert_eq!(st, 200);
        let vp = s.token("ubnd.ninhbinh.vp.chuyenvien", DEMO_PASSWORD).await;
        let (_, q) = s.get(&vp, "/api/v1/queues/to_review").await;
        assert!(
            q["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["id"] == id2)
        );
        // Templates cannot be edited.
        let (st, _) = s
            .send(
                "PUT",
                &admin_a,
                &format!("/api/v1/flows/{review_template}"),
                json!({"name": "x", "active": true, "definition": def}),
            )
            .await;
        assert!(st == 403 || st == 404, "{st}");

        // Unit B has no flow; it imports A's file; A keeps both versions.
        let (_, lb) = s.get(&admin_b, &format!("/api/v1/units/{b}/flows")).await;
        assert_eq!(lb["items"], json!([]));
        let r = s
            .client()
            .get(s.url(&format!("/api/v1/flows/{flow}/export")))
            .bearer_auth(&admin_a)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let file = r.bytes().await.unwrap();
        // The file names the Văn phòng's specialist by id: B (a sibling of the Văn phòng) cannot take it; the
        // province, above both, can.
        let r = s
            .client()
            .post(s.url(&format!("/api/v1/units/{b}/flows/import")))
            .bearer_auth(&admin_b)
            .body(file.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let (_, lb) = s.get(&admin_b, &format!("/api/v1/units/{b}/flows")).await;
        assert_eq!(lb["items"], json!([]), "nothing imported");
        let r = s
            .client()
            .post(s.url(&format!("/api/v1/units/{a}/flows/import")))
            .bearer_auth(&admin_a)
            .body(file.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let imported: Value = r.json().await.unwrap();
        assert_eq!(imported["unit_id"], a);
        assert_eq!(
            imported["definition"]["steps"][0]["name"],
            "Văn phòng thẩm định"
        );
        let (_, fa) = s.get(&admin_a, &format!("/api/v1/flows/{flow}")).await;
        assert_eq!(fa["versions"].as_array().unwrap().len(), 2);
        let r = s
            .client()
            .post(s.url(&format!("/api/v1/units/{b}/flows/import")))
            .bearer_auth(&admin_b)
            .body("{\"format\":\"khac\"}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        // Someone who may not change B's flows is told so, whatever the file holds.
        let r = s
            .client()
            .post(s.url(&format!("/api/v1/units/{b}/flows/import")))
            .bearer_auth(&drafter)
            .body("{\"format\":\"khac\"}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        // A flow naming someone who does not work in the unit (or below) is refused.
        let stranger = s.person_id("tu.laocai.lanhdao").await;
        let file = json!({"format": "vanthu-flow", "format_version": 1, "kind": "outgoing", "name": "Lạ",
            "definition": {"steps": [{"name": "Người lạ duyệt", "assignee": {"person": stranger}, "mode": "any"}], "signer": {"role": "leader"}}});
        let r = s
            .client()
            .post(s.url(&format!("/api/v1/units/{b}/flows/import")))
            .bearer_auth(&admin_b)
            .body(file.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let e: Value = r.json().await.unwrap();
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("không phải người đang làm việc"),
            "{e}"
        );
        s.stop().await;
    }
}

#[tokio::test]
async fn incoming_flow_sets_deadline_and_who_documents_are_presented_to() {
    let s = TestServer::demo().await;
    let a = s.unit_id("ubnd.ninhbinh").await;
    let admin = s.token("ubnd.ninhbinh.quantri", DEMO_PASSWORD).await;
    let clerk = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
    let leader = s.person_id("ubnd.ninhbinh.lanhdao").await;
    let (st, f) = s.send("POST", &admin, &format!("/api/v1/units/{a}/flows"), json!({"kind": "incoming", "name": "Văn bản đến", "definition": {"present_to": {"role": "leader"}, "deadline_days": 5}})).await;
    assert_eq!(st, 201, "{f}");
    let form = reqwest::multipart::Form::new().text(
        "metadata",
        json!({"unit_id": a, "subject": "Đề nghị phối hợp", "author": "Bộ Tư pháp"}).to_string(),
    );
    let r = s
        .client()
        .post(s.url("/api/v1/incoming"))
        .bearer_auth(&clerk)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let d: Value = r.json().await.unwrap();
    assert!(d["deadline"].is_string(), "{d}");
    assert!(d["flow_version_id"].is_i64());
    let id = d["id"].as_i64().unwrap();
    let (st, p) = s
        .send(
            "POST",
            &clerk,
            &format!("/api/v1/incoming/{id}/present"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(p["presented_to"], leader);
    // A definition that does not fit its kind is refused.
    let (st, e) = s.send("POST", &admin, &format!("/api/v1/units/{a}/flows"), json!({"kind": "incoming", "name": "Sai", "definition": {"signer": {"role": "leader"}}})).await;
    assert_eq!(st, 422, "{e}");
    s.stop().await;
}

#[tokio::test]
async fn a_delegate_decides_in_place_of_the_signer() {
    for s in TestServer::demo_all().await {
        let a = s.unit_id("ubnd.ninhbinh").await;
        let leader = s.token("ubnd.ninhbinh.lanhdao", DEMO_PASSWORD).await;
        let leader_id = s.person_id("ubnd.ninhbinh.lanhdao").await;
        let deputy = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
        let deputy_id = s.person_id("ubnd.ninhbinh.vanthu").await;
        let drafter = s.token("ubnd.ninhbinh.chuyenvien", DEMO_PASSWORD).await;
        let drafter_id = s.person_id("ubnd.ninhbinh.chuyenvien").await;
        let outsider = s.person_id("tu.laocai.lanhdao").await;
        let today = vanthu_server::app::documents::today_local();
        let (st, e) = s.send("POST", &leader, "/api/v1/me/delegations", json!({"to_person_id": outsider, "from": today, "until": today, "reason": "Đi công tác"})).await;
        assert_eq!(st, 422, "only a colleague: {e}");
        let (st, g) = s.send("POST", &leader, "/api/v1/me/delegations", json!({"to_person_id": deputy_id, "from": today, "until": today, "reason": "Đi công tác"})).await;
        assert_eq!(st, 201, "{g}");
        assert_eq!(g["active"], true);
        let (st, d) = draft(&s, &drafter, json!({"unit_id": a, "doc_type": "thong_bao", "subject": "Thông báo lịch làm việc", "signer_id": leader_id})).await;
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
        let (_, q) = s.get(&deputy, "/api/v1/queues/to_review").await;
        assert!(
            q["items"].as_array().unwrap().iter().any(|x| x["id"] == id),
            "{q}"
        );
        let (st, d) = s
            .send(
                "POST",
                &deputy,
                &format!("/api/v1/outgoing/{id}/review"),
                json!({"decision": "approve"}),
            )
            .await;
        assert_eq!(st, 200, "{d}");
        assert_eq!(d["state"], "approved");
        let (_, h) = s
            .get(&deputy, &format!("/api/v1/documents/{id}/history"))
            .await;
        let last = h["items"].as_array().unwrap().last().unwrap()["summary"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(last.contains("được ủy quyền"), "{last}");
        // Once revoked, the delegate is no longer asked.
        let gid = g["id"].as_i64().unwrap();
        let (st, g) = s
            .send(
                "POST",
                &leader,
                &format!("/api/v1/me/delegations/{gid}/revoke"),
                json!({}),
            )
            .await;
        assert_eq!(st, 200);
        assert_eq!(g["active"], false);
        let (st, _) = s
            .send(
                "POST",
                &leader,
                &format!("/api/v1/me/delegations/{gid}/revoke"),
                json!({}),
            )
            .await;
        assert_eq!(st, 404);
        // The drafter can never approve their own draft through a delegation.
        let (st, _) = s.send("POST", &leader, "/api/v1/me/delegations", json!({"to_person_id": drafter_id, "from": today, "until": today, "reason": "Nghỉ phép"})).await;
        assert_eq!(st, 201);
        let (_, d2) = draft(&s, &drafter, json!({"unit_id": a, "doc_type": "thong_bao", "subject": "Thông báo khác", "signer_id": leader_id})).await;
        let id2 = d2["id"].as_i64().unwrap();
        assert_eq!(
            s.send(
                "POST",
                &drafter,
                &format!("/api/v1/outgoing/{id2}/submit"),
                json!({})
            )
            .await
            .0,
            200
        );
        let (st, _) = s
            .send(
                "POST",
                &drafter,
                &format!("/api/v1/outgoing/{id2}/review"),
                json!({"decision": "approve"}),
            )
            .await;
        assert_eq!(st, 403);
        s.stop().await;
    }
}

#[tokio::test]
async fn a_delegate_directs_what_was_presented_to_the_leader() {
    let s = TestServer::demo().await;
    let a = s.unit_id("ubnd.ninhbinh").await;
    let clerk = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
    let leader = s.token("ubnd.ninhbinh.lanhdao", DEMO_PASSWORD).await;
    let leader_id = s.person_id("ubnd.ninhbinh.lanhdao").await;
    let deputy = s.token("ubnd.ninhbinh.chuyenvien", DEMO_PASSWORD).await;
    let deputy_id = s.person_id("ubnd.ninhbinh.chuyenvien").await;
    let form = reqwest::multipart::Form::new().text(
        "metadata",
        json!({"unit_id": a, "subject": "Đề nghị báo cáo tình hình", "author": "Bộ Nội vụ"})
            .to_string(),
    );
    let r = s
        .client()
        .post(s.url("/api/v1/incoming"))
        .bearer_auth(&clerk)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let (st, p) = s
        .send(
            "POST",
            &clerk,
            &format!("/api/v1/incoming/{id}/present"),
            json!({"leader_id": leader_id}),
        )
        .await;
    assert_eq!(st, 200, "{p}");
    let direct =
        json!({"direction": "Đồng chí chủ trì, báo cáo trước ngày 30.", "lead": deputy_id});
    let (st, e) = s
        .send(
            "POST",
            &deputy,
            &format!("/api/v1/incoming/{id}/assign"),
            direct.clone(),
        )
        .await;
    assert_eq!(
        st, 404,
        "before a delegation the document is not even theirs to see: {e}"
    );
    let today = vanthu_server::app::documents::today_local();
    let (st, g) = s.send("POST", &leader, "/api/v1/me/delegations", json!({"to_person_id": deputy_id, "from": today, "until": today, "reason": "Đi công tác"})).await;
    assert_eq!(st, 201, "{g}");
    let (_, detail) = s.get(&deputy, &format!("/api/v1/documents/{id}")).await;
    assert!(
        detail["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "assign"),
        "{detail}"
    );
    let (st, d) = s
        .send(
            "POST",
            &deputy,
            &format!("/api/v1/incoming/{id}/assign"),
            direct,
        )
        .await;
    assert_eq!(st, 200, "{d}");
    assert_eq!(d["state"], "assigned");
    let (_, h) = s
        .get(&leader, &format!("/api/v1/documents/{id}/history"))
        .await;
    let last = h["items"].as_array().unwrap().last().unwrap()["summary"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(last.contains("được ủy quyền, thay"), "{last}");
    s.stop().await;
}
