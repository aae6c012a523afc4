//! The API end to end against the real server: sign-in, the organisation, people, permissions, bad input,
//! and the OpenAPI document. Runs on SQLite always and on PostgreSQL when `VANTHU_TEST_DATABASE_URL` is set.

mod common;

use common::{DEMO_PASSWORD, TestServer};
use serde_json::{Value, json};
use vanthu_server::AuthSettings;
use vanthu_store::testkit::TestDb;

async fn admin(s: &TestServer) -> String {
    s.token("admin", DEMO_PASSWORD).await
}

#[tokio::test]
async fn login_gives_a_token_that_opens_the_api() {
    for s in TestServer::demo_all().await {
        let t = admin(&s).await;
        let (st, me) = s.get(&t, "/api/v1/me").await;
        assert_eq!(st, 200);
        assert_eq!(me["person"]["username"], "admin");
        assert!(
            me["roles"]
                .as_array()
                .unwrap()
                .contains(&json!("system_admin"))
        );
        let (st, units) = s.get(&t, "/api/v1/units").await;
        assert_eq!(st, 200);
        let items = units["items"].as_array().unwrap();
        assert!(
            items
                .iter()
                .any(|u| u["name"] == "Văn phòng Trung ương Đảng" && u["code"] == "000.00.00.D01")
        );
        assert!(
            items
                .iter()
                .any(|u| u["name"] == "Đảng ủy xã Gia Viễn" && u["kind"] == "commune")
        );

        // Without a token, or with a bad one: 401 with a JSON error in Vietnamese.
        let r = s.client().get(s.url("/api/v1/units")).send().await.unwrap();
        assert_eq!(r.status(), 401);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "unauthenticated");
        assert!(body["message"].as_str().unwrap().contains("mã truy cập"));
        let (st, body) = s.get("not-a-token", "/api/v1/units").await;
        assert_eq!((st, body["error"].as_str()), (401, Some("token_invalid")));
        s.stop().await;
    }
}

#[tokio::test]
async fn logout_revokes_and_expiry_is_enforced() {
    let s = TestServer::start_with(
        TestDb::sqlite(),
        true,
        AuthSettings {
            api_token_ttl_ms: 800,
            ..Default::default()
        },
    )
    .await;
    let t = admin(&s).await;
    let (st, _) = s.send("POST", &t, "/api/v1/auth/logout", json!({})).await;
    assert_eq!(st, 204);
    let (st, body) = s.get(&t, "/api/v1/me").await;
    assert_eq!((st, body["error"].as_str()), (401, Some("token_revoked")));

    let t2 = admin(&s).await;
    assert_eq!(s.get(&t2, "/api/v1/me").await.0, 200);
    tokio::time::sleep(std::time::Duration::from_millis(900)).await;
    let (st, body) = s.get(&t2, "/api/v1/me").await;
    assert_eq!((st, body["error"].as_str()), (401, Some("token_expired")));
    assert!(body["message"].as_str().unwrap().contains("hết hạn"));
    s.stop().await;
}

#[tokio::test]
async fn repeated_failures_delay_then_lock_and_every_attempt_is_recorded() {
    let settings = AuthSettings {
        delay_after: 3,
        lock_after: 5,
        lock_ms: 60_000,
        ..Default::default()
    };
    let s = TestServer::start_with(TestDb::sqlite(), true, settings).await;
    let login = |user: &'static str, pw: &'static str| {
        let c = s.client();
        let url = s.url("/api/v1/auth/login");
        async move {
            let r = c
                .post(url)
                .json(&json!({"username": user, "password": pw}))
                .send()
                .await
                .unwrap();
            let retry = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            (r.status().as_u16(), retry, r.json::<Value>().await.unwrap())
        }
    };
    let user = "tu.ninhbinh.vp.vanthu";
    for _ in 0..3 {
        let (st, _, body) = login(user, "sai-mat-khau").await;
        assert_eq!(st, 401);
        assert_eq!(body["message"], "Tên đăng nhập hoặc mật khẩu không đúng.");
    }
    // After three failures the account must wait, even with the right password.
    let (st, retry, body) = login(user, DEMO_PASSWORD).await;
    assert_eq!(st, 429, "{body}");
    assert_eq!(body["error"], "locked");
    assert!(retry.is_some());
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (st, _, _) = login(user, "sai-mat-khau").await;
    assert_eq!(st, 401);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (st, _, _) = login(user, "sai-mat-khau").await;
    assert_eq!(st, 401);
    // Five failures: locked for a minute.
    let (st, retry, _) = login(user, DEMO_PASSWORD).await;
    assert_eq!(st, 429);
    let secs: i64 = retry.unwrap().parse().unwrap();
    assert!((50..=60).contains(&secs), "{secs}");
    // Unknown users get the same answer as a wrong password.
    let (st, _, body) = login("khong.ton.tai", "x").await;
    assert_eq!((st, body["error"].as_str()), (401, Some("bad_credentials")));

    // Another account is unaffected, and a success is recorded with the person's unit.
    let t = admin(&s).await;
    let (st, ev) = s.get(&t, "/api/v1/login-events").await;
    assert_eq!(st, 200);
    let items = ev["items"].as_array().unwrap();
    let mine: Vec<&Value> = items.iter().filter(|e| e["username"] == user).collect();
    let reasons: Vec<&str> = mine.iter().map(|e| e["reason"].as_str().unwrap()).collect();
    assert_eq!(
        reasons,
        [
            "bad_password",
            "bad_password",
            "bad_password",
            "locked",
            "bad_password",
            "bad_password",
            "locked"
        ]
    );
    let unit = s.unit_id("tu.ninhbinh.vp").await;
    assert!(mine.iter().all(|e| e["unit_id"] == unit));
    assert!(
        items
            .iter()
            .any(|e| e["username"] == "khong.ton.tai" && e["reason"] == "unknown_user")
    );
    assert!(
        items
            .iter()
            .any(|e| e["username"] == "admin" && e["success"] == true && e["channel"] == "api")
    );
    // Only system administrators read the sign-in log.
    let clerk = s.token("tu.laocai.vanthu", DEMO_PASSWORD).await;
    assert_eq!(s.get(&clerk, "/api/v1/login-events").await.0, 403);
    s.stop().await;
}

#[tokio::test]
async fn units_are_created_edited_moved_and_deactivated_with_history() {
    for s in TestServer::demo_all().await {
        let t = s.token("tu.ninhbinh.quantri", DEMO_PASSWORD).await;
        let parent = s.unit_id("tu.ninhbinh").await;
        let (st, u) = s
            .send("POST", &t, "/api/v1/units", json!({
                "key": "tu.ninhbinh.kimson", "code": "004.00.10.D40", "name": "Đảng ủy xã Kim Sơn",
                "short_name": "ĐU", "kind": "commune", "side": "party", "parent_id": parent, "valid_from": "2025-07-01"
            }))
            .await;
        assert_eq!(st, 201, "{u}");
        let id = u["id"].as_i64().unwrap();
        assert_eq!(u["kind_label"], "Xã");

        // Rename with a new code, keeping the old one.
        let (st, u) = s
            .send("PATCH", &t, &format!("/api/v1/units/{id}"), json!({"name": "Đảng ủy xã  Kim Sơn mới", "code": "005.00.10.D40", "old_code": "004.00.10.D40"}))
            .await;
        assert_eq!(st, 200, "{u}");
        assert_eq!(u["name"], "Đảng ủy xã Kim Sơn mới");
        assert_eq!(u["old_code"], "004.00.10.D40");
        // The old code still finds the unit: no other unit may take it.
        let (st, e) = s
            .send("POST", &t, "/api/v1/units", json!({"key": "x1", "code": "004.00.10.D40", "name": "X", "kind": "commune", "side": "party", "parent_id": parent}))
            .await;
        assert_eq!((st, e["error"].as_str()), (409, Some("conflict")), "{e}");

        // Move under Văn phòng Tỉnh ủy, then try to move the Tỉnh ủy under its own descendant.
        let vp = s.unit_id("tu.ninhbinh.vp").await;
        let (st, u) = s
            .send(
                "POST",
                &t,
                &format!("/api/v1/units/{id}/move"),
                json!({"parent_id": vp}),
            )
            .await;
        assert_eq!((st, u["parent_id"].as_i64()), (200, Some(vp)));
        let admin_t = admin(&s).await;
        let (st, e) = s
            .send(
                "POST",
                &admin_t,
                &format!("/api/v1/units/{parent}/move"),
                json!({"parent_id": id}),
            )
            .await;
        assert_eq!(st, 422, "{e}");
        assert!(e["message"].as_str().unwrap().contains("cấp dưới"));
        let (st, e) = s
            .send("POST", &t, &format!("/api/v1/units/{id}/move"), json!({}))
            .await;
        assert_eq!((st, e["field"].as_str()), (422, Some("parent_id")));

        // A unit with active sub-units cannot stop; a leaf can, and can come back.
        let (st, e) = s
            .send(
                "POST",
                &t,
                &format!("/api/v1/units/{vp}/deactivate"),
                json!({}),
            )
            .await;
        assert_eq!(st, 409, "{e}");
        let (st, u) = s
            .send(
                "POST",
                &t,
                &format!("/api/v1/units/{id}/deactivate"),
                json!({}),
            )
            .await;
        assert_eq!((st, u["active"].as_bool()), (200, Some(false)));
        let (_, list) = s.get(&t, "/api/v1/units").await;
        assert!(
            !list["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["id"] == id)
        );
        let (_, list) = s.get(&t, "/api/v1/units?include_inactive=true").await;
        assert!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["id"] == id)
        );
        let (st, _) = s
            .send(
                "POST",
                &t,
                &format!("/api/v1/units/{id}/activate"),
                json!({}),
            )
            .await;
        assert_eq!(st, 200);

        let (st, h) = s.get(&t, &format!("/api/v1/units/{id}/history")).await;
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
                "unit.activate",
                "unit.deactivate",
                "unit.move",
                "unit.update",
                "unit.create"
            ]
        );
        assert!(h["items"][0]["actor"].as_str().is_some());
        assert_eq!(h["items"][3]["details"]["code"]["to"], "005.00.10.D40");
        s.stop().await;
    }
}

#[tokio::test]
async fn unit_admin_manages_only_their_subtree() {
    let s = TestServer::demo().await;
    let t = s.token("tu.ninhbinh.quantri", DEMO_PASSWORD).await;
    let laocai = s.unit_id("tu.laocai").await;
    let own = s.unit_id("tu.ninhbinh.hoalu").await;
    let (st, e) = s
        .send("POST", &t, "/api/v1/units", json!({"key": "lc.x", "name": "X", "kind": "department", "side": "party", "parent_id": laocai}))
        .await;
    assert_eq!((st, e["error"].as_str()), (403, Some("forbidden")));
    let (st, _) = s
        .send(
            "PATCH",
            &t,
            &format!("/api/v1/units/{laocai}"),
            json!({"name": "Đổi"}),
        )
        .await;
    assert_eq!(st, 403);
    // Moving one's own unit into another province needs rights over the destination too.
    let (st, e) = s
        .send(
            "POST",
            &t,
            &format!("/api/v1/units/{own}/move"),
            json!({"parent_id": laocai}),
        )
        .await;
    assert_eq!(st, 403, "{e}");
    // Top-level units are for system administrators.
    let (st, _) = s
        .send(
            "POST",
            &t,
            "/api/v1/units",
            json!({"key": "top", "name": "X", "kind": "agency", "side": "party"}),
        )
        .await;
    assert_eq!(st, 403);
    // A specialist administers nothing.
    let sp = s.token("tu.ninhbinh.chuyenvien", DEMO_PASSWORD).await;
    let (st, _) = s
        .send(
            "PATCH",
            &sp,
            &format!("/api/v1/units/{own}"),
            json!({"name": "Đổi"}),
        )
        .await;
    assert_eq!(st, 403);
    assert_eq!(
        s.get(&sp, &format!("/api/v1/units/{own}/history")).await.0,
        403
    );
    // Nothing changed.
    let (_, u) = s.get(&t, &format!("/api/v1/units/{laocai}")).await;
    assert_eq!(u["name"], "Tỉnh ủy Lào Cai");
    s.stop().await;
}

#[tokio::test]
async fn bad_input_gets_clear_errors_and_writes_nothing() {
    let s = TestServer::demo().await;
    let t = admin(&s).await;
    let parent = s.unit_id("tu.laocai").await;
    let base = json!({"key": "ok.key", "name": "Tên", "kind": "department", "side": "party", "parent_id": parent});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases: Vec<(Value, u16, &str)> = vec![
        (with("code", json!("28.22.H17")), 422, "code"),
        (with("code", json!("000.00.00.g22")), 422, "code"),
        (with("name", json!("   ")), 422, "name"),
        (with("name", json!("x".repeat(256))), 422, "name"),
        (with("key", json!("Văn phòng")), 422, "key"),
        (with("kind", json!("castle")), 422, "kind"),
        (with("valid_from", json!("2025-13-01")), 422, "valid_from"),
        (with("parent_id", json!(999_999)), 422, "parent_id"),
        (with("unknown_field", json!(1)), 422, "body"),
        (with("name", json!(12)), 422, "body"),
    ];
    for (body, status, field) in cases {
        let (st, e) = s.send("POST", &t, "/api/v1/units", body.clone()).await;
        assert_eq!(st, status, "{body} -> {e}");
        assert!(!e["message"].as_str().unwrap_or("").is_empty(), "{e}");
        if !field.is_empty() {
            assert_eq!(e["field"], field, "{body} -> {e}");
        }
    }
    // Malformed JSON, invalid UTF-8, wrong content type.
    let c = s.client();
    for (ct, bytes) in [
        ("application/json", b"{\"key\": ".to_vec()),
        ("application/json", vec![b'"', 0xff, 0xfe, b'"']),
        ("text/plain", b"{}".to_vec()),
    ] {
        let r = c
            .post(s.url("/api/v1/units"))
            .bearer_auth(&t)
            .header("content-type", ct)
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"], "bad_request");
    }
    // Path and query parameters of the wrong type; unknown routes and methods.
    assert_eq!(s.get(&t, "/api/v1/units/abc").await.0, 400);
    assert_eq!(s.get(&t, "/api/v1/people?limit=x").await.0, 400);
    assert_eq!(s.get(&t, "/api/v1/people?limit=0").await.0, 422);
    let (st, e) = s.get(&t, "/api/v1/nothing-here").await;
    assert_eq!((st, e["error"].as_str()), (404, Some("not_found")));
    let (st, e) = s.send("DELETE", &t, "/api/v1/units", json!({})).await;
    assert_eq!((st, e["error"].as_str()), (405, Some("method_not_allowed")));
    // Duplicate key.
    let (st, e) = s
        .send(
            "POST",
            &t,
            "/api/v1/units",
            with("key", json!("tu.laocai.vp")),
        )
        .await;
    assert_eq!(st, 409, "{e}");
    assert!(e["message"].as_str().unwrap().contains("Mã nội bộ"));

    let (_, after) = s.get(&t, "/api/v1/units?include_inactive=true").await;
    assert_eq!(
        after["items"].as_array().unwrap().len(),
        37,
        "nothing was written"
    );
    s.stop().await;
}

#[tokio::test]
async fn people_are_created_with_memberships_and_permissions_hold() {
    for s in TestServer::demo_all().await {
        let t = s.token("tu.ninhbinh.quantri", DEMO_PASSWORD).await;
        let vp = s.unit_id("tu.ninhbinh.vp").await;
        let hoalu = s.unit_id("tu.ninhbinh.hoalu").await;
        let laocai = s.unit_id("tu.laocai").await;
        let (st, p) = s
            .send("POST", &t, "/api/v1/people", json!({
                "username": "Nguyen.Van.Moi", "full_name": "Nguyễn Văn Mới", "email": "moi@ninhbinh.dcs.vn",
                "clearance": "mat", "password": "Tam@thoi2025",
                "memberships": [
                    {"unit_id": vp, "position": "Phó Chánh Văn phòng", "roles": ["leader", "văn thư"]},
                    {"unit_id": hoalu, "roles": ["specialist"], "is_primary": true}
                ]
            }))
            .await;
        assert_eq!(st, 201, "{p}");
        let id = p["id"].as_i64().unwrap();
        assert_eq!(p["username"], "nguyen.van.moi");
        assert_eq!(p["clearance"], "mat");
        assert!(p["must_change_password"].as_bool().unwrap());
        let ms = p["memberships"].as_array().unwrap();
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[0]["unit_id"], hoalu, "primary first");
        let vp_m = ms.iter().find(|m| m["unit_id"] == vp).unwrap();
        assert_eq!(vp_m["roles"], json!(["clerk", "leader"]));
        assert_eq!(vp_m["role_labels"], json!(["Văn thư", "Lãnh đạo"]));

        // The new person signs in and sees themselves.
        let pt = s.token("nguyen.van.moi", "Tam@thoi2025").await;
        let (_, me) = s.get(&pt, "/api/v1/me").await;
        assert_eq!(me["person"]["full_name"], "Nguyễn Văn Mới");
        assert_eq!(me["admin"], false);
        // …changes their password, which revokes the old token.
        let (st, e) = s
            .send(
                "POST",
                &pt,
                "/api/v1/me/password",
                json!({"current_password": "wrong", "new_password": "Moi@2025xx"}),
            )
            .await;
        assert_eq!((st, e["field"].as_str()), (422, Some("current_password")));
        let (st, _) = s
            .send(
                "POST",
                &pt,
                "/api/v1/me/password",
                json!({"current_password": "Tam@thoi2025", "new_password": "Moi@2025xx"}),
            )
            .await;
        assert_eq!(st, 204);
        assert_eq!(s.get(&pt, "/api/v1/me").await.0, 401);
        let pt = s.token("nguyen.van.moi", "Moi@2025xx").await;

        // Duplicate username; membership outside the admin's subtree; clearance above the admin's own.
        let (st, _) = s.send("POST", &t, "/api/v1/people", json!({"username": "nguyen.van.moi", "full_name": "X", "memberships": [{"unit_id": vp}]})).await;
        assert_eq!(st, 409);
        let (st, _) = s
            .send("POST", &t, "/api/v1/people", json!({"username": "lan.ra", "full_name": "Lấn Ra", "memberships": [{"unit_id": vp}, {"unit_id": laocai}]}))
            .await;
        assert_eq!(st, 403);
        let (st, e) = s
            .send("POST", &t, "/api/v1/people", json!({"username": "cao.qua", "full_name": "Cao Quá", "clearance": "tuyet_mat", "memberships": [{"unit_id": vp}]}))
            .await;
        assert_eq!(st, 403, "{e}");
        let (st, _) = s
            .send("POST", &t, "/api/v1/people", json!({"username": "sysad", "full_name": "S", "system_admin": true, "memberships": [{"unit_id": vp}]}))
            .await;
        assert_eq!(st, 403);
        let (st, e) = s
            .send(
                "POST",
                &t,
                "/api/v1/people",
                json!({"username": "vo.don.vi", "full_name": "Vô Đơn Vị"}),
            )
            .await;
        assert_eq!((st, e["field"].as_str()), (422, Some("memberships")));
        let (st, e) = s
            .send("POST", &t, "/api/v1/people", json!({"username": "yeu", "full_name": "Yếu", "password": "abcdefgh", "memberships": [{"unit_id": vp}]}))
            .await;
        assert_eq!((st, e["field"].as_str()), (422, Some("password")));
        let (st, e) = s
            .send("POST", &t, "/api/v1/people", json!({"username": "sys2", "full_name": "S", "memberships": [{"unit_id": vp, "roles": ["system_admin"]}]}))
            .await;
        assert_eq!((st, e["field"].as_str()), (422, Some("roles")));
        for u in ["lan.ra", "cao.qua", "sysad", "vo.don.vi", "yeu", "sys2"] {
            assert!(
                s.app
                    .store
                    .read()
                    .await
                    .unwrap()
                    .person_by_username(u)
                    .await
                    .unwrap()
                    .is_none(),
                "{u} must not exist"
            );
        }

        // Edit: drop a membership and change the phone; the history records both.
        let (st, p) = s
            .send("PATCH", &t, &format!("/api/v1/people/{id}"), json!({"phone": "0912 345 678", "memberships": [{"unit_id": hoalu, "roles": ["specialist", "clerk"]}]}))
            .await;
        assert_eq!(st, 200, "{p}");
        assert_eq!(p["memberships"].as_array().unwrap().len(), 1);
        assert_eq!(p["memberships"][0]["is_primary"], true);
        // A Lào Cai administrator cannot touch this person.
        let lc = s.token("tu.laocai.quantri", DEMO_PASSWORD).await;
        let (st, _) = s
            .send(
                "PATCH",
                &lc,
                &format!("/api/v1/people/{id}"),
                json!({"full_name": "Đổi Tên"}),
            )
            .await;
        assert_eq!(st, 403);
        // Deactivation revokes their tokens and blocks sign-in.
        let (st, p) = s
            .send(
                "POST",
                &t,
                &format!("/api/v1/people/{id}/deactivate"),
                json!({}),
            )
            .await;
        assert_eq!((st, p["active"].as_bool()), (200, Some(false)));
        let (st, e) = s.get(&pt, "/api/v1/me").await;
        assert_eq!((st, e["error"].as_str()), (401, Some("token_revoked")));
        let r = s
            .client()
            .post(s.url("/api/v1/auth/login"))
            .json(&json!({"username": "nguyen.van.moi", "password": "Moi@2025xx"}))
            .send()
            .await
            .unwrap();
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"], "account_inactive");
        let (st, _) = s
            .send(
                "POST",
                &t,
                &format!("/api/v1/people/{id}/activate"),
                json!({}),
            )
            .await;
        assert_eq!(st, 200);
        let (st, _) = s
            .send(
                "POST",
                &t,
                &format!("/api/v1/people/{id}/password"),
                json!({"password": "Dat@lai2025"}),
            )
            .await;
        assert_eq!(st, 204);
        let r = s
            .client()
            .post(s.url("/api/v1/auth/login"))
            .json(&json!({"username": "nguyen.van.moi", "password": "Dat@lai2025"}))
            .send()
            .await
            .unwrap();
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["must_change_password"], true);
        // Until the person changes that password, the API does nothing else for them.
        let forced = body["token"].as_str().unwrap();
        let (st, e) = s.get(forced, "/api/v1/units").await;
        assert_eq!(
            (st, e["error"].as_str()),
            (403, Some("password_change_required"))
        );
        assert_eq!(s.get(forced, "/api/v1/me").await.0, 200);

        let (_, h) = s.get(&t, &format!("/api/v1/people/{id}/history")).await;
        let actions: Vec<&str> = h["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "person.password_reset",
                "person.activate",
                "person.deactivate",
                "person.update",
                "person.password",
                "person.create"
            ]
        );
        assert_eq!(h["items"][3]["details"]["phone"]["to"], "0912 345 678");

        // The directory: search without diacritics in the username, by name, by unit; clearance hidden from non-admins.
        let (_, l) = s
            .get(&t, &format!("/api/v1/people?unit_id={hoalu}&q=Mới"))
            .await;
        assert_eq!(l["total"], 1);
        let clerk = s.token("tu.laocai.vanthu", DEMO_PASSWORD).await;
        let (st, l) = s
            .get(&clerk, &format!("/api/v1/people?unit_id={hoalu}"))
            .await;
        assert_eq!(st, 200);
        assert!(
            l["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p.get("clearance").is_none())
        );
        s.stop().await;
    }
}

#[tokio::test]
async fn openapi_document_matches_the_routes() {
    let s = TestServer::demo().await;
    let t = admin(&s).await;
    let r = s
        .client()
        .get(s.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    // A throwaway unit and person to call every operation on.
    let parent = s.unit_id("tu.laocai").await;
    let (_, u) = s.send("POST", &t, "/api/v1/units", json!({"key": "tmp", "name": "Tạm", "kind": "department", "side": "party", "parent_id": parent})).await;
    let uid = u["id"].as_i64().unwrap();
    let (_, p) = s
        .send(
            "POST",
            &t,
            "/api/v1/people",
            json!({"username": "tmp.user", "full_name": "Tạm", "memberships": [{"unit_id": uid}]}),
        )
        .await;
    let pid = p["id"].as_i64().unwrap();

    let mut seen = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "patch", "put", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            seen.push(format!("{} {path}", method.to_uppercase()));
            if path == "/api/v1/auth/logout" {
                continue; // would end the session used below
            }
            let concrete = if path.starts_with("/api/v1/people/") {
                path.replace("{id}", &pid.to_string())
            } else {
                path.replace("{id}", &uid.to_string())
            }
            .replace("{number}", "1")
            .replace("{file_id}", "1")
            .replace("{queue}", "assigned")
            .replace("{code}", "thu_cong");
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let mut req = s.client().request(m, s.url(&concrete)).bearer_auth(&t);
            if method != "get" {
                req = req.json(&json!({}));
            }
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            let text = r.text().await.unwrap();
            assert_ne!(status, 405, "{method} {concrete}: {text}");
            assert!(
                !(status == 404 && text.contains("Không có trang")),
                "documented but not served: {method} {concrete}"
            );
        }
    }
    seen.sort();
    let mut expected = vec![
        "GET /healthz",
        "GET /api/v1/openapi.json",
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/logout",
        "GET /api/v1/me",
        "POST /api/v1/me/password",
        "GET /api/v1/login-events",
        "GET /api/v1/units",
        "POST /api/v1/units",
        "GET /api/v1/units/{id}",
        "PATCH /api/v1/units/{id}",
        "POST /api/v1/units/{id}/move",
        "POST /api/v1/units/{id}/deactivate",
        "POST /api/v1/units/{id}/activate",
        "GET /api/v1/units/{id}/history",
        "GET /api/v1/people",
        "POST /api/v1/people",
        "GET /api/v1/people/{id}",
        "PATCH /api/v1/people/{id}",
        "POST /api/v1/people/{id}/deactivate",
        "POST /api/v1/people/{id}/activate",
        "POST /api/v1/people/{id}/password",
        "GET /api/v1/people/{id}/history",
        "POST /api/v1/import/units",
        "POST /api/v1/import/people",
        "GET /api/v1/export/units",
        "GET /api/v1/export/people",
        "GET /api/v1/units/{id}/registers",
        "POST /api/v1/units/{id}/registers",
        "GET /api/v1/registers/{id}",
        "POST /api/v1/registers/{id}/numbers",
        "POST /api/v1/registers/{id}/numbers/{number}/cancel",
        "GET /api/v1/registers/{id}/history",
        "GET /api/v1/document-types",
        "POST /api/v1/document-types",
        "PATCH /api/v1/document-types/{code}",
        "POST /api/v1/incoming",
        "POST /api/v1/incoming/{id}/register",
        "POST /api/v1/incoming/{id}/reject",
        "POST /api/v1/incoming/{id}/present",
        "POST /api/v1/incoming/{id}/assign",
        "POST /api/v1/incoming/{id}/progress",
        "POST /api/v1/incoming/{id}/complete",
        "POST /api/v1/incoming/{id}/forward",
        "POST /api/v1/outgoing",
        "PUT /api/v1/outgoing/{id}",
        "POST /api/v1/outgoing/{id}/submit",
        "POST /api/v1/outgoing/{id}/review",
        "POST /api/v1/outgoing/{id}/withdraw",
        "POST /api/v1/outgoing/{id}/return",
        "POST /api/v1/outgoing/{id}/issue",
        "POST /api/v1/documents/{id}/revoke",
        "GET /api/v1/documents",
        "GET /api/v1/queues",
        "GET /api/v1/queues/{queue}",
        "GET /api/v1/documents/{id}",
        "GET /api/v1/documents/{id}/history",
        "POST /api/v1/documents/{id}/comments",
        "POST /api/v1/documents/{id}/files",
        "GET /api/v1/documents/{id}/files/{file_id}",
        "GET /api/v1/registers/{id}/book",
        "GET /api/v1/alerts",
        "GET /api/v1/flow-templates",
        "GET /api/v1/units/{id}/flows",
        "POST /api/v1/units/{id}/flows",
        "GET /api/v1/flows/{id}",
        "PUT /api/v1/flows/{id}",
        "GET /api/v1/flows/{id}/export",
        "POST /api/v1/units/{id}/flows/import",
        "GET /api/v1/me/delegations",
        "POST /api/v1/me/delegations",
        "POST /api/v1/me/delegations/{id}/revoke",
        "GET /api/v1/exchange/outbox",
        "POST /api/v1/exchange/outbox/{id}/retry",
        "GET /api/v1/exchange/inbox",
        "GET /api/v1/exchange/inbox/{id}/package",
        "GET /api/v1/exchange/agencies",
    ];
    expected.sort();
    assert_eq!(seen, expected);
    let r = s.client().get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let h: Value = r.json().await.unwrap();
    assert_eq!(h["status"], "ok");
    s.stop().await;
}

#[tokio::test]
async fn concurrent_unit_creation_is_consistent() {
    for s in TestServer::demo_all().await {
        let t = admin(&s).await;
        let parent = s.unit_id("tu.tuyenquang").await;
        let mut tasks = Vec::new();
        for i in 0..40 {
            let c = s.client();
            let url = s.url("/api/v1/units");
            let t = t.clone();
            // Every second request reuses a key: exactly one of each pair must win.
            let key = format!("song.song.{}", i / 2);
            tasks.push(tokio::spawn(async move {
                let r = c.post(url).bearer_auth(t).json(&json!({"key": key, "name": format!("Đơn vị {i}"), "kind": "department", "side": "party", "parent_id": parent})).send().await.unwrap();
                r.status().as_u16()
            }));
        }
        let mut codes = Vec::new();
        for t in tasks {
            codes.push(t.await.unwrap());
        }
        assert_eq!(codes.iter().filter(|c| **c == 201).count(), 20, "{codes:?}");
        assert_eq!(codes.iter().filter(|c| **c == 409).count(), 20, "{codes:?}");
        let (_, l) = s.get(&t, "/api/v1/units").await;
        assert_eq!(
            l["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|u| u["key"].as_str().unwrap().starts_with("song.song."))
                .count(),
            20
        );
        s.stop().await;
    }
}

#[tokio::test]
async fn administrators_cannot_take_over_peers_superiors_or_themselves() {
    let s = TestServer::demo().await;
    let t = s.token("vptw.quantri", DEMO_PASSWORD).await;
    let reset = |id: i64| {
        let body = json!({"password": "Chiem@quyen2025"});
        let path = format!("/api/v1/people/{id}/password");
        let t = t.clone();
        let s = &s;
        async move { s.send("POST", &t, &path, body).await }
    };
    // The system administrator sits in a department of VPTW, inside this unit admin's subtree.
    let admin_id = s.person_id("admin").await;
    let (st, e) = reset(admin_id).await;
    assert_eq!((st, e["error"].as_str()), (403, Some("forbidden")), "{e}");
    // A leader cleared for Tuyệt mật, above this administrator's Mật.
    let (st, _) = reset(s.person_id("vptw.lanhdao").await).await;
    assert_eq!(st, 403);
    // Themselves: only through the change of their own password, with the current one.
    let (st, _) = reset(s.person_id("vptw.quantri").await).await;
    assert_eq!(st, 403);
    // A specialist of the unit: allowed.
    let (st, e) = reset(s.person_id("vptw.chuyenvien").await).await;
    assert_eq!(st, 204, "{e}");
    // The admin still signs in with the demo password: nothing was taken over.
    s.token("admin", DEMO_PASSWORD).await;

    // A unit administrator manages the administrators below, not their own unit itself.
    let nb = s.token("tu.ninhbinh.quantri", DEMO_PASSWORD).await;
    let below = s.person_id("tu.ninhbinh.vp.quantri").await;
    let (st, e) = s
        .send(
            "PATCH",
            &nb,
            &format!("/api/v1/people/{below}"),
            json!({"phone": "0243 123 456"}),
        )
        .await;
    assert_eq!(st, 200, "{e}");
    let root = s.unit_id("tu.ninhbinh").await;
    let (st, e) = s
        .send(
            "PATCH",
            &nb,
            &format!("/api/v1/units/{root}"),
            json!({"code": "999.99.99.Z99"}),
        )
        .await;
    assert_eq!(st, 403, "{e}");
    let (st, _) = s
        .send(
            "POST",
            &nb,
            &format!("/api/v1/units/{root}/deactivate"),
            json!({}),
        )
        .await;
    assert_eq!(st, 403);
    let (_, u) = s.get(&nb, &format!("/api/v1/units/{root}")).await;
    assert_eq!(u["code"], "000.00.00.D40");
    // Clearance is shown only to administrators whose scope covers the person.
    let lc = s.token("tu.laocai.quantri", DEMO_PASSWORD).await;
    let (_, p) = s.get(&lc, &format!("/api/v1/people/{below}")).await;
    assert!(p.get("clearance").is_none(), "{p}");
    let (_, p) = s.get(&nb, &format!("/api/v1/people/{below}")).await;
    assert_eq!(p["clearance"], "mat");
    s.stop().await;
}

#[tokio::test]
async fn parallel_guesses_all_count_and_cannot_pass_a_lock() {
    // No short delays before the lock: a delay of one second could pass on a loaded machine before the last
    // request, and the lock is what this test is about.
    let settings = AuthSettings {
        delay_after: 5,
        lock_after: 5,
        lock_ms: 60_000,
        ..Default::default()
    };
    for db in TestDb::all().await {
        let s = TestServer::start_with(db, true, settings.clone()).await;
        let mut tasks = Vec::new();
        for i in 0..20 {
            let c = s.client();
            let url = s.url("/api/v1/auth/login");
            tasks.push(tokio::spawn(async move {
                let pw = format!("doan-bua-{i}");
                c.post(url)
                    .json(&json!({"username": "tu.laocai.lanhdao", "password": pw}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }));
        }
        let mut codes = Vec::new();
        for t in tasks {
            codes.push(t.await.unwrap());
        }
        let passed = codes.iter().filter(|c| **c != 429).count();
        assert!(
            passed <= 5,
            "at most lock_after attempts get past the lock: {codes:?}"
        );
        assert!(
            codes.iter().filter(|c| **c == 429).count() >= 15,
            "{codes:?}"
        );
        // The right password cannot pass the lock either.
        let r = s
            .client()
            .post(s.url("/api/v1/auth/login"))
            .json(&json!({"username": "tu.laocai.lanhdao", "password": DEMO_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429);
        // Every attempt was recorded.
        let t = s.token("admin", DEMO_PASSWORD).await;
        let (_, ev) = s.get(&t, "/api/v1/login-events").await;
        let n = ev["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["username"] == "tu.laocai.lanhdao")
            .count();
        assert_eq!(n, 21);
        // Names that are no account wait the same way, so the answers do not reveal which names exist.
        let mut last = 0;
        for _ in 0..6 {
            let r = s
                .client()
                .post(s.url("/api/v1/auth/login"))
                .json(&json!({"username": "khong.co.ai", "password": "x"}))
                .send()
                .await
                .unwrap();
            last = r.status().as_u16();
        }
        assert_eq!(last, 429);
        s.stop().await;
    }
}

#[tokio::test]
async fn administrators_are_made_by_those_above() {
    let s = TestServer::demo().await;
    let nb = s.token("tu.ninhbinh.quantri", DEMO_PASSWORD).await;
    let root = s.unit_id("tu.ninhbinh").await;
    let vp = s.unit_id("tu.ninhbinh.vp").await;
    let make = |username: &str, unit: i64| json!({"username": username, "full_name": "Người Mới", "memberships": [{"unit_id": unit, "roles": ["unit_admin"]}]});
    let (st, e) = s
        .send("POST", &nb, "/api/v1/people", make("ban.dong.cap", root))
        .await;
    assert_eq!(st, 403, "{e}");
    assert!(e["message"].as_str().unwrap().contains("cấp trên"));
    let (st, p) = s
        .send("POST", &nb, "/api/v1/people", make("quantri.vp2", vp))
        .await;
    assert_eq!(st, 201, "{p}");
    // Promoting someone to administrator of one's own unit is refused too.
    let clerk = s.person_id("tu.ninhbinh.vanthu").await;
    let (st, _) = s
        .send(
            "PATCH",
            &nb,
            &format!("/api/v1/people/{clerk}"),
            json!({"memberships": [{"unit_id": root, "roles": ["clerk", "unit_admin"]}]}),
        )
        .await;
    assert_eq!(st, 403);
    assert!(
        s.app
            .store
            .read()
            .await
            .unwrap()
            .person_by_username("ban.dong.cap")
            .await
            .unwrap()
            .is_none()
    );
    s.stop().await;
}

#[tokio::test]
async fn control_characters_and_oversized_bodies_get_clear_answers() {
    for s in TestServer::demo_all().await {
        let c = s.client();
        let r = c
            .post(s.url("/api/v1/auth/login"))
            .json(&json!({"username": "a\u{0}b", "password": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{}", s.backend);
        let t = admin(&s).await;
        let (st, l) = s.get(&t, "/api/v1/people?q=%00").await;
        assert_eq!(st, 200, "{l}");
        let unit = s.unit_id("tu.laocai").await;
        let (st, e) = s
            .send("POST", &t, "/api/v1/people", json!({"username": "nul", "full_name": "Có NUL", "email": "a\u{0}@b.vn", "memberships": [{"unit_id": unit}]}))
            .await;
        assert_eq!((st, e["field"].as_str()), (422, Some("email")), "{e}");
        let (st, e) = s
            .send("POST", &t, "/api/v1/people", json!({"username": "bidi", "full_name": "Tên\u{202E}ngược", "memberships": [{"unit_id": unit}]}))
            .await;
        assert_eq!((st, e["field"].as_str()), (422, Some("full_name")), "{e}");

        // A body announced over the limit is refused before it is read, in JSON for the API.
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = s.base.trim_start_matches("http://").to_string();
        let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
        sock.write_all(format!("POST /api/v1/units HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 40000000\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            sock.read_to_end(&mut answer),
        )
        .await;
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("\"error\":\"too_large\""), "{answer}");
        s.stop().await;
    }
}

#[tokio::test]
async fn guessing_the_current_password_is_limited_like_sign_in() {
    let settings = AuthSettings {
        delay_after: 3,
        lock_after: 5,
        lock_ms: 60_000,
        ..Default::default()
    };
    let s = TestServer::start_with(TestDb::sqlite(), true, settings).await;
    let t = s.token("tu.laocai.chuyenvien", DEMO_PASSWORD).await;
    let mut codes = Vec::new();
    for i in 0..4 {
        let (st, _) = s
            .send(
                "POST",
                &t,
                "/api/v1/me/password",
                json!({"current_password": format!("doan-{i}"), "new_password": "Moi@2025xx"}),
            )
            .await;
        codes.push(st);
    }
    assert_eq!(codes, [422, 422, 422, 429]);
    s.stop().await;
}
