//! Documents in the web interface over real HTTP: a clerk registers an incoming document with its PDF through
//! the multipart form, the leader assigns it, the specialist finds it in their queue and completes it; who may
//! not see a document gets 404; forms without their CSRF token are refused; a duplicate is shown with the
//! confirmation; a draft goes from the form through review to issue and arrives at its recipient.

mod common;

use common::{DEMO_PASSWORD, TestServer};
use reqwest::Client;
use reqwest::header::LOCATION;
use reqwest::multipart::{Form, Part};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

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

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
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
    let to = location(&r);
    (status, to, decode(&r.text().await.unwrap()))
}

/// Posts a multipart form; the status, the `Location` and the page.
async fn post_multipart(
    c: &Client,
    s: &TestServer,
    path: &str,
    form: Form,
) -> (u16, String, String) {
    let r = c.post(s.url(path)).multipart(form).send().await.unwrap();
    let status = r.status().as_u16();
    let to = location(&r);
    (status, to, decode(&r.text().await.unwrap()))
}

/// A signed-in browser and the CSRF token of its session.
async fn sign_in(s: &TestServer, username: &str) -> (Client, String) {
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
            ("password", DEMO_PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, 303, "sign in {username}");
    let (status, home) = get(&c, s, "/").await;
    assert_eq!(status, 200, "{home}");
    let csrf = csrf_of(&home);
    (c, csrf)
}

fn pdf(name: &str) -> Part {
    Part::bytes(PDF.to_vec())
        .file_name(name.to_string())
        .mime_str("application/pdf")
        .unwrap()
}

/// The registration form of an incoming document as a browser sends it (the appendix input left empty).
fn incoming_form(csrf: &str, unit: i64, notation: &str) -> Form {
    Form::new()
        .text("_csrf", csrf.to_string())
        .text("unit_id", unit.to_string())
        .text("doc_type", "cong_van")
        .text("notation", notation.to_string())
        .text("doc_date", "2025-07-15")
        .text("author", "Bộ Nội vụ")
        .text("author_code", "000.00.00.G10")
        .text("signer", "Nguyễn Văn A")
        .text(
            "subject",
            "Về việc triển khai chuyển đổi số trong công tác văn thư",
        )
        .text("urgency", "khan")
        .text("secrecy", "")
        .text("channel", "paper")
        .text("pages", "2")
        .text("deadline", "")
        .text("note", "")
        .part("main", pdf("cong-van.pdf"))
        .part(
            "appendix",
            Part::bytes(Vec::new())
                .file_name("")
                .mime_str("application/octet-stream")
                .unwrap(),
        )
}

/// The id of the document a redirect leads to (`/documents/{id}?done=…`).
fn doc_id(to: &str) -> i64 {
    to.strip_prefix("/documents/")
        .and_then(|r| r.split(['?', '#']).next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a document page: {to}"))
}

/// The value shown after a label of the metadata table.
fn fact<'a>(page: &'a str, label: &str) -> &'a str {
    let marker = format!("<dt>{label}</dt><dd");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no fact {label} in page:\n{page}"))
        + marker.len();
    let rest = &page[start..];
    let open = rest.find('>').unwrap() + 1;
    let end = rest.find("</dd>").unwrap();
    &rest[open..end]
}

#[tokio::test]
async fn an_incoming_document_goes_from_the_clerk_to_the_leader_to_the_specialist() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let (clerk, csrf) = sign_in(&s, "ubnd.ninhbinh.vanthu").await;

    // The menu, the home page's queues and the form.
    let (st, home) = get(&clerk, &s, "/").await;
    assert_eq!(st, 200);
    assert!(
        home.contains(r#"<a href="/documents">Văn bản</a>"#),
        "{home}"
    );
    assert!(
        home.contains(r#"href="/documents/queues/to_register""#),
        "{home}"
    );
    assert!(home.contains("Văn bản đến chờ vào sổ"));
    assert!(home.contains(r#"href="/documents/incoming/new""#));
    let (st, page) = get(&clerk, &s, "/documents/incoming/new").await;
    assert_eq!(st, 200, "{page}");
    assert!(page.contains(r#"enctype="multipart/form-data""#));
    assert!(
        page.contains(&format!(r#"<option value="{unit}" selected>"#)),
        "{page}"
    );
    let form_csrf = csrf_of(&page);
    assert_eq!(form_csrf, csrf);

    // Registered with its PDF: number 1, the file listed with its hash.
    let (st, to, page) = post_multipart(
        &clerk,
        &s,
        "/documents/incoming/new",
        incoming_form(&csrf, unit, "125/BNV-VP"),
    )
    .await;
    assert_eq!(st, 303, "{page}");
    assert!(to.ends_with("?done=registered"), "{to}");
    let id = doc_id(&to);
    let (st, page) = get(&clerk, &s, &to).await;
    assert_eq!(st, 200, "{page}");
    assert!(page.contains("Đã vào sổ văn bản đến."));
    assert!(page.contains("<h1>Văn bản đến số 1</h1>"), "{page}");
    assert_eq!(fact(&page, "Số đến"), "1");
    assert_eq!(fact(&page, "Số, ký hiệu"), "125/BNV-VP");
    assert_eq!(fact(&page, "Ngày văn bản"), "15/07/2025");
    assert_eq!(fact(&page, "Cơ quan ban hành"), "Bộ Nội vụ");
    assert_eq!(fact(&page, "Trạng thái"), "Đã vào sổ");
    assert!(page.contains(r#"<span class="tag urgent">Khẩn</span>"#));
    assert!(page.contains("cong-van.pdf"));
    assert!(page.contains("SHA-256"));
    assert!(page.contains(&format!(r#"action="/documents/{id}/present""#)));
    // Nothing else but the one main file was stored (the empty appendix input is skipped).
    assert_eq!(
        page.matches(&format!(r#"href="/documents/{id}/files/"#))
            .count(),
        1
    );
    // The file downloads as it was sent.
    let href = {
        let m = format!(r#"href="/documents/{id}/files/"#);
        let start = page.find(&m).unwrap() + r#"href=""#.len();
        page[start..].split('"').next().unwrap().to_string()
    };
    let r = clerk.get(s.url(&href)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);

    // The clerk's unit list shows it.
    let (st, list) = get(&clerk, &s, &format!("/documents?unit_id={unit}")).await;
    assert_eq!(st, 200);
    assert!(
        list.contains(&format!(r#"<a href="/documents/{id}">Về việc triển khai"#)),
        "{list}"
    );

    // The leader assigns it to the specialist through the form.
    let specialist = s.person_id("ubnd.ninhbinh.chuyenvien").await;
    let (leader, lcsrf) = sign_in(&s, "ubnd.ninhbinh.lanhdao").await;
    let (st, page) = get(&leader, &s, &format!("/documents/{id}")).await;
    assert_eq!(st, 200);
    assert!(
        page.contains(&format!(r#"action="/documents/{id}/assign""#)),
        "{page}"
    );
    assert!(
        page.contains(&format!(r#"<option value="{specialist}">"#)),
        "{page}"
    );
    assert!(!page.contains(&format!(r#"action="/documents/{id}/present""#)));
    // Without a lead, co-handler or reader: the error on the page, what was typed kept.
    let (st, _, page) = post(
        &leader,
        &s,
        &format!("/documents/{id}/assign"),
        &[
            ("_csrf", &lcsrf),
            ("direction", "Giao Văn phòng nghiên cứu."),
            ("lead", ""),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("Cần giao ít nhất một người"), "{page}");
    assert!(page.contains(">Giao Văn phòng nghiên cứu.</textarea>"));
    let lead = specialist.to_string();
    let (st, to, page) = post(
        &leader,
        &s,
        &format!("/documents/{id}/assign"),
        &[
            ("_csrf", &lcsrf),
            ("direction", "Giao chuyên viên nghiên cứu, đề xuất."),
            ("lead", &lead),
            ("deadline", "2099-12-31"),
        ],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    assert_eq!(to, format!("/documents/{id}?done=assign"));
    let (_, page) = get(&leader, &s, &to).await;
    assert!(page.contains("Đã ghi ý kiến chỉ đạo và giao xử lý."));
    assert_eq!(fact(&page, "Trạng thái"), "Đã phân công");
    assert_eq!(fact(&page, "Hạn xử lý"), "31/12/2099");
    assert!(page.contains("Giao chuyên viên nghiên cứu, đề xuất."));

    // The specialist finds it in the "assigned" queue (with its count on the home page) and completes it.
    let (sp, scsrf) = sign_in(&s, "ubnd.ninhbinh.chuyenvien").await;
    let (_, home) = get(&sp, &s, "/").await;
    assert!(home.contains(r#"<a href="/documents/queues/assigned">Văn bản được giao xử lý</a> <span class="count some">1</span>"#), "{home}");
    let (st, q) = get(&sp, &s, "/documents/queues/assigned").await;
    assert_eq!(st, 200, "{q}");
    assert!(q.contains("<h1>Văn bản được giao xử lý</h1>"));
    assert!(
        q.contains(&format!(
            r#"<a href="/documents/{id}">Về việc triển khai chuyển đổi số"#
        )),
        "{q}"
    );
    assert!(q.contains("Số đến 1"));
    assert!(q.contains("31/12/2099"));
    // The search finds it without diacritics, and a word it lacks finds nothing.
    let (_, found) = get(&sp, &s, "/documents/queues/assigned?q=chuyen+doi+so").await;
    assert!(
        found.contains(&format!(r#"<a href="/documents/{id}">"#)),
        "{found}"
    );
    let (_, none) = get(&sp, &s, "/documents/queues/assigned?q=khong+co+dau").await;
    assert!(!none.contains(&format!(r#"<a href="/documents/{id}">"#)));
    assert!(none.contains("Không có văn bản nào phù hợp."));
    let (st, page) = get(&sp, &s, &format!("/documents/{id}")).await;
    assert_eq!(st, 200);
    assert!(
        page.contains(&format!(r#"formaction="/documents/{id}/complete""#)),
        "{page}"
    );
    let (st, to, page) = post(
        &sp,
        &s,
        &format!("/documents/{id}/complete"),
        &[
            ("_csrf", &scsrf),
            ("report", "Đã tham mưu văn bản trả lời."),
        ],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let (_, page) = get(&sp, &s, &to).await;
    assert!(page.contains("Đã ghi nhận hoàn thành phần việc của bạn."));
    assert_eq!(fact(&page, "Trạng thái"), "Hoàn thành");
    assert!(page.contains("Đã tham mưu văn bản trả lời."));
    assert!(page.contains("Lịch sử xử lý"));
    let (_, q) = get(&sp, &s, "/documents/queues/assigned").await;
    assert!(!q.contains(&format!(r#"<a href="/documents/{id}">"#)));

    // A comment goes on the page.
    let (st, to, _) = post(
        &sp,
        &s,
        &format!("/documents/{id}/comment"),
        &[("_csrf", &scsrf), ("body", "Đã gửi bản giấy cho lãnh đạo.")],
    )
    .await;
    assert_eq!(st, 303);
    assert!(to.ends_with("#comments"));
    let (_, page) = get(&sp, &s, &format!("/documents/{id}")).await;
    assert!(page.contains("Đã gửi bản giấy cho lãnh đạo."));
    s.stop().await;
}

#[tokio::test]
async fn others_do_not_see_it_and_forms_without_their_token_are_refused() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let (clerk, csrf) = sign_in(&s, "ubnd.ninhbinh.vanthu").await;
    let (st, to, _) = post_multipart(
        &clerk,
        &s,
        "/documents/incoming/new",
        incoming_form(&csrf, unit, "7/BNV"),
    )
    .await;
    assert_eq!(st, 303);
    let id = doc_id(&to);

    // A person of another unit: 404 for the page and its file, like an unknown document.
    let (other, ocsrf) = sign_in(&s, "ubnd.ninhbinh.hoalu.vanthu").await;
    let (st, page) = get(&other, &s, &format!("/documents/{id}")).await;
    assert_eq!(st, 404, "{page}");
    assert!(page.contains("Không tìm thấy"));
    assert!(!page.contains("Về việc triển khai"));
    let (st, _) = get(&other, &s, &format!("/documents/{id}/files/1")).await;
    assert_eq!(st, 404);
    let (st, _) = get(&other, &s, "/documents/999999").await;
    assert_eq!(st, 404);
    let (st, _) = get(&other, &s, "/documents/abc").await;
    assert_eq!(st, 404);
    let (st, _, page) = post(
        &other,
        &s,
        &format!("/documents/{id}/comment"),
        &[("_csrf", &ocsrf), ("body", "Xin xem.")],
    )
    .await;
    assert_eq!(st, 404, "{page}");
    // An unknown queue or action.
    let (st, _) = get(&other, &s, "/documents/queues/nothing").await;
    assert_eq!(st, 404);
    let (st, _, _) = post(
        &clerk,
        &s,
        &format!("/documents/{id}/explode"),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(st, 404);
    // Another unit's clerk may not register for this unit: the form says so.
    let (st, _, page) = post_multipart(
        &other,
        &s,
        "/documents/incoming/new",
        incoming_form(&ocsrf, unit, "8/BNV"),
    )
    .await;
    assert_eq!(st, 403, "{page}");
    assert!(
        page.contains("Chỉ văn thư của đơn vị được vào sổ văn bản đến."),
        "{page}"
    );
    // A specialist has no registration form.
    let (sp, _) = sign_in(&s, "ubnd.ninhbinh.chuyenvien").await;
    let (st, _) = get(&sp, &s, "/documents/incoming/new").await;
    assert_eq!(st, 403);

    // Without the CSRF token (or with another session's) nothing is done.
    let before = s
        .app
        .store
        .read()
        .await
        .unwrap()
        .document(id + 1)
        .await
        .unwrap();
    assert!(before.is_none());
    let no_token = Form::new()
        .text("unit_id", unit.to_string())
        .text("subject", "Không có mã bảo vệ")
        .text("author", "Bộ Nội vụ")
        .part("main", pdf("a.pdf"));
    let (st, _, page) = post_multipart(&clerk, &s, "/documents/incoming/new", no_token).await;
    assert_eq!(st, 403, "{page}");
    assert!(page.contains("Yêu cầu bị từ chối"));
    let (st, _, _) = post_multipart(
        &clerk,
        &s,
        "/documents/incoming/new",
        incoming_form(&ocsrf, unit, "9/BNV"),
    )
    .await;
    assert_eq!(st, 403);
    let after = s
        .app
        .store
        .read()
        .await
        .unwrap()
        .document(id + 1)
        .await
        .unwrap();
    assert!(after.is_none(), "nothing registered without the token");
    let (st, _, page) = post(
        &clerk,
        &s,
        &format!("/documents/{id}/comment"),
        &[("body", "Không có mã bảo vệ")],
    )
    .await;
    assert_eq!(st, 403, "{page}");
    let (st, _, _) = post_multipart(
        &clerk,
        &s,
        &format!("/documents/{id}/files"),
        Form::new()
            .text("kind", "appendix")
            .part("file", pdf("b.pdf")),
    )
    .await;
    assert_eq!(st, 403);
    let (_, page) = get(&clerk, &s, &format!("/documents/{id}")).await;
    assert!(!page.contains("Không có mã bảo vệ"));
    assert!(!page.contains("b.pdf"));

    // With the token, the clerk adds an appendix.
    let (st, to, page) = post_multipart(
        &clerk,
        &s,
        &format!("/documents/{id}/files"),
        Form::new()
            .text("_csrf", csrf.clone())
            .text("kind", "appendix")
            .part("file", pdf("b.pdf")),
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let (_, page) = get(&clerk, &s, &to).await;
    assert!(page.contains("b.pdf"));
    assert!(page.contains("Đã thêm tệp."));
    s.stop().await;
}

#[tokio::test]
async fn a_duplicate_is_shown_with_the_confirmation() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let (clerk, csrf) = sign_in(&s, "ubnd.ninhbinh.vanthu").await;
    let (st, to, _) = post_multipart(
        &clerk,
        &s,
        "/documents/incoming/new",
        incoming_form(&csrf, unit, "125/BNV-VP"),
    )
    .await;
    assert_eq!(st, 303);
    let first = doc_id(&to);

    // The same sender, number and date again: 409, the warning with a link to the first, the confirmation,
    // what was typed kept, a word about the files.
    let (st, _, page) = post_multipart(
        &clerk,
        &s,
        "/documents/incoming/new",
        incoming_form(&csrf, unit, "125/BNV-VP"),
    )
    .await;
    assert_eq!(st, 409, "{page}");
    assert!(page.contains("Có thể trùng văn bản đã vào sổ."), "{page}");
    assert!(page.contains(&format!(
        r#"<a href="/documents/{first}">văn bản số {first}</a>"#
    )));
    assert!(page.contains(r#"name="confirm_duplicate""#));
    assert!(page.contains("Đúng là văn bản khác, vẫn vào sổ"));
    assert!(page.contains(r#"value="125/BNV-VP""#));
    assert!(page.contains(">Về việc triển khai chuyển đổi số trong công tác văn thư</textarea>"));
    assert!(page.contains(r#"<option value="khan" selected>"#));
    assert!(page.contains("hãy chọn lại tệp"));

    // Confirmed: registered with the next number.
    let (st, to, page) = post_multipart(
        &clerk,
        &s,
        "/documents/incoming/new",
        incoming_form(&csrf, unit, "125/BNV-VP").text("confirm_duplicate", "1"),
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let (_, page) = get(&clerk, &s, &to).await;
    assert_eq!(fact(&page, "Số đến"), "2");

    // An invalid form keeps its values and says what is wrong (422).
    let bad = Form::new()
        .text("_csrf", csrf.clone())
        .text("unit_id", unit.to_string())
        .text("subject", "")
        .text("author", "Sở Tài chính")
        .text("pages", "hai");
    let (st, _, page) = post_multipart(&clerk, &s, "/documents/incoming/new", bad).await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("Số trang phải là một số nguyên."), "{page}");
    assert!(page.contains(r#"value="Sở Tài chính""#));
    s.stop().await;
}

#[tokio::test]
async fn a_draft_goes_from_the_form_through_review_to_issue_and_arrives() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let hoalu = s.unit_id("ubnd.ninhbinh.hoalu").await;
    let leader = s.person_id("ubnd.ninhbinh.lanhdao").await;
    let reviewer = s.person_id("ubnd.ninhbinh.vp.lanhdao").await;

    // The specialist's form offers the unit's leaders as signers and people below as reviewers.
    let (sp, csrf) = sign_in(&s, "ubnd.ninhbinh.chuyenvien").await;
    let (st, page) = get(&sp, &s, "/documents/outgoing/new").await;
    assert_eq!(st, 200, "{page}");
    assert!(
        page.contains(&format!(r#"<option value="{leader}">"#)),
        "{page}"
    );
    assert!(
        page.contains(&format!(r#"name="step1" value="{reviewer}""#)),
        "{page}"
    );
    assert!(page.contains(&format!(r#"name="to_unit" value="{hoalu}""#)));
    assert!(!page.contains(&format!(r#"name="to_unit" value="{unit}""#)));

    // No signer: 422, what was typed kept.
    let form = |signer: &str| {
        Form::new()
            .text("_csrf", csrf.clone())
            .text("unit_id", unit.to_string())
            .text("doc_type", "cong_van")
            .text("subject", "Về việc báo cáo công tác văn thư năm 2025")
            .text("urgency", "normal")
            .text("secrecy", "")
            .text("signer_id", signer.to_string())
            .text("step1_mode", "all")
            .text("step1", reviewer.to_string())
            .text("step2_mode", "all")
            .text("to_unit", hoalu.to_string())
            .text("outside", "Bộ Nội vụ | 000.00.00.G10\n")
            .part("main", pdf("du-thao.pdf"))
    };
    let (st, _, page) = post_multipart(&sp, &s, "/documents/outgoing/new", form("")).await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("Chọn người có thẩm quyền ký."));
    assert!(page.contains(&format!(r#"name="step1" value="{reviewer}" checked"#)));
    assert!(page.contains(&format!(r#"name="to_unit" value="{hoalu}" checked"#)));
    assert!(page.contains("Bộ Nội vụ | 000.00.00.G10"));

    let (st, to, page) = post_multipart(
        &sp,
        &s,
        "/documents/outgoing/new",
        form(&leader.to_string()),
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let id = doc_id(&to);
    let (_, page) = get(&sp, &s, &to).await;
    assert!(page.contains("Đã lưu dự thảo."), "{page}");
    assert_eq!(fact(&page, "Trạng thái"), "Dự thảo");
    assert!(page.contains("Ủy ban nhân dân phường Hoa Lư"));
    assert!(page.contains("Bộ Nội vụ"));
    let (st, _, page) = post(
        &sp,
        &s,
        &format!("/documents/{id}/submit"),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(st, 303, "{page}");

    // The reviewer approves, the signer returns it once (a comment is required), ...
    let (rv, rcsrf) = sign_in(&s, "ubnd.ninhbinh.vp.lanhdao").await;
    let (_, q) = get(&rv, &s, "/documents/queues/to_review").await;
    assert!(q.contains(&format!(r#"<a href="/documents/{id}">"#)), "{q}");
    let (st, to, page) = post(
        &rv,
        &s,
        &format!("/documents/{id}/review"),
        &[("_csrf", &rcsrf), ("decision", "approve"), ("comment", "")],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    assert!(to.ends_with("?done=approve"));
    let (ld, lcsrf) = sign_in(&s, "ubnd.ninhbinh.lanhdao").await;
    let (st, _, page) = post(
        &ld,
        &s,
        &format!("/documents/{id}/review"),
        &[("_csrf", &lcsrf), ("decision", "return"), ("comment", "")],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("Khi trả lại cần ghi ý kiến"));
    // ... then signs.
    let (st, _, page) = post(
        &ld,
        &s,
        &format!("/documents/{id}/review"),
        &[("_csrf", &lcsrf), ("decision", "approve")],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let (_, page) = get(&ld, &s, &format!("/documents/{id}")).await;
    assert!(page.contains("Lần trình 1"));
    assert_eq!(fact(&page, "Trạng thái"), "Đã duyệt, chờ ban hành");

    // The clerk issues it; Hoa Lư receives it and the sender sees that.
    let (clerk, ccsrf) = sign_in(&s, "ubnd.ninhbinh.vanthu").await;
    let (_, q) = get(&clerk, &s, "/documents/queues/to_issue").await;
    assert!(q.contains(&format!(r#"<a href="/documents/{id}">"#)), "{q}");
    let (st, to, page) = post(
        &clerk,
        &s,
        &format!("/documents/{id}/issue"),
        &[("_csrf", &ccsrf), ("extra", "VP")],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let (_, page) = get(&clerk, &s, &to).await;
    assert!(page.contains("Đã cấp số và ban hành văn bản."));
    assert_eq!(fact(&page, "Trạng thái"), "Đã ban hành");
    assert_eq!(fact(&page, "Số, ký hiệu"), "01/UBND-VP");
    assert!(
        page.contains(r#"<span class="state rc-arrived">Đã đến</span>"#),
        "{page}"
    );
    assert!(page.contains(&format!(r#"action="/documents/{id}/revoke""#)));

    let (hc, hcsrf) = sign_in(&s, "ubnd.ninhbinh.hoalu.vanthu").await;
    let (_, q) = get(&hc, &s, "/documents/queues/to_register").await;
    assert!(q.contains("01/UBND-VP"), "{q}");
    let start = q.find("<tr id=\"vb-").unwrap() + "<tr id=\"vb-".len();
    let copy: i64 = q[start..].split('"').next().unwrap().parse().unwrap();
    let (st, page) = get(&hc, &s, &format!("/documents/{copy}")).await;
    assert_eq!(st, 200);
    assert!(
        page.contains(&format!(r#"action="/documents/{copy}/register""#)),
        "{page}"
    );
    // The paper copy was registered by hand first: registering the arrival warns of the duplicate.
    let day = fact(&page, "Ngày văn bản").to_string();
    let iso = format!("{}-{}-{}", &day[6..10], &day[3..5], &day[0..2]);
    let paper = Form::new()
        .text("_csrf", hcsrf.clone())
        .text("unit_id", hoalu.to_string())
        .text("notation", "01/UBND-VP")
        .text("doc_date", iso)
        .text("author", "Ủy ban nhân dân tỉnh Ninh Bình")
        .text(
            "subject",
            "Về việc báo cáo công tác văn thư năm 2025 (bản giấy)",
        )
        .part("main", pdf("ban-giay.pdf"));
    let (st, to, page) = post_multipart(&hc, &s, "/documents/incoming/new", paper).await;
    assert_eq!(st, 303, "{page}");
    let by_hand = doc_id(&to);
    let (st, _, page) = post(
        &hc,
        &s,
        &format!("/documents/{copy}/register"),
        &[("_csrf", &hcsrf)],
    )
    .await;
    assert_eq!(st, 409, "{page}");
    assert!(
        page.contains(&format!(
            r#"<a href="/documents/{by_hand}">văn bản số {by_hand}</a>"#
        )),
        "{page}"
    );
    assert!(page.contains(r#"name="confirm_duplicate""#));
    assert!(page.contains("Đúng là văn bản khác, vẫn vào sổ"));
    let (st, _, page) = post(
        &hc,
        &s,
        &format!("/documents/{copy}/register"),
        &[("_csrf", &hcsrf), ("confirm_duplicate", "1")],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let (_, page) = get(&hc, &s, &format!("/documents/{copy}")).await;
    assert_eq!(fact(&page, "Số đến"), "2");
    let (_, page) = get(&clerk, &s, &format!("/documents/{id}")).await;
    assert!(
        page.contains(r#"<span class="state rc-accepted">Đã tiếp nhận</span>"#),
        "{page}"
    );
    s.stop().await;
}
