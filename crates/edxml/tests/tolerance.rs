//! What the reader tolerates (and reports), what it refuses, and packages built in code.

mod common;

use common::*;
use time::macros::{date, datetime};
use vanthu_edxml::*;

const NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";

fn golden_text() -> String {
    String::from_utf8(sample(GOLDEN_EDOC)).unwrap()
}

fn golden_model() -> Edoc {
    read_edoc(&sample(GOLDEN_EDOC)).unwrap().value
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from} not in the text");
    text.replacen(from, to, 1)
}

#[test]
fn prefixes_do_not_matter_namespaces_do() {
    let golden = golden_model();
    // Another prefix for the same namespace.
    let other = golden_text()
        .replace("edXML:", "q:")
        .replace("xmlns:edXML=", "xmlns:q=");
    assert_eq!(read_edoc(other.as_bytes()).unwrap().value, golden);
    // No prefix at all: everything in the default namespace.
    let bare = golden_text()
        .replace(&format!(" xmlns:edXML=\"{NS}\""), "")
        .replace("edXML:", "");
    let d = read_edoc(bare.as_bytes()).unwrap();
    assert_eq!(d.value, golden);
    assert!(d.problems.is_empty(), "{:#?}", d.problems);
    // The usual prefix bound to another namespace: the envelope is not an edXML element.
    let wrong = golden_text().replacen(
        &format!("<edXML:edXMLEnvelope xmlns:edXML=\"{NS}\">"),
        "<edXML:edXMLEnvelope xmlns:edXML=\"urn:khac\">",
        1,
    );
    assert_eq!(
        read_edoc(wrong.as_bytes()),
        Err(ReadError::MissingElement("edXMLEnvelope"))
    );
}

#[test]
fn element_order_does_not_matter() {
    let text = golden_text();
    let subject = "        <edXML:Subject>V/v thử nghiệm liên thông văn bản</edXML:Subject>\r\n";
    let moved = replace_once(&text, subject, "");
    let moved = replace_once(
        &moved,
        "        <edXML:From>\r\n",
        &format!("{subject}        <edXML:From>\r\n"),
    );
    // Attachment children reversed in part, TraceHeader before Bussiness.
    let moved = replace_once(
        &moved,
        "      <ContentId>1</ContentId>\r\n      <AttachmentName>van-ban-thu-nghiem.pdf</AttachmentName>\r\n",
        "      <AttachmentName>van-ban-thu-nghiem.pdf</AttachmentName>\r\n      <ContentId>1</ContentId>\r\n",
    );
    let trace = "        <edXML:TraceHeader>\r\n          <edXML:OrganId>000.00.00.G22</edXML:OrganId>\r\n          <edXML:Timestamp>2026/11/22 14:53:17</edXML:Timestamp>\r\n        </edXML:TraceHeader>\r\n";
    let moved = replace_once(&moved, trace, "");
    let moved = replace_once(
        &moved,
        "        <edXML:Bussiness>\r\n",
        &format!("{trace}        <edXML:Bussiness>\r\n"),
    );
    assert_ne!(moved, text);
    let d = read_edoc(moved.as_bytes()).unwrap();
    assert_eq!(d.value, golden_model());
    assert!(d.problems.is_empty(), "{:#?}", d.problems);
}

#[test]
fn unknown_elements_are_skipped_with_a_warning() {
    let text = replace_once(
        &golden_text(),
        "<edXML:Priority>1</edXML:Priority>",
        "<edXML:Priority>1</edXML:Priority><edXML:Secret>1</edXML:Secret><x:Extra xmlns:x=\"urn:x\">y</x:Extra>",
    );
    let d = read_edoc(text.as_bytes()).unwrap();
    assert_eq!(d.value, golden_model());
    assert!(d.is_clean());
    let paths: Vec<&str> = d.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "MessageHeader/OtherInfo/Secret",
            "MessageHeader/OtherInfo/Extra"
        ]
    );
    assert!(
        d.problems
            .iter()
            .all(|p| p.kind == ProblemKind::Structure && p.severity == Severity::Warning)
    );
    assert!(d.problems[1].message.contains("urn:x"));
}

#[test]
fn missing_optional_and_required_elements() {
    let text = golden_text();
    let no_optional = replace_once(
        &text,
        "        <edXML:DueDate>2024/06/20</edXML:DueDate>\r\n",
        "",
    );
    let no_optional = replace_once(
        &no_optional,
        "        <edXML:Content>Nội dung tóm tắt: thử nghiệm liên thông văn bản</edXML:Content>\r\n",
        "",
    );
    let d = read_edoc(no_optional.as_bytes()).unwrap();
    assert!(d.problems.is_empty(), "{:#?}", d.problems);
    assert_eq!(d.value.header.due_date, None);
    assert_eq!(d.value.header.content, None);

    let no_subject = replace_once(
        &text,
        "<edXML:Subject>V/v thử nghiệm liên thông văn bản</edXML:Subject>",
        "<edXML:Subject>   </edXML:Subject>",
    );
    let no_from = replace_once(
        &no_subject,
        "<edXML:OrganId>000.00.00.H41</edXML:OrganId>",
        "",
    );
    let d = read_edoc(no_from.as_bytes()).unwrap();
    assert_eq!(d.value.header.subject, "");
    let missing: Vec<&str> = d
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Missing)
        .map(|p| p.path.as_str())
        .collect();
    assert_eq!(
        missing,
        ["MessageHeader/To[1]/OrganId", "MessageHeader/Subject"]
    );
    assert!(
        d.problems
            .iter()
            .any(|p| p.message == "Thiếu trích yếu (Subject).")
    );
}

#[test]
fn bad_dates_and_codes_are_kept_and_reported() {
    let text = replace_once(
        &golden_text(),
        "<edXML:PromulgationDate>2024/05/20</edXML:PromulgationDate>",
        "<edXML:PromulgationDate>20/05/2024</edXML:PromulgationDate>",
    );
    let text = replace_once(
        &text,
        "<edXML:Priority>1</edXML:Priority>",
        "<edXML:Priority>khẩn</edXML:Priority>",
    );
    let text = replace_once(
        &text,
        "<edXML:PageAmount>1</edXML:PageAmount>",
        "<edXML:PageAmount>một</edXML:PageAmount>",
    );
    let text = replace_once(
        &text,
        "<edXML:Timestamp>2026/11/22 14:53:17</edXML:Timestamp>",
        "<edXML:Timestamp>hôm qua</edXML:Timestamp>",
    );
    let d = read_edoc(text.as_bytes()).unwrap();
    let h = &d.value.header;
    assert_eq!(h.promulgation.date.as_str(), "20/05/2024");
    assert_eq!(h.promulgation.date.date(), None);
    assert_eq!(h.other_info.priority, Priority::Other("khẩn".into()));
    let kinds: Vec<(&str, ProblemKind, Severity)> = d
        .problems
        .iter()
        .map(|p| (p.path.as_str(), p.kind, p.severity))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "MessageHeader/PromulgationInfo/PromulgationDate",
                ProblemKind::BadDate,
                Severity::Error
            ),
            (
                "MessageHeader/OtherInfo/Priority",
                ProblemKind::UnknownCode,
                Severity::Warning
            ),
            (
                "MessageHeader/OtherInfo/PageAmount",
                ProblemKind::BadNumber,
                Severity::Error
            ),
            (
                "TraceHeaderList/TraceHeader[1]/Timestamp",
                ProblemKind::BadTimestamp,
                Severity::Error
            ),
        ]
    );
    assert!(d.problems[0].message.contains("yyyy/MM/dd"));
    // Written back as received.
    let again = write_edoc(&d.value).unwrap();
    assert_eq!(read_edoc(&again).unwrap().value, d.value);
    assert!(
        String::from_utf8(again)
            .unwrap()
            .contains("<edXML:Priority>khẩn</edXML:Priority>")
    );
}

fn status_for(code: StatusCode) -> Status {
    Status {
        from: Some(Organization {
            organ_name: Some("UBND tỉnh Nghệ An".into()),
            ..Organization::new("000.00.00.H41")
        }),
        to: Vec::new(),
        response_for: ResponseFor {
            organ_id: "000.00.00.G22".into(),
            code: "123/VPCP-TTĐT".into(),
            promulgation_date: EdDate::new(date!(2024 - 05 - 20)),
            document_id: "000.00.00.G22,2024/05/20,123/VPCP-TTĐT".into(),
        },
        staff: None,
        description: Some(format!("Trạng thái {}", code.code())),
        status_code: code,
        timestamp: EdTimestamp::new(datetime!(2026-11-22 15:00:00)),
    }
}

#[test]
fn every_status_code_is_written_and_read() {
    for code in StatusCode::KNOWN {
        let s = status_for(code.clone());
        let bytes = write_status(&s);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains(&format!(
            "<edXML:StatusCode>{}</edXML:StatusCode>",
            code.code()
        )));
        let d = read_status(&bytes).unwrap();
        assert_eq!(d.value, s);
        assert!(d.problems.is_empty(), "{code}: {:#?}", d.problems);
    }
    // An unknown code is kept, written back, and reported.
    let s = status_for(StatusCode::parse("07"));
    let d = read_status(&write_status(&s)).unwrap();
    assert_eq!(d.value.status_code, StatusCode::Other("07".into()));
    assert_eq!(d.problems.len(), 1);
    assert_eq!(d.problems[0].kind, ProblemKind::UnknownCode);
    assert!(d.problems[0].message.contains("\"07\""));
}

#[test]
fn status_in_a_status_element_and_day_first_timestamp() {
    // The form of standards.md §4.1 (a Status element, day-first timestamp).
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}"><edXML:edXMLEnvelope xmlns:edXML="{NS}"><edXML:edXMLHeader><edXML:Status>
  <edXML:ResponseFor><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:Code>7816/VPCP-TTĐT</edXML:Code>
    <edXML:PromulgationDate>2015/09/30</edXML:PromulgationDate>
    <edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId></edXML:ResponseFor>
  <edXML:From><edXML:OrganId>000.00.00.H41</edXML:OrganId><edXML:OrganName>UBND Tỉnh Nghệ An</edXML:OrganName></edXML:From>
  <edXML:StatusCode>1</edXML:StatusCode>
  <edXML:Description>Văn thư: Đã đến</edXML:Description>
  <edXML:Timestamp>26/09/2018 10:12:10</edXML:Timestamp>
</edXML:Status></edXML:edXMLHeader></edXML:edXMLEnvelope></edXML>"#
    );
    let d = read_status(xml.as_bytes()).unwrap();
    assert!(d.problems.is_empty(), "{:#?}", d.problems);
    assert_eq!(d.value.status_code, StatusCode::Arrived);
    assert_eq!(
        d.value.timestamp.datetime(),
        Some(datetime!(2018-09-26 10:12:10))
    );
    assert_eq!(d.value.response_for.code, "7816/VPCP-TTĐT");
}

#[test]
fn author_is_read_as_signer() {
    let text = replace_once(
        &golden_text(),
        "<edXML:SignerInfo>\r\n          <edXML:Competence>KT. BỘ TRƯỞNG</edXML:Competence>\r\n          <edXML:Position>Thứ trưởng</edXML:Position>",
        "<edXML:Author>\r\n          <edXML:Competence>KT. BỘ TRƯỞNG</edXML:Competence>\r\n          <edXML:Function>Thứ trưởng</edXML:Function>",
    );
    let text = replace_once(&text, "</edXML:SignerInfo>", "</edXML:Author>");
    assert_eq!(read_edoc(text.as_bytes()).unwrap().value, golden_model());
}

#[test]
fn bom_and_stray_leading_characters() {
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend(sample(GOLDEN_EDOC));
    let d = read_edoc(&with_bom).unwrap();
    assert!(d.problems.is_empty());
    // The original VPCP sample had "1212" before the declaration: read, reported as an error.
    let mut stray = b"1212".to_vec();
    stray.extend(sample(GOLDEN_EDOC));
    let d = read_edoc(&stray).unwrap();
    assert_eq!(d.value, golden_model());
    assert_eq!(d.problems.len(), 1);
    assert_eq!(d.problems[0].severity, Severity::Error);
    assert!(d.problems[0].message.contains("\"1212\""));
}

fn attachment(name: &str, content_type: &str, data: &[u8]) -> Attachment {
    Attachment {
        content_id: "1".into(),
        name: name.into(),
        description: Some(format!("Tệp {name}")),
        content_type: content_type.into(),
        data: data.to_vec(),
    }
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

#[test]
fn non_pdf_files_go_zipped_and_come_back_unzipped() {
    let mut e = golden_model();
    let body: Vec<u8> = (0..5000u32).flat_map(|i| i.to_le_bytes()).collect();
    e.attachments = vec![
        attachment("Phụ lục.docx", DOCX, &body),
        Attachment {
            content_id: "2".into(),
            ..attachment("to-trinh.pdf", "application/pdf", b"%PDF-1.7 ...")
        },
    ];
    let bytes = write_edoc(&e).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains("<AttachmentName>Phụ lục.docx</AttachmentName>\r\n      <Description>Tệp Phụ lục.docx</Description>\r\n      <ContentType>application/zip</ContentType>\r\n      <edXML:ContentTransferEncoded xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">UEsDB"));
    assert!(text.contains("<ContentType>application/pdf</ContentType>"));
    let d = read_edoc(&bytes).unwrap();
    assert!(d.problems.is_empty(), "{:#?}", d.problems);
    assert_eq!(d.value, e);
    // Writing is deterministic.
    assert_eq!(write_edoc(&e).unwrap(), bytes);
}

fn with_attachment(content_type: &str, name: &str, payload_b64: &str) -> String {
    let text = golden_text();
    let start = text
        .find("<ContentType>application/pdf</ContentType>")
        .unwrap();
    let enc_start = text[start..].find("\">").unwrap() + start + 2;
    let enc_end = text.find("</edXML:ContentTransferEncoded>").unwrap();
    let mut t = format!("{}{}{}", &text[..enc_start], payload_b64, &text[enc_end..]);
    t = t.replacen(
        "<ContentType>application/pdf</ContentType>",
        &format!("<ContentType>{content_type}</ContentType>"),
        1,
    );
    t.replace("van-ban-thu-nghiem.pdf", name)
}

fn b64(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn attachments_as_other_senders_write_them() {
    // Base64 wrapped at 76 columns.
    let pdf = b"%PDF-1.4 a longer body so that the base64 wraps over several lines of seventy-six characters";
    let wrapped: String = b64(pdf)
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n");
    let d = read_edoc(with_attachment("application/pdf", "a.pdf", &wrapped).as_bytes()).unwrap();
    assert!(d.problems.is_empty(), "{:#?}", d.problems);
    assert_eq!(d.value.attachments[0].data, pdf);

    // The SDK wrapping, whatever the entry is called (the VPCP sample's entry is a UUID ".edxml").
    let z = zip_of(&[("32da2890-1a55-4ccd-9ac9-cd0d98559e67.edxml", b"noi dung")]);
    let d = read_edoc(with_attachment("application/zip", "cv.doc", &b64(&z)).as_bytes()).unwrap();
    assert!(d.problems.is_empty(), "{:#?}", d.problems);
    assert_eq!(d.value.attachments[0].data, b"noi dung");
    assert_eq!(d.value.attachments[0].content_type, "application/msword");

    // A real .zip file with two entries, sent as it is: kept whole, no complaint.
    let z2 = zip_of(&[("a.txt", b"a"), ("b.txt", b"b")]);
    let d =
        read_edoc(with_attachment("application/zip", "ho-so.zip", &b64(&z2)).as_bytes()).unwrap();
    assert!(d.problems.is_empty(), "{:#?}", d.problems);
    assert_eq!(d.value.attachments[0].data, z2);

    // Declared application/zip but a PDF inside: kept, reported (the official reader refuses it).
    let d = read_edoc(with_attachment("application/zip", "x.pdf", &b64(b"%PDF-1.4 x")).as_bytes())
        .unwrap();
    assert_eq!(d.value.attachments[0].data, b"%PDF-1.4 x");
    assert_eq!(d.value.attachments[0].content_type, "application/pdf");
    assert_eq!(d.problems.len(), 1);
    assert_eq!(d.problems[0].kind, ProblemKind::Attachment);
    assert_eq!(
        d.problems[0].path,
        "AttachmentEncoded/Attachment[1]/ContentType"
    );

    // A broken ZIP and broken base64.
    let mut broken = z.clone();
    broken.truncate(z.len() / 2);
    let d =
        read_edoc(with_attachment("application/zip", "cv.doc", &b64(&broken)).as_bytes()).unwrap();
    assert_eq!(d.problems.len(), 1, "{:#?}", d.problems);
    assert!(
        d.problems[0]
            .message
            .starts_with("Không giải nén được tệp \"cv.doc\"")
    );
    let d = read_edoc(with_attachment("application/pdf", "a.pdf", "@@@@").as_bytes()).unwrap();
    assert!(
        d.problems
            .iter()
            .any(|p| p.message.contains("không phải base64 hợp lệ"))
    );
}

#[test]
fn manifest_and_attachments_must_match() {
    let text = replace_once(
        &golden_text(),
        "<ContentId>1</ContentId>",
        "<ContentId>2</ContentId>",
    );
    let d = read_edoc(text.as_bytes()).unwrap();
    let paths: Vec<&str> = d.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "edXMLBody/edXMLManifest/Reference[1]",
            "AttachmentEncoded/Attachment[1]"
        ]
    );
    // "cid:" on one side only is the same file.
    let text = replace_once(
        &golden_text(),
        "<ContentId>1</ContentId>",
        "<ContentId>cid:1</ContentId>",
    );
    assert!(read_edoc(text.as_bytes()).unwrap().problems.is_empty());
}

fn base_edoc() -> Edoc {
    let mut e = golden_model();
    e.trace.trace_headers[0].timestamp = EdTimestamp::new(datetime!(2026-12-01 08:00:00));
    e
}

#[test]
fn revoke_update_replace_packages() {
    let original = ResponseFor {
        organ_id: "000.00.00.G22".into(),
        code: "123/VPCP-TTĐT".into(),
        promulgation_date: EdDate::new(date!(2024 - 05 - 20)),
        document_id: "000.00.00.G22,2024/05/20,123/VPCP-TTĐT".into(),
    };

    let mut revoke = base_edoc();
    revoke.header.response_for = vec![original.clone()];
    let b = revoke.trace.business.as_mut().unwrap();
    b.doc_type = BusinessDocType::Revoke;
    b.reason = Some("Thu hồi văn bản điện tử".into());

    let mut update = base_edoc();
    let b = update.trace.business.as_mut().unwrap();
    b.doc_type = BusinessDocType::Update;
    b.document_id = Some(original.document_id.clone());
    b.document_info = Some(BusinessDocumentInfo {
        document_info: Some("1".into()),
        document_receiver: Some("1".into()),
        receivers: vec![
            Receiver {
                organ_id: "000.00.00.H14".into(),
                receiver_type: ReceiverType::Added,
            },
            Receiver {
                organ_id: "000.00.00.H41".into(),
                receiver_type: ReceiverType::Removed,
            },
        ],
    });

    let mut replace = base_edoc();
    let b = replace.trace.business.as_mut().unwrap();
    b.doc_type = BusinessDocType::Replace;
    b.replacements = vec![ReplacementInfo {
        document_id: original.document_id.clone(),
        organ_ids: vec!["000.00.00.H41".into(), "000.00.04.G14".into()],
    }];

    for e in [revoke, update, replace] {
        assert!(e.validate().is_empty(), "{:#?}", e.validate());
        let bytes = write_edoc(&e).unwrap();
        let d = read_edoc(&bytes).unwrap();
        assert!(d.problems.is_empty(), "{:#?}", d.problems);
        assert_eq!(d.value, e);
    }

    // A replace package without the replaced documents is reported.
    let mut bad = base_edoc();
    bad.trace.business.as_mut().unwrap().doc_type = BusinessDocType::Replace;
    let problems = bad.validate();
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].path,
        "TraceHeaderList/Bussiness/ReplacementInfoList"
    );
}

#[test]
fn validate_options_accept_registered_system_ids() {
    let mut e = golden_model();
    e.header.from.as_mut().unwrap().organ_id = "vxp.saas.03".into();
    assert_eq!(e.validate().len(), 1);
    assert_eq!(e.validate()[0].kind, ProblemKind::BadAgencyCode);
    let options = ValidateOptions {
        extra_agency_codes: vec!["vxp.saas.03".into()],
    };
    assert!(e.validate_with(&options).is_empty());
}

#[test]
fn text_is_escaped_and_normalised() {
    let mut e = golden_model();
    e.header.subject = "V/v A & B <khẩn>".into();
    // Decomposed (NFD) input is written, and read, in NFC.
    e.header.content = Some("Hoa\u{300} Vang".into());
    let bytes = write_edoc(&e).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains("<edXML:Subject>V/v A &amp; B &lt;khẩn&gt;</edXML:Subject>"));
    let back = read_edoc(&bytes).unwrap().value;
    assert_eq!(back.header.subject, "V/v A & B <khẩn>");
    assert_eq!(back.header.content.as_deref(), Some("Hoà Vang"));
}
