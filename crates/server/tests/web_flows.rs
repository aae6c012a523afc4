//! Processing flows (luồng xử lý) in the web interface over real HTTP: a unit administrator copies a template,
//! edits it with the form (a new version the API sees), a bad edit keeps what was typed and saves nothing, who
//! may not change flows gets no forms and a 403, and a flow exported and imported through the pages is the
//! same flow.

mod common;

use common::web::{get, post, post_multipart, sign_in};
use common::{DEMO_PASSWORD, TestServer};
use reqwest::Client;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use vanthu_server::App;

/// The id of the system template of this kind, with or without review steps.
async fn template_id(s: &TestServer, kind: &str, with_steps: bool) -> i64 {
    s.app
        .flow_templates()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.kind == kind && t.definition.steps.is_empty() != with_steps)
        .unwrap_or_else(|| panic!("no {kind} template"))
        .id
}

/// Copies a template into the unit with the list page's button; the new flow's id.
async fn copy(c: &Client, s: &TestServer, csrf: &str, unit: i64, template: i64) -> i64 {
    let (st, to, page) = post(
        c,
        s,
        &format!("/units/{unit}/flows"),
        &[("_csrf", csrf), ("template_id", &template.to_string())],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let prefix = format!("/units/{unit}/flows/");
    assert!(
        to.starts_with(&prefix) && to.ends_with("?notice=created"),
        "{to}"
    );
    to[prefix.len()..to.len() - "?notice=created".len()]
        .parse()
        .unwrap()
}

async fn full_name(s: &TestServer, username: &str) -> String {
    s.app
        .get_person(&App::installation_actor(), s.person_id(username).await)
        .await
        .unwrap()
        .full_name
}

/// A flow as the API answers it.
async fn api_flow(s: &TestServer, token: &str, id: i64) -> Value {
    let (st, f) = s.get(token, &format!("/api/v1/flows/{id}")).await;
    assert_eq!(st, 200, "{f}");
    f
}

async fn api_unit_flows(s: &TestServer, token: &str, unit: i64) -> Vec<Value> {
    let (st, l) = s.get(token, &format!("/api/v1/units/{unit}/flows")).await;
    assert_eq!(st, 200, "{l}");
    l["items"].as_array().unwrap().clone()
}

/// The part of a page from `marker` to the end of its element's row or fieldset.
fn part<'a>(page: &'a str, marker: &str, end: &str) -> &'a str {
    let start = page
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in page:\n{page}"));
    let stop = page[start..]
        .find(end)
        .map(|e| e + start)
        .unwrap_or(page.len());
    &page[start..stop]
}

#[tokio::test]
async fn a_unit_administrator_copies_a_template_and_edits_it_with_the_form() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let (c, csrf) = sign_in(&s, "ubnd.ninhbinh.quantri").await;
    let token = s.token("ubnd.ninhbinh.quantri", DEMO_PASSWORD).await;
    let vp_spec = s.person_id("ubnd.ninhbinh.vp.chuyenvien").await;

    // The unit page links to its flows.
    let (st, page) = get(&c, &s, &format!("/units/{unit}")).await;
    assert_eq!(st, 200);
    assert!(
        page.contains(&format!(r#"href="/units/{unit}/flows""#)),
        "{page}"
    );
    assert!(page.contains("Đơn vị chưa có luồng xử lý nào."));

    // The list: no flow yet, the four templates of NĐ 30 with the copy button and the import form.
    let (st, page) = get(&c, &s, &format!("/units/{unit}/flows")).await;
    assert_eq!(st, 200, "{page}");
    assert!(page.contains("Luồng xử lý của Ủy ban nhân dân tỉnh Ninh Bình"));
    assert!(page.contains("Đơn vị chưa có luồng xử lý nào"));
    assert!(page.contains("Luồng mẫu của hệ thống"));
    for t in s.app.flow_templates().await.unwrap() {
        let row = part(&page, &format!(r#"<tr id="mau-{}""#, t.id), "</tr>");
        assert!(row.contains(&t.name), "{row}");
        assert!(row.contains(&t.kind_label), "{row}");
        assert!(row.contains("Sao chép vào đơn vị"), "{row}");
        assert!(
            row.contains(&format!(r#"name="template_id" value="{}""#, t.id)),
            "{row}"
        );
    }
    assert!(page.contains("Văn bản đến") && page.contains("Văn bản nội bộ"));
    assert!(page.contains("Trình: Lãnh đạo đơn vị; hạn xử lý mặc định: 7 ngày"));
    assert!(page.contains("Thẩm định nội dung (Lãnh đạo các đơn vị cấp dưới, 2 ngày)"));
    assert!(page.contains(&format!(r#"action="/units/{unit}/flows/import""#)));
    assert!(page.contains(r#"enctype="multipart/form-data""#));

    // Copy the outgoing template without review steps.
    let template = template_id(&s, "outgoing", false).await;
    let id = copy(&c, &s, &csrf, unit, template).await;
    let (st, page) = get(&c, &s, &format!("/units/{unit}/flows/{id}?notice=created")).await;
    assert_eq!(st, 200, "{page}");
    assert!(page.contains("Đã tạo mới."));
    assert!(page.contains("Văn bản đi theo Nghị định 30/2020"));
    assert!(page.contains("Không có bước duyệt: dự thảo trình thẳng người ký."));
    assert!(
        page.contains("<dt>Người ký</dt><dd>Lãnh đạo đơn vị</dd>"),
        "{page}"
    );
    assert!(page.contains(r#"<tr id="phien-ban-1">"#));
    assert!(page.contains(&format!(r#"href="/units/{unit}/flows/{id}/export""#)));
    // The edit form: two blank step rows, the signer, the people of the unit and of the units below.
    assert!(page.contains(&format!(r#"action="/units/{unit}/flows/{id}/edit""#)));
    assert!(page.contains(r#"name="rows" value="2""#));
    assert!(page.contains(r#"name="step2_name""#) && !page.contains(r#"name="step3_name""#));
    assert!(page.contains(r#"name="signer_who""#));
    assert!(!page.contains(r#"name="deadline_days""#));
    assert!(page.contains(&format!(r#"<option value="{vp_spec}">"#)));
    assert!(page.contains("Văn phòng Ủy ban nhân dân tỉnh"));

    // A step to a person with days, and one to the leaders of the units below.
    let vp = vp_spec.to_string();
    let (st, to, page) = post(
        &c,
        &s,
        &format!("/units/{unit}/flows/{id}/edit"),
        &[
            ("_csrf", &csrf),
            ("name", "Văn bản đi có thẩm định của Văn phòng"),
            ("active", "1"),
            ("rows", "2"),
            ("step1_name", "Văn phòng thẩm định"),
            ("step1_who", "person"),
            ("step1_role", "leader"),
            ("step1_person", &vp),
            ("step1_mode", "all"),
            ("step1_days", "3"),
            ("step2_name", "Lãnh đạo đơn vị cấp dưới góp ý"),
            ("step2_who", "below"),
            ("step2_role", "leader"),
            ("step2_person", ""),
            ("step2_mode", "any"),
            ("step2_days", ""),
            ("signer_who", "role"),
            ("signer_role", "leader"),
            ("signer_person", ""),
        ],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    assert_eq!(to, format!("/units/{unit}/flows/{id}?notice=saved"));

    let (st, page) = get(&c, &s, &to).await;
    assert_eq!(st, 200);
    assert!(page.contains("Đã lưu thay đổi."));
    assert!(page.contains("<h1>Văn bản đi có thẩm định của Văn phòng"));
    let steps = part(&page, r#"<ol class="steps">"#, "</ol>");
    let vp_name = full_name(&s, "ubnd.ninhbinh.vp.chuyenvien").await;
    assert!(
        steps.contains("<strong>Văn phòng thẩm định</strong>"),
        "{steps}"
    );
    assert!(
        steps.contains(&format!("{vp_name} · Tất cả cùng đồng ý · thời hạn 3 ngày")),
        "{steps}"
    );
    assert!(
        steps.contains("Lãnh đạo các đơn vị cấp dưới · Một người đồng ý là đủ</li>"),
        "{steps}"
    );
    // Version 2 is current, made by the administrator; version 1 is kept.
    let admin_name = full_name(&s, "ubnd.ninhbinh.quantri").await;
    let v2 = part(&page, r#"<tr id="phien-ban-2">"#, "</tr>");
    assert!(v2.contains("Hiện hành") && v2.contains(&admin_name), "{v2}");
    assert!(v2.contains("Văn phòng thẩm định"), "{v2}");
    let v1 = part(&page, r#"<tr id="phien-ban-1">"#, "</tr>");
    assert!(
        !v1.contains("Hiện hành") && v1.contains("Không có bước duyệt"),
        "{v1}"
    );
    // The form now offers the two steps and two blank rows.
    assert!(page.contains(r#"name="rows" value="4""#));
    assert!(page.contains(
        r#"name="step1_days" type="number" min="1" max="365" inputmode="numeric" value="3""#
    ));

    // The API sees the new definition.
    let f = api_flow(&s, &token, id).await;
    assert_eq!(f["flow"]["current_version"], 2);
    assert_eq!(f["flow"]["name"], "Văn bản đi có thẩm định của Văn phòng");
    assert_eq!(f["flow"]["active"], true);
    assert_eq!(
        f["flow"]["definition"],
        json!({
            "present_to": null,
            "deadline_days": null,
            "steps": [
                {"name": "Văn phòng thẩm định", "assignee": {"person": vp_spec}, "mode": "all", "deadline_days": 3},
                {"name": "Lãnh đạo đơn vị cấp dưới góp ý", "assignee": {"role": "leader", "below": true}, "mode": "any"}
            ],
            "signer": {"role": "leader"}
        })
    );
    assert_eq!(f["versions"].as_array().unwrap().len(), 2);
    assert_eq!(
        f["versions"][1]["created_by"],
        s.person_id("ubnd.ninhbinh.quantri").await
    );
    let listed = api_unit_flows(&s, &token, unit).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["definition"], f["flow"]["definition"]);

    // The list shows it in force, at version 2, updated by the administrator.
    let (_, page) = get(&c, &s, &format!("/units/{unit}/flows")).await;
    let row = part(&page, &format!(r#"<tr id="luong-{id}""#), "</tr>");
    assert!(
        row.contains("Văn bản đi có thẩm định của Văn phòng"),
        "{row}"
    );
    assert!(
        row.contains("Văn bản đi") && row.contains("Đang áp dụng"),
        "{row}"
    );
    assert!(row.contains(r#"<td class="num">2</td>"#), "{row}");
    assert!(row.contains(&admin_name), "{row}");

    // Stopping it: the checkbox left out.
    let (st, _, page) = post(
        &c,
        &s,
        &format!("/units/{unit}/flows/{id}/edit"),
        &[
            ("_csrf", &csrf),
            ("name", "Văn bản đi có thẩm định của Văn phòng"),
            ("rows", "0"),
            ("signer_who", "role"),
            ("signer_role", "leader"),
        ],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let f = api_flow(&s, &token, id).await;
    assert_eq!(f["flow"]["current_version"], 3);
    assert_eq!(f["flow"]["active"], false);
    assert_eq!(f["flow"]["definition"]["steps"], json!([]));
    let (_, page) = get(&c, &s, &format!("/units/{unit}/flows")).await;
    let row = part(&page, &format!(r#"<tr id="luong-{id}""#), "</tr>");
    assert!(row.contains("Ngừng dùng"), "{row}");
    s.stop().await;
}

#[tokio::test]
async fn a_bad_edit_keeps_what_was_typed_and_saves_nothing() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let (c, csrf) = sign_in(&s, "ubnd.ninhbinh.quantri").await;
    let token = s.token("ubnd.ninhbinh.quantri", DEMO_PASSWORD).await;

    // An incoming flow: its form asks whom documents are presented to and the deadline, no steps or signer.
    let incoming = copy(
        &c,
        &s,
        &csrf,
        unit,
        template_id(&s, "incoming", false).await,
    )
    .await;
    let (st, page) = get(&c, &s, &format!("/units/{unit}/flows/{incoming}")).await;
    assert_eq!(st, 200);
    assert!(
        page.contains("<dt>Văn bản đến được trình</dt><dd>Lãnh đạo đơn vị</dd>"),
        "{page}"
    );
    assert!(page.contains("<dt>Hạn xử lý mặc định</dt><dd>7 ngày kể từ khi văn bản đến</dd>"));
    assert!(page.contains(r#"name="deadline_days""#) && page.contains(r#"value="7""#));
    assert!(page.contains(r#"name="rows" value="0""#));
    assert!(!page.contains(r#"name="signer_who""#) && !page.contains(r#"name="step1_name""#));

    // Given a signer (a form sent by hand): the app's message, the values kept, the signer shown.
    let edit = format!("/units/{unit}/flows/{incoming}/edit");
    let (st, _, page) = post(
        &c,
        &s,
        &edit,
        &[
            ("_csrf", &csrf),
            ("name", "Văn bản đến của Ủy ban"),
            ("active", "1"),
            ("rows", "0"),
            ("present_who", "role"),
            ("present_role", "specialist"),
            ("deadline_days", "5"),
            ("signer_who", "role"),
            ("signer_role", "leader"),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(
        page.contains("Luồng văn bản đến không có bước duyệt hay người ký"),
        "{page}"
    );
    assert!(page.contains(r#"class="msg err""#));
    assert!(page.contains(r#"value="Văn bản đến của Ủy ban""#));
    assert!(page.contains(r#"value="5""#));
    let present = part(&page, r#"id="present_role""#, "</select>");
    assert!(
        present.contains(r#"<option value="specialist" selected>"#),
        "{present}"
    );
    let signer = part(&page, r#"id="signer_who""#, "</select>");
    assert!(
        signer.contains(r#"<option value="role" selected>"#),
        "{signer}"
    );
    let f = api_flow(&s, &token, incoming).await;
    assert_eq!(f["flow"]["current_version"], 1);
    assert_eq!(f["flow"]["definition"]["deadline_days"], 7);

    // Days over a year: the same.
    let (st, _, page) = post(
        &c,
        &s,
        &edit,
        &[
            ("_csrf", &csrf),
            ("name", "Văn bản đến của Ủy ban"),
            ("active", "1"),
            ("rows", "0"),
            ("present_who", ""),
            ("deadline_days", "400"),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("Số ngày phải từ 1 đến 365."), "{page}");
    assert!(
        page.contains(r#"value="400" aria-invalid="true""#),
        "{page}"
    );
    assert_eq!(
        api_flow(&s, &token, incoming).await["flow"]["current_version"],
        1
    );

    // An outgoing flow given a step of 0 days.
    let outgoing = copy(&c, &s, &csrf, unit, template_id(&s, "outgoing", true).await).await;
    let edit = format!("/units/{unit}/flows/{outgoing}/edit");
    let bad_step = |days: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("name", "Văn bản đi có thẩm định".to_string()),
            ("active", "1".to_string()),
            ("rows", "3".to_string()),
            ("step1_name", "Thẩm định nội dung".to_string()),
            ("step1_who", "below".to_string()),
            ("step1_role", "leader".to_string()),
            ("step1_mode", "any".to_string()),
            ("step1_days", "2".to_string()),
            ("step2_name", "Kiểm tra thể thức".to_string()),
            ("step2_who", "role".to_string()),
            ("step2_role", "clerk".to_string()),
            ("step2_mode", "all".to_string()),
            ("step2_days", days.to_string()),
            ("step3_name", String::new()),
            ("step3_who", "role".to_string()),
            ("step3_role", "leader".to_string()),
            ("step3_mode", "any".to_string()),
            ("step3_days", String::new()),
            ("signer_who", "role".to_string()),
            ("signer_role", "leader".to_string()),
        ]
    };
    for (days, message) in [
        ("0", "Số ngày phải từ 1 đến 365."),
        (
            "hai",
            "Thời hạn của bước 2 phải là một số ngày, ví dụ 2 (đang là \"hai\").",
        ),
    ] {
        let form = bad_step(days);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (st, _, page) = post(&c, &s, &edit, &form).await;
        assert_eq!(st, 422, "{page}");
        assert!(page.contains(message), "{message}: {page}");
        assert!(page.contains(r#"name="rows" value="3""#));
        assert!(page.contains(r#"value="Kiểm tra thể thức""#));
        assert!(page.contains(&format!(
            r#"name="step2_days" type="number" min="1" max="365" inputmode="numeric" value="{days}""#
        )));
        let role = part(&page, r#"id="step2_role""#, "</select>");
        assert!(
            role.contains(r#"<option value="clerk" selected>"#),
            "{role}"
        );
        let who = part(&page, r#"id="step1_who""#, "</select>");
        assert!(who.contains(r#"<option value="below" selected>"#), "{who}");
        let f = api_flow(&s, &token, outgoing).await;
        assert_eq!(f["flow"]["current_version"], 1);
        assert_eq!(
            f["flow"]["definition"]["steps"].as_array().unwrap().len(),
            1
        );
    }

    // No signer, no name: refused, nothing saved.
    let (st, _, page) = post(
        &c,
        &s,
        &edit,
        &[
            ("_csrf", &csrf),
            ("name", "Văn bản đi"),
            ("active", "1"),
            ("rows", "0"),
            ("signer_who", ""),
        ],
    )
    .await;
    assert_eq!(st, 422);
    assert!(page.contains("Luồng văn bản đi cần người ký"), "{page}");
    let (st, _, page) = post(
        &c,
        &s,
        &edit,
        &[
            ("_csrf", &csrf),
            ("name", "  "),
            ("rows", "0"),
            ("signer_who", "role"),
            ("signer_role", "leader"),
        ],
    )
    .await;
    assert_eq!(st, 422);
    assert!(
        page.contains(
            r#"id="name" name="name" value="  " required maxlength="200" aria-invalid="true""#
        ),
        "{page}"
    );
    assert_eq!(
        api_flow(&s, &token, outgoing).await["flow"]["current_version"],
        1
    );
    s.stop().await;
}

#[tokio::test]
async fn who_may_not_change_flows_gets_no_forms_and_a_403() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let admin = s.token("ubnd.ninhbinh.quantri", DEMO_PASSWORD).await;
    let (st, f) = s
        .send(
            "POST",
            &admin,
            &format!("/api/v1/units/{unit}/flows"),
            json!({"template_id": template_id(&s, "outgoing", true).await}),
        )
        .await;
    assert_eq!(st, 201, "{f}");
    let id = f["id"].as_i64().unwrap();

    // A specialist of the unit reads the flows, without any form.
    let (c, csrf) = sign_in(&s, "ubnd.ninhbinh.chuyenvien").await;
    let (st, page) = get(&c, &s, &format!("/units/{unit}")).await;
    assert_eq!(st, 200);
    assert!(page.contains(&format!(r#"href="/units/{unit}/flows""#)));
    assert!(page.contains("Đơn vị có 1 luồng xử lý."));
    let (st, page) = get(&c, &s, &format!("/units/{unit}/flows")).await;
    assert_eq!(st, 200, "{page}");
    assert!(page.contains(&format!(r#"href="/units/{unit}/flows/{id}""#)));
    assert!(page.contains("Luồng mẫu của hệ thống"));
    assert!(!page.contains("Sao chép vào đơn vị"));
    assert!(!page.contains("/flows/import"));
    assert!(!page.contains(r#"method="post" action="/units/"#));
    let (st, page) = get(&c, &s, &format!("/units/{unit}/flows/{id}")).await;
    assert_eq!(st, 200);
    assert!(page.contains("Thẩm định nội dung"));
    assert!(page.contains(&format!(r#"href="/units/{unit}/flows/{id}/export""#)));
    assert!(!page.contains("Sửa luồng") && !page.contains("/edit"));

    // Posting anyway: 403 for a copy, an edit (well formed or not) and an import; nothing changes.
    let template = template_id(&s, "incoming", false).await.to_string();
    let (st, _, page) = post(
        &c,
        &s,
        &format!("/units/{unit}/flows"),
        &[("_csrf", &csrf), ("template_id", &template)],
    )
    .await;
    assert_eq!(st, 403, "{page}");
    assert!(
        page.contains("Bạn không có quyền quản trị đơn vị này."),
        "{page}"
    );
    let (st, _, _) = post(&c, &s, &format!("/units/{unit}/flows"), &[("_csrf", &csrf)]).await;
    assert_eq!(
        st, 403,
        "a form without a template is refused as a copy would be"
    );
    for days in ["2", "x"] {
        let (st, _, page) = post(
            &c,
            &s,
            &format!("/units/{unit}/flows/{id}/edit"),
            &[
                ("_csrf", &csrf),
                ("name", "Luồng của chuyên viên"),
                ("active", "1"),
                ("rows", "1"),
                ("step1_name", "Tự duyệt"),
                ("step1_who", "role"),
                ("step1_role", "specialist"),
                ("step1_mode", "any"),
                ("step1_days", days),
                ("signer_who", "role"),
                ("signer_role", "specialist"),
            ],
        )
        .await;
        assert_eq!(st, 403, "{days}: {page}");
        assert!(page.contains("Bạn không có quyền quản trị đơn vị này."));
    }
    let (_, file) = s.get(&admin, &format!("/api/v1/flows/{id}/export")).await;
    let form = Form::new().text("_csrf", csrf.clone()).part(
        "file",
        Part::bytes(file.to_string().into_bytes()).file_name("luong.json"),
    );
    let (st, _, page) = post_multipart(&c, &s, &format!("/units/{unit}/flows/import"), form).await;
    assert_eq!(st, 403, "{page}");
    let form = Form::new()
        .text("_csrf", csrf.clone())
        .part("file", Part::bytes(Vec::new()).file_name(""));
    let (st, _, _) = post_multipart(&c, &s, &format!("/units/{unit}/flows/import"), form).await;
    assert_eq!(st, 403);
    let flows = api_unit_flows(&s, &admin, unit).await;
    assert_eq!(flows.len(), 1);
    assert_eq!(flows[0]["current_version"], 1);

    // Without the CSRF token even an administrator is refused.
    let (ac, acsrf) = sign_in(&s, "ubnd.ninhbinh.quantri").await;
    let (st, _, _) = post(
        &ac,
        &s,
        &format!("/units/{unit}/flows"),
        &[("template_id", &template)],
    )
    .await;
    assert_eq!(st, 403);
    let form = Form::new().part(
        "file",
        Part::bytes(file.to_string().into_bytes()).file_name("luong.json"),
    );
    let (st, _, _) = post_multipart(&ac, &s, &format!("/units/{unit}/flows/import"), form).await;
    assert_eq!(st, 403);
    assert_eq!(api_unit_flows(&s, &admin, unit).await.len(), 1);

    // The administrator of a unit below administers its flows, not those of the unit above; a person of
    // another unit does not see them at all.
    let snv = s.unit_id("ubnd.ninhbinh.snv").await;
    let (bc, bcsrf) = sign_in(&s, "ubnd.ninhbinh.snv.quantri").await;
    let (st, page) = get(&bc, &s, &format!("/units/{snv}/flows")).await;
    assert_eq!(st, 200);
    assert!(page.contains("Sao chép vào đơn vị"));
    let (st, _) = get(&bc, &s, &format!("/units/{unit}/flows")).await;
    assert_eq!(st, 403);
    let (st, _, _) = post(
        &bc,
        &s,
        &format!("/units/{unit}/flows"),
        &[("_csrf", &bcsrf), ("template_id", &template)],
    )
    .await;
    assert_eq!(st, 403);
    let (oc, _) = sign_in(&s, "ubnd.ninhbinh.snv.chuyenvien").await;
    let (st, page) = get(&oc, &s, &format!("/units/{unit}")).await;
    assert_eq!(st, 200);
    assert!(!page.contains(&format!(r#"href="/units/{unit}/flows""#)));
    let (st, _) = get(&oc, &s, &format!("/units/{unit}/flows/{id}")).await;
    assert_eq!(st, 404);
    // A flow is found only under its own unit.
    let (st, _) = get(&ac, &s, &format!("/units/{snv}/flows/{id}")).await;
    assert_eq!(st, 404);
    let (st, _, _) = post(
        &ac,
        &s,
        &format!("/units/{snv}/flows/{id}/edit"),
        &[("_csrf", &acsrf), ("name", "x"), ("rows", "0")],
    )
    .await;
    assert_eq!(st, 404);
    s.stop().await;
}

#[tokio::test]
async fn a_flow_exported_and_imported_through_the_pages_is_the_same_flow() {
    let s = TestServer::demo().await;
    let unit = s.unit_id("ubnd.ninhbinh").await;
    let (c, csrf) = sign_in(&s, "ubnd.ninhbinh.quantri").await;
    let token = s.token("ubnd.ninhbinh.quantri", DEMO_PASSWORD).await;
    let vp_spec = s.person_id("ubnd.ninhbinh.vp.chuyenvien").await;
    let vp_leader = s.person_id("ubnd.ninhbinh.vp.lanhdao").await;

    // A flow with a group step, edited through the form.
    let id = copy(&c, &s, &csrf, unit, template_id(&s, "outgoing", true).await).await;
    let (a, b) = (vp_spec.to_string(), vp_leader.to_string());
    let (st, _, page) = post(
        &c,
        &s,
        &format!("/units/{unit}/flows/{id}/edit"),
        &[
            ("_csrf", &csrf),
            ("name", "Văn bản đi qua Văn phòng"),
            ("active", "1"),
            ("rows", "3"),
            ("step1_name", "Thẩm định nội dung"),
            ("step1_who", "below"),
            ("step1_role", "leader"),
            ("step1_mode", "any"),
            ("step1_days", "2"),
            ("step2_name", "Văn phòng rà soát"),
            ("step2_who", "group"),
            ("step2_role", "leader"),
            ("step2_group", &a),
            ("step2_group", &b),
            ("step2_mode", "all"),
            ("step2_days", "1"),
            ("step3_name", ""),
            ("signer_who", "role"),
            ("signer_role", "leader"),
        ],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let (_, page) = get(&c, &s, &format!("/units/{unit}/flows/{id}")).await;
    let names = format!(
        "Nhóm: {}, {}",
        full_name(&s, "ubnd.ninhbinh.vp.chuyenvien").await,
        full_name(&s, "ubnd.ninhbinh.vp.lanhdao").await
    );
    assert!(page.contains(&names), "{page}");
    // The group's people are ticked in the form.
    let group = part(&page, r#"name="step2_group""#, "</details>");
    assert!(
        group.contains(&format!(r#"value="{a}" checked"#)),
        "{group}"
    );

    // The export: a vanthu-flow file to download.
    let r = c
        .get(s.url(&format!("/units/{unit}/flows/{id}/export")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "application/json");
    assert_eq!(
        r.headers()[CONTENT_DISPOSITION],
        format!("attachment; filename=\"luong-outgoing-{id}.json\"").as_str()
    );
    let file = r.bytes().await.unwrap().to_vec();
    let v: Value = serde_json::from_slice(&file).unwrap();
    assert_eq!(v["format"], "vanthu-flow");
    assert_eq!(v["format_version"], 1);
    assert_eq!(v["kind"], "outgoing");
    assert_eq!(v["name"], "Văn bản đi qua Văn phòng");
    assert_eq!(
        v["definition"]["steps"][1]["assignee"]["group"],
        json!([vp_spec, vp_leader])
    );

    // Imported with the list page's form: a new flow of the unit, equal to the original.
    let form = Form::new().text("_csrf", csrf.clone()).part(
        "file",
        Part::bytes(file.clone())
            .file_name("luong.json")
            .mime_str("application/json")
            .unwrap(),
    );
    let (st, to, page) = post_multipart(&c, &s, &format!("/units/{unit}/flows/import"), form).await;
    assert_eq!(st, 303, "{page}");
    let prefix = format!("/units/{unit}/flows/");
    assert!(
        to.starts_with(&prefix) && to.ends_with("?notice=created"),
        "{to}"
    );
    let copy_id: i64 = to[prefix.len()..to.len() - "?notice=created".len()]
        .parse()
        .unwrap();
    assert_ne!(copy_id, id);
    let (st, page) = get(&c, &s, &to).await;
    assert_eq!(st, 200);
    assert!(page.contains("Văn bản đi qua Văn phòng") && page.contains(&names));
    let original = api_flow(&s, &token, id).await["flow"].clone();
    let imported = api_flow(&s, &token, copy_id).await["flow"].clone();
    for k in ["kind", "name", "definition", "active", "unit_id"] {
        assert_eq!(imported[k], original[k], "{k}");
    }
    assert_eq!(imported["current_version"], 1);
    let r = c
        .get(s.url(&format!("/units/{unit}/flows/{copy_id}/export")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.bytes().await.unwrap().to_vec(),
        file,
        "the same file again"
    );
    // The newer flow of the kind is the one in force now.
    let (_, page) = get(&c, &s, &format!("/units/{unit}/flows")).await;
    assert!(part(&page, &format!(r#"<tr id="luong-{copy_id}""#), "</tr>").contains("Đang áp dụng"));
    assert!(!part(&page, &format!(r#"<tr id="luong-{id}""#), "</tr>").contains("Đang áp dụng"));

    // Files that are not flows are refused with a message, and nothing is created.
    let import = format!("/units/{unit}/flows/import");
    for (bytes, message) in [
        (Vec::new(), "Chưa chọn tệp luồng để nhập, hoặc tệp rỗng."),
        (b"not json".to_vec(), "Tệp luồng không đọc được"),
        (
            br#"{"format":"khac","format_version":1,"kind":"outgoing","name":"x","definition":{}}"#
                .to_vec(),
            "Không phải tệp luồng vanthu phiên bản 1",
        ),
        (
            serde_json::to_vec(&json!({"format":"vanthu-flow","format_version":1,"kind":"incoming","name":"Đến","definition":{"signer":{"role":"leader"}}})).unwrap(),
            "Luồng văn bản đến không có bước duyệt hay người ký",
        ),
    ] {
        let form = Form::new()
            .text("_csrf", csrf.clone())
            .part("file", Part::bytes(bytes).file_name("luong.json"));
        let (st, _, page) = post_multipart(&c, &s, &import, form).await;
        assert_eq!(st, 422, "{message}: {page}");
        let section = part(&page, r#"id="import""#, "</section>");
        assert!(section.contains(r#"class="msg err""#) && section.contains(message), "{section}");
    }
    assert_eq!(api_unit_flows(&s, &token, unit).await.len(), 2);

    // Into a sibling unit the file does not go: it names the Văn phòng's people, who do not work there.
    let snv = s.unit_id("ubnd.ninhbinh.snv").await;
    let (sc, scsrf) = sign_in(&s, "admin").await;
    let form = Form::new()
        .text("_csrf", scsrf)
        .part("file", Part::bytes(file).file_name("luong.json"));
    let (st, _, page) = post_multipart(&sc, &s, &format!("/units/{snv}/flows/import"), form).await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("không phải người đang làm việc"), "{page}");
    let other = api_unit_flows(&s, &s.token("admin", DEMO_PASSWORD).await, snv).await;
    assert!(other.is_empty());
    s.stop().await;
}
