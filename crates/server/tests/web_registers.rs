//! Registers (sổ văn bản) in the web interface over real HTTP: the section of the unit page, a clerk taking
//! and cancelling numbers with the forms, errors shown on the page, CSRF, who sees which register, and an
//! administrator opening a register.

mod common;

use common::{DEMO_PASSWORD, TestServer};
use reqwest::Client;
use reqwest::header::LOCATION;
use serde_json::json;
use vanthu_server::App;

/// The value of the first hidden `_csrf` field of a page.
fn csrf_of(html: &str) -> String {
    let start = html
        .find(r#"name="_csrf" value=""#)
        .unwrap_or_else(|| panic!("no _csrf field in page:\n{html}"))
        + r#"name="_csrf" value=""#.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Page text with the character references the templates write decoded, as a person reads it.
fn decode(html: &str) -> String {
    html.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

async fn get(c: &Client, s: &TestServer, path: &str) -> (u16, String) {
    let r = c.get(s.url(path)).send().await.unwrap();
    (r.status().as_u16(), decode(&r.text().await.unwrap()))
}

/// Posts a form; the status, the `Location` and the page.
async fn post(
    c: &Client,
    s: &TestServer,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let r = c.post(s.url(path)).form(form).send().await.unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, decode(&r.text().await.unwrap()))
}

/// A signed-in browser and the CSRF token of its session.
async fn sign_in_with(s: &TestServer, username: &str, password: &str) -> (Client, String) {
    let c = s.client();
    let (status, page) = get(&c, s, "/login").await;
    assert_eq!(status, 200);
    let token = csrf_of(&page);
    let (status, _, _) = post(
        &c,
        s,
        "/login",
        &[
            ("_csrf", &token),
            ("username", username),
            ("password", password),
        ],
    )
    .await;
    assert_eq!(status, 303, "sign in {username}");
    let (status, home) = get(&c, s, "/").await;
    assert_eq!(status, 200, "{home}");
    let csrf = csrf_of(&home);
    (c, csrf)
}

async fn sign_in(s: &TestServer, username: &str) -> (Client, String) {
    sign_in_with(s, username, DEMO_PASSWORD).await
}

/// The id of a demo register of a unit, found through the use case as the installation sees it.
async fn register_id(s: &TestServer, unit_key: &str, kind: &str, secret: bool) -> i64 {
    let unit = s.unit_id(unit_key).await;
    s.app
        .list_registers(&App::installation_actor(), unit)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.kind == kind && r.secret == secret)
        .unwrap_or_else(|| panic!("no {kind} register in {unit_key}"))
        .id
}

/// The next number of a register and the status of one of its numbers, as stored.
async fn stored(s: &TestServer, reg: i64, number: i64) -> (i64, Option<String>) {
    let d = s
        .app
        .register_detail(&App::installation_actor(), reg, 500, 0)
        .await
        .unwrap();
    let status = d
        .entries
        .iter()
        .find(|e| e.number == number)
        .map(|e| e.status.clone());
    (d.register.next_number, status)
}

/// The table row of a number on a register page.
fn row(page: &str, number: i64) -> &str {
    let marker = format!(r#"<tr id="so-{number}""#);
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no row for number {number} in page:\n{page}"));
    let end = page[start..].find("</tr>").unwrap() + start;
    &page[start..end]
}

#[tokio::test]
async fn a_clerk_takes_and_cancels_numbers_with_the_forms() {
    let s = TestServer::demo().await;
    let (c, csrf) = sign_in(&s, "ubnd.ninhbinh.vanthu").await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let reg = register_id(&s, "ubnd.ninhbinh", "outgoing", false).await;
    let secret = register_id(&s, "ubnd.ninhbinh", "outgoing", true).await;

    // The unit page lists the registers the clerk sees (cleared for Mật: the secret ones too), without the
    // form that opens one (clerks do not administer the unit).
    let (st, page) = get(&c, &s, &format!("/units/{unit}")).await;
    assert_eq!(st, 200);
    assert!(page.contains(r#"id="registers""#), "{page}");
    assert!(page.contains("<h2>Sổ văn bản</h2>"));
    assert!(page.contains(&format!(r#"href="/registers/{reg}""#)));
    assert!(page.contains(&format!(r#"href="/registers/{secret}""#)));
    assert!(page.contains("Sổ văn bản đi"));
    assert!(page.contains(r#"<span class="tag secret">Mật</span>"#));
    assert!(!page.contains("Lập sổ văn bản mới"));

    // The register page offers the clerk the form.
    let (st, page) = get(&c, &s, &format!("/registers/{reg}")).await;
    assert_eq!(st, 200);
    assert!(page.contains(&format!(r#"action="/registers/{reg}/numbers""#)));
    assert!(page.contains("Sổ chưa cấp số nào."));

    // Four numbers without a type, then the fifth as a decision: Số: 05/QĐ-UBND.
    let take = format!("/registers/{reg}/numbers");
    for n in 1..=4 {
        let (st, to, _) = post(&c, &s, &take, &[("_csrf", &csrf)]).await;
        assert_eq!((st, to), (303, format!("/registers/{reg}?taken={n}")));
    }
    let (st, to, _) = post(&c, &s, &take, &[("_csrf", &csrf), ("type_abbr", "QĐ")]).await;
    assert_eq!(
        (st, to.as_str()),
        (303, &*format!("/registers/{reg}?taken=5"))
    );
    let (st, page) = get(&c, &s, &to).await;
    assert_eq!(st, 200);
    assert!(page.contains("Đã lấy số: Số: 05/QĐ-UBND"), "{page}");
    let r5 = row(&page, 5);
    assert!(r5.contains("05/QĐ-UBND") && r5.contains("Đã cấp"), "{r5}");
    assert!(r5.contains("/registers/") && r5.contains("/numbers/5/cancel"));
    // Newest first, with who took it and when (local time dd/mm/yyyy HH:MM).
    assert!(page.find(r#"id="so-5""#).unwrap() < page.find(r#"id="so-4""#).unwrap());
    let me = s
        .app
        .get_person(
            &App::installation_actor(),
            s.person_id("ubnd.ninhbinh.vanthu").await,
        )
        .await
        .unwrap();
    assert!(r5.contains(&me.full_name), "{r5}");
    let today = vanthu_server::app::views::local_time(vanthu_store::now_ms());
    assert!(r5.contains(&today[..10]), "{r5}");
    // Extra groups typed with spaces or commas: a công văn of the office.
    let (st, to, _) = post(
        &c,
        &s,
        &take,
        &[("_csrf", &csrf), ("type_abbr", "CV"), ("extra", " VP, ")],
    )
    .await;
    assert_eq!(st, 303);
    let (_, page) = get(&c, &s, &to).await;
    assert!(page.contains("Đã lấy số: Số: 06/CV-UBND-VP"), "{page}");

    // A bad type is shown on the page with what was typed, and takes nothing.
    let (st, _, page) = post(&c, &s, &take, &[("_csrf", &csrf), ("type_abbr", "Q Đ")]).await;
    assert_eq!(st, 422, "{page}");
    assert!(
        page.contains(r#"value="Q Đ""#),
        "the form keeps what was typed"
    );
    assert!(page.contains(r#"class="msg err""#));
    assert_eq!(stored(&s, reg, 6).await.0, 7);

    // Cancel 5 with a reason.
    let cancel5 = format!("/registers/{reg}/numbers/5/cancel");
    let reason = "Văn bản không ban hành nữa";
    let (st, to, _) = post(&c, &s, &cancel5, &[("_csrf", &csrf), ("reason", reason)]).await;
    assert_eq!(st, 303);
    let (st, page) = get(&c, &s, &to).await;
    assert_eq!(st, 200);
    assert!(page.contains("Đã hủy số 05/QĐ-UBND."), "{page}");
    let r5 = row(&page, 5);
    assert!(r5.contains("Đã hủy") && !r5.contains("Đã cấp"), "{r5}");
    assert!(r5.contains(reason), "{r5}");
    assert!(
        !r5.contains("/cancel"),
        "a cancelled number has no cancel form"
    );
    assert!(page.contains("Hủy số 5 trong"), "history: {page}");
    assert_eq!(stored(&s, reg, 5).await.1.as_deref(), Some("cancelled"));

    // A cancellation without a reason: the error on the page next to that number, nothing changed.
    let cancel4 = format!("/registers/{reg}/numbers/4/cancel");
    let (st, _, page) = post(&c, &s, &cancel4, &[("_csrf", &csrf), ("reason", "  ")]).await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("Lý do hủy số không được để trống."), "{page}");
    let r4 = row(&page, 4);
    assert!(
        r4.contains(r#"class="msg err""#) && r4.contains("Đã cấp"),
        "{r4}"
    );
    assert_eq!(stored(&s, reg, 4).await, (7, Some("reserved".into())));
    // Twice is refused (409); a number not given is unknown (404).
    let (st, _, page) = post(&c, &s, &cancel5, &[("_csrf", &csrf), ("reason", "lần nữa")]).await;
    assert_eq!(st, 409, "{page}");
    assert!(page.contains("đã hủy"), "{page}");
    let (st, _, _) = post(
        &c,
        &s,
        &format!("/registers/{reg}/numbers/99/cancel"),
        &[("_csrf", &csrf), ("reason", "chưa cấp")],
    )
    .await;
    assert_eq!(st, 404);

    // Without the CSRF token (or with a wrong one) nothing is taken or cancelled.
    let (st, _, page) = post(&c, &s, &take, &[("type_abbr", "QĐ")]).await;
    assert_eq!(st, 403);
    assert!(page.contains("Yêu cầu bị từ chối"), "{page}");
    let (st, _, _) = post(&c, &s, &take, &[("_csrf", "sai"), ("type_abbr", "QĐ")]).await;
    assert_eq!(st, 403);
    let (st, _, _) = post(&c, &s, &cancel4, &[("reason", "không có mã")]).await;
    assert_eq!(st, 403);
    assert_eq!(stored(&s, reg, 4).await, (7, Some("reserved".into())));
    s.stop().await;
}

#[tokio::test]
async fn registers_stay_hidden_from_other_units_and_secret_ones_from_uncleared_clerks() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let open = register_id(&s, "ubnd.ninhbinh", "incoming", false).await;
    let secret = register_id(&s, "ubnd.ninhbinh", "incoming", true).await;

    // A clerk of another unit: the unit page without the section, 404 on the register, nothing taken.
    let (c, csrf) = sign_in(&s, "tu.laocai.vanthu").await;
    let (st, page) = get(&c, &s, &format!("/units/{unit}")).await;
    assert_eq!(st, 200);
    assert!(!page.contains(r#"id="registers""#), "{page}");
    assert!(!page.contains(&format!("/registers/{open}")));
    let (st, page) = get(&c, &s, &format!("/registers/{open}")).await;
    assert_eq!(st, 404, "{page}");
    let (st, _, _) = post(
        &c,
        &s,
        &format!("/registers/{open}/numbers"),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(st, 404);
    assert_eq!(stored(&s, open, 1).await, (1, None));

    // A clerk of the unit without clearance: the open registers only; the secret one is unknown.
    let admin = s.token("admin", DEMO_PASSWORD).await;
    let (st, p) = s
        .send(
            "POST",
            &admin,
            "/api/v1/people",
            json!({
                "username": "vanthu.khongmat", "full_name": "Lê Thị Mới", "password": "Tam@thoi2025",
                "memberships": [{"unit_id": unit, "roles": ["clerk"]}]
            }),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let tmp = s.token("vanthu.khongmat", "Tam@thoi2025").await;
    let (st, _) = s
        .send(
            "POST",
            &tmp,
            "/api/v1/me/password",
            json!({"current_password": "Tam@thoi2025", "new_password": "Moi@2025xx"}),
        )
        .await;
    assert!(st < 300, "password changed: {st}");
    let (c, csrf) = sign_in_with(&s, "vanthu.khongmat", "Moi@2025xx").await;
    let (st, page) = get(&c, &s, &format!("/units/{unit}")).await;
    assert_eq!(st, 200);
    assert!(page.contains(r#"id="registers""#), "{page}");
    assert!(page.contains(&format!(r#"href="/registers/{open}""#)));
    assert!(
        !page.contains(&format!(r#"href="/registers/{secret}""#)),
        "{page}"
    );
    assert!(!page.contains(r#"class="tag secret""#));
    let (st, _) = get(&c, &s, &format!("/registers/{secret}")).await;
    assert_eq!(st, 404);
    let (st, _, _) = post(
        &c,
        &s,
        &format!("/registers/{secret}/numbers"),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(st, 404);
    assert_eq!(stored(&s, secret, 1).await, (1, None));
    // …but takes numbers in the open register.
    let (st, to, _) = post(
        &c,
        &s,
        &format!("/registers/{open}/numbers"),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!((st, to), (303, format!("/registers/{open}?taken=1")));

    // A leader of the unit reads the register but has no form, and is refused a number (403, on the page).
    let (c, csrf) = sign_in(&s, "ubnd.ninhbinh.lanhdao").await;
    let (st, page) = get(&c, &s, &format!("/registers/{open}")).await;
    assert_eq!(st, 200);
    assert!(!page.contains(&format!(r#"action="/registers/{open}/numbers""#)));
    assert!(!page.contains("/cancel"));
    assert!(
        page.contains("Đã cấp"),
        "the number the clerk took is listed"
    );
    let (st, _, page) = post(
        &c,
        &s,
        &format!("/registers/{open}/numbers"),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(st, 403);
    assert!(
        page.contains("Chỉ văn thư của đơn vị được lấy số"),
        "{page}"
    );
    assert_eq!(stored(&s, open, 1).await.0, 2);
    s.stop().await;
}

#[tokio::test]
async fn an_administrator_opens_a_register_with_the_form() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let (c, csrf) = sign_in(&s, "ubnd.ninhbinh.quantri").await;
    let (st, page) = get(&c, &s, &format!("/units/{unit}")).await;
    assert_eq!(st, 200);
    assert!(page.contains("Lập sổ văn bản mới"), "{page}");
    assert!(page.contains(&format!(r#"action="/units/{unit}/registers""#)));
    for label in ["Sổ văn bản đến", "Sổ văn bản đi", "Sổ văn bản nội bộ"] {
        assert!(page.contains(label), "{label}");
    }

    let open = format!("/units/{unit}/registers");
    let (st, to, _) = post(
        &c,
        &s,
        &open,
        &[("_csrf", &csrf), ("kind", "internal"), ("period", "2027")],
    )
    .await;
    assert_eq!(st, 303);
    let id: i64 = to
        .strip_prefix("/registers/")
        .and_then(|r| r.strip_suffix("?notice=created"))
        .unwrap_or_else(|| panic!("{to}"))
        .parse()
        .unwrap();
    let (st, page) = get(&c, &s, &to).await;
    assert_eq!(st, 200);
    assert!(page.contains("Đã tạo mới."));
    assert!(page.contains("<h1>Sổ văn bản nội bộ 2027"), "{page}");
    assert!(
        page.contains("Lập \"Sổ văn bản nội bộ 2027\""),
        "history: {page}"
    );
    let (st, page) = get(&c, &s, &format!("/units/{unit}")).await;
    assert_eq!(st, 200);
    assert!(page.contains(&format!(r#"href="/registers/{id}""#)));

    // A secret register with its own series and name.
    let (st, to, _) = post(
        &c,
        &s,
        &open,
        &[
            ("_csrf", &csrf),
            ("kind", "outgoing"),
            ("period", "2027"),
            ("secret", "1"),
            ("series", "QĐ"),
            ("name", "Sổ quyết định mật 2027"),
        ],
    )
    .await;
    assert_eq!(st, 303, "{to}");
    let (_, page) = get(&c, &s, &to).await;
    assert!(
        page.contains("<h1>Sổ quyết định mật 2027 <span class=\"tag secret\">Mật</span>"),
        "{page}"
    );
    assert!(page.contains("<code>QĐ</code>"));

    // The same register again is refused on the unit page, which keeps what was typed.
    let (st, _, page) = post(
        &c,
        &s,
        &open,
        &[
            ("_csrf", &csrf),
            ("kind", "internal"),
            ("period", "2027"),
            ("name", "Sổ trùng"),
        ],
    )
    .await;
    assert_eq!(st, 409, "{page}");
    assert!(
        page.contains("<details class=\"open-register\" open>"),
        "{page}"
    );
    assert!(page.contains(r#"value="Sổ trùng""#));
    // A bad period: 422 with the message.
    let (st, _, page) = post(
        &c,
        &s,
        &open,
        &[("_csrf", &csrf), ("kind", "incoming"), ("period", "27")],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains(r#"value="27""#));
    // Without the token nothing is opened.
    let (st, _, _) = post(&c, &s, &open, &[("kind", "incoming"), ("period", "2028")]).await;
    assert_eq!(st, 403);

    // A clerk of the unit does not open registers.
    let (c, csrf) = sign_in(&s, "ubnd.ninhbinh.vanthu").await;
    let (st, _, page) = post(
        &c,
        &s,
        &open,
        &[("_csrf", &csrf), ("kind", "incoming"), ("period", "2028")],
    )
    .await;
    assert_eq!(st, 403, "{page}");
    let registers = s
        .app
        .list_registers(&App::installation_actor(), unit)
        .await
        .unwrap();
    assert!(!registers.iter().any(|r| r.period == "2028"));
    assert_eq!(registers.len(), 8, "six demo registers and two opened");
    s.stop().await;
}

#[tokio::test]
async fn clerks_print_the_register_book_from_its_page() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let reg = s
        .app
        .list_registers(&App::installation_actor(), unit)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.kind == "incoming" && !r.secret)
        .unwrap()
        .id;
    let (c, _) = sign_in_with(&s, "ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
    let (st, page) = get(&c, &s, &format!("/registers/{reg}")).await;
    assert_eq!(st, 200);
    assert!(
        page.contains(&format!("/registers/{reg}/book?format=pdf")),
        "{page}"
    );
    let r = c
        .get(s.url(&format!("/registers/{reg}/book?format=xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    // A specialist sees the register but may not print it.
    let (c, _) = sign_in_with(&s, "ubnd.ninhbinh.chuyenvien", DEMO_PASSWORD).await;
    let (_, page) = get(&c, &s, &format!("/registers/{reg}")).await;
    assert!(!page.contains("/book?format=pdf"));
    let (st, _) = get(&c, &s, &format!("/registers/{reg}/book?format=pdf")).await;
    assert_eq!(st, 403);
    s.stop().await;
}
