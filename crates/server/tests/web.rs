//! The web interface over real HTTP: sign-in and sign-out, CSRF and cross-site refusals, pages in
//! Vietnamese, forms of unit administrators within and outside their scope.

mod common;

use common::{DEMO_PASSWORD, TestServer};
use reqwest::Client;
use reqwest::header::{LOCATION, SET_COOKIE};
use vanthu_server::{App, AuthSettings};
use vanthu_store::testkit::TestDb;

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

async fn text(r: reqwest::Response) -> String {
    decode(&r.text().await.unwrap())
}

async fn get(c: &Client, s: &TestServer, path: &str) -> (u16, String) {
    let r = c.get(s.url(path)).send().await.unwrap();
    (r.status().as_u16(), text(r).await)
}

async fn post(c: &Client, s: &TestServer, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    c.post(s.url(path)).form(form).send().await.unwrap()
}

fn set_cookies(r: &reqwest::Response) -> Vec<String> {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Posts the sign-in form the way a browser does: the form's token goes back with its cookie.
async fn try_login(
    c: &Client,
    s: &TestServer,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let (status, page) = get(c, s, "/login").await;
    assert_eq!(status, 200);
    let token = csrf_of(&page);
    post(
        c,
        s,
        "/login",
        &[
            ("_csrf", &token),
            ("username", username),
            ("password", password),
        ],
    )
    .await
}

/// A signed-in browser and the CSRF token of its session.
async fn sign_in(s: &TestServer, username: &str) -> (Client, String) {
    let c = s.client();
    let r = try_login(&c, s, username, DEMO_PASSWORD).await;
    assert_eq!(r.status(), 303, "sign in {username}");
    let (status, home) = get(&c, s, "/").await;
    assert_eq!(status, 200);
    let csrf = csrf_of(&home);
    (c, csrf)
}

async fn unit_name(s: &TestServer, id: i64) -> String {
    s.app
        .get_unit(&App::installation_actor(), id)
        .await
        .unwrap()
        .name
}

#[tokio::test]
async fn sign_in_sets_a_safe_cookie_and_sign_out_revokes_it() {
    let s = TestServer::demo().await;
    let c = s.client();
    let (status, page) = get(&c, &s, "/").await;
    assert_eq!(
        status, 303,
        "home without a session sends to the sign-in page"
    );
    assert!(page.is_empty());

    let r = try_login(&c, &s, "tu.ninhbinh.quantri", DEMO_PASSWORD).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/");
    let cookies = set_cookies(&r);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("vanthu_session="))
        .expect("session cookie");
    assert!(session.contains("; HttpOnly"), "{session}");
    assert!(session.contains("; SameSite=Lax"), "{session}");
    assert!(session.contains("; Path=/;"), "{session}");
    assert!(
        !session.contains("Secure"),
        "no Secure over plain HTTP by default: {session}"
    );
    let max_age: i64 = session
        .split("Max-Age=")
        .nth(1)
        .and_then(|v| v.split(';').next())
        .unwrap()
        .parse()
        .unwrap();
    let ttl = AuthSettings::default().web_session_ttl_ms / 1000;
    assert!(
        (ttl - 5..=ttl).contains(&max_age),
        "Max-Age {max_age} follows the session expiry"
    );
    let token = session["vanthu_session=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();

    let (status, home) = get(&c, &s, "/").await;
    assert_eq!(status, 200);
    let me = s
        .app
        .get_person(
            &App::installation_actor(),
            s.person_id("tu.ninhbinh.quantri").await,
        )
        .await
        .unwrap();
    assert!(home.contains(&me.full_name), "home shows the person's name");
    assert!(home.contains("Tỉnh ủy Ninh Bình"), "home shows the unit");
    assert!(
        home.contains("Quản trị đơn vị"),
        "home shows position and role"
    );
    assert!(home.contains("Đăng xuất"));
    // Signed in, the sign-in page sends home.
    assert_eq!(get(&c, &s, "/login").await.0, 303);

    let csrf = csrf_of(&home);
    let r = post(&c, &s, "/logout", &[("_csrf", &csrf)]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/login?notice=logged_out");
    let cleared = set_cookies(&r);
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("vanthu_session=;") && c.contains("Max-Age=0")),
        "{cleared:?}"
    );
    let (status, page) = get(&c, &s, "/login?notice=logged_out").await;
    assert_eq!(status, 200);
    assert!(page.contains("Bạn đã đăng xuất."));
    // The old token no longer opens a page, even when presented again.
    let r = s
        .client()
        .get(s.url("/units"))
        .header("cookie", format!("vanthu_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/login?next=/units");
    s.stop().await;
}

#[tokio::test]
async fn secure_cookies_when_configured_and_return_to_the_page_asked_for() {
    let auth = AuthSettings {
        secure_cookies: true,
        ..AuthSettings::default()
    };
    let s = TestServer::start_with(TestDb::sqlite(), true, auth).await;
    let c = s.client();
    let r = c.get(s.url("/login?next=/units")).send().await.unwrap();
    assert!(
        set_cookies(&r).iter().all(|c| c.contains("; Secure")),
        "{:?}",
        set_cookies(&r)
    );
    let page = text(r).await;
    assert!(page.contains(r#"name="next" value="/units""#));
    let token = csrf_of(&page);
    // The cookie store does not send Secure cookies over plain HTTP: pass the form cookie by hand.
    let r = s
        .client()
        .post(s.url("/login"))
        .header("cookie", format!("vanthu_login_csrf={token}"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "admin"),
            ("password", DEMO_PASSWORD),
            ("next", "/units"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/units");
    let session = set_cookies(&r)
        .into_iter()
        .find(|c| c.starts_with("vanthu_session="))
        .unwrap();
    assert!(session.ends_with("; Secure"), "{session}");
    s.stop().await;
}

#[tokio::test]
async fn wrong_password_locked_and_inactive_accounts_are_explained() {
    let auth = AuthSettings {
        delay_after: 100,
        lock_after: 2,
        ..AuthSettings::default()
    };
    let s = TestServer::start_with(TestDb::sqlite(), true, auth).await;
    let c = s.client();
    let r = try_login(&c, &s, "tu.ninhbinh.vp.vanthu", "SaiMatKhau@1").await;
    assert_eq!(r.status(), 401);
    assert!(
        set_cookies(&r)
            .iter()
            .all(|c| !c.starts_with("vanthu_session="))
    );
    let page = text(r).await;
    assert!(
        page.contains("Tên đăng nhập hoặc mật khẩu không đúng."),
        "{page}"
    );
    assert!(
        page.contains(r#"value="tu.ninhbinh.vp.vanthu""#),
        "the username stays in the form"
    );

    let r = try_login(&c, &s, "tu.ninhbinh.vp.vanthu", "SaiMatKhau@2").await;
    assert_eq!(r.status(), 401);
    let r = try_login(&c, &s, "tu.ninhbinh.vp.vanthu", DEMO_PASSWORD).await;
    assert_eq!(r.status(), 429, "locked after two failures");
    assert!(r.headers().get("retry-after").is_some());
    let page = text(r).await;
    assert!(page.contains("Tài khoản tạm thời bị khóa"), "{page}");
    assert!(page.contains("giây"), "the wait is shown in seconds");

    let admin = App::installation_actor();
    let id = s.person_id("tu.ninhbinh.vp.chuyenvien").await;
    s.app.set_person_active(&admin, id, false).await.unwrap();
    let r = try_login(&c, &s, "tu.ninhbinh.vp.chuyenvien", DEMO_PASSWORD).await;
    assert_eq!(r.status(), 401);
    assert!(text(r).await.contains("Tài khoản này đã ngừng hoạt động"));
    s.stop().await;
}

#[tokio::test]
async fn sign_in_form_needs_its_own_token() {
    let s = TestServer::demo().await;
    // A cross-site form cannot know the token of the browser's cookie.
    let c = s.client();
    let r = post(
        &c,
        &s,
        "/login",
        &[("username", "admin"), ("password", DEMO_PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), 403);
    assert!(
        set_cookies(&r)
            .iter()
            .all(|c| !c.starts_with("vanthu_session="))
    );
    assert!(text(r).await.contains("Biểu mẫu đăng nhập đã hết hạn"));
    let _ = get(&c, &s, "/login").await;
    let r = post(
        &c,
        &s,
        "/login",
        &[
            ("_csrf", "khong-dung"),
            ("username", "admin"),
            ("password", DEMO_PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status(), 403);
    // With the right token it works.
    let r = try_login(&c, &s, "admin", DEMO_PASSWORD).await;
    assert_eq!(r.status(), 303);
    s.stop().await;
}

#[tokio::test]
async fn posts_without_the_right_csrf_or_from_another_site_change_nothing() {
    let s = TestServer::demo().await;
    let (c, csrf) = sign_in(&s, "tu.ninhbinh.quantri").await;
    let id = s.unit_id("tu.ninhbinh.vp.th").await;
    let before = unit_name(&s, id).await;
    let edit = |token: Option<&str>| {
        let mut f = vec![
            ("key", "tu.ninhbinh.vp.th"),
            ("name", "Phòng Tổng hợp mới"),
            ("kind", "department"),
            ("side", "party"),
        ];
        if let Some(t) = token {
            f.push(("_csrf", t));
        }
        f.into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    };
    let path = format!("/units/{id}/edit");
    for token in [None, Some("sai-ma"), Some("")] {
        let r = c
            .post(s.url(&path))
            .form(&edit(token))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "token {token:?}");
        let page = text(r).await;
        assert!(page.contains("Yêu cầu bị từ chối"), "{page}");
        assert!(page.contains("không được thực hiện"));
        assert_eq!(unit_name(&s, id).await, before);
    }
    // Another site's page posting with a stolen token is refused by its Origin.
    let r = c
        .post(s.url(&path))
        .header("origin", "https://evil.example")
        .form(&edit(Some(&csrf)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(text(r).await.contains("trang web khác"));
    assert_eq!(unit_name(&s, id).await, before);
    // Sign-out needs the token too.
    let r = post(&c, &s, "/logout", &[]).await;
    assert_eq!(r.status(), 403);
    assert_eq!(get(&c, &s, "/").await.0, 200, "still signed in");

    // The same request from this site goes through.
    let host = s.base.trim_start_matches("http://").to_string();
    let r = c
        .post(s.url(&path))
        .header("origin", format!("http://{host}"))
        .form(&edit(Some(&csrf)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), format!("/units/{id}?notice=saved"));
    assert_eq!(unit_name(&s, id).await, "Phòng Tổng hợp mới");
    let (_, page) = get(&c, &s, &location(&r)).await;
    assert!(page.contains("Đã lưu thay đổi."));
    assert!(page.contains("Lịch sử thay đổi"));
    assert!(
        page.contains("Sửa thông tin đơn vị \"Phòng Tổng hợp mới\""),
        "history lists the change"
    );
    s.stop().await;
}

#[tokio::test]
async fn pages_speak_vietnamese_and_unknown_addresses_answer_by_kind() {
    let s = TestServer::demo().await;
    let c = s.client();
    let (_, login) = get(&c, &s, "/login").await;
    assert!(login.contains(r#"<html lang="vi">"#));
    assert!(login.contains("<h1>Đăng nhập</h1>"));
    assert!(login.contains("Tên đăng nhập") && login.contains("Mật khẩu"));

    let (c, _) = sign_in(&s, "admin").await;
    for (path, texts) in [
        (
            "/",
            &[
                "Xin chào",
                "Cơ cấu tổ chức",
                "Người dùng",
                "Đơn vị công tác",
                "Thêm đơn vị",
            ][..],
        ),
        (
            "/units",
            &[
                "Cơ cấu tổ chức",
                "Mã định danh",
                "Mã cũ",
                "Khối",
                "Đảng",
                "Nhà nước",
                "Phường",
            ][..],
        ),
        (
            "/people",
            &["Người dùng", "Tìm theo tên", "trong tổng số", "Trang sau"][..],
        ),
        (
            "/people/new",
            &[
                "Thêm người dùng",
                "Mức được đọc tài liệu mật",
                "Tối mật",
                "Văn thư",
                "Lãnh đạo",
                "Chuyên viên",
                "Lưu",
            ][..],
        ),
        (
            "/units/new",
            &[
                "Thêm đơn vị",
                "Đơn vị cấp trên",
                "Phòng, ban",
                "— Cấp cao nhất —",
                "Lưu",
            ][..],
        ),
        (
            "/me/password",
            &["Đổi mật khẩu", "Mật khẩu hiện tại", "Nhập lại mật khẩu mới"][..],
        ),
    ] {
        let (status, page) = get(&c, &s, path).await;
        assert_eq!(status, 200, "{path}");
        for t in texts {
            assert!(page.contains(t), "{path} should contain {t:?}");
        }
    }
    let css = c.get(s.url("/static/app.css")).send().await.unwrap();
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(text(css).await.contains("@media"));

    let r = c.get(s.url("/khong-co-trang-nay")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(text(r).await.contains("Không tìm thấy trang"));
    let (status, page) = get(&c, &s, "/units/999999").await;
    assert_eq!(status, 404);
    assert!(page.contains("Không tìm thấy đơn vị số 999999."));
    assert_eq!(get(&c, &s, "/people/abc").await.0, 404);
    let r = c.get(s.url("/api/v1/khong-co")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    s.stop().await;
}

#[tokio::test]
async fn the_unit_tree_lists_the_demo_units_under_their_parents() {
    let s = TestServer::demo().await;
    let (c, _) = sign_in(&s, "tu.ninhbinh.vp.vanthu").await;
    let (status, page) = get(&c, &s, "/units").await;
    assert_eq!(status, 200);
    let units = s
        .app
        .list_units(&App::installation_actor(), false)
        .await
        .unwrap();
    assert!(units.len() > 30);
    for u in &units {
        assert!(
            page.contains(&format!(r#"<a href="/units/{}">{}</a>"#, u.id, u.name)),
            "{} listed",
            u.name
        );
        if let Some(code) = &u.code {
            assert!(page.contains(code.as_str()));
        }
    }
    let pos = |name: &str| {
        page.find(&format!(">{name}</a>"))
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert!(pos("Tỉnh ủy Ninh Bình") < pos("Văn phòng Tỉnh ủy Ninh Bình"));
    assert!(pos("Văn phòng Tỉnh ủy Ninh Bình") < pos("Phòng Hành chính - Tài vụ"));
    assert!(pos("Phòng Hành chính - Tài vụ") < pos("Phòng Tổng hợp"));
    let th = s.unit_id("tu.ninhbinh.vp.th").await;
    assert!(page.contains(&format!(r#"<td class="name d2"><span class="branch" aria-hidden="true">└</span><a href="/units/{th}">"#)));
    assert!(!page.contains("Thêm đơn vị"), "a clerk cannot create units");

    // An inactive unit shows only when asked for.
    s.app
        .set_unit_active(&App::installation_actor(), th, false)
        .await
        .unwrap();
    let (_, page) = get(&c, &s, "/units").await;
    assert!(!page.contains(&format!(r#"href="/units/{th}""#)));
    let (_, page) = get(&c, &s, "/units?inactive=1").await;
    assert!(page.contains(&format!(r#"href="/units/{th}""#)));
    assert!(page.contains("Ngừng hoạt động"));

    // The unit page: details, children and members, but no administration forms for a clerk.
    let vp = s.unit_id("tu.ninhbinh.vp").await;
    let (status, page) = get(&c, &s, &format!("/units/{vp}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("000.00.01.D40"));
    assert!(page.contains("Đơn vị cấp dưới") && page.contains("Phòng Hành chính - Tài vụ"));
    assert!(page.contains("Thành viên") && page.contains("Chánh Văn phòng"));
    assert!(!page.contains("Sửa thông tin đơn vị"));
    assert!(!page.contains("Lịch sử thay đổi"));
    s.stop().await;
}

#[tokio::test]
async fn a_unit_admin_creates_units_and_people_in_their_subtree_only() {
    let s = TestServer::demo().await;
    let (c, csrf) = sign_in(&s, "tu.ninhbinh.quantri").await;
    let ninhbinh = s.unit_id("tu.ninhbinh").await.to_string();
    let laocai = s.unit_id("tu.laocai").await.to_string();

    let (status, page) = get(&c, &s, &format!("/units/new?parent={ninhbinh}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!(r#"<option value="{ninhbinh}" selected>"#)));
    assert!(
        !page.contains("Tỉnh ủy Lào Cai"),
        "only units in scope are offered"
    );
    assert!(!page.contains("Cấp cao nhất"));

    let unit_form = |parent: &str, key: &str, name: &str| {
        vec![
            ("_csrf".to_string(), csrf.clone()),
            ("parent_id".into(), parent.into()),
            ("key".into(), key.into()),
            ("name".into(), name.into()),
            ("short_name".into(), "CNTT".into()),
            ("kind".into(), "department".into()),
            ("side".into(), "party".into()),
            ("code".into(), "".into()),
            ("code_format".into(), "axis".into()),
            ("valid_from".into(), "2025-07-01".into()),
        ]
    };
    let r = c
        .post(s.url("/units/new"))
        .form(&unit_form(
            &ninhbinh,
            "tu.ninhbinh.cntt",
            "Phòng Công nghệ thông tin",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let new_id = s.unit_id("tu.ninhbinh.cntt").await;
    assert_eq!(location(&r), format!("/units/{new_id}?notice=created"));
    let created = s
        .app
        .get_unit(&App::installation_actor(), new_id)
        .await
        .unwrap();
    assert_eq!(created.parent_id, Some(ninhbinh.parse().unwrap()));
    assert_eq!(created.name, "Phòng Công nghệ thông tin");
    let (_, page) = get(&c, &s, &location(&r)).await;
    assert!(page.contains("Đã tạo mới.") && page.contains("Phòng Công nghệ thông tin"));

    // Outside the subtree: refused, nothing created, and the form keeps what was typed.
    let r = c
        .post(s.url("/units/new"))
        .form(&unit_form(&laocai, "tu.laocai.cntt", "Phòng ngoài phạm vi"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let page = text(r).await;
    assert!(
        page.contains("Bạn không có quyền quản trị đơn vị này."),
        "{page}"
    );
    assert!(page.contains(r#"value="Phòng ngoài phạm vi""#));
    assert!(
        s.app
            .store
            .read()
            .await
            .unwrap()
            .unit_by_key("tu.laocai.cntt")
            .await
            .unwrap()
            .is_none()
    );

    // A validation error keeps the form too.
    let r = c
        .post(s.url("/units/new"))
        .form(&unit_form(&ninhbinh, "Sai Mã", "Phòng thử"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = text(r).await;
    assert!(page.contains("Mã nội bộ \"Sai Mã\" không hợp lệ"), "{page}");
    assert!(page.contains(r#"value="Phòng thử""#));

    // A person in the new unit, with two roles.
    let new_s = new_id.to_string();
    let person_form = |username: &str, unit: &str| {
        vec![
            ("_csrf".to_string(), csrf.clone()),
            ("username".into(), username.into()),
            ("full_name".into(), "Nguyễn Thị Hòa".into()),
            ("password".into(), "MatKhau@2025".into()),
            ("email".into(), "hoa@ninhbinh.dcs.vn".into()),
            ("clearance".into(), "mat".into()),
            ("m0.unit".into(), unit.into()),
            ("m0.position".into(), "Trưởng phòng".into()),
            ("m0.roles".into(), "leader".into()),
            ("m0.roles".into(), "specialist".into()),
            ("primary".into(), "0".into()),
            ("m1.unit".into(), "0".into()),
            ("m1.position".into(), "".into()),
        ]
    };
    let (status, page) = get(&c, &s, &format!("/people/new?unit={new_s}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!(r#"<option value="{new_s}" selected>"#)));
    let r = c
        .post(s.url("/people/new"))
        .form(&person_form("nguyenthihoa", &new_s))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let pid = s.person_id("nguyenthihoa").await;
    assert_eq!(location(&r), format!("/people/{pid}?notice=created"));
    let p = s
        .app
        .get_person(&App::installation_actor(), pid)
        .await
        .unwrap();
    assert_eq!(p.full_name, "Nguyễn Thị Hòa");
    assert_eq!(p.memberships.len(), 1);
    assert_eq!(p.memberships[0].unit_id, new_id);
    assert_eq!(p.memberships[0].roles, vec!["leader", "specialist"]);
    assert_eq!(p.memberships[0].position.as_deref(), Some("Trưởng phòng"));
    assert!(p.must_change_password);
    let (_, page) = get(&c, &s, &location(&r)).await;
    assert!(
        page.contains("Đã tạo mới.")
            && page.contains("Trưởng phòng")
            && page.contains("Lãnh đạo, Chuyên viên")
    );

    let r = c
        .post(s.url("/people/new"))
        .form(&person_form("ngoaiphamvi", &laocai))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let page = text(r).await;
    assert!(
        page.contains("Bạn không có quyền quản trị đơn vị"),
        "{page}"
    );
    assert!(page.contains(r#"value="ngoaiphamvi""#) && page.contains("Nguyễn Thị Hòa"));
    assert!(
        s.app
            .store
            .read()
            .await
            .unwrap()
            .person_by_username("ngoaiphamvi")
            .await
            .unwrap()
            .is_none()
    );

    // Someone outside the subtree: the page shows no forms and a direct post is refused.
    let other = s.person_id("tu.laocai.vp.vanthu").await;
    let (_, page) = get(&c, &s, &format!("/people/{other}")).await;
    assert!(!page.contains("Sửa thông tin người dùng"));
    let r = post(
        &c,
        &s,
        &format!("/people/{other}/deactivate"),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status(), 403);
    assert!(
        text(r)
            .await
            .contains("Bạn không có quyền quản trị tài khoản này")
    );
    assert!(
        s.app
            .get_person(&App::installation_actor(), other)
            .await
            .unwrap()
            .active
    );
    s.stop().await;
}

#[tokio::test]
async fn admin_edits_a_person_resets_the_password_and_the_person_changes_it() {
    let s = TestServer::demo().await;
    let (c, csrf) = sign_in(&s, "tu.ninhbinh.quantri").await;
    let pid = s.person_id("tu.ninhbinh.vp.chuyenvien").await;
    let vp = s.unit_id("tu.ninhbinh.vp").await.to_string();
    let th = s.unit_id("tu.ninhbinh.vp.th").await.to_string();
    let (status, page) = get(&c, &s, &format!("/people/{pid}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Sửa thông tin người dùng") && page.contains("Đặt lại mật khẩu"));
    assert!(
        page.contains(r#"name="m1.unit""#),
        "a blank row to add a unit"
    );
    assert!(
        !page.contains(r#"name="system_admin""#),
        "only system administrators grant that flag"
    );

    // Two units, the second the main one; a bad e-mail first is refused and the form kept.
    let mut form = vec![
        ("_csrf", csrf.as_str()),
        ("full_name", "Phạm Văn Đức"),
        ("email", "khong-hop-le"),
        ("phone", "0912 345 678"),
        ("clearance", "none"),
        ("m0.unit", vp.as_str()),
        ("m0.position", "Chuyên viên chính"),
        ("m0.roles", "specialist"),
        ("m1.unit", th.as_str()),
        ("m1.position", "Phó Trưởng phòng"),
        ("m1.roles", "leader"),
        ("primary", "1"),
    ];
    let r = post(&c, &s, &format!("/people/{pid}/edit"), &form).await;
    assert_eq!(r.status(), 422);
    let page = text(r).await;
    assert!(page.contains("Địa chỉ thư điện tử \"khong-hop-le\" không hợp lệ."));
    assert!(
        page.contains(r#"value="Phạm Văn Đức""#) && page.contains(r#"value="Phó Trưởng phòng""#)
    );
    form[2] = ("email", "duc@ninhbinh.dcs.vn");
    let r = post(&c, &s, &format!("/people/{pid}/edit"), &form).await;
    assert_eq!(r.status(), 303);
    let p = s
        .app
        .get_person(&App::installation_actor(), pid)
        .await
        .unwrap();
    assert_eq!(p.full_name, "Phạm Văn Đức");
    assert_eq!(p.memberships.len(), 2);
    let main = p.memberships.iter().find(|m| m.is_primary).unwrap();
    assert_eq!(main.unit_id.to_string(), th);
    assert_eq!(main.roles, vec!["leader"]);

    let r = post(
        &c,
        &s,
        &format!("/people/{pid}/password"),
        &[("_csrf", &csrf), ("password", "ngan")],
    )
    .await;
    assert_eq!(r.status(), 422, "a weak password is refused");
    let r = post(
        &c,
        &s,
        &format!("/people/{pid}/password"),
        &[("_csrf", &csrf), ("password", "TamThoi@2025")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), format!("/people/{pid}?notice=password_reset"));

    // The person signs in and is asked to change the password.
    let c2 = s.client();
    let r = try_login(&c2, &s, "tu.ninhbinh.vp.chuyenvien", "TamThoi@2025").await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/me/password");
    let (_, page) = get(&c2, &s, "/me/password").await;
    assert!(page.contains("Mật khẩu hiện tại do quản trị viên đặt"));
    let token = csrf_of(&page);
    let r = post(
        &c2,
        &s,
        "/me/password",
        &[
            ("_csrf", &token),
            ("current_password", "TamThoi@2025"),
            ("new_password", "CuaToi@2026"),
            ("confirm_password", "KhacNhau@1"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(text(r).await.contains("Mật khẩu nhập lại không khớp"));
    let r = post(
        &c2,
        &s,
        "/me/password",
        &[
            ("_csrf", &token),
            ("current_password", "sai"),
            ("new_password", "CuaToi@2026"),
            ("confirm_password", "CuaToi@2026"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(text(r).await.contains("Mật khẩu hiện tại không đúng."));
    let r = post(
        &c2,
        &s,
        "/me/password",
        &[
            ("_csrf", &token),
            ("current_password", "TamThoi@2025"),
            ("new_password", "CuaToi@2026"),
            ("confirm_password", "CuaToi@2026"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        location(&r),
        "/login?notice=password_changed",
        "the change ends the session: sign in again"
    );
    assert!(
        set_cookies(&r)
            .iter()
            .any(|c| c.starts_with("vanthu_session=;") && c.contains("Max-Age=0"))
    );
    let (status, page) = get(&c2, &s, "/login?notice=password_changed").await;
    assert_eq!(status, 200);
    assert!(page.contains("Đã đổi mật khẩu, hãy đăng nhập lại bằng mật khẩu mới."));
    let r = try_login(&c2, &s, "tu.ninhbinh.vp.chuyenvien", "CuaToi@2026").await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/", "no longer asked to change it");
    let (status, page) = get(&c2, &s, "/").await;
    assert_eq!(status, 200);
    assert!(page.contains("Phạm Văn Đức"));
    s.stop().await;
}

/// Successful web sign-ins of one account, as the usage statistics count them.
async fn web_sign_ins(s: &TestServer, username: &str) -> usize {
    s.app
        .store
        .read()
        .await
        .unwrap()
        .login_events(0, i64::MAX)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.username == username && e.success && e.channel == "web")
        .count()
}

#[tokio::test]
async fn a_password_set_by_an_administrator_must_be_changed_before_anything_else() {
    let s = TestServer::demo().await;
    let who = "tu.ninhbinh.vp.chuyenvien";
    let pid = s.person_id(who).await;
    let unit = s.unit_id("tu.ninhbinh.vp").await;
    s.app
        .reset_password(&App::installation_actor(), pid, "TamThoi@2025")
        .await
        .unwrap();
    let c = s.client();
    let r = try_login(&c, &s, who, "TamThoi@2025").await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/me/password");
    assert_eq!(web_sign_ins(&s, who).await, 1);

    // Every page sends to the change, even typed by hand or with an unreadable address.
    for path in [
        "/",
        "/units",
        "/units?inactive=1",
        &format!("/units/{unit}"),
        "/units/new",
        "/people",
        &format!("/people/{pid}"),
        "/people/new",
        "/admin/import",
        "/admin/export/people.csv",
        "/login",
    ] {
        let r = c.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(location(&r), "/me/password", "{path}");
    }
    // The change page explains why and offers nothing else but signing out.
    let (status, page) = get(&c, &s, "/me/password").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Mật khẩu hiện tại do quản trị viên đặt")
            && page.contains("trước khi dùng các chức năng khác"),
        "{page}"
    );
    assert!(!page.contains(r#"href="/units""#) && !page.contains(r#"href="/people""#));
    assert!(page.contains("Đăng xuất"));
    let csrf = csrf_of(&page);
    assert_eq!(get(&c, &s, "/logout").await.0, 200);
    assert_eq!(
        c.get(s.url("/static/app.css"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Any other form is refused, even with the right token, and changes nothing.
    let r = post(
        &c,
        &s,
        &format!("/people/{pid}/edit"),
        &[
            ("_csrf", &csrf),
            ("full_name", "Tên Khác"),
            ("clearance", "none"),
            ("m0.unit", &unit.to_string()),
        ],
    )
    .await;
    assert_eq!(r.status(), 403);
    let page = text(r).await;
    assert!(
        page.contains("Cần đổi mật khẩu trước") && page.contains("không được thực hiện"),
        "{page}"
    );
    let before = s
        .app
        .get_person(&App::installation_actor(), pid)
        .await
        .unwrap();
    assert_ne!(before.full_name, "Tên Khác");
    let r = post(
        &c,
        &s,
        "/units/new",
        &[("_csrf", &csrf), ("key", "tu.ninhbinh.x"), ("name", "X")],
    )
    .await;
    assert_eq!(r.status(), 403);
    let r = c
        .post(s.url("/admin/import"))
        .multipart(upload_form(
            &csrf,
            "units",
            true,
            "a.csv",
            b"key\n".to_vec(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // Changing it is allowed; it ends the session without counting a sign-in the person did not make.
    let r = post(
        &c,
        &s,
        "/me/password",
        &[
            ("_csrf", &csrf),
            ("current_password", "TamThoi@2025"),
            ("new_password", "CuaToi@2026"),
            ("confirm_password", "CuaToi@2026"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/login?notice=password_changed");
    assert_eq!(web_sign_ins(&s, who).await, 1, "no sign-in recorded");
    let r = c.get(s.url("/me/password")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/login?next=/me/password");
    let r = try_login(&c, &s, who, "CuaToi@2026").await;
    assert_eq!(location(&r), "/");
    assert_eq!(web_sign_ins(&s, who).await, 2);
    assert_eq!(get(&c, &s, "/units").await.0, 200);
    s.stop().await;
}

/// Whether a response is an HTML page.
fn is_html(r: &reqwest::Response) -> bool {
    r.headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("text/html"))
}

/// Texts of axum and serde that must never reach a person.
fn assert_no_english(page: &str) {
    for t in [
        "Invalid",
        "Failed to",
        "duplicate field",
        "deserialize",
        "Content-Type",
        "Method Not Allowed",
    ] {
        assert!(!page.contains(t), "English text {t:?} in:\n{page}");
    }
}

#[tokio::test]
async fn unreadable_addresses_forms_and_methods_answer_pages_in_vietnamese() {
    let s = TestServer::demo().await;
    let (c, csrf) = sign_in(&s, "admin").await;
    for path in [
        "/units/%FF",
        "/people/%FF/",
        "/admin/export/%C3%28.csv",
        "/units?inactive=1&inactive=2",
        "/people?q=a&q=b",
        "/units/new?parent=1&parent=2",
    ] {
        let r = c.get(s.url(path)).send().await.unwrap();
        if path == "/people/%FF/" {
            // A trailing slash is another address: the HTML 404.
            assert_eq!(r.status(), 404, "{path}");
            continue;
        }
        assert_eq!(r.status(), 400, "{path}");
        assert!(is_html(&r), "{path}");
        let page = text(r).await;
        assert!(page.contains("Địa chỉ không hợp lệ"), "{path}: {page}");
        assert!(page.contains("Đăng xuất"), "in the frame of the site");
        assert_no_english(&page);
    }
    let r = c
        .post(s.url("/people/%FF/edit"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_no_english(&text(r).await);

    // A form that is no form.
    let r = c
        .post(s.url("/units/new"))
        .header("content-type", "application/json")
        .body(r#"{"_csrf":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert!(is_html(&r));
    let page = text(r).await;
    assert!(page.contains("Biểu mẫu không đọc được"), "{page}");
    assert_no_english(&page);
    let r = c
        .post(s.url("/admin/import"))
        .header("content-type", "text/plain")
        .body("khong phai tep")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let page = text(r).await;
    assert!(page.contains("Biểu mẫu không đọc được"), "{page}");
    assert_no_english(&page);

    // The sign-in form says it could not be read, not that its token is stale.
    let anon = s.client();
    let _ = get(&anon, &s, "/login").await;
    let r = anon
        .post(s.url("/login"))
        .header("content-type", "application/json")
        .body(r#"{"username":"admin"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let page = text(r).await;
    assert!(
        page.contains("không đúng dạng biểu mẫu đăng nhập"),
        "{page}"
    );
    assert!(!page.contains("Biểu mẫu đăng nhập đã hết hạn"));
    assert!(
        page.contains(r#"name="_csrf""#),
        "a fresh form to try again"
    );

    // Methods a page does not take: an HTML page; the API keeps JSON.
    for (method, path) in [
        (reqwest::Method::DELETE, "/units"),
        (reqwest::Method::POST, "/units"),
        (reqwest::Method::PUT, "/people/1"),
        (reqwest::Method::GET, "/units/1/deactivate"),
    ] {
        let r = c
            .request(method.clone(), s.url(path))
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{method} {path}");
        assert!(is_html(&r), "{method} {path}");
        assert!(r.headers().get("allow").is_some(), "{method} {path}");
        let page = text(r).await;
        assert!(
            page.contains("Thao tác không dùng được ở địa chỉ này"),
            "{page}"
        );
        assert_no_english(&page);
    }
    let r = c.get(s.url("/api/v1/auth/login")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    s.stop().await;
}

#[tokio::test]
async fn the_person_form_keeps_every_membership_beyond_twenty() {
    let s = TestServer::demo().await;
    let (c, csrf) = sign_in(&s, "admin").await;
    let pid = s.person_id("tu.ninhbinh.vp.chuyenvien").await;
    let units: Vec<String> = s
        .app
        .list_units(&App::installation_actor(), false)
        .await
        .unwrap()
        .iter()
        .take(23)
        .map(|u| u.id.to_string())
        .collect();
    assert_eq!(units.len(), 23);
    let mut form = vec![
        ("_csrf".to_string(), csrf.clone()),
        ("full_name".into(), "Phạm Văn Đức".into()),
        ("clearance".into(), "none".into()),
        ("primary".into(), "21".into()),
    ];
    for (i, u) in units.iter().enumerate() {
        form.push((format!("m{i}.unit"), u.clone()));
        form.push((format!("m{i}.roles"), "specialist".into()));
    }
    let r = c
        .post(s.url(&format!("/people/{pid}/edit")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", text(r).await);
    let p = s
        .app
        .get_person(&App::installation_actor(), pid)
        .await
        .unwrap();
    assert_eq!(p.memberships.len(), 23, "none dropped");
    let main = p.memberships.iter().find(|m| m.is_primary).unwrap();
    assert_eq!(main.unit_id.to_string(), units[21]);
    let (_, page) = get(&c, &s, &format!("/people/{pid}")).await;
    assert!(page.contains(r#"name="m22.unit""#), "all rows shown");
    assert!(
        page.contains(r#"name="m23.unit""#),
        "and a blank one to add"
    );
    s.stop().await;
}

#[tokio::test]
async fn people_list_searches_filters_and_pages() {
    let s = TestServer::demo().await;
    let (c, _) = sign_in(&s, "vptw.lanhdao").await;
    let total = s
        .app
        .list_people(
            &App::installation_actor(),
            &vanthu_store::PeopleFilter {
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .1;
    let (status, page) = get(&c, &s, "/people?limit=10").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("Hiển thị 1–10 trong tổng số {total} người dùng.")),
        "{page}"
    );
    assert!(page.contains(r#"href="/people?offset=10&limit=10""#));
    let (_, page) = get(&c, &s, "/people?limit=10&offset=10").await;
    assert!(page.contains(&format!("Hiển thị 11–20 trong tổng số {total} người dùng.")));
    assert!(page.contains("Trang trước"));

    let (_, page) = get(&c, &s, "/people?q=tu.laocai.vp.vanthu").await;
    assert!(page.contains("trong tổng số 1 người dùng."), "{page}");
    assert!(page.contains("Văn phòng Tỉnh ủy Lào Cai — Văn thư"));
    let unit = s.unit_id("tu.tuyenquang.btc").await;
    let (_, page) = get(&c, &s, &format!("/people?unit={unit}")).await;
    assert!(page.contains("Ban Tổ chức Tỉnh ủy Tuyên Quang — Trưởng ban"));
    assert!(
        page.contains("trong tổng số 4 người dùng."),
        "leader, specialist, clerk and administrator"
    );
    assert!(!page.contains("Văn phòng Tỉnh ủy Lào Cai — Văn thư"));
    assert!(
        !page.contains("Thêm người dùng"),
        "a leader is no administrator"
    );
    s.stop().await;
}

fn upload_form(
    csrf: &str,
    what: &str,
    dry_run: bool,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::multipart::Form {
    let mut f = reqwest::multipart::Form::new()
        .text("_csrf", csrf.to_string())
        .text("what", what.to_string());
    if dry_run {
        f = f.text("dry_run", "1");
    }
    f.part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    )
}

#[tokio::test]
async fn the_import_page_runs_dry_then_for_real_and_exports_download() {
    let s = TestServer::demo().await;
    let (c, csrf) = sign_in(&s, "tu.ninhbinh.quantri").await;
    let (status, page) = get(&c, &s, "/admin/import").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Nhập từ tệp")
            && page.contains("Chạy thử")
            && page.contains("/admin/export/units.xlsx")
    );
    assert!(page.contains(r#"enctype="multipart/form-data""#));

    let csv = "key,name,kind,side,parent_key\n\
               tu.ninhbinh.ttct,Trung tâm Chính trị,department,party,tu.ninhbinh\n\
               tu.laocai.ttct,Trung tâm ngoài phạm vi,department,party,tu.laocai\n";
    let exists = |key: &'static str| {
        let s = &s;
        async move {
            s.app
                .store
                .read()
                .await
                .unwrap()
                .unit_by_key(key)
                .await
                .unwrap()
                .is_some()
        }
    };

    // Without the form's token nothing is read.
    let r = c
        .post(s.url("/admin/import"))
        .multipart(upload_form("sai", "units", false, "don-vi.csv", csv.into()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(!exists("tu.ninhbinh.ttct").await);

    let r = c
        .post(s.url("/admin/import"))
        .multipart(upload_form(&csrf, "units", true, "don-vi.csv", csv.into()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = text(r).await;
    assert!(page.contains("Kết quả chạy thử: don-vi.csv"), "{page}");
    assert!(page.contains("<strong>1</strong> tạo mới"));
    assert!(page.contains("<strong>1</strong> dòng bị từ chối"));
    assert!(
        page.contains("<td>3</td><td><code>tu.laocai.ttct</code></td>"),
        "the rejected row with its number"
    );
    assert!(
        !exists("tu.ninhbinh.ttct").await,
        "a dry run writes nothing"
    );

    let r = c
        .post(s.url("/admin/import"))
        .multipart(upload_form(&csrf, "units", false, "don-vi.csv", csv.into()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = text(r).await;
    assert!(page.contains("Kết quả nhập: don-vi.csv"));
    assert!(!page.contains("chưa có thay đổi nào được lưu"));
    assert!(exists("tu.ninhbinh.ttct").await);
    assert!(!exists("tu.laocai.ttct").await);

    // People: a new account without a password gets one, shown once.
    let people = "username,full_name,unit_key,roles\nnguoimoi.ttct,Nguyễn Văn Mới,tu.ninhbinh.ttct,specialist\n";
    let r = c
        .post(s.url("/admin/import"))
        .multipart(upload_form(
            &csrf,
            "people",
            false,
            "nguoi-dung.csv",
            people.into(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = text(r).await;
    assert!(
        page.contains("Mật khẩu được tạo") && page.contains("<code>nguoimoi.ttct</code>"),
        "{page}"
    );
    assert!(
        s.app
            .store
            .read()
            .await
            .unwrap()
            .person_by_username("nguoimoi.ttct")
            .await
            .unwrap()
            .is_some()
    );

    // An empty upload is explained.
    let r = c
        .post(s.url("/admin/import"))
        .multipart(upload_form(&csrf, "units", true, "", Vec::new()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(text(r).await.contains("Chưa chọn tệp để nhập"));

    let r = c
        .get(s.url("/admin/export/units.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("don-vi.csv")
    );
    assert!(r.text().await.unwrap().contains("tu.ninhbinh.ttct"));
    let r = c
        .get(s.url("/admin/export/people.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"PK\x03\x04"));
    assert_eq!(
        c.get(s.url("/admin/export/khac.csv"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // Not for people who administer nothing.
    let (clerk, _) = sign_in(&s, "tu.ninhbinh.vp.vanthu").await;
    assert_eq!(get(&clerk, &s, "/admin/import").await.0, 403);
    assert_eq!(
        clerk
            .get(s.url("/admin/export/people.csv"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    s.stop().await;
}
