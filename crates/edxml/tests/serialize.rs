//! The JSON form of the model (serde): code lists as `{code, name}`, dates as `{raw, iso}`, attachments without
//! their bytes, problems with snake-case kinds. Reading and writing are not affected.

mod common;

use common::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use vanthu_edxml::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn golden_edoc_as_json() {
    let d = read(&sample(GOLDEN_EDOC)).unwrap();
    let Packet::Edoc(edoc) = &d.value else {
        panic!("not an edoc")
    };
    let v = serde_json::to_value(&d.value).unwrap();
    assert_eq!(v["kind"], "edoc");
    let p = &v["package"];
    let h = &p["header"];
    assert_eq!(h["from"]["organ_id"], "000.00.00.G22");
    assert_eq!(h["to"][0]["organ_id"], "000.00.00.H41");
    assert_eq!(h["code"], json!({"number": "123", "notation": "VPCP-TTĐT"}));
    assert_eq!(
        h["promulgation"]["date"],
        json!({"raw": "2024/05/20", "iso": "2024-05-20"})
    );
    assert_eq!(
        h["other_info"]["priority"],
        json!({"code": "1", "name": "Khẩn"})
    );
    assert_eq!(
        h["steering_type"],
        json!({"code": "1", "name": "Không phải chỉ đạo"})
    );
    assert_eq!(
        p["trace"]["trace_headers"][0]["timestamp"],
        json!({"raw": "2026/11/22 14:53:17", "iso": "2026-11-22T14:53:17"})
    );
    assert_eq!(p["signature"], Value::Null);

    let a = &edoc.attachments[0];
    assert!(!a.data.is_empty());
    assert_eq!(
        p["attachments"][0],
        json!({
            "content_id": "1",
            "name": "van-ban-thu-nghiem.pdf",
            "description": "Tệp đính kèm thử nghiệm",
            "content_type": "application/pdf",
            "size": a.data.len(),
            "sha256": hex(&Sha256::digest(&a.data)),
        })
    );
    assert_eq!(serde_json::to_value(&d).unwrap()["problems"], json!([]));
}

#[test]
fn golden_status_as_json() {
    let v = serde_json::to_value(read(&sample(GOLDEN_STATUS)).unwrap().value).unwrap();
    assert_eq!(v["kind"], "status");
    assert_eq!(
        v["package"]["status_code"],
        json!({"code": "03", "name": "Đã tiếp nhận"})
    );
    assert_eq!(v["package"]["response_for"]["code"], "123/VPCP-TTĐT");
}

#[test]
fn unknown_codes_bad_dates_and_problems() {
    assert_eq!(
        serde_json::to_value(StatusCode::parse("07")).unwrap(),
        json!({"code": "07", "name": null})
    );
    assert_eq!(
        serde_json::to_value(EdDate::from_text("2014/02/30")).unwrap(),
        json!({"raw": "2014/02/30", "iso": null})
    );
    assert_eq!(
        serde_json::to_value(EdTimestamp::from_text("26/09/2018 10:12:10")).unwrap(),
        json!({"raw": "26/09/2018 10:12:10", "iso": "2018-09-26T10:12:10"})
    );
    let d = read(&sample(VPCP_SAMPLE)).unwrap();
    let problems = serde_json::to_value(&d.problems).unwrap();
    assert!(
        problems
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["path"] == "MessageHeader/To[1]/OrganId"
                && p["kind"] == "bad_agency_code"
                && p["severity"] == "error"
                && p["message"].as_str().is_some_and(|m| !m.is_empty())),
        "{problems:#}"
    );
}
