//! Loading and exporting the organisation (CSV and XLSX) through the real server.

mod common;

use common::{DEMO_PASSWORD, TestServer};
use serde_json::{Value, json};
use vanthu_server::App;
use vanthu_server::io::Format;
use vanthu_store::testkit::TestDb;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const UNIT_HEADER: &str = "Mã nội bộ,Mã định danh,Dạng mã,Mã cũ,Tên đơn vị,Tên viết tắt,Loại,Khối,Mã nội bộ đơn vị cấp trên,Hiệu lực từ,Hiệu lực đến,Hoạt động";
const PEOPLE_HEADER: &str = "Tên đăng nhập,Họ và tên,Thư điện tử,Điện thoại,Mức đọc tài liệu mật,Quản trị hệ thống,Mã nội bộ đơn vị,Chức vụ,Vai trò,Đơn vị chính";

/// Posts a file to `/api/v1/import/{what}`, checking that the answer is never cached.
async fn import(
    s: &TestServer,
    token: &str,
    what: &str,
    body: Vec<u8>,
    content_type: Option<&str>,
    dry_run: bool,
) -> (u16, Value) {
    import_query(
        s,
        token,
        what,
        body,
        content_type,
        &format!("dry_run={dry_run}"),
    )
    .await
}

/// Posts a file to `/api/v1/import/{what}?{query}`, checking that the answer is never cached.
async fn import_query(
    s: &TestServer,
    token: &str,
    what: &str,
    body: Vec<u8>,
    content_type: Option<&str>,
    query: &str,
) -> (u16, Value) {
    let mut req = s
        .client()
        .post(s.url(&format!("/api/v1/import/{what}?{query}")))
        .bearer_auth(token)
        .body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    assert_eq!(
        r.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "import answers are not cached ({status})"
    );
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A workbook with text cells at the given places (0-based row and column).
fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, c, v) in cells {
        ws.write_string(*r, *c, *v).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in data {
        crc ^= *b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A ZIP archive of stored (uncompressed) files.
fn zip_stored(files: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, body) in files {
        let (name, body) = (name.as_bytes(), body.as_bytes());
        let offset = out.len() as u32;
        let crc = crc32(body);
        let size = body.len() as u32;
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, method, time, date
        out.extend(crc.to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend((name.len() as u16).to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(name);
        out.extend(body);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // made by, needed, flags, method, time, date
        central.extend(crc.to_le_bytes());
        central.extend(size.to_le_bytes());
        central.extend(size.to_le_bytes());
        central.extend((name.len() as u16).to_le_bytes());
        central.extend([0; 12]); // extra, comment, disk, internal and external attributes
        central.extend(offset.to_le_bytes());
        central.extend(name);
    }
    let (cd_offset, cd_size) = (out.len() as u32, central.len() as u32);
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0, 0, 0, 0]);
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((files.len() as u16).to_le_bytes());
    out.extend(cd_size.to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// The 2 KB workbook of the review: inline strings at `A1` and `XFD1048576`, and a dimension to match.
fn inline_string_bomb() -> Vec<u8> {
    const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DOC: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let root = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
    );
    let workbook = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
    );
    let rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
    );
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Mã nội bộ</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#
    );
    zip_stored(&[
        ("_rels/.rels", &root),
        ("xl/workbook.xml", &workbook),
        ("xl/_rels/workbook.xml.rels", &rels),
        ("xl/worksheets/sheet1.xml", &sheet),
    ])
}

/// Downloads `/api/v1/export/{what}?format=…`, checking the download headers.
async fn export(s: &TestServer, token: &str, what: &str, format: &str) -> Vec<u8> {
    let r = s
        .client()
        .get(s.url(&format!("/api/v1/export/{what}?format={format}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "export {what} {format}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    let cd = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    match format {
        "csv" => assert!(ct.starts_with("text/csv"), "{ct}"),
        _ => assert_eq!(ct, XLSX),
    }
    assert!(
        cd.starts_with("attachment; filename=\"") && cd.ends_with(&format!(".{format}\"")),
        "{cd}"
    );
    r.bytes().await.unwrap().to_vec()
}

fn counts(r: &Value) -> (u64, u64, u64, usize) {
    (
        r["created"].as_u64().unwrap(),
        r["updated"].as_u64().unwrap(),
        r["unchanged"].as_u64().unwrap(),
        r["rejected"].as_array().unwrap().len(),
    )
}

/// The rejected row with this number, or a panic showing the report.
fn rejected(r: &Value, row: u64) -> (String, String) {
    let x = r["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["row"] == row)
        .unwrap_or_else(|| panic!("row {row} not rejected: {r:#}"));
    (
        x["key"].as_str().unwrap().to_string(),
        x["reason"].as_str().unwrap().to_string(),
    )
}

async fn unit_count(s: &TestServer) -> usize {
    s.app
        .store
        .read()
        .await
        .unwrap()
        .units(true)
        .await
        .unwrap()
        .len()
}

async fn people_count(s: &TestServer) -> i64 {
    s.app
        .store
        .read()
        .await
        .unwrap()
        .count_people(&vanthu_store::PeopleFilter {
            include_inactive: true,
            ..Default::default()
        })
        .await
        .unwrap()
}

async fn parent_key(s: &TestServer, key: &str) -> Option<String> {
    let mut r = s.app.store.read().await.unwrap();
    let u = r.unit_by_key(key).await.unwrap()?;
    let p = u.parent_id?;
    Some(r.unit(p).await.unwrap().unwrap().key)
}

async fn unit_exists(s: &TestServer, key: &str) -> bool {
    let mut r = s.app.store.read().await.unwrap();
    r.unit_by_key(key).await.unwrap().is_some()
}

#[tokio::test]
async fn exported_files_import_back_unchanged() {
    for s in TestServer::demo_all().await {
        let admin = s.token("admin", DEMO_PASSWORD).await;
        let units = unit_count(&s).await as u64;
        let people = people_count(&s).await as u64;
        for format in ["csv", "xlsx"] {
            let ufile = export(&s, &admin, "units", format).await;
            let pfile = export(&s, &admin, "people", format).await;
            if format == "csv" {
                let text = String::from_utf8(ufile.clone()).unwrap();
                assert!(text.starts_with('\u{feff}'), "CSV starts with a BOM");
                assert_eq!(text[3..].lines().next().unwrap(), UNIT_HEADER);
                assert_eq!(text.lines().count() as u64, units + 1);
                let text = String::from_utf8(pfile.clone()).unwrap();
                assert_eq!(text[3..].lines().next().unwrap(), PEOPLE_HEADER);
                assert!(text.contains("tu.ninhbinh.quantri,"), "{text}");
                assert!(!text.contains("$argon2"), "no password hashes in exports");
            } else {
                assert!(ufile.starts_with(b"PK\x03\x04"));
                assert_eq!(Format::detect(&pfile), Format::Xlsx);
            }
            // The content type is optional: the workbook is recognised by its contents.
            let ct = (format == "csv").then_some("text/csv");
            let (st, r) = import(&s, &admin, "units", ufile, ct, false).await;
            assert_eq!(st, 200, "{r}");
            assert_eq!(counts(&r), (0, 0, units, 0), "{} units: {r:#}", s.backend);
            let (st, r) = import(&s, &admin, "people", pfile, ct, false).await;
            assert_eq!(st, 200, "{r}");
            assert_eq!(counts(&r), (0, 0, people, 0), "{} people: {r:#}", s.backend);
            assert!(r["generated_passwords"].as_array().unwrap().is_empty());
        }
        s.stop().await;
    }
}

#[tokio::test]
async fn unit_admin_exports_and_imports_only_their_subtree() {
    for s in TestServer::demo_all().await {
        let t = s.token("tu.ninhbinh.quantri", DEMO_PASSWORD).await;
        let ufile = export(&s, &t, "units", "csv").await;
        let text = String::from_utf8(ufile.clone()).unwrap();
        let keys: Vec<&str> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap())
            .collect();
        assert!(keys.contains(&"tu.ninhbinh") && keys.contains(&"tu.ninhbinh.vp.th"));
        assert!(
            keys.iter().all(|k| k.starts_with("tu.ninhbinh")),
            "{keys:?}"
        );
        let (st, r) = import(&s, &t, "units", ufile, Some("text/csv"), false).await;
        assert_eq!(st, 200);
        assert_eq!(counts(&r), (0, 0, keys.len() as u64, 0), "{r:#}");

        let pfile = export(&s, &t, "people", "xlsx").await;
        let (st, r) = import(&s, &t, "people", pfile, Some(XLSX), false).await;
        assert_eq!(st, 200);
        let (c, u, n, rej) = counts(&r);
        assert_eq!((c, u, rej), (0, 0, 0), "{r:#}");
        assert!(n >= 30, "{r:#}");

        // Accounts elsewhere are out of reach: a row for one is refused with the permission message.
        let file = format!(
            "{PEOPLE_HEADER}\nvptw.lanhdao,Người Khác,,,Không,Không,vptw,Chánh Văn phòng,Lãnh đạo,Có\n"
        );
        let (st, r) = import(&s, &t, "people", file.into_bytes(), None, false).await;
        assert_eq!(st, 200);
        let (key, reason) = rejected(&r, 2);
        assert_eq!(key, "vptw.lanhdao");
        assert!(reason.contains("không có quyền"), "{reason}");

        // Someone who administers nothing can neither import nor export.
        let clerk = s.token("tu.ninhbinh.vanthu", DEMO_PASSWORD).await;
        let (st, r) = import(
            &s,
            &clerk,
            "units",
            UNIT_HEADER.as_bytes().to_vec(),
            None,
            false,
        )
        .await;
        assert_eq!((st, r["error"].as_str()), (403, Some("forbidden")));
        let (st, _) = s.get(&clerk, "/api/v1/export/people?format=csv").await;
        assert_eq!(st, 403);
        s.stop().await;
    }
}

#[tokio::test]
async fn bad_rows_are_reported_and_good_rows_land() {
    for s in TestServer::demo_all().await {
        let t = s.token("tu.ninhbinh.quantri", DEMO_PASSWORD).await;
        let before = unit_count(&s).await;
        // Semicolons, headers without diacritics, and only some of the columns.
        let file = "\u{feff}ma noi bo;ten don vi;LOAI;Khoi;ma dinh danh;Ma noi bo don vi cap tren\n\
            tu.ninhbinh.vp.moi;Phòng Lưu trữ;Phòng, ban;Đảng;;tu.ninhbinh.vp\n\
            tu.ninhbinh.sai;Đơn vị sai mã;co quan;dang;28.22.H17;tu.ninhbinh\n\
            tu.ninhbinh.mocoi;Đơn vị mồ côi;Phòng, ban;Đảng;;khong.ton.tai\n\
            tu.ninhbinh.trung;Trùng một;Phòng, ban;Đảng;;tu.ninhbinh\n\
            tu.ninhbinh.trung;Trùng hai;Phòng, ban;Đảng;;tu.ninhbinh\n\
            vptw;Văn phòng Trung ương Đảng (sửa);Cơ quan;Đảng;000.00.00.D01;\n\
            tu.ninhbinh.sai.con;Con của đơn vị sai;Phòng, ban;Đảng;;tu.ninhbinh.sai\n\
            tu.ninhbinh.sau.con;Phòng con ghi trước;Phòng, ban;Đảng;;tu.ninhbinh.sau\n\
            tu.ninhbinh.sau;Ban ghi sau;Cơ quan;Đảng;005.00.10.D40;tu.ninhbinh\n\
            tu.ninhbinh.vp.hctv;Phòng Hành chính - Tài vụ;Phòng, ban;Đảng;;tu.ninhbinh.btc\n";
        let (st, r) = import(&s, &t, "units", file.as_bytes().to_vec(), None, false).await;
        assert_eq!(st, 200, "{r}");
        // Created: vp.moi, sau.con, sau; updated: the move of vp.hctv.
        assert_eq!(counts(&r), (3, 1, 0, 6), "{} {r:#}", s.backend);
        let (key, reason) = rejected(&r, 3);
        assert_eq!(key, "tu.ninhbinh.sai");
        assert!(
            reason.contains("28.22.H17") && reason.contains("NNN.NN.NN.LNN"),
            "{reason}"
        );
        let (_, reason) = rejected(&r, 4);
        assert!(reason.contains("khong.ton.tai"), "{reason}");
        for row in [5, 6] {
            let (key, reason) = rejected(&r, row);
            assert_eq!(key, "tu.ninhbinh.trung");
            assert!(
                reason.contains("nhiều lần") && reason.contains("5, 6"),
                "{reason}"
            );
        }
        let (key, reason) = rejected(&r, 7);
        assert_eq!(key, "vptw");
        assert_eq!(reason, "Bạn không có quyền quản trị đơn vị này.");
        let (_, reason) = rejected(&r, 8);
        assert!(
            reason.contains("tu.ninhbinh.sai") && reason.contains("dòng 3"),
            "{reason}"
        );
        assert_eq!(r["rejected"][0]["row"], 3, "rejected rows in file order");

        assert_eq!(unit_count(&s).await, before + 3);
        assert_eq!(
            parent_key(&s, "tu.ninhbinh.vp.moi").await.as_deref(),
            Some("tu.ninhbinh.vp")
        );
        assert_eq!(
            parent_key(&s, "tu.ninhbinh.sau.con").await.as_deref(),
            Some("tu.ninhbinh.sau")
        );
        assert_eq!(
            parent_key(&s, "tu.ninhbinh.vp.hctv").await.as_deref(),
            Some("tu.ninhbinh.btc")
        );
        for k in [
            "tu.ninhbinh.sai",
            "tu.ninhbinh.mocoi",
            "tu.ninhbinh.trung",
            "tu.ninhbinh.sai.con",
        ] {
            assert!(!unit_exists(&s, k).await, "{k}");
        }
        let vptw = s
            .app
            .store
            .read()
            .await
            .unwrap()
            .unit_by_key("vptw")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(vptw.name, "Văn phòng Trung ương Đảng");
        // The created unit kept the stored defaults of the columns the file does not have.
        let u = s
            .app
            .store
            .read()
            .await
            .unwrap()
            .unit_by_key("tu.ninhbinh.sau")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(u.code.as_deref(), Some("005.00.10.D40"));
        assert!(u.active);

        // People: a bad role, a unit outside the subtree, rows of one person that disagree; good rows land.
        let file = format!(
            "{PEOPLE_HEADER}\n\
             tnb.moi,Nguyễn Văn Mới,moi@ninhbinh.dcs.vn,0912 345 678,Mật,Không,tu.ninhbinh.vp.moi,Chuyên viên,Chuyên viên; văn thư,Có\n\
             tnb.sai,Trần Thị Sai,,,Không,Không,tu.ninhbinh.vp,Chuyên viên,king,Có\n\
             tnb.ngoai,Lê Văn Ngoài,,,Không,Không,vptw,Chuyên viên,Chuyên viên,Có\n\
             tnb.hai,Phạm Văn Hai,,,Không,Không,tu.ninhbinh.vp,Chuyên viên,Chuyên viên,Có\n\
             tnb.hai,Phạm Văn Khác,,,Không,Không,tu.ninhbinh.btc,Chuyên viên,Chuyên viên,Không\n\
             tnb.moi,Nguyễn Văn Mới,moi@ninhbinh.dcs.vn,0912 345 678,Mật,Không,tu.ninhbinh.btc,Ủy viên,leader,Không\n\
             tnb.admin,Hoàng Văn Quyền,,,Không,Có,tu.ninhbinh.vp,Chuyên viên,Chuyên viên,Có\n"
        );
        let (st, r) = import(&s, &t, "people", file.into_bytes(), Some("text/csv"), false).await;
        assert_eq!(st, 200, "{r}");
        assert_eq!(counts(&r), (1, 0, 0, 5), "{r:#}");
        let (key, reason) = rejected(&r, 3);
        assert_eq!(key, "tnb.sai");
        assert!(
            reason.contains("Vai trò") && reason.contains("king"),
            "{reason}"
        );
        let (_, reason) = rejected(&r, 4);
        assert!(
            reason.contains("không có quyền quản trị đơn vị"),
            "{reason}"
        );
        let (_, reason) = rejected(&r, 6);
        assert!(
            reason.contains("Họ và tên") && reason.contains("dòng 5"),
            "{reason}"
        );
        let (_, reason) = rejected(&r, 5);
        assert!(reason.contains("dòng 6"), "{reason}");
        let (_, reason) = rejected(&r, 8);
        assert!(reason.contains("quản trị hệ thống"), "{reason}");
        let gp = r["generated_passwords"].as_array().unwrap();
        assert_eq!(gp.len(), 1);
        assert_eq!(gp[0]["username"], "tnb.moi");
        let pw = gp[0]["password"].as_str().unwrap();
        assert!(vanthu_domain::org::check_password(pw).is_ok(), "{pw}");

        let id = s.person_id("tnb.moi").await;
        let (st, p) = s.get(&t, &format!("/api/v1/people/{id}")).await;
        assert_eq!(st, 200);
        let ms = p["memberships"].as_array().unwrap();
        assert_eq!(ms.len(), 2, "{p:#}");
        assert_eq!(p["email"], "moi@ninhbinh.dcs.vn");
        // The generated password signs in, and must be changed.
        let r = s
            .client()
            .post(s.url("/api/v1/auth/login"))
            .json(&json!({"username": "tnb.moi", "password": pw}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["must_change_password"], true);
        s.stop().await;
    }
}

#[tokio::test]
async fn dry_run_and_refused_files_write_nothing() {
    for s in TestServer::demo_all().await {
        let admin = s.token("admin", DEMO_PASSWORD).await;
        let units = unit_count(&s).await;
        let people = people_count(&s).await;
        let events = s
            .app
            .store
            .read()
            .await
            .unwrap()
            .recent_events(100_000)
            .await
            .unwrap()
            .len();

        let file = format!(
            "{UNIT_HEADER}\nthu.nghiem,,,,Đơn vị thử,,Cơ quan,Nhà nước,,,,Có\nvptw.th,,,,Vụ Tổng hợp (mới),TH,Phòng ban,Đảng,vptw,2025-07-01,,Có\n"
        );
        let (st, r) = import(&s, &admin, "units", file.into_bytes(), None, true).await;
        assert_eq!(st, 200);
        assert_eq!(r["dry_run"], true);
        assert_eq!(counts(&r), (1, 1, 0, 0), "{r:#}");
        assert!(!unit_exists(&s, "thu.nghiem").await);
        let th = s
            .app
            .store
            .read()
            .await
            .unwrap()
            .unit_by_key("vptw.th")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(th.name, "Vụ Tổng hợp");

        let file = format!(
            "{PEOPLE_HEADER},Mật khẩu\nthu.nghiem,Người Thử,,,,,vptw,,,,\nthu.nghiem2,Người Thử Hai,,,,,vptw,,,,Abc@12345\n"
        );
        let (st, r) = import(&s, &admin, "people", file.into_bytes(), None, true).await;
        assert_eq!(st, 200);
        assert_eq!(counts(&r), (2, 0, 0, 0), "{r:#}");
        assert_eq!(
            r["generated_passwords"],
            json!([{"username": "thu.nghiem", "password": ""}])
        );

        // Files that cannot be read are refused as a whole.
        let mut latin1 = format!("{UNIT_HEADER}\nthu.nghiem,,,,").into_bytes();
        latin1.extend(b"\xd0\xe1n v\xec th\xf6,,C\xf4 quan,\xd0\xe1ng,,,,\n");
        let (st, r) = import(&s, &admin, "units", latin1, Some("text/csv"), false).await;
        assert_eq!((st, r["error"].as_str()), (400, Some("bad_request")), "{r}");
        assert!(r["message"].as_str().unwrap().contains("UTF-8"), "{r}");
        let (st, r) = import(
            &s,
            &admin,
            "units",
            b"\x00\x01garbage\xff".to_vec(),
            Some(XLSX),
            false,
        )
        .await;
        assert_eq!((st, r["error"].as_str()), (400, Some("bad_request")), "{r}");
        assert!(r["message"].as_str().unwrap().contains("xlsx"), "{r}");
        let (st, r) = import(
            &s,
            &admin,
            "people",
            b"PK\x03\x04\x14\x00garbage".to_vec(),
            None,
            false,
        )
        .await;
        assert_eq!(st, 400, "{r}");
        let (st, r) = import(&s, &admin, "units", b"".to_vec(), None, false).await;
        assert_eq!(st, 400, "{r}");
        let file =
            format!("{UNIT_HEADER},Ghi chú\nthu.nghiem,,,,Đơn vị thử,,Cơ quan,Nhà nước,,,,Có,x\n");
        let (st, r) = import(&s, &admin, "units", file.into_bytes(), None, false).await;
        assert_eq!((st, r["error"].as_str()), (422, Some("invalid")), "{r}");
        assert!(r["message"].as_str().unwrap().contains("Ghi chú"), "{r}");
        let (st, r) = import(
            &s,
            &admin,
            "units",
            "Mã nội bộ,Loại\nx,Cơ quan\n".as_bytes().to_vec(),
            None,
            false,
        )
        .await;
        assert_eq!(st, 422, "{r}");
        assert!(r["message"].as_str().unwrap().contains("Tên đơn vị"), "{r}");
        let (st, _) = s.get(&admin, "/api/v1/export/units?format=pdf").await;
        assert_eq!(st, 400);

        assert_eq!(unit_count(&s).await, units);
        assert_eq!(people_count(&s).await, people);
        let after = s
            .app
            .store
            .read()
            .await
            .unwrap()
            .recent_events(100_000)
            .await
            .unwrap()
            .len();
        assert_eq!(after, events, "no history event either");
        s.stop().await;
    }
}

/// Exports the demo organisation and loads it into an empty installation from the command-line identity:
/// the same tree, the same people, and the same files when exported again.
#[tokio::test]
async fn export_loads_into_an_empty_installation() {
    let demo = TestServer::demo().await;
    let admin = demo.token("admin", DEMO_PASSWORD).await;
    // An inactive unit travels too.
    let vptw = demo.unit_id("vptw").await;
    let (st, u) = demo
        .send("POST", &admin, "/api/v1/units", json!({"key": "vptw.lt", "name": "Kho lưu trữ cũ", "kind": "department", "side": "party", "parent_id": vptw}))
        .await;
    assert_eq!(st, 201, "{u}");
    let (st, _) = demo
        .send(
            "POST",
            &admin,
            &format!("/api/v1/units/{}/deactivate", u["id"]),
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let units_xlsx = export(&demo, &admin, "units", "xlsx").await;
    let units_csv = export(&demo, &admin, "units", "csv").await;
    let people_csv = export(&demo, &admin, "people", "csv").await;

    for db in TestDb::all().await {
        let fresh = TestServer::start_on(db, false).await;
        let actor = App::installation_actor();
        let r = fresh
            .app
            .import_units(&actor, Format::Xlsx, &units_xlsx, false)
            .await
            .unwrap();
        assert_eq!(
            (r.created, r.updated, r.unchanged),
            (unit_count(&demo).await, 0, 0),
            "{r:#?}"
        );
        assert!(r.rejected.is_empty(), "{r:#?}");
        let again = fresh.app.export_units(&actor, Format::Csv).await.unwrap();
        assert_eq!(
            String::from_utf8(again).unwrap(),
            String::from_utf8(units_csv.clone()).unwrap()
        );
        let lt = fresh
            .app
            .store
            .read()
            .await
            .unwrap()
            .unit_by_key("vptw.lt")
            .await
            .unwrap()
            .unwrap();
        assert!(!lt.active);

        let r = fresh
            .app
            .import_people(&actor, Format::Csv, &people_csv, false)
            .await
            .unwrap();
        assert!(r.rejected.is_empty(), "{r:#?}");
        assert_eq!(r.created as i64, people_count(&demo).await);
        assert_eq!(r.generated_passwords.len(), r.created);
        let again = fresh.app.export_people(&actor, Format::Csv).await.unwrap();
        assert_eq!(
            String::from_utf8(again).unwrap(),
            String::from_utf8(people_csv.clone()).unwrap()
        );
        // A generated password works on the new installation.
        let g = r
            .generated_passwords
            .iter()
            .find(|g| g.username == "admin")
            .unwrap();
        let r = fresh
            .client()
            .post(fresh.url("/api/v1/auth/login"))
            .json(&json!({"username": "admin", "password": g.password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["must_change_password"], true);
        fresh.stop().await;
    }
    demo.stop().await;
}

#[tokio::test]
async fn active_column_stops_and_restarts_units_and_people_rows_replace_memberships() {
    let s = TestServer::demo().await;
    let admin = s.token("admin", DEMO_PASSWORD).await;
    let file = format!(
        "{UNIT_HEADER}\n\
         vptw.lt,,,,Kho lưu trữ,,Phòng ban,Đảng,vptw,,,Không\n\
         tu.ninhbinh.vp,000.00.01.D40,Trục liên thông,,Văn phòng Tỉnh ủy Ninh Bình,VPTU,Cơ quan,Đảng,tu.ninhbinh,2025-07-01,,Không\n"
    );
    let (st, r) = import(&s, &admin, "units", file.into_bytes(), None, false).await;
    assert_eq!(st, 200);
    assert_eq!(counts(&r), (1, 0, 0, 1), "{r:#}");
    let (_, reason) = rejected(&r, 3);
    assert!(reason.contains("cấp dưới đang hoạt động"), "{reason}");
    let mut rd = s.app.store.read().await.unwrap();
    assert!(!rd.unit_by_key("vptw.lt").await.unwrap().unwrap().active);
    assert!(
        rd.unit_by_key("tu.ninhbinh.vp")
            .await
            .unwrap()
            .unwrap()
            .active
    );
    drop(rd);
    let file = format!("{UNIT_HEADER}\nvptw.lt,,,,Kho lưu trữ,,Phòng ban,Đảng,vptw,,,Có\n");
    let (_, r) = import(&s, &admin, "units", file.into_bytes(), None, false).await;
    assert_eq!(counts(&r), (0, 1, 0, 0), "{r:#}");
    let id = s.unit_id("vptw.lt").await;
    let (_, h) = s.get(&admin, &format!("/api/v1/units/{id}/history")).await;
    let actions: Vec<&str> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"unit.deactivate") && actions.contains(&"unit.activate"),
        "{h:#}"
    );

    // The rows of a person are all their memberships: one row moves them to another unit.
    let file = format!(
        "{PEOPLE_HEADER}\nvptw.chuyenvien,Nguyễn Văn Chuyên,,,Không,Không,vptw.th,Chuyên viên chính,Chuyên viên,Có\n"
    );
    let (_, r) = import(&s, &admin, "people", file.into_bytes(), None, false).await;
    assert_eq!(counts(&r), (0, 1, 0, 0), "{r:#}");
    let id = s.person_id("vptw.chuyenvien").await;
    let (_, p) = s.get(&admin, &format!("/api/v1/people/{id}")).await;
    assert_eq!(p["full_name"], "Nguyễn Văn Chuyên");
    let ms = p["memberships"].as_array().unwrap();
    assert_eq!(ms.len(), 1, "{p:#}");
    assert_eq!(ms[0]["unit_id"], s.unit_id("vptw.th").await);
    assert_eq!(ms[0]["position"], "Chuyên viên chính");

    // The endpoints are documented.
    let (_, doc) = s.get(&admin, "/api/v1/openapi.json").await;
    for p in [
        "/api/v1/import/units",
        "/api/v1/import/people",
        "/api/v1/export/units",
        "/api/v1/export/people",
    ] {
        assert!(
            doc["paths"][p].is_object(),
            "{p} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["ImportReport"].is_object());
    s.stop().await;
}

/// A tiny workbook that names the last cell of a sheet is refused with a 400, and the server keeps
/// answering; so are sheets too wide or too tall.
#[tokio::test]
async fn sparse_workbooks_are_refused_and_the_server_keeps_answering() {
    for s in TestServer::demo_all().await {
        let admin = s.token("admin", DEMO_PASSWORD).await;
        let units = unit_count(&s).await;
        let people = people_count(&s).await;
        let bomb = inline_string_bomb();
        assert!(bomb.len() < 2048, "{} bytes", bomb.len());
        let files = [
            (bomb, "XFD1048576"),
            (
                workbook(&[(0, 0, "Mã nội bộ"), (1_048_575, 16_383, "x")]),
                "XFD1048576",
            ),
            (workbook(&[(0, 0, "Mã nội bộ"), (3, 200, "x")]), "GS4"),
            (
                workbook(&[(0, 0, "Mã nội bộ"), (1_000_000, 0, "x")]),
                "100 000",
            ),
        ];
        for (file, names) in files {
            for what in ["units", "people"] {
                for ct in [Some(XLSX), None] {
                    let (st, r) = import(&s, &admin, what, file.clone(), ct, false).await;
                    assert_eq!((st, r["error"].as_str()), (400, Some("bad_request")), "{r}");
                    let m = r["message"].as_str().unwrap();
                    assert!(m.contains(names), "{m}");
                }
            }
            // Still answering.
            let (st, _) = s.get(&admin, "/api/v1/units").await;
            assert_eq!(st, 200);
        }
        // The same file read by the library call.
        let e = s
            .app
            .import_units(
                &App::installation_actor(),
                Format::Xlsx,
                &inline_string_bomb(),
                false,
            )
            .await
            .unwrap_err();
        assert!(matches!(e, vanthu_server::AppError::BadRequest(_)), "{e}");
        let ufile = export(&s, &admin, "units", "xlsx").await;
        let (st, r) = import(&s, &admin, "units", ufile, None, true).await;
        assert_eq!(st, 200, "{r}");
        assert_eq!(unit_count(&s).await, units);
        assert_eq!(people_count(&s).await, people);
        s.stop().await;
    }
}

/// `strict=true`: one transaction, rolled back when any row is rejected.
#[tokio::test]
async fn strict_imports_save_everything_or_nothing() {
    for s in TestServer::demo_all().await {
        let admin = s.token("admin", DEMO_PASSWORD).await;
        let units = unit_count(&s).await;
        let people = people_count(&s).await;
        let file = format!(
            "{UNIT_HEADER}\nvptw.moi,,,,Phòng Mới,,Phòng ban,Đảng,vptw,,,Có\nvptw.sai,28.22.H17,,,Phòng Sai,,Phòng ban,Đảng,vptw,,,Có\n"
        );
        let (st, r) = import_query(
            &s,
            &admin,
            "units",
            file.clone().into_bytes(),
            None,
            "strict=true",
        )
        .await;
        assert_eq!(st, 200, "{r}");
        assert_eq!(
            (r["refused"].as_bool(), r["dry_run"].as_bool()),
            (Some(true), Some(false)),
            "{r:#}"
        );
        assert_eq!(counts(&r), (1, 0, 0, 1), "{r:#}");
        assert!(!unit_exists(&s, "vptw.moi").await);
        assert_eq!(unit_count(&s).await, units);

        let pfile = format!(
            "{PEOPLE_HEADER}\nvptw.moi1,Người Mới,,,,,vptw,,,\nvptw.moi2,Người Sai,,,,,khong.co,,,\n"
        );
        let (st, r) = import_query(
            &s,
            &admin,
            "people",
            pfile.into_bytes(),
            None,
            "strict=true&dry_run=false",
        )
        .await;
        assert_eq!(st, 200, "{r}");
        assert_eq!(r["refused"], true, "{r:#}");
        assert_eq!(counts(&r), (1, 0, 0, 1), "{r:#}");
        // The account was not created: no password is handed out.
        assert_eq!(
            r["generated_passwords"],
            json!([{"username": "vptw.moi1", "password": ""}])
        );
        assert_eq!(people_count(&s).await, people);

        // Without rejected rows a strict import saves.
        let file = format!("{UNIT_HEADER}\nvptw.moi,,,,Phòng Mới,,Phòng ban,Đảng,vptw,,,Có\n");
        let (st, r) =
            import_query(&s, &admin, "units", file.into_bytes(), None, "strict=true").await;
        assert_eq!(st, 200, "{r}");
        assert_eq!(
            (r["refused"].as_bool(), counts(&r)),
            (Some(false), (1, 0, 0, 0)),
            "{r:#}"
        );
        assert!(unit_exists(&s, "vptw.moi").await);
        s.stop().await;
    }
}

/// An account is planned and checked before anything of it is written: a refused row leaves the stored
/// account as it was, and accounts are only counted once they pass.
#[tokio::test]
async fn refused_accounts_are_left_untouched() {
    let s = TestServer::demo().await;
    let t = s.token("tu.ninhbinh.quantri", DEMO_PASSWORD).await;
    let id = s.person_id("tu.ninhbinh.vanthu").await;
    let (_, before) = s.get(&t, &format!("/api/v1/people/{id}")).await;
    // A new name, and a membership in a unit outside the administrator's subtree.
    let file = format!(
        "{PEOPLE_HEADER}\ntu.ninhbinh.vanthu,Tên Mới Hoàn Toàn,,,,,tu.ninhbinh.vp,Văn thư,Văn thư,Có\ntu.ninhbinh.vanthu,Tên Mới Hoàn Toàn,,,,,vptw,Văn thư,Văn thư,Không\n"
    );
    let (st, r) = import(&s, &t, "people", file.into_bytes(), None, false).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(counts(&r), (0, 0, 0, 2), "{r:#}");
    let (_, reason) = rejected(&r, 3);
    assert!(reason.contains("không có quyền"), "{reason}");
    let (_, after) = s.get(&t, &format!("/api/v1/people/{id}")).await;
    assert_eq!(after["full_name"], before["full_name"]);
    assert_eq!(after["memberships"], before["memberships"]);

    // A unit administrator cannot create an account in no unit, whatever the columns of the file.
    let (st, r) = import(
        &s,
        &t,
        "people",
        "Tên đăng nhập,Họ và tên\ntnb.khong.don.vi,Không Đơn Vị\n"
            .as_bytes()
            .to_vec(),
        None,
        false,
    )
    .await;
    assert_eq!(st, 200, "{r}");
    let (_, reason) = rejected(&r, 2);
    assert!(reason.contains("ít nhất một đơn vị"), "{reason}");
    s.stop().await;
}

/// A file creates at most `MAX_NEW_ACCOUNTS` accounts; a bigger one is refused before any password is
/// hashed, and nothing is saved.
#[tokio::test]
async fn new_accounts_per_file_are_capped() {
    let s = TestServer::demo().await;
    let admin = s.token("admin", DEMO_PASSWORD).await;
    let people = people_count(&s).await;
    let mut file = String::from("Tên đăng nhập,Họ và tên,Mã nội bộ đơn vị\n");
    for i in 0..=vanthu_server::io::MAX_NEW_ACCOUNTS {
        file.push_str(&format!("moi.{i},Người Mới,vptw\n"));
    }
    let started = std::time::Instant::now();
    let (st, r) = import(&s, &admin, "people", file.into_bytes(), None, false).await;
    assert_eq!((st, r["error"].as_str()), (400, Some("bad_request")), "{r}");
    assert!(r["message"].as_str().unwrap().contains("5 000"), "{r}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "no password hashed: {:?}",
        started.elapsed()
    );
    assert_eq!(people_count(&s).await, people);
    s.stop().await;
}

/// A unit administrator's own unit is in their exports and imports back unchanged, but only their
/// superiors change it: renaming or stopping it by file is refused like in the API.
#[tokio::test]
async fn unit_admins_cannot_change_their_own_unit_by_file() {
    let s = TestServer::demo().await;
    let t = s.token("tu.ninhbinh.quantri", DEMO_PASSWORD).await;
    let file = String::from_utf8(export(&s, &t, "units", "csv").await).unwrap();
    let own = file
        .lines()
        .find(|l| l.starts_with("tu.ninhbinh,"))
        .unwrap()
        .to_string();
    let renamed = own.replacen("Tỉnh ủy", "Tỉnh ủy (sửa)", 1);
    assert_ne!(renamed, own);
    let stopped = format!("{},Không", own.rsplit_once(',').unwrap().0);
    for row in [renamed, stopped] {
        let (st, r) = import(
            &s,
            &t,
            "units",
            format!("{UNIT_HEADER}\n{row}\n").into_bytes(),
            None,
            false,
        )
        .await;
        assert_eq!(st, 200, "{r}");
        let (_, reason) = rejected(&r, 2);
        assert!(reason.contains("không có quyền thay đổi"), "{reason}");
    }
    let u = s
        .app
        .store
        .read()
        .await
        .unwrap()
        .unit_by_key("tu.ninhbinh")
        .await
        .unwrap()
        .unwrap();
    assert!(u.active && !u.name.contains("(sửa)"), "{u:?}");
    s.stop().await;
}
