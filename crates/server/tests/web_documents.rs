//! Documents in the web interface over real HTTP: a clerk registers an incoming document with its PDF through
//! the multipart form, the leader assigns it, the specialist finds it in their queue and completes it; who may
//! not see a document gets 404; forms without their CSRF token are refused; a duplicate is shown with the
//! confirmation; a draft goes from the form through review to issue and arrives at its recipient; a draft is
//! edited through its form (and the API shows the change), only by its drafter and only while it is a draft, bad
//! input keeping what was typed; where a unit has more than one register that fits, the forms offer a choice and
//! the document goes into the register chosen.

mod common;

use common::web::{csrf_of, get, post, post_multipart, sign_in};
use common::{DEMO_PASSWORD, TestServer};
use reqwest::multipart::{Form, Part};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

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

/// The draft form of a unit of Ninh Bình as a browser sends it, with one reviewer at step 1.
fn draft_form(csrf: &str, unit: i64, signer: i64, reviewer: i64, to_unit: i64) -> Form {
    Form::new()
        .text("_csrf", csrf.to_string())
        .text("unit_id", unit.to_string())
        .text("doc_type", "cong_van")
        .text("subject", "Về việc báo cáo công tác văn thư năm 2025")
        .text("urgency", "normal")
        .text("secrecy", "")
        .text("signer_id", signer.to_string())
        .text("step1_mode", "all")
        .text("step1", reviewer.to_string())
        .text("step2_mode", "all")
        .text("to_unit", to_unit.to_string())
        .text("outside", "Bộ Nội vụ | 000.00.00.G10\n")
        .text("deadline", "")
        .text("pages", "")
        .text("copies", "")
        .text("note", "")
        .part("main", pdf("du-thao.pdf"))
}

/// The names of a document's recipients as the API shows them.
fn recipient_names(detail: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = detail["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_draft_is_edited_through_its_form_and_the_api_shows_the_change() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let hoalu = s.unit_id("ubnd.ninhbinh.hoalu").await;
    let snv = s.unit_id("ubnd.ninhbinh.snv").await;
    let leader = s.person_id("ubnd.ninhbinh.lanhdao").await;
    let reviewer = s.person_id("ubnd.ninhbinh.vp.lanhdao").await;
    let second = s.person_id("ubnd.ninhbinh.vp.chuyenvien").await;
    let third = s.person_id("ubnd.ninhbinh.snv.lanhdao").await;
    let (sp, csrf) = sign_in(&s, "ubnd.ninhbinh.chuyenvien").await;
    let token = s.token("ubnd.ninhbinh.chuyenvien", DEMO_PASSWORD).await;
    let (st, to, page) = post_multipart(
        &sp,
        &s,
        "/documents/outgoing/new",
        draft_form(&csrf, unit, leader, reviewer, hoalu),
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let id = doc_id(&to);

    // The drafter's page links to the form, which shows the draft as it is.
    let (_, page) = get(&sp, &s, &format!("/documents/{id}")).await;
    assert!(
        page.contains(&format!(
            r#"<a href="/documents/{id}/edit" class="button">Sửa dự thảo</a>"#
        )),
        "{page}"
    );
    let (st, page) = get(&sp, &s, &format!("/documents/{id}/edit")).await;
    assert_eq!(st, 200, "{page}");
    assert!(page.contains("<h1>Sửa dự thảo</h1>"), "{page}");
    assert!(page.contains(&format!(r#"action="/documents/{id}/edit""#)));
    assert!(page.contains(r#"<option value="cong_van" selected>"#));
    assert!(page.contains(">Về việc báo cáo công tác văn thư năm 2025</textarea>"));
    assert!(page.contains(&format!(r#"<option value="{leader}" selected>"#)));
    assert!(page.contains(&format!(r#"name="step1" value="{reviewer}" checked"#)));
    assert!(!page.contains(&format!(r#"name="step2" value="{reviewer}" checked"#)));
    assert!(page.contains(&format!(r#"name="to_unit" value="{hoalu}" checked"#)));
    assert!(
        page.contains(">Bộ Nội vụ | 000.00.00.G10\n</textarea>"),
        "{page}"
    );
    assert!(page.contains("Lưu thay đổi"));
    // The unit and the kind are not offered for change.
    assert!(!page.contains(r#"action="/documents/outgoing/new""#));
    assert!(!page.contains(r#"type="checkbox" name="internal""#));

    // Bad input: 422, the message, what was typed kept; nothing changed.
    let edited = |pages: &str| {
        Form::new()
            .text("_csrf", csrf.clone())
            .text("unit_id", unit.to_string())
            .text("doc_type", "bao_cao")
            .text(
                "subject",
                "Về việc báo cáo công tác văn thư và lưu trữ năm 2025",
            )
            .text("urgency", "khan")
            .text("secrecy", "")
            .text("signer_id", leader.to_string())
            .text("step1_mode", "all")
            .text("step1", reviewer.to_string())
            .text("step2_mode", "any")
            .text("step2", second.to_string())
            .text("step2", third.to_string())
            .text("to_unit", snv.to_string())
            .text("outside", "Báo Ninh Bình | | giấy\n")
            .text("deadline", "2099-12-31")
            .text("pages", pages.to_string())
            .text("copies", "")
            .text("note", "Sửa theo góp ý của Văn phòng.")
    };
    let (st, _, page) = post_multipart(
        &sp,
        &s,
        &format!("/documents/{id}/edit"),
        edited("hai").part("main", pdf("du-thao-2.pdf")),
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("Số trang phải là một số nguyên."), "{page}");
    assert!(page.contains("<h1>Sửa dự thảo</h1>"));
    assert!(page.contains(">Về việc báo cáo công tác văn thư và lưu trữ năm 2025</textarea>"));
    assert!(page.contains(r#"value="hai""#));
    assert!(page.contains(r#"<option value="khan" selected>"#));
    assert!(page.contains(&format!(r#"name="step2" value="{third}" checked"#)));
    assert!(page.contains(&format!(r#"name="to_unit" value="{snv}" checked"#)));
    assert!(!page.contains(&format!(r#"name="to_unit" value="{hoalu}" checked"#)));
    assert!(page.contains("Báo Ninh Bình | | giấy"));
    assert!(page.contains("hãy chọn lại tệp"));
    // The use case's own checks answer the same way: a reviewer who is also the signer.
    let (st, _, page) = post_multipart(
        &sp,
        &s,
        &format!("/documents/{id}/edit"),
        edited("3").text("step1", leader.to_string()),
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("có mặt hai lần trong chuỗi duyệt"), "{page}");
    assert!(page.contains(r#"value="3""#));
    let (st, detail) = s.get(&token, &format!("/api/v1/documents/{id}")).await;
    assert_eq!(st, 200);
    assert_eq!(
        detail["document"]["subject"],
        "Về việc báo cáo công tác văn thư năm 2025"
    );
    assert_eq!(detail["document"]["urgency"], "normal");
    assert_eq!(
        recipient_names(&detail),
        ["Bộ Nội vụ", "Ủy ban nhân dân phường Hoa Lư"]
    );
    assert_eq!(detail["files"].as_array().unwrap().len(), 1);

    // Saved with a new version of the main file.
    let (st, to, page) = post_multipart(
        &sp,
        &s,
        &format!("/documents/{id}/edit"),
        edited("3").part("main", pdf("du-thao-2.pdf")),
    )
    .await;
    assert_eq!(st, 303, "{page}");
    assert_eq!(to, format!("/documents/{id}?done=edited"));
    let (_, page) = get(&sp, &s, &to).await;
    assert!(page.contains("Đã lưu thay đổi của dự thảo."), "{page}");
    assert!(page.contains("du-thao-2.pdf"));
    assert!(page.contains(r#"<span class="tag">Bản 2</span>"#), "{page}");

    // The API shows the change.
    let (st, detail) = s.get(&token, &format!("/api/v1/documents/{id}")).await;
    assert_eq!(st, 200);
    let d = &detail["document"];
    assert_eq!(
        d["subject"],
        "Về việc báo cáo công tác văn thư và lưu trữ năm 2025"
    );
    assert_eq!(d["doc_type"], "bao_cao");
    assert_eq!(d["urgency"], "khan");
    assert_eq!(d["deadline"], "2099-12-31");
    assert_eq!(d["pages"], 3);
    assert_eq!(d["note"], "Sửa theo góp ý của Văn phòng.");
    assert_eq!(d["state"], "draft");
    assert_eq!(
        recipient_names(&detail),
        ["Báo Ninh Bình", "Sở Nội vụ tỉnh Ninh Bình"]
    );
    let paper = detail["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Báo Ninh Bình")
        .unwrap();
    assert_eq!(paper["channel"], "paper");
    let mains: Vec<(i64, String)> = detail["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "main")
        .map(|f| {
            (
                f["version"].as_i64().unwrap(),
                f["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        mains.contains(&(2, "du-thao-2.pdf".to_string())),
        "{mains:?}"
    );

    // The form shows the saved draft, with its second step.
    let (_, page) = get(&sp, &s, &format!("/documents/{id}/edit")).await;
    assert!(page.contains(r#"<option value="bao_cao" selected>"#));
    assert!(page.contains(&format!(r#"name="step2" value="{second}" checked"#)));
    assert!(page.contains(&format!(r#"name="step2" value="{third}" checked"#)));
    assert!(page.contains(r#"<option value="any" selected>"#), "{page}");
    // A paper recipient without a code is written back as its name alone (paper is the default then).
    assert!(page.contains(">Báo Ninh Bình\n</textarea>"), "{page}");

    // Submitted, the chain is the edited one: step 1, then the two of step 2 (one is enough), then the signer.
    let (st, _, page) = post(
        &sp,
        &s,
        &format!("/documents/{id}/submit"),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let (_, detail) = s.get(&token, &format!("/api/v1/documents/{id}")).await;
    let mut chain: Vec<(i64, String, i64)> = detail["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["step"].as_i64().unwrap(),
                r["mode"].as_str().unwrap().to_string(),
                r["person"]["id"].as_i64().unwrap(),
            )
        })
        .collect();
    chain.sort();
    let mut want = vec![
        (0, "all".to_string(), reviewer),
        (1, "any".to_string(), second),
        (1, "any".to_string(), third),
        (2, "sign".to_string(), leader),
    ];
    want.sort();
    assert_eq!(chain, want);
    s.stop().await;
}

#[tokio::test]
async fn only_the_drafter_edits_a_draft_and_only_while_it_is_a_draft() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let hoalu = s.unit_id("ubnd.ninhbinh.hoalu").await;
    let leader = s.person_id("ubnd.ninhbinh.lanhdao").await;
    let reviewer = s.person_id("ubnd.ninhbinh.vp.lanhdao").await;
    let (sp, csrf) = sign_in(&s, "ubnd.ninhbinh.chuyenvien").await;
    let token = s.token("ubnd.ninhbinh.chuyenvien", DEMO_PASSWORD).await;
    let (st, to, page) = post_multipart(
        &sp,
        &s,
        "/documents/outgoing/new",
        draft_form(&csrf, unit, leader, reviewer, hoalu),
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let id = doc_id(&to);
    let subject = "Về việc báo cáo công tác văn thư năm 2025";
    let changed = |csrf: &str| {
        Form::new()
            .text("_csrf", csrf.to_string())
            .text("unit_id", unit.to_string())
            .text("doc_type", "cong_van")
            .text("subject", "Đổi trích yếu")
            .text("signer_id", leader.to_string())
            .text("step1_mode", "all")
            .text("step1", reviewer.to_string())
            .text("to_unit", hoalu.to_string())
    };
    let unchanged = |detail: &serde_json::Value| {
        assert_eq!(detail["document"]["subject"], subject, "{detail}");
    };

    // The unit's leader sees the draft but may not edit it: no link, 403 for the form and for the post.
    let (ld, lcsrf) = sign_in(&s, "ubnd.ninhbinh.lanhdao").await;
    let (st, page) = get(&ld, &s, &format!("/documents/{id}")).await;
    assert_eq!(st, 200);
    assert!(!page.contains("Sửa dự thảo"), "{page}");
    assert!(!page.contains(&format!("/documents/{id}/edit")));
    let (st, page) = get(&ld, &s, &format!("/documents/{id}/edit")).await;
    assert_eq!(st, 403, "{page}");
    assert!(
        page.contains("Chỉ người soạn được sửa dự thảo này."),
        "{page}"
    );
    let (st, _, page) =
        post_multipart(&ld, &s, &format!("/documents/{id}/edit"), changed(&lcsrf)).await;
    assert_eq!(st, 403, "{page}");
    assert!(page.contains("Chỉ người soạn"), "{page}");
    assert!(!page.contains("Đổi trích yếu"));
    // Even with bad input the answer is the refusal, not the form.
    let (st, _, page) = post_multipart(
        &ld,
        &s,
        &format!("/documents/{id}/edit"),
        changed(&lcsrf).text("pages", "hai"),
    )
    .await;
    assert_eq!(st, 403, "{page}");
    assert!(!page.contains("<h1>Sửa dự thảo</h1>"));
    // Someone of another unit does not see it at all.
    let (other, ocsrf) = sign_in(&s, "ubnd.ninhbinh.hoalu.chuyenvien").await;
    let (st, _) = get(&other, &s, &format!("/documents/{id}/edit")).await;
    assert_eq!(st, 404);
    let (st, _, _) = post_multipart(
        &other,
        &s,
        &format!("/documents/{id}/edit"),
        changed(&ocsrf),
    )
    .await;
    assert_eq!(st, 404);
    // Without the form's token nothing is done either.
    let (st, _, _) = post_multipart(
        &sp,
        &s,
        &format!("/documents/{id}/edit"),
        changed("not-the-token"),
    )
    .await;
    assert_eq!(st, 403);
    unchanged(&s.get(&token, &format!("/api/v1/documents/{id}")).await.1);

    // Submitted, the draft is no longer edited, not even by its drafter (who is told to withdraw it first).
    let (st, _, page) = post(
        &sp,
        &s,
        &format!("/documents/{id}/submit"),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let (_, page) = get(&sp, &s, &format!("/documents/{id}")).await;
    assert!(!page.contains("Sửa dự thảo"));
    let (st, page) = get(&sp, &s, &format!("/documents/{id}/edit")).await;
    assert_eq!(st, 409, "{page}");
    assert!(page.contains("rút lại dự thảo trước khi sửa"), "{page}");
    let (st, _, page) =
        post_multipart(&sp, &s, &format!("/documents/{id}/edit"), changed(&csrf)).await;
    assert_eq!(st, 409, "{page}");
    assert!(page.contains("Chỉ sửa được dự thảo"), "{page}");
    unchanged(&s.get(&token, &format!("/api/v1/documents/{id}")).await.1);

    // Withdrawn, it is a draft again and the drafter edits it.
    let (st, _, _) = post(
        &sp,
        &s,
        &format!("/documents/{id}/withdraw"),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(st, 303);
    let (st, to, page) =
        post_multipart(&sp, &s, &format!("/documents/{id}/edit"), changed(&csrf)).await;
    assert_eq!(st, 303, "{page}");
    let (_, page) = get(&sp, &s, &to).await;
    assert!(page.contains("Đổi trích yếu"));

    // An incoming document has no draft form.
    let (clerk, ccsrf) = sign_in(&s, "ubnd.ninhbinh.vanthu").await;
    let (st, to, _) = post_multipart(
        &clerk,
        &s,
        "/documents/incoming/new",
        incoming_form(&ccsrf, unit, "12/BNV"),
    )
    .await;
    assert_eq!(st, 303);
    let incoming = doc_id(&to);
    let (st, page) = get(&clerk, &s, &format!("/documents/{incoming}/edit")).await;
    assert_eq!(st, 409, "{page}");
    assert!(!page.contains("<h1>Sửa dự thảo</h1>"));
    s.stop().await;
}

/// The id of the unit's register of `kind` opened by the demo for this year (not secret).
async fn demo_register(s: &TestServer, token: &str, unit: i64, kind: &str) -> (i64, String) {
    let (st, list) = s
        .get(token, &format!("/api/v1/units/{unit}/registers"))
        .await;
    assert_eq!(st, 200, "{list}");
    let r = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == kind && r["secret"] == false)
        .unwrap_or_else(|| panic!("no {kind} register: {list}"));
    (
        r["id"].as_i64().unwrap(),
        r["period"].as_str().unwrap().to_string(),
    )
}

/// The register id shown on a document's page (`/registers/{id}` after "Sổ văn bản").
fn register_of(page: &str) -> i64 {
    let value = fact(page, "Sổ văn bản");
    let start = value.find("/registers/").unwrap() + "/registers/".len();
    value[start..].split('"').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_unit_with_two_incoming_registers_registers_into_the_chosen_one() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let hoalu = s.unit_id("ubnd.ninhbinh.hoalu").await;
    let admin = s.token("admin", DEMO_PASSWORD).await;
    let (ordinary, year) = demo_register(&s, &admin, unit, "incoming").await;
    let y: i32 = year.parse().unwrap();

    // One register of each secrecy: the form stays as it was.
    let (clerk, csrf) = sign_in(&s, "ubnd.ninhbinh.vanthu").await;
    let clerk_token = s.token("ubnd.ninhbinh.vanthu", DEMO_PASSWORD).await;
    let (st, page) = get(&clerk, &s, "/documents/incoming/new").await;
    assert_eq!(st, 200);
    assert!(!page.contains(r#"name="register_id""#), "{page}");

    // A second ordinary incoming register that covers this year: the form offers both, with name and period.
    let (st, r) = s
        .send(
            "POST",
            &admin,
            &format!("/api/v1/units/{unit}/registers"),
            serde_json::json!({"kind": "incoming", "period": format!("{y}-{}", y + 1), "name": "Sổ đơn thư, kiến nghị"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    let other = r["id"].as_i64().unwrap();
    let secret = s
        .get(&admin, &format!("/api/v1/units/{unit}/registers"))
        .await
        .1["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "incoming" && r["secret"] == true)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (st, page) = get(&clerk, &s, "/documents/incoming/new").await;
    assert_eq!(st, 200);
    assert!(
        page.contains(r#"<select id="register_id" name="register_id">"#),
        "{page}"
    );
    assert!(page.contains(&format!(
        r#"<option value="{other}">Sổ đơn thư, kiến nghị (sổ văn bản đến, nhiệm kỳ {y}-{})</option>"#,
        y + 1
    )), "{page}");
    assert!(page.contains(&format!(
        r#"<option value="{ordinary}">Sổ văn bản đến {y} (sổ văn bản đến, năm {y})</option>"#
    )));
    assert!(page.contains(&format!(r#"<option value="{secret}">"#)));

    // Each choice is the register the document goes into, numbered there from 1.
    for (n, reg) in [(1, other), (2, ordinary)] {
        let (st, to, page) = post_multipart(
            &clerk,
            &s,
            "/documents/incoming/new",
            incoming_form(&csrf, unit, &format!("{n}/BNV-VP")).text("register_id", reg.to_string()),
        )
        .await;
        assert_eq!(st, 303, "{page}");
        let (_, page) = get(&clerk, &s, &to).await;
        assert_eq!(register_of(&page), reg, "{page}");
        assert_eq!(fact(&page, "Số đến"), "1");
        let (_, detail) = s
            .get(&clerk_token, &format!("/api/v1/documents/{}", doc_id(&to)))
            .await;
        assert_eq!(detail["document"]["register_id"], reg);
    }
    // A register that does not fit (the secret one for an ordinary document): 422, the choice kept, nothing
    // registered.
    let (st, _, page) = post_multipart(
        &clerk,
        &s,
        "/documents/incoming/new",
        incoming_form(&csrf, unit, "3/BNV-VP").text("register_id", secret.to_string()),
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("không dùng được ở đây"), "{page}");
    assert!(page.contains(&format!(r#"<option value="{secret}" selected>"#)));
    assert!(page.contains(r#"value="3/BNV-VP""#));

    // A document arriving from Hoa Lư is registered from its page into the register chosen there; Hoa Lư,
    // with two outgoing registers, issues it in the one it chooses.
    let (hoalu_out, _) = demo_register(&s, &admin, hoalu, "outgoing").await;
    let (st, r) = s
        .send(
            "POST",
            &admin,
            &format!("/api/v1/units/{hoalu}/registers"),
            serde_json::json!({"kind": "outgoing", "period": format!("{y}-{}", y + 1), "name": "Sổ văn bản đi của phường"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    let hl_leader = s.person_id("ubnd.ninhbinh.hoalu.lanhdao").await;
    let (hs, hscsrf) = sign_in(&s, "ubnd.ninhbinh.hoalu.chuyenvien").await;
    let (st, page) = get(&hs, &s, "/documents/outgoing/new").await;
    assert_eq!(st, 200, "{page}");
    let draft = Form::new()
        .text("_csrf", hscsrf.clone())
        .text("unit_id", hoalu.to_string())
        .text("doc_type", "cong_van")
        .text("subject", "Về việc báo cáo tình hình tiếp nhận văn bản")
        .text("signer_id", hl_leader.to_string())
        .text("step1_mode", "all")
        .text("to_unit", unit.to_string())
        .part("main", pdf("bao-cao.pdf"));
    let (st, to, page) = post_multipart(&hs, &s, "/documents/outgoing/new", draft).await;
    assert_eq!(st, 303, "{page}");
    let sent = doc_id(&to);
    let (st, _, page) = post(
        &hs,
        &s,
        &format!("/documents/{sent}/submit"),
        &[("_csrf", &hscsrf)],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let (hl, hlcsrf) = sign_in(&s, "ubnd.ninhbinh.hoalu.lanhdao").await;
    let (st, _, page) = post(
        &hl,
        &s,
        &format!("/documents/{sent}/review"),
        &[("_csrf", &hlcsrf), ("decision", "approve")],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let (hc, hccsrf) = sign_in(&s, "ubnd.ninhbinh.hoalu.vanthu").await;
    let (_, page) = get(&hc, &s, &format!("/documents/{sent}")).await;
    assert!(
        page.contains(r#"<select id="issue-register" name="register_id">"#),
        "{page}"
    );
    assert!(
        page.contains(&format!(r#"<option value="{hoalu_out}">Sổ văn bản đi {y}"#)),
        "{page}"
    );
    let extra = hoalu_out.to_string();
    let (st, _, page) = post(
        &hc,
        &s,
        &format!("/documents/{sent}/issue"),
        &[("_csrf", &hccsrf), ("extra", ""), ("register_id", &extra)],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let (_, page) = get(&hc, &s, &format!("/documents/{sent}")).await;
    assert_eq!(register_of(&page), hoalu_out);

    let (_, q) = get(&clerk, &s, "/documents/queues/to_register").await;
    let start = q.find("<tr id=\"vb-").unwrap() + "<tr id=\"vb-".len();
    let copy: i64 = q[start..].split('"').next().unwrap().parse().unwrap();
    let (_, page) = get(&clerk, &s, &format!("/documents/{copy}")).await;
    assert!(
        page.contains(r#"<select id="register-register" name="register_id">"#),
        "{page}"
    );
    assert!(page.contains(&format!(r#"<option value="{other}""#)));
    assert!(page.contains(&format!(r#"<option value="{ordinary}""#)));
    // Only registers of the document's secrecy are offered.
    assert!(!page.contains(&format!(r#"<option value="{secret}""#)));
    let choice = other.to_string();
    let (st, _, page) = post(
        &clerk,
        &s,
        &format!("/documents/{copy}/register"),
        &[("_csrf", &csrf), ("register_id", &choice)],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let (_, page) = get(&clerk, &s, &format!("/documents/{copy}")).await;
    assert_eq!(register_of(&page), other);
    assert_eq!(fact(&page, "Số đến"), "2");
    s.stop().await;
}
