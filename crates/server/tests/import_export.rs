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

/// Posts a file to `/api/v1/import/{what}`.
async fn import(
    s: &TestServer,
    token: &str,
    what: &str,
    body: Vec<u8>,
    content_type: Option<&str>,
    dry_run: bool,
) -> (u16, Value) {
    let mut req = s
        .client()
        .post(s.url(&format!("/api/v1/import/{what}?dry_run={dry_run}")))
        .bearer_auth(token)
        .body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
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
        let t = fresh.token("admin", &g.password).await;
        let (st, _) = fresh.get(&t, "/api/v1/export/units?format=xlsx").await;
        assert_eq!(st, 200);
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
