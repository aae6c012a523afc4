//! The three samples of shared/edxml: concrete values read, problems reported, and the writer checked against the
//! two golden samples written by the official library.

mod common;

use common::*;
use time::macros::{date, datetime};
use vanthu_edxml::*;

#[test]
fn golden_edoc_values() {
    let d = read_edoc(&sample(GOLDEN_EDOC)).expect("golden edoc reads");
    assert!(d.problems.is_empty(), "{:#?}", d.problems);
    let e = d.value;
    let h = &e.header;

    let from = h.from.as_ref().expect("From");
    assert_eq!(from.organ_id, "000.00.00.G22");
    assert_eq!(from.organ_name.as_deref(), Some("Văn phòng Chính phủ"));
    assert_eq!(
        from.organization_in_charge.as_deref(),
        Some("Văn phòng Chính phủ")
    );
    assert_eq!(
        from.organ_add.as_deref(),
        Some("Số 1 Hoàng Hoa Thám, Ba Đình, Hà Nội")
    );
    assert_eq!(from.email.as_deref(), Some("vpcp@gov.vn"));
    assert_eq!(from.telephone.as_deref(), Some("0248043100"));
    assert_eq!(from.fax.as_deref(), Some("0248043101"));
    assert_eq!(from.website.as_deref(), Some("vpcp.gov.vn"));

    assert_eq!(h.to.len(), 1);
    assert_eq!(h.to[0].organ_id, "000.00.00.H41");
    assert_eq!(h.to[0].organ_name.as_deref(), Some("UBND tỉnh Nghệ An"));
    assert_eq!(
        h.to[0].organ_add.as_deref(),
        Some("Số 03 Trường Thi, TP Vinh, Nghệ An")
    );

    assert_eq!(h.document_id, "000.00.00.G22,2024/05/20,123/VPCP-TTĐT");
    assert_eq!(h.code.number, "123");
    assert_eq!(h.code.notation, "VPCP-TTĐT");
    assert_eq!(h.code.display(), "123/VPCP-TTĐT");
    assert_eq!(h.promulgation.place, "Hà Nội");
    assert_eq!(h.promulgation.date.date(), Some(date!(2024 - 05 - 20)));
    assert_eq!(h.document_type.type_code, "1");
    assert_eq!(h.document_type.type_detail.as_deref(), Some("0"));
    assert_eq!(h.document_type.type_name.as_deref(), Some("Công văn"));
    assert_eq!(h.subject, "V/v thử nghiệm liên thông văn bản");
    assert_eq!(
        h.content.as_deref(),
        Some("Nội dung tóm tắt: thử nghiệm liên thông văn bản")
    );
    let signer = h.signer.as_ref().expect("SignerInfo");
    assert_eq!(signer.competence.as_deref(), Some("KT. BỘ TRƯỞNG"));
    assert_eq!(signer.position.as_deref(), Some("Thứ trưởng"));
    assert_eq!(signer.full_name.as_deref(), Some("Nguyễn Văn A"));
    assert_eq!(
        h.due_date.as_ref().and_then(EdDate::date),
        Some(date!(2024 - 06 - 20))
    );

    let o = &h.other_info;
    assert_eq!(o.priority, Priority::Urgent);
    assert_eq!(o.priority.name_vi(), Some("Khẩn"));
    assert_eq!(
        o.sphere_of_promulgation.as_deref(),
        Some("Liên thông văn bản quốc gia")
    );
    assert_eq!(o.typer_notation.as_deref(), Some("TVC"));
    assert_eq!(o.promulgation_amount.as_deref(), Some("1"));
    assert_eq!(o.page_amount.as_deref(), Some("1"));
    assert_eq!(o.direction.as_deref(), Some("false"));
    assert_eq!(o.appendixes, ["Phụ lục thử nghiệm"]);
    assert_eq!(h.steering_type, Some(SteeringType::NotSteering));
    assert_eq!(h.to_places, ["Như trên", "Lưu: VT"]);
    assert!(h.response_for.is_empty());

    let b = e.trace.business.as_ref().expect("Bussiness");
    assert_eq!(b.doc_type, BusinessDocType::New);
    assert_eq!(b.reason.as_deref(), Some("Văn bản điện tử mới"));
    assert_eq!(b.paper.as_deref(), Some("0"));
    assert_eq!(b.document_id, None);
    let staff = b.staff.as_ref().expect("StaffInfo");
    assert_eq!(staff.department.as_deref(), Some("Văn thư"));
    assert_eq!(staff.staff.as_deref(), Some("Nguyễn Thị B"));
    assert_eq!(staff.email.as_deref(), Some("vanthu@example.gov.vn"));
    assert_eq!(staff.mobile.as_deref(), Some("0900000000"));
    assert_eq!(e.trace.trace_headers.len(), 1);
    assert_eq!(e.trace.trace_headers[0].organ_id, "000.00.00.G22");
    assert_eq!(
        e.trace.trace_headers[0].timestamp.datetime(),
        Some(datetime!(2026-11-22 14:53:17))
    );

    assert_eq!(e.attachments.len(), 1);
    let a = &e.attachments[0];
    assert_eq!(a.content_id, "1");
    assert_eq!(a.name, "van-ban-thu-nghiem.pdf");
    assert_eq!(a.description.as_deref(), Some("Tệp đính kèm thử nghiệm"));
    // Sent raw although the manifest says application/zip.
    assert_eq!(a.content_type, "application/pdf");
    assert!(
        a.data.starts_with(b"%PDF-1.4"),
        "{:?}",
        &a.data[..16.min(a.data.len())]
    );
    assert!(a.data.windows(5).any(|w| w == b"%%EOF"));
    assert_eq!(e.signature, None);
}

#[test]
fn golden_status_values() {
    let d = read_status(&sample(GOLDEN_STATUS)).expect("golden status reads");
    assert!(d.problems.is_empty(), "{:#?}", d.problems);
    let s = d.value;
    let from = s.from.as_ref().expect("From");
    assert_eq!(from.organ_id, "000.00.00.H41");
    assert_eq!(from.organ_name.as_deref(), Some("UBND tỉnh Nghệ An"));
    assert_eq!(from.website.as_deref(), Some("nghean.gov.vn"));
    assert!(s.to.is_empty());
    assert_eq!(s.response_for.organ_id, "000.00.00.G22");
    assert_eq!(s.response_for.code, "123/VPCP-TTĐT");
    assert_eq!(
        s.response_for.document_id,
        "000.00.00.G22,2024/05/20,123/VPCP-TTĐT"
    );
    assert_eq!(
        s.response_for.promulgation_date.date(),
        Some(date!(2024 - 05 - 20))
    );
    let staff = s.staff.as_ref().expect("StaffInfo");
    assert_eq!(staff.department.as_deref(), Some("Văn thư văn phòng"));
    assert_eq!(staff.staff.as_deref(), Some("Nguyễn Thị C"));
    assert_eq!(staff.email.as_deref(), Some("vanthu@nghean.gov.vn"));
    assert_eq!(staff.mobile.as_deref(), Some("0900000001"));
    assert_eq!(s.status_code, StatusCode::Accepted);
    assert_eq!(s.status_code.name_vi(), Some("Đã tiếp nhận"));
    assert_eq!(
        s.description.as_deref(),
        Some("Đã tiếp nhận - vào sổ văn bản đến")
    );
    assert_eq!(s.timestamp.datetime(), Some(datetime!(2026-11-22 14:53:18)));

    // `read` tells the two kinds apart.
    assert!(matches!(
        read(&sample(GOLDEN_STATUS)).unwrap().value,
        Packet::Status(_)
    ));
    assert!(matches!(
        read(&sample(GOLDEN_EDOC)).unwrap().value,
        Packet::Edoc(_)
    ));
    assert_eq!(read_edoc(&sample(GOLDEN_STATUS)), Err(ReadError::NotEdoc));
    assert_eq!(read_status(&sample(GOLDEN_EDOC)), Err(ReadError::NotStatus));
}

#[test]
fn vpcp_sample_values_and_problems() {
    let d = read_edoc(&sample(VPCP_SAMPLE)).expect("VPCP sample reads despite its faults");
    let e = &d.value;
    let h = &e.header;
    assert_eq!(
        h.from.as_ref().map(|f| f.organ_id.as_str()),
        Some("002.00.20.H13")
    );
    assert_eq!(
        h.from.as_ref().and_then(|f| f.organ_name.as_deref()),
        Some("UBND xã Hòa Tiến - UBND huyện Hòa Vang - Thành phố Đà Nẵng")
    );
    assert_eq!(h.to.len(), 1);
    assert_eq!(h.to[0].organ_id, "28.22.H17");
    // Leading space trimmed.
    assert_eq!(
        h.to[0].organization_in_charge.as_deref(),
        Some("UBND xã Hòa Sơn - UBND huyện Hòa Vang - Thành phố Đà Nẵng")
    );
    assert_eq!(h.to[0].telephone.as_deref(), Some("(84-4) 3821 5137"));
    assert_eq!(h.document_id, "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT");
    assert_eq!(h.code.number, "74fass22");
    assert_eq!(h.code.notation, "VPCP-TTĐT");
    assert_eq!(h.promulgation.date.date(), Some(date!(2019 - 01 - 16)));
    assert_eq!(h.document_type.type_name.as_deref(), Some("Công văn"));
    assert_eq!(
        h.subject,
        "V/v kết nối, liên thông phần mềm quản lý văn bản"
    );
    assert_eq!(
        h.signer.as_ref().and_then(|s| s.competence.as_deref()),
        Some("TL. BO TRUONG")
    );
    assert_eq!(h.due_date.as_ref().map(EdDate::as_str), Some("2018/09/28"));
    assert_eq!(h.other_info.priority, Priority::Normal);
    assert_eq!(h.other_info.page_amount.as_deref(), Some("22"));
    assert_eq!(
        h.to_places,
        ["Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP"]
    );
    assert_eq!(h.steering_type, Some(SteeringType::NotSteering));

    // TraceHeader before Bussiness here: order does not matter.
    assert_eq!(
        e.trace.trace_headers[0].timestamp.as_str(),
        "2018/09/28 00:00:00"
    );
    let b = e.trace.business.as_ref().expect("Bussiness");
    assert_eq!(
        b.document_id.as_deref(),
        Some("000.00.00.G22,2014/02/30,7806/VPCP-TTĐT")
    );
    assert_eq!(
        b.staff.as_ref().and_then(|s| s.staff.as_deref()),
        Some("Nguyễn Thị Ngọc Trâm")
    );

    let sig = e.signature.as_ref().expect("Signature");
    assert!(
        !sig.in_dsig_namespace,
        "the sample's Signature is unqualified"
    );
    assert_eq!(
        sig.signature_method.as_deref(),
        Some("http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    );
    assert_eq!(
        sig.canonicalization.as_deref(),
        Some("http://www.w3.org/TR/2001/REC-xml-c14n-20010315")
    );
    assert_eq!(
        sig.transforms,
        [
            "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
            "http://www.w3.org/TR/xml-exc-c14n#"
        ]
    );
    assert_eq!(sig.subject_name.as_deref(), Some("CN=user05"));
    assert!(sig.has_certificate);

    assert_eq!(e.attachments.len(), 1);
    let a = &e.attachments[0];
    assert_eq!(a.content_id, "cid:209");
    assert_eq!(a.name, "1896_QD-TTg_m_294779.doc");
    assert_eq!(a.content_type, "application/msword");
    assert!(a.data.is_empty());

    let has =
        |path: &str, kind: ProblemKind| d.problems.iter().any(|p| p.path == path && p.kind == kind);
    assert!(
        has("MessageHeader/To[1]/OrganId", ProblemKind::BadAgencyCode),
        "{:#?}",
        d.problems
    );
    assert!(has(
        "AttachmentEncoded/Attachment[1]/ContentTransferEncoded",
        ProblemKind::Attachment
    ));
    // The two are the only errors; the DocumentId of the revoked document has an impossible date (30 February).
    let errors: Vec<_> = d
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    let bad_code = d
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::BadAgencyCode)
        .unwrap();
    assert!(bad_code.message.contains("28.22.H17") && bad_code.message.contains("không đúng dạng"));
    assert!(!d.is_clean());
}

#[test]
fn golden_edoc_written_back_byte_for_byte() {
    let golden = sample(GOLDEN_EDOC);
    let model = read_edoc(&golden).unwrap().value;
    let written = write_edoc(&model).expect("writes");
    assert_same_elements(&written, &golden);
    assert_eq!(
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&golden),
        "the writer should reproduce the official library's bytes"
    );
    assert_eq!(read_edoc(&written).unwrap().value, model);
}

#[test]
fn golden_status_written_back_byte_for_byte() {
    let golden = sample(GOLDEN_STATUS);
    let model = read_status(&golden).unwrap().value;
    let written = write_status(&model);
    assert_same_elements(&written, &golden);
    assert_eq!(
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&golden)
    );
    assert_eq!(read_status(&written).unwrap().value, model);
}

#[test]
fn vpcp_sample_round_trips_through_the_writer() {
    let mut model = read_edoc(&sample(VPCP_SAMPLE)).unwrap().value;
    model.signature = None;
    let written = write_edoc(&model).unwrap();
    let again = read_edoc(&written).unwrap();
    assert_eq!(again.value, model);
    // The .doc goes out zipped, as the official library sends it.
    let text = String::from_utf8(written).unwrap();
    assert!(text.contains("<ContentType>application/zip</ContentType>"));
    // Bussiness is written before TraceHeader, as the official library does.
    assert!(text.find("<edXML:Bussiness>") < text.find("<edXML:TraceHeader>"));
}
