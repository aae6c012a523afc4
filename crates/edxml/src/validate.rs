//! The validation report: what is wrong with a package, field by field, in Vietnamese.
//!
//! Nothing here refuses a package: the national axis accepts packages with malformed codes (its own SDK sample
//! has some), so the receiving side keeps them and shows the clerk what is wrong. Paths name the edXML elements,
//! with 1-based positions for repeated ones, e.g. `MessageHeader/To[1]/OrganId`.

use crate::codes::{BusinessDocType, ReceiverType, StatusCode};
use crate::dates::{EdDate, EdTimestamp, parse_ymd};
use crate::model::{Edoc, Organization, ResponseFor, Status};
use std::fmt;

/// How serious a problem is. Serialized as `"error"` or `"warning"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The package breaks the standard: a required field is missing, a code or date is malformed. The official
    /// library may drop or misread the value.
    Error,
    /// Tolerated, but worth a look: an unknown code, an unknown element, a file that had to be guessed at.
    Warning,
}

/// What kind of problem, for programs (the message is for people). Serialized in snake case (`"missing"`,
/// `"bad_agency_code"`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A required element is missing or empty.
    Missing,
    /// An agency identifier not in the `NNN.NN.NN.LNN` form (standards.md §2.2).
    BadAgencyCode,
    /// A date not in `yyyy/MM/dd`, or not a real day.
    BadDate,
    /// A timestamp not in `yyyy/MM/dd HH:mm:ss`.
    BadTimestamp,
    /// A code not in its code list (kept as received).
    UnknownCode,
    /// A number that is not a whole number.
    BadNumber,
    /// An attachment that could not be decoded or unwrapped, or does not match the manifest.
    Attachment,
    /// An element this reader does not know (ignored), or content out of place.
    Structure,
}

/// One problem found in a package.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Where: edXML element path, e.g. `MessageHeader/PromulgationInfo/PromulgationDate`.
    pub path: String,
    pub kind: ProblemKind,
    pub severity: Severity,
    /// What is wrong and what to do, in Vietnamese.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(
        path: impl Into<String>,
        kind: ProblemKind,
        severity: Severity,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            path: path.into(),
            kind,
            severity,
            message: message.into(),
        }
    }

    pub(crate) fn error(
        path: impl Into<String>,
        kind: ProblemKind,
        message: impl Into<String>,
    ) -> Problem {
        Problem::new(path, kind, Severity::Error, message)
    }

    pub(crate) fn warning(
        path: impl Into<String>,
        kind: ProblemKind,
        message: impl Into<String>,
    ) -> Problem {
        Problem::new(path, kind, Severity::Warning, message)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "Lỗi",
            Severity::Warning => "Cảnh báo",
        };
        write!(f, "{level} tại {}: {}", self.path, self.message)
    }
}

/// What validation accepts beyond the standard.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// Identifiers accepted although they are not in the `NNN.NN.NN.LNN` form (e.g. a SaaS system id such as
    /// `vxp.saas.03` registered with the axis, standards.md §2.3).
    pub extra_agency_codes: Vec<String>,
}

/// True when `code` has the 13-character form `NNN.NN.NN.LNN` of the national axis (three digit groups, then one
/// capital letter and two digits), e.g. `000.00.00.G22`.
pub fn is_axis_agency_code(code: &str) -> bool {
    let parts: Vec<&str> = code.split('.').collect();
    if parts.len() != 4 || code.len() != 13 {
        return false;
    }
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let last = parts[3].as_bytes();
    digits(parts[0], 3)
        && digits(parts[1], 2)
        && digits(parts[2], 2)
        && last.len() == 3
        && last[0].is_ascii_uppercase()
        && last[1].is_ascii_digit()
        && last[2].is_ascii_digit()
}

impl Edoc {
    /// Problems of this package by the standard alone.
    pub fn validate(&self) -> Vec<Problem> {
        self.validate_with(&ValidateOptions::default())
    }

    /// Problems of this package, accepting what `options` allows.
    pub fn validate_with(&self, options: &ValidateOptions) -> Vec<Problem> {
        let mut v = Checker {
            options,
            out: Vec::new(),
        };
        let h = &self.header;
        match &h.from {
            Some(from) => v.organization("MessageHeader/From", from),
            None => v.missing("MessageHeader/From", "cơ quan gửi (From)"),
        }
        if h.to.is_empty() {
            v.missing("MessageHeader/To", "cơ quan nhận (To)");
        }
        for (i, to) in h.to.iter().enumerate() {
            v.organization(&format!("MessageHeader/To[{}]", i + 1), to);
        }
        v.required(
            "MessageHeader/DocumentId",
            &h.document_id,
            "mã văn bản (DocumentId)",
        );
        v.document_id("MessageHeader/DocumentId", &h.document_id);
        v.required(
            "MessageHeader/Code/CodeNumber",
            &h.code.number,
            "số văn bản (CodeNumber)",
        );
        v.required(
            "MessageHeader/Code/CodeNotation",
            &h.code.notation,
            "ký hiệu văn bản (CodeNotation)",
        );
        v.required(
            "MessageHeader/PromulgationInfo/Place",
            &h.promulgation.place,
            "địa danh ban hành (Place)",
        );
        v.date(
            "MessageHeader/PromulgationInfo/PromulgationDate",
            &h.promulgation.date,
            "ngày ban hành (PromulgationDate)",
        );
        v.required(
            "MessageHeader/DocumentType/Type",
            &h.document_type.type_code,
            "mã loại văn bản (Type)",
        );
        if !h.document_type.type_code.trim().is_empty() {
            v.number(
                "MessageHeader/DocumentType/Type",
                &h.document_type.type_code,
                "Mã loại văn bản",
            );
        }
        if h.document_type.type_name.is_none() {
            v.out.push(Problem::warning(
                "MessageHeader/DocumentType/TypeName",
                ProblemKind::Missing,
                "Thiếu tên loại văn bản (TypeName): nên luôn gửi kèm vì cách hiểu mã loại khác nhau giữa các trục.",
            ));
        }
        v.required("MessageHeader/Subject", &h.subject, "trích yếu (Subject)");
        if h.signer.is_none() {
            v.missing(
                "MessageHeader/SignerInfo",
                "thông tin người ký (SignerInfo)",
            );
        }
        if let Some(due) = &h.due_date {
            v.date("MessageHeader/DueDate", due, "hạn xử lý (DueDate)");
        }
        let o = &h.other_info;
        v.code(
            "MessageHeader/OtherInfo/Priority",
            "Độ khẩn (Priority)",
            o.priority.is_known(),
            o.priority.code(),
        );
        if let Some(n) = &o.promulgation_amount {
            v.number(
                "MessageHeader/OtherInfo/PromulgationAmount",
                n,
                "Số lượng bản phát hành",
            );
        }
        if let Some(n) = &o.page_amount {
            v.number("MessageHeader/OtherInfo/PageAmount", n, "Số trang");
        }
        if let Some(d) = &o.direction
            && d != "true"
            && d != "false"
        {
            v.out.push(Problem::warning(
                "MessageHeader/OtherInfo/Direction",
                ProblemKind::UnknownCode,
                format!("Giá trị Direction \"{d}\" không phải true hoặc false."),
            ));
        }
        if let Some(s) = &h.steering_type {
            v.code(
                "MessageHeader/SteeringType",
                "Loại chỉ đạo (SteeringType)",
                s.is_known(),
                s.code(),
            );
        }
        for (i, r) in h.response_for.iter().enumerate() {
            v.response_for(&format!("MessageHeader/ResponseFor[{}]", i + 1), r);
        }

        if self.trace.trace_headers.is_empty() {
            v.missing(
                "TraceHeaderList/TraceHeader",
                "dấu vết chuyển tiếp (TraceHeader)",
            );
        }
        for (i, t) in self.trace.trace_headers.iter().enumerate() {
            let p = format!("TraceHeaderList/TraceHeader[{}]", i + 1);
            v.agency(&format!("{p}/OrganId"), &t.organ_id);
            v.timestamp(&format!("{p}/Timestamp"), &t.timestamp);
        }
        if let Some(b) = &self.trace.business {
            let p = "TraceHeaderList/Bussiness";
            v.code(
                &format!("{p}/BussinessDocType"),
                "Loại nghiệp vụ (BussinessDocType)",
                b.doc_type.is_known(),
                b.doc_type.code(),
            );
            if let Some(id) = &b.document_id {
                v.document_id(&format!("{p}/DocumentId"), id);
            }
            if let Some(paper) = &b.paper {
                v.number(&format!("{p}/Paper"), paper, "Paper");
            }
            match b.doc_type {
                BusinessDocType::Revoke if h.response_for.is_empty() && b.document_id.is_none() => {
                    v.missing(
                        "MessageHeader/ResponseFor",
                        "văn bản bị thu hồi (ResponseFor)",
                    )
                }
                BusinessDocType::Update if b.document_id.is_none() => v.missing(
                    &format!("{p}/DocumentId"),
                    "mã văn bản được cập nhật (DocumentId)",
                ),
                BusinessDocType::Replace if b.replacements.is_empty() => v.missing(
                    &format!("{p}/ReplacementInfoList"),
                    "danh sách văn bản bị thay thế (ReplacementInfoList)",
                ),
                _ => {}
            }
            if let Some(info) = &b.document_info {
                for (i, r) in info.receivers.iter().enumerate() {
                    let rp = format!("{p}/BussinessDocumentInfo/ReceiverList/Receiver[{}]", i + 1);
                    v.agency(&format!("{rp}/OrganId"), &r.organ_id);
                    v.code(
                        &format!("{rp}/ReceiverType"),
                        "Loại cập nhật đơn vị nhận (ReceiverType)",
                        !matches!(r.receiver_type, ReceiverType::Other(_)),
                        r.receiver_type.code(),
                    );
                }
            }
            for (i, r) in b.replacements.iter().enumerate() {
                let rp = format!("{p}/ReplacementInfoList/ReplacementInfo[{}]", i + 1);
                v.required(
                    &format!("{rp}/DocumentId"),
                    &r.document_id,
                    "mã văn bản bị thay thế (DocumentId)",
                );
                for (j, id) in r.organ_ids.iter().enumerate() {
                    v.agency(&format!("{rp}/OrganIdList/OrganId[{}]", j + 1), id);
                }
            }
        }

        for (i, a) in self.attachments.iter().enumerate() {
            let p = format!("AttachmentEncoded/Attachment[{}]", i + 1);
            v.required(
                &format!("{p}/ContentId"),
                &a.content_id,
                "mã tệp đính kèm (ContentId)",
            );
            v.required(
                &format!("{p}/AttachmentName"),
                &a.name,
                "tên tệp đính kèm (AttachmentName)",
            );
            if a.data.is_empty() {
                v.out.push(Problem::error(
                    format!("{p}/ContentTransferEncoded"),
                    ProblemKind::Attachment,
                    format!(
                        "Tệp đính kèm \"{}\" không có nội dung (ContentTransferEncoded rỗng).",
                        a.name
                    ),
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (i, a) in self.attachments.iter().enumerate() {
            if !a.content_id.is_empty() && !seen.insert(a.content_id.as_str()) {
                v.out.push(Problem::error(
                    format!("AttachmentEncoded/Attachment[{}]/ContentId", i + 1),
                    ProblemKind::Attachment,
                    format!("Mã tệp đính kèm \"{}\" bị trùng.", a.content_id),
                ));
            }
        }
        v.out
    }
}

impl Status {
    /// Problems of this status packet by the standard alone.
    pub fn validate(&self) -> Vec<Problem> {
        self.validate_with(&ValidateOptions::default())
    }

    /// Problems of this status packet, accepting what `options` allows.
    pub fn validate_with(&self, options: &ValidateOptions) -> Vec<Problem> {
        let mut v = Checker {
            options,
            out: Vec::new(),
        };
        match &self.from {
            Some(from) => v.organization("MessageHeader/From", from),
            None => v.missing("MessageHeader/From", "cơ quan báo trạng thái (From)"),
        }
        for (i, to) in self.to.iter().enumerate() {
            v.organization(&format!("MessageHeader/To[{}]", i + 1), to);
        }
        v.response_for("MessageHeader/ResponseFor", &self.response_for);
        match &self.status_code {
            StatusCode::Other(s) if s.trim().is_empty() => {
                v.missing("MessageHeader/StatusCode", "mã trạng thái (StatusCode)")
            }
            StatusCode::Other(s) => v.out.push(Problem::error(
                "MessageHeader/StatusCode",
                ProblemKind::UnknownCode,
                format!(
                    "Mã trạng thái \"{s}\" không có trong danh mục (01, 02, 03, 04, 05, 06, 13, 15, 16); gói tin vẫn được giữ nguyên."
                ),
            )),
            _ => {}
        }
        if matches!(
            self.status_code,
            StatusCode::Rejected | StatusCode::ChangeRejected
        ) && self.description.is_none()
        {
            v.out.push(Problem::warning(
                "MessageHeader/Description",
                ProblemKind::Missing,
                "Trạng thái từ chối nên ghi rõ lý do trong Description.",
            ));
        }
        v.timestamp("MessageHeader/Timestamp", &self.timestamp);
        v.out
    }
}

struct Checker<'a> {
    options: &'a ValidateOptions,
    out: Vec<Problem>,
}

impl Checker<'_> {
    fn missing(&mut self, path: &str, what: &str) {
        self.out.push(Problem::error(
            path,
            ProblemKind::Missing,
            format!("Thiếu {what}."),
        ));
    }

    fn required(&mut self, path: &str, value: &str, what: &str) {
        if value.trim().is_empty() {
            self.missing(path, what);
        }
    }

    fn agency(&mut self, path: &str, code: &str) {
        let code = code.trim();
        if code.is_empty() {
            self.missing(path, "mã định danh cơ quan (OrganId)");
        } else if !is_axis_agency_code(code)
            && !self.options.extra_agency_codes.iter().any(|c| c == code)
        {
            self.out.push(Problem::error(
                path,
                ProblemKind::BadAgencyCode,
                format!(
                    "Mã định danh \"{code}\" không đúng dạng NNN.NN.NN.LNN (13 ký tự, ví dụ 000.00.00.G22): ba nhóm chữ số dài 3, 2 và 2 ký tự, rồi một chữ cái in hoa và hai chữ số, ngăn cách bằng dấu chấm."
                ),
            ));
        }
    }

    fn organization(&mut self, path: &str, o: &Organization) {
        self.agency(&format!("{path}/OrganId"), &o.organ_id);
        if o.organ_name.is_none() {
            self.out.push(Problem::warning(
                format!("{path}/OrganName"),
                ProblemKind::Missing,
                "Thiếu tên cơ quan (OrganName).",
            ));
        }
    }

    fn date(&mut self, path: &str, d: &EdDate, what: &str) {
        if d.is_empty() {
            self.missing(path, what);
        } else if d.date().is_none() {
            self.out.push(Problem::error(
                path,
                ProblemKind::BadDate,
                format!(
                    "Giá trị \"{}\" của {what} không phải ngày hợp lệ dạng yyyy/MM/dd (ví dụ 2024/05/20); thư viện chính thức sẽ bỏ trống giá trị này.",
                    d.as_str()
                ),
            ));
        }
    }

    fn timestamp(&mut self, path: &str, t: &EdTimestamp) {
        if t.is_empty() {
            self.missing(path, "thời điểm (Timestamp)");
        } else if t.datetime().is_none() {
            self.out.push(Problem::error(
                path,
                ProblemKind::BadTimestamp,
                format!(
                    "Thời điểm \"{}\" không đúng dạng yyyy/MM/dd HH:mm:ss (ví dụ 2026/11/22 14:53:17).",
                    t.as_str()
                ),
            ));
        }
    }

    fn number(&mut self, path: &str, s: &str, what: &str) {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 9 {
            self.out.push(Problem::error(
                path,
                ProblemKind::BadNumber,
                format!("{what} \"{s}\" phải là số nguyên không âm."),
            ));
        }
    }

    fn code(&mut self, path: &str, what: &str, known: bool, code: &str) {
        if code.trim().is_empty() {
            self.missing(path, what);
        } else if !known {
            self.out.push(Problem::warning(
                path,
                ProblemKind::UnknownCode,
                format!("{what}: mã \"{code}\" không có trong danh mục; giá trị được giữ nguyên."),
            ));
        }
    }

    /// The VPCP convention `"{OrganId},{yyyy/MM/dd},{number}/{notation}"`: when an identifier follows it, its
    /// parts are checked (another sample uses a UUID, which is accepted).
    fn document_id(&mut self, path: &str, id: &str) {
        let parts: Vec<&str> = id.split(',').collect();
        if parts.len() != 3 {
            return;
        }
        let (organ, day) = (parts[0].trim(), parts[1].trim());
        if !is_axis_agency_code(organ)
            && !self.options.extra_agency_codes.iter().any(|c| c == organ)
        {
            self.out.push(Problem::warning(
                path,
                ProblemKind::BadAgencyCode,
                format!("Mã văn bản \"{id}\": phần mã cơ quan \"{organ}\" không đúng dạng NNN.NN.NN.LNN."),
            ));
        }
        if parse_ymd(day, '/').is_none() {
            self.out.push(Problem::warning(
                path,
                ProblemKind::BadDate,
                format!("Mã văn bản \"{id}\": phần ngày \"{day}\" không phải ngày hợp lệ dạng yyyy/MM/dd."),
            ));
        }
    }

    fn response_for(&mut self, path: &str, r: &ResponseFor) {
        self.agency(&format!("{path}/OrganId"), &r.organ_id);
        self.required(
            &format!("{path}/Code"),
            &r.code,
            "số/ký hiệu văn bản được phản hồi (Code)",
        );
        self.date(
            &format!("{path}/PromulgationDate"),
            &r.promulgation_date,
            "ngày ban hành văn bản được phản hồi (PromulgationDate)",
        );
        self.required(
            &format!("{path}/DocumentId"),
            &r.document_id,
            "mã văn bản được phản hồi (DocumentId)",
        );
        if !r.document_id.trim().is_empty() {
            self.document_id(&format!("{path}/DocumentId"), &r.document_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_codes() {
        assert!(is_axis_agency_code("000.00.00.G22"));
        assert!(is_axis_agency_code("002.00.20.H13"));
        for bad in [
            "28.22.H17",
            "01.02.G22",
            "000.00.00.g22",
            "000.00.00.G2",
            "000.00.00.GG2",
            "vxp.saas.03",
            "",
            "000.00.0a.G22",
            "000.00.00.G22.",
        ] {
            assert!(!is_axis_agency_code(bad), "{bad}");
        }
        assert!(!is_axis_agency_code("ạạạ.00.00.G22"));
    }
}
