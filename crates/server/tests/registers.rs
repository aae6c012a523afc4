//! Registers and numbering against the real server: gap-free numbers under concurrency on every backend,
//! cancellation with a reason, notations in the State and Party forms, secret registers and permissions.

mod common;

use common::{DEMO_PASSWORD, TestServer};
use serde_json::{Value, json};

async fn register_id(s: &TestServer, token: &str, unit_key: &str, kind: &str, secret: bool) -> i64 {
    let unit = s.unit_id(unit_key).await;
    let (st, l) = s
        .get(token, &format!("/api/v1/units/{unit}/registers"))
        .await;
    assert_eq!(st, 200, "{l}");
    l["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == kind && r["secret"] == secret)
        .unwrap_or_else(|| panic!("no {kind} register in {unit_key}: {l}"))["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn two_hundred_clerks_at_once_get_exactly_one_to_two_hundred() {
    for s in TestServer::demo_all().await {
        let t = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
        let reg = register_id(&s, &t, "ubnd.ninhbinh", "outgoing", false).await;
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let c = s.client();
            let url = s.url(&format!("/api/v1/registers/{reg}/numbers"));
            let t = t.clone();
            tasks.push(tokio::spawn(async move {
                let r = c
                    .post(url)
                    .bearer_auth(t)
                    .json(&json!({"type_abbr": "QĐ"}))
                    .send()
                    .await
                    .unwrap();
                let st = r.status().as_u16();
                (st, r.json::<Value>().await.unwrap())
            }));
        }
        let mut numbers = Vec::new();
        for task in tasks {
            let (st, e) = task.await.unwrap();
            assert_eq!(st, 201, "{e}");
            let n = e["number"].as_i64().unwrap();
            assert_eq!(e["notation"], format!("{n:02}/QĐ-UBND"));
            numbers.push(n);
        }
        numbers.sort();
        assert_eq!(
            numbers,
            (1..=200).collect::<Vec<i64>>(),
            "{} backend",
            s.backend
        );
        let (_, d) = s
            .get(&t, &format!("/api/v1/registers/{reg}?limit=500"))
            .await;
        assert_eq!(d["register"]["next_number"], 201);
        assert_eq!(d["entries"].as_array().unwrap().len(), 200);
        s.stop().await;
    }
}

#[tokio::test]
async fn unused_numbers_are_cancelled_with_a_reason_and_never_given_again() {
    let s = TestServer::demo().await;
    let t = s.token("tu.ninhbinh.vp.vanthu", DEMO_PASSWORD).await;
    let reg = register_id(&s, &t, "tu.ninhbinh.vp", "outgoing", false).await;
    let take = |body: Value| {
        let t = t.clone();
        let s = &s;
        async move {
            s.send(
                "POST",
                &t,
                &format!("/api/v1/registers/{reg}/numbers"),
                body,
            )
            .await
        }
    };
    // Party form: number, type and body joined as 15671-CV/VPTW; further groups after another slash.
    let (st, e) = take(json!({"type_abbr": "CV"})).await;
    assert_eq!(st, 201, "{e}");
    assert_eq!(e["notation"], "01-CV/VPTU");
    assert_eq!(e["display"], "Số 01-CV/VPTU");
    let (_, e) = take(json!({"type_abbr": "BC", "extra": ["nb"]})).await;
    assert_eq!(e["notation"], "02-BC/VPTU/nb");
    let (_, e) = take(json!({})).await;
    assert_eq!(
        (e["number"].as_i64(), e["notation"].as_str()),
        (Some(3), None)
    );

    // Cancel 2 with a reason; it cannot be cancelled twice and the next number is 4, not 2.
    let cancel = |n: i64, reason: &str| {
        let t = t.clone();
        let s = &s;
        let body = json!({"reason": reason});
        async move {
            s.send(
                "POST",
                &t,
                &format!("/api/v1/registers/{reg}/numbers/{n}/cancel"),
                body,
            )
            .await
        }
    };
    let (st, e) = cancel(2, "  ").await;
    assert_eq!((st, e["field"].as_str()), (422, Some("reason")));
    let (st, e) = cancel(2, "Văn bản không ban hành nữa").await;
    assert_eq!(st, 200, "{e}");
    assert_eq!(e["status"], "cancelled");
    assert_eq!(e["reason"], "Văn bản không ban hành nữa");
    let (st, e) = cancel(2, "lần nữa").await;
    assert_eq!(st, 409, "{e}");
    let (st, _) = cancel(99, "chưa cấp").await;
    assert_eq!(st, 404);
    let (_, e) = take(json!({"type_abbr": "TB"})).await;
    assert_eq!(e["number"], 4);

    // Bad input changes nothing: the next number stays 5.
    let (st, e) = take(json!({"type_abbr": "Q Đ"})).await;
    assert_eq!((st, e["field"].as_str()), (422, Some("type_abbr")));
    let (st, _) = take(json!({"type_abbr": "QĐ", "oops": 1})).await;
    assert_eq!(st, 422);
    let (_, d) = s.get(&t, &format!("/api/v1/registers/{reg}")).await;
    assert_eq!(d["register"]["next_number"], 5);

    // The history shows who did what.
    let (st, h) = s.get(&t, &format!("/api/v1/registers/{reg}/history")).await;
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
            "register.take",
            "register.cancel",
            "register.take",
            "register.take",
            "register.take"
        ]
    );
    assert!(
        h["items"][1]["summary"]
            .as_str()
            .unwrap()
            .contains("Văn bản không ban hành nữa")
    );
    s.stop().await;
}

#[tokio::test]
async fn only_the_units_clerks_number_and_secret_registers_stay_hidden() {
    let s = TestServer::demo().await;
    let admin = s.token("admin", DEMO_PASSWORD).await;
    let clerk = s.token("ubnd.ninhbinh.snv.vanthu", DEMO_PASSWORD).await;
    let secret_reg = register_id(&s, &clerk, "ubnd.ninhbinh.snv", "incoming", true).await;
    let open_reg = register_id(&s, &clerk, "ubnd.ninhbinh.snv", "incoming", false).await;

    // The clerk (cleared for Mật) numbers in the secret register; State form for a State unit.
    let (st, e) = s
        .send(
            "POST",
            &clerk,
            &format!("/api/v1/registers/{secret_reg}/numbers"),
            json!({"type_abbr": "CV"}),
        )
        .await;
    assert_eq!(st, 201, "{e}");
    assert_eq!(e["display"], "Số: 01/CV-SNV");

    // A clerk without clearance in the same unit: no secret register in the list, 404 on it.
    let snv = s.unit_id("ubnd.ninhbinh.snv").await;
    let (st, p) = s
        .send(
            "POST",
            &admin,
            "/api/v1/people",
            json!({
                "username": "vanthu.moi", "full_name": "Lê Thị Mới", "password": "Tam@thoi2025",
                "memberships": [{"unit_id": snv, "roles": ["clerk"]}]
            }),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let tmp = s.token("vanthu.moi", "Tam@thoi2025").await;
    s.send(
        "POST",
        &tmp,
        "/api/v1/me/password",
        json!({"current_password": "Tam@thoi2025", "new_password": "Moi@2025xx"}),
    )
    .await;
    let plain = s.token("vanthu.moi", "Moi@2025xx").await;
    let (_, l) = s
        .get(&plain, &format!("/api/v1/units/{snv}/registers"))
        .await;
    let items = l["items"].as_array().unwrap();
    assert!(
        !items.is_empty() && items.iter().all(|r| r["secret"] == false),
        "{l}"
    );
    assert_eq!(
        s.get(&plain, &format!("/api/v1/registers/{secret_reg}"))
            .await
            .0,
        404
    );
    let (st, _) = s
        .send(
            "POST",
            &plain,
            &format!("/api/v1/registers/{secret_reg}/numbers"),
            json!({}),
        )
        .await;
    assert_eq!(st, 404);
    assert_eq!(
        s.get(&plain, &format!("/api/v1/registers/{secret_reg}/history"))
            .await
            .0,
        404
    );
    // …but numbers in the open register.
    let (st, _) = s
        .send(
            "POST",
            &plain,
            &format!("/api/v1/registers/{open_reg}/numbers"),
            json!({}),
        )
        .await;
    assert_eq!(st, 201);

    // A leader of the unit sees registers but does not number; a clerk of another unit sees nothing.
    let leader = s.token("ubnd.ninhbinh.snv.lanhdao", DEMO_PASSWORD).await;
    let (st, e) = s
        .send(
            "POST",
            &leader,
            &format!("/api/v1/registers/{open_reg}/numbers"),
            json!({}),
        )
        .await;
    assert_eq!(st, 403, "{e}");
    let other = s.token("tu.laocai.vanthu", DEMO_PASSWORD).await;
    assert_eq!(
        s.get(&other, &format!("/api/v1/units/{snv}/registers"))
            .await
            .0,
        403
    );
    assert_eq!(
        s.send(
            "POST",
            &other,
            &format!("/api/v1/registers/{open_reg}/numbers"),
            json!({})
        )
        .await
        .0,
        404
    );

    // Administrators open registers; a duplicate (same kind, period, secrecy, series) is refused.
    let (st, r) = s
        .send(
            "POST",
            &admin,
            &format!("/api/v1/units/{snv}/registers"),
            json!({"kind": "outgoing", "period": "2027"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    assert_eq!(r["name"], "Sổ văn bản đi 2027");
    let (st, e) = s
        .send(
            "POST",
            &admin,
            &format!("/api/v1/units/{snv}/registers"),
            json!({"kind": "outgoing", "period": "2027"}),
        )
        .await;
    assert_eq!(st, 409, "{e}");
    assert!(e["message"].as_str().unwrap().contains("sổ"));
    let (st, e) = s
        .send(
            "POST",
            &admin,
            &format!("/api/v1/units/{snv}/registers"),
            json!({"kind": "sideways", "period": "27"}),
        )
        .await;
    assert_eq!((st, e["field"].as_str()), (422, Some("kind")));
    // A Party register with a series per type refuses other types.
    let (st, r) = s
        .send(
            "POST",
            &admin,
            &format!("/api/v1/units/{snv}/registers"),
            json!({"kind": "outgoing", "period": "2025-2030", "series": "NQ"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    let nq = r["id"].as_i64().unwrap();
    let (st, e) = s
        .send(
            "POST",
            &clerk,
            &format!("/api/v1/registers/{nq}/numbers"),
            json!({"type_abbr": "QĐ"}),
        )
        .await;
    assert_eq!((st, e["field"].as_str()), (422, Some("type_abbr")));
    let (st, e) = s
        .send(
            "POST",
            &clerk,
            &format!("/api/v1/registers/{nq}/numbers"),
            json!({}),
        )
        .await;
    assert_eq!(st, 201, "{e}");
    assert_eq!(e["notation"], "01/NQ-SNV");
    let _ = pid;
    s.stop().await;
}

#[tokio::test]
async fn document_types_are_data_and_give_the_notation_of_each_side() {
    for s in TestServer::demo_all().await {
        let admin = s.token("admin", DEMO_PASSWORD).await;
        let (st, l) = s.get(&admin, "/api/v1/document-types").await;
        assert_eq!(st, 200);
        let items = l["items"].as_array().unwrap();
        let find = |code: &str| {
            items
                .iter()
                .find(|t| t["code"] == code)
                .cloned()
                .unwrap_or_else(|| panic!("{code}"))
        };
        assert_eq!(find("quyet_dinh")["state_abbr"], "QĐ");
        assert_eq!(find("quy_dinh")["state_abbr"], "QyĐ");
        assert_eq!(find("cong_van")["state_abbr"], Value::Null);
        assert_eq!(find("cong_van")["party_abbr"], "CV");
        assert_eq!(find("ket_luan")["party_abbr"], "KL");

        // State công văn: the body and the drafting unit; Party công văn: CV.
        let state_clerk = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
        let reg = register_id(&s, &state_clerk, "ubnd.ninhbinh", "outgoing", false).await;
        let path = format!("/api/v1/registers/{reg}/numbers");
        let (st, e) = s
            .send(
                "POST",
                &state_clerk,
                &path,
                json!({"doc_type": "cong_van", "extra": ["VP"]}),
            )
            .await;
        assert_eq!(st, 201, "{e}");
        assert_eq!(e["display"], "Số: 01/UBND-VP");
        let (_, e) = s
            .send("POST", &state_clerk, &path, json!({"doc_type": "quy_dinh"}))
            .await;
        assert_eq!(e["notation"], "02/QyĐ-UBND");
        let party_clerk = s.token("tu.laocai.vp.vanthu", DEMO_PASSWORD).await;
        let preg = register_id(&s, &party_clerk, "tu.laocai.vp", "outgoing", false).await;
        let ppath = format!("/api/v1/registers/{preg}/numbers");
        let (_, e) = s
            .send(
                "POST",
                &party_clerk,
                &ppath,
                json!({"doc_type": "cong_van"}),
            )
            .await;
        assert_eq!(e["display"], "Số 01-CV/VPTU");
        let (st, e) = s
            .send(
                "POST",
                &party_clerk,
                &ppath,
                json!({"doc_type": "cong_van", "type_abbr": "CV"}),
            )
            .await;
        assert_eq!((st, e["field"].as_str()), (422, Some("doc_type")));
        let (st, e) = s
            .send(
                "POST",
                &party_clerk,
                &ppath,
                json!({"doc_type": "khong_co"}),
            )
            .await;
        assert_eq!((st, e["field"].as_str()), (422, Some("doc_type")));

        // System administrators extend and edit the list; others cannot.
        let unit_admin = s.token("tu.laocai.quantri", DEMO_PASSWORD).await;
        let new_type = json!({"code": "nghi_quyet_lien_tich", "name": "Nghị quyết liên tịch", "state_abbr": "NQLT"});
        let (st, _) = s
            .send(
                "POST",
                &unit_admin,
                "/api/v1/document-types",
                new_type.clone(),
            )
            .await;
        assert_eq!(st, 403);
        let (st, t) = s
            .send("POST", &admin, "/api/v1/document-types", new_type.clone())
            .await;
        assert_eq!(st, 201, "{t}");
        assert_eq!(t["builtin"], false);
        let (st, _) = s
            .send("POST", &admin, "/api/v1/document-types", new_type)
            .await;
        assert_eq!(st, 409);
        let (st, e) = s
            .send(
                "POST",
                &admin,
                "/api/v1/document-types",
                json!({"code": "Xấu", "name": "x"}),
            )
            .await;
        assert_eq!((st, e["field"].as_str()), (422, Some("code")));
        let (st, t) = s
            .send(
                "PATCH",
                &admin,
                "/api/v1/document-types/quy_dinh",
                json!({"party_abbr": "QĐi"}),
            )
            .await;
        assert_eq!((st, t["party_abbr"].as_str()), (200, Some("QĐi")));
        let (_, e) = s
            .send(
                "POST",
                &party_clerk,
                &ppath,
                json!({"doc_type": "quy_dinh"}),
            )
            .await;
        assert_eq!(e["notation"], "02-QĐi/VPTU");
        // A type no longer used cannot number.
        let (st, _) = s
            .send(
                "PATCH",
                &admin,
                "/api/v1/document-types/quy_dinh",
                json!({"active": false}),
            )
            .await;
        assert_eq!(st, 200);
        let (st, _) = s
            .send(
                "POST",
                &party_clerk,
                &ppath,
                json!({"doc_type": "quy_dinh"}),
            )
            .await;
        assert_eq!(st, 422);
        let (_, l) = s.get(&admin, "/api/v1/document-types").await;
        assert!(
            !l["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["code"] == "quy_dinh")
        );
        let (st, _) = s
            .send(
                "PATCH",
                &admin,
                "/api/v1/document-types/khong_co",
                json!({"name": "x"}),
            )
            .await;
        assert_eq!(st, 404);
        s.stop().await;
    }
}
