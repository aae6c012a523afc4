//! Documents: their direction, urgency, states and the rules that move them from one state to the next
//! (NĐ 30/2020 Điều 10–24; standards.md §6.8, §6.9, §7), the review chain of a draft, and the check that an
//! uploaded file is what its name says.

use crate::Invalid;
use crate::org::code_enum;
use crate::text::fold_ascii;
use serde::{Deserialize, Serialize};

code_enum!(
    /// Which way a document goes.
    Direction, "direction", "Loại văn bản" {
        Incoming = "incoming", "Văn bản đến", ["den", "van_ban_den"];
        Outgoing = "outgoing", "Văn bản đi", ["di", "van_ban_di"];
        Internal = "internal", "Văn bản nội bộ", ["noi_bo"];
    }
);

code_enum!(
    /// Mức độ khẩn (NĐ 30 Phụ lục I §II.2.b): urgent documents are registered, presented and handled at once.
    Urgency, "urgency", "Mức độ khẩn" {
        Normal = "normal", "Thường", ["binh_thuong", "khong"];
        Khan = "khan", "Khẩn", [];
        ThuongKhan = "thuong_khan", "Thượng khẩn", [];
        HoaToc = "hoa_toc", "Hỏa tốc", [];
    }
);

code_enum!(
    /// Where the state of a document stands. Incoming: received → registered → presented → assigned →
    /// processing → done (or rejected). Outgoing and internal: draft → in review → approved → issued (→ revoked).
    DocState, "state", "Trạng thái" {
        Received = "received", "Chờ vào sổ", [];
        Rejected = "rejected", "Đã từ chối", [];
        Registered = "registered", "Đã vào sổ", [];
        Presented = "presented", "Chờ chỉ đạo", [];
        Assigned = "assigned", "Đã phân công", [];
        Processing = "processing", "Đang xử lý", [];
        Done = "done", "Hoàn thành", [];
        Draft = "draft", "Dự thảo", [];
        InReview = "in_review", "Đang trình duyệt", [];
        Approved = "approved", "Đã duyệt, chờ ban hành", [];
        Issued = "issued", "Đã ban hành", [];
        Revoked = "revoked", "Đã thu hồi", [];
    }
);

code_enum!(
    /// What a person does with an incoming document they were assigned.
    AssignmentRole, "role", "Vai trò xử lý" {
        Lead = "lead", "Chủ trì", ["chu_tri"];
        Co = "co", "Phối hợp", ["phoi_hop"];
        Info = "info", "Nhận để biết", ["de_biet"];
    }
);

code_enum!(
    /// One file of a document.
    FileKind, "kind", "Loại tệp" {
        Main = "main", "Văn bản chính", ["chinh"];
        Appendix = "appendix", "Phụ lục", ["phu_luc"];
        Source = "source", "Tệp gốc", ["goc"];
    }
);

code_enum!(
    /// How an incoming document arrived.
    Channel, "channel", "Nguồn đến" {
        Paper = "paper", "Bản giấy", ["giay"];
        Email = "email", "Thư điện tử", [];
        Internal = "internal", "Trong hệ thống", ["noi_bo"];
        Axis = "axis", "Trục liên thông", ["truc"];
    }
);

code_enum!(
    /// The state of one recipient of an issued document, as the sender sees it (standards.md §7: the edXML
    /// statuses 01–06 and the revocation answers).
    RecipientStatus, "status", "Tình trạng nơi nhận" {
        Pending = "pending", "Chờ gửi", [];
        Arrived = "arrived", "Đã đến", [];
        Rejected = "rejected", "Từ chối tiếp nhận", [];
        Accepted = "accepted", "Đã tiếp nhận", [];
        Assigned = "assigned", "Đã phân công", [];
        Processing = "processing", "Đang xử lý", [];
        Done = "done", "Hoàn thành", [];
        Revoked = "revoked", "Đã thu hồi", [];
    }
);

impl RecipientStatus {
    /// The order in which a recipient's status moves: the sender's view only ever goes forward; rejected and
    /// revoked are final.
    pub fn rank(self) -> u8 {
        match self {
            RecipientStatus::Pending => 0,
            RecipientStatus::Arrived => 1,
            RecipientStatus::Accepted => 2,
            RecipientStatus::Assigned => 3,
            RecipientStatus::Processing => 4,
            RecipientStatus::Done => 5,
            RecipientStatus::Rejected | RecipientStatus::Revoked => 6,
        }
    }
}

impl Secrecy {
    /// The number stored for filtering: 1 Mật, 2 Tối mật, 3 Tuyệt mật (0 for an ordinary document).
    pub fn level(self) -> i64 {
        match self {
            Secrecy::Mat => 1,
            Secrecy::ToiMat => 2,
            Secrecy::TuyetMat => 3,
        }
    }

    pub fn from_level(level: i64) -> Result<Option<Secrecy>, Invalid> {
        match level {
            0 => Ok(None),
            1 => Ok(Some(Secrecy::Mat)),
            2 => Ok(Some(Secrecy::ToiMat)),
            3 => Ok(Some(Secrecy::TuyetMat)),
            other => Err(Invalid::new(
                "secrecy",
                format!("Độ mật {other} không hợp lệ."),
            )),
        }
    }
}

use crate::org::Secrecy;

impl crate::org::Clearance {
    /// The highest secrecy level (as stored) this clearance reads.
    pub fn level(self) -> i64 {
        self.0.map(Secrecy::level).unwrap_or(0)
    }
}

/// Parses an optional secrecy given by a user: empty, `none` or "Thường" means an ordinary document.
pub fn parse_secrecy(raw: Option<&str>) -> Result<Option<Secrecy>, Invalid> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => {
            let f = fold_ascii(s);
            if f == "none" || f == "thuong" || f == "khong" {
                Ok(None)
            } else {
                Secrecy::parse(s).map(Some)
            }
        }
    }
}

/// What is done to a document. Each action is allowed in some states only; [`next_state`] says where it leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The clerk gives an arrival number to a received document.
    Register,
    /// The clerk refuses a received document (wrong addressee, invalid) with a reason.
    Reject,
    /// The clerk presents a registered document to a leader.
    Present,
    /// The leader writes a direction and names the handlers.
    Assign,
    /// A handler starts work or reports progress.
    Progress,
    /// The lead handler finishes.
    Complete,
    /// The drafter sends a draft into its review chain.
    Submit,
    /// The review chain and the signer have approved.
    Approve,
    /// A reviewer, the signer or the clerk's format check sends the draft back to its drafter.
    Return,
    /// The clerk numbers and issues an approved draft.
    Issue,
    /// The sender revokes an issued document (or its copy at a recipient is revoked).
    Revoke,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Register => "vào sổ",
            Action::Reject => "từ chối",
            Action::Present => "trình",
            Action::Assign => "phân công",
            Action::Progress => "báo cáo tiến độ",
            Action::Complete => "hoàn thành",
            Action::Submit => "trình duyệt",
            Action::Approve => "duyệt",
            Action::Return => "trả lại",
            Action::Issue => "ban hành",
            Action::Revoke => "thu hồi",
        }
    }
}

/// The state after `action`, or a Vietnamese error saying why it cannot be done now.
pub fn next_state(
    direction: Direction,
    state: DocState,
    action: Action,
) -> Result<DocState, Invalid> {
    use Action as A;
    use DocState as S;
    let incoming = direction == Direction::Incoming;
    let next = match (action, state) {
        (A::Register, S::Received) if incoming => Some(S::Registered),
        (A::Reject, S::Received) if incoming => Some(S::Rejected),
        (A::Present, S::Registered | S::Presented) if incoming => Some(S::Presented),
        // A leader may direct a registered document the clerk passed directly, or re-direct later.
        (A::Assign, S::Registered | S::Presented | S::Assigned) if incoming => Some(S::Assigned),
        // Adding handlers to work under way does not move it back.
        (A::Assign, S::Processing) if incoming => Some(S::Processing),
        (A::Progress, S::Assigned | S::Processing) if incoming => Some(S::Processing),
        (A::Complete, S::Assigned | S::Processing) if incoming => Some(S::Done),
        (A::Submit, S::Draft) if !incoming => Some(S::InReview),
        (A::Approve, S::InReview) if !incoming => Some(S::Approved),
        (A::Return, S::InReview | S::Approved) if !incoming => Some(S::Draft),
        (A::Issue, S::Approved) if !incoming => Some(S::Issued),
        (A::Revoke, S::Issued) if !incoming => Some(S::Revoked),
        (
            A::Revoke,
            S::Received | S::Registered | S::Presented | S::Assigned | S::Processing | S::Done,
        ) if incoming => Some(S::Revoked),
        _ => None,
    };
    next.ok_or_else(|| {
        Invalid::new(
            "state",
            format!(
                "Không thể {} {} đang ở trạng thái \"{}\".",
                action.label(),
                direction.label().to_lowercase(),
                state.label()
            ),
        )
    })
}

/// How the reviewers of one step decide: every one of them, or the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepMode {
    /// Every reviewer of the step approves (đồng thời, tất cả).
    All,
    /// One approval is enough (bất kỳ).
    Any,
}

impl StepMode {
    pub fn code(self) -> &'static str {
        match self {
            StepMode::All => "all",
            StepMode::Any => "any",
        }
    }

    pub fn parse(s: &str) -> Result<StepMode, Invalid> {
        match fold_ascii(s.trim()).as_str() {
            "all" | "tat ca" => Ok(StepMode::All),
            "any" | "bat ky" => Ok(StepMode::Any),
            other => Err(Invalid::new(
                "mode",
                format!(
                    "Cách duyệt \"{other}\" không hợp lệ: dùng all (tất cả) hoặc any (bất kỳ)."
                ),
            )),
        }
    }
}

/// A reviewer's decision so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Pending,
    Approved,
    Returned,
}

impl Decision {
    pub fn code(self) -> &'static str {
        match self {
            Decision::Pending => "pending",
            Decision::Approved => "approved",
            Decision::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Result<Decision, Invalid> {
        match s {
            "pending" => Ok(Decision::Pending),
            "approved" => Ok(Decision::Approved),
            "returned" => Ok(Decision::Returned),
            other => Err(Invalid::new(
                "decision",
                format!("Ý kiến \"{other}\" không hợp lệ."),
            )),
        }
    }
}

/// One review step as decided so far. The signer is the last step, with one reviewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepState {
    pub mode: StepMode,
    pub decisions: Vec<Decision>,
}

impl StepState {
    /// Whether the step is passed: everyone approved (all-of) or someone approved (any-of).
    pub fn passed(&self) -> bool {
        match self.mode {
            StepMode::All => self.decisions.iter().all(|d| *d == Decision::Approved),
            StepMode::Any => self.decisions.contains(&Decision::Approved),
        }
    }
}

/// Where a review chain stands after a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainOutcome {
    /// The current step still waits for decisions.
    Waiting,
    /// The current step passed: the next step (this index) is now current.
    NextStep(usize),
    /// The last step passed: the draft is approved.
    Approved,
}

/// After a decision in step `current`, what the chain does (a return is handled by the caller: the draft goes
/// back to its drafter).
pub fn chain_outcome(steps: &[StepState], current: usize) -> ChainOutcome {
    match steps.get(current) {
        Some(s) if !s.passed() => ChainOutcome::Waiting,
        _ if current + 1 >= steps.len() => ChainOutcome::Approved,
        _ => ChainOutcome::NextStep(current + 1),
    }
}

/// Kinds of files vanthu accepts, by extension, with the bytes each must start with.
/// Extensions, media type, and the bytes a file of that type starts with (any of them).
type FileType = (
    &'static [&'static str],
    &'static str,
    &'static [&'static [u8]],
);

const FILE_TYPES: &[FileType] = &[
    (&["pdf"], "application/pdf", &[b"%PDF-"]),
    (&["png"], "image/png", &[b"\x89PNG\r\n\x1a\n"]),
    (&["jpg", "jpeg"], "image/jpeg", &[b"\xff\xd8\xff"]),
    (&["tif", "tiff"], "image/tiff", &[b"II*\0", b"MM\0*"]),
    (
        &["docx"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &[b"PK\x03\x04"],
    ),
    (
        &["xlsx"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &[b"PK\x03\x04"],
    ),
    (
        &["odt"],
        "application/vnd.oasis.opendocument.text",
        &[b"PK\x03\x04"],
    ),
    (
        &["ods"],
        "application/vnd.oasis.opendocument.spreadsheet",
        &[b"PK\x03\x04"],
    ),
    (&["doc"], "application/msword", &[b"\xd0\xcf\x11\xe0"]),
    (&["xls"], "application/vnd.ms-excel", &[b"\xd0\xcf\x11\xe0"]),
    (&["zip"], "application/zip", &[b"PK\x03\x04"]),
];

/// A checked file name and its media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    pub name: String,
    pub media_type: &'static str,
}

/// Checks an uploaded file: a usable name, an accepted extension, content that starts as that type does (a
/// PDF also ends with its end-of-file marker), not empty. The main file of a document must be a PDF or a scan.
pub fn check_file(name: &str, bytes: &[u8], kind: FileKind) -> Result<CheckedFile, Invalid> {
    let clean: String = crate::normalize(name)
        .chars()
        .filter(|c| !c.is_control() && !crate::text::is_bidi_control(*c))
        .collect();
    let base = clean
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    if base.is_empty() || base.chars().count() > 255 || base.starts_with('.') {
        return Err(Invalid::new(
            "file",
            format!(
                "Tên tệp \"{name}\" không dùng được (rỗng, quá 255 ký tự hoặc bắt đầu bằng dấu chấm)."
            ),
        ));
    }
    let ext = base
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let Some((_, media, magics)) = FILE_TYPES
        .iter()
        .find(|(exts, _, _)| exts.contains(&ext.as_str()))
    else {
        return Err(Invalid::new(
            "file",
            format!(
                "Tệp \"{base}\": định dạng \".{ext}\" không được nhận; dùng PDF, ảnh quét (PNG, JPEG, TIFF), DOCX, XLSX, ODT, ODS, DOC, XLS hoặc ZIP."
            ),
        ));
    };
    if bytes.is_empty() {
        return Err(Invalid::new("file", format!("Tệp \"{base}\" rỗng.")));
    }
    if !magics.iter().any(|m| bytes.starts_with(m)) {
        return Err(Invalid::new(
            "file",
            format!(
                "Tệp \"{base}\" không phải là tệp .{ext} thật (nội dung không khớp với phần mở rộng)."
            ),
        ));
    }
    if ext == "pdf" {
        let tail = &bytes[bytes.len().saturating_sub(2048)..];
        if !tail.windows(5).any(|w| w == b"%%EOF") {
            return Err(Invalid::new(
                "file",
                format!(
                    "Tệp \"{base}\" là PDF không trọn vẹn (thiếu dấu kết thúc %%EOF); hãy tải lên lại."
                ),
            ));
        }
    }
    if kind == FileKind::Main
        && !matches!(
            ext.as_str(),
            "pdf" | "png" | "jpg" | "jpeg" | "tif" | "tiff"
        )
    {
        return Err(Invalid::new(
            "file",
            format!(
                "Văn bản chính phải là tệp PDF hoặc ảnh quét; \"{base}\" hãy gửi làm phụ lục hoặc tệp gốc."
            ),
        ));
    }
    Ok(CheckedFile {
        name: base,
        media_type: media,
    })
}

/// The key under which two copies of one document compare equal: the sender folded (no diacritics, no case, no
/// spacing), the number and notation without spaces and case, and the date.
pub fn duplicate_key(author: &str, notation: &str) -> (String, String) {
    let squash = |s: &str| -> String {
        fold_ascii(s)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect()
    };
    (squash(author), squash(notation))
}

/// Parses a local date `YYYY-MM-DD` (also `dd/mm/yyyy`) into `YYYY-MM-DD`.
pub fn parse_date(field: &'static str, what: &str, raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let bad = || {
        Invalid::new(
            field,
            format!("{what} \"{s}\" không hợp lệ; ghi theo dạng 2026-11-22 hoặc 22/11/2026."),
        )
    };
    let (y, m, d) = if let Some((d, rest)) = s.split_once('/') {
        let (m, y) = rest.split_once('/').ok_or_else(bad)?;
        (y, m, d)
    } else {
        let mut it = s.splitn(3, '-');
        let y = it.next().ok_or_else(bad)?;
        let m = it.next().ok_or_else(bad)?;
        let d = it.next().ok_or_else(bad)?;
        (y, m, d)
    };
    let num = |t: &str, max_len: usize| -> Result<u32, Invalid> {
        if t.is_empty() || t.len() > max_len || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        t.parse().map_err(|_| bad())
    };
    let (y, m, d) = (num(y, 4)?, num(m, 2)?, num(d, 2)?);
    if !(1900..=2200).contains(&y) || !(1..=12).contains(&m) {
        return Err(bad());
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if d == 0 || d > days {
        return Err(bad());
    }
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

/// `2026-11-22` → `22/11/2026`, as dates are written in Vietnamese documents.
pub fn date_vn(iso: &str) -> String {
    match (iso.get(0..4), iso.get(5..7), iso.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incoming_life() {
        let d = Direction::Incoming;
        let mut s = DocState::Received;
        for a in [
            Action::Register,
            Action::Present,
            Action::Assign,
            Action::Progress,
            Action::Complete,
        ] {
            s = next_state(d, s, a).unwrap();
        }
        assert_eq!(s, DocState::Done);
        let e = next_state(d, s, Action::Complete).unwrap_err();
        assert!(e.message.contains("Hoàn thành"), "{}", e.message);
        assert!(next_state(d, DocState::Received, Action::Assign).is_err());
        assert!(next_state(d, DocState::Registered, Action::Reject).is_err());
        assert_eq!(
            next_state(d, DocState::Received, Action::Reject).unwrap(),
            DocState::Rejected
        );
    }

    #[test]
    fn outgoing_life() {
        let d = Direction::Outgoing;
        assert!(next_state(d, DocState::Draft, Action::Issue).is_err());
        let s = next_state(d, DocState::Draft, Action::Submit).unwrap();
        assert_eq!(next_state(d, s, Action::Return).unwrap(), DocState::Draft);
        let s = next_state(d, s, Action::Approve).unwrap();
        let s = next_state(d, s, Action::Issue).unwrap();
        assert_eq!(s, DocState::Issued);
        assert!(next_state(d, s, Action::Issue).is_err());
        assert_eq!(next_state(d, s, Action::Revoke).unwrap(), DocState::Revoked);
        assert!(next_state(d, DocState::Draft, Action::Register).is_err());
    }

    #[test]
    fn review_chains() {
        let step = |mode, ds: &[Decision]| StepState {
            mode,
            decisions: ds.to_vec(),
        };
        use Decision::*;
        // Parallel all-of: waits for everyone.
        let s = [
            step(StepMode::All, &[Approved, Pending]),
            step(StepMode::Any, &[Pending]),
        ];
        assert_eq!(chain_outcome(&s, 0), ChainOutcome::Waiting);
        let s = [
            step(StepMode::All, &[Approved, Approved]),
            step(StepMode::Any, &[Pending]),
        ];
        assert_eq!(chain_outcome(&s, 0), ChainOutcome::NextStep(1));
        // Any-of: one is enough.
        let s = [step(StepMode::Any, &[Pending, Approved])];
        assert_eq!(chain_outcome(&s, 0), ChainOutcome::Approved);
        assert_eq!(chain_outcome(&[], 0), ChainOutcome::Approved);
    }

    #[test]
    fn files_are_what_they_say() {
        let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer<<>>\n%%EOF\n";
        let f = check_file("C:\\Tài liệu\\Quyết định 15.PDF", pdf, FileKind::Main).unwrap();
        assert_eq!(f.name, "Quyết định 15.PDF");
        assert_eq!(f.media_type, "application/pdf");
        assert!(check_file("x.pdf", b"<html>", FileKind::Main).is_err());
        assert!(check_file("x.pdf", b"%PDF-1.4 truncated", FileKind::Main).is_err());
        assert!(check_file("x.exe", b"MZ", FileKind::Appendix).is_err());
        assert!(check_file("x.docx", b"PK\x03\x04rest", FileKind::Main).is_err());
        assert!(check_file("x.docx", b"PK\x03\x04rest", FileKind::Source).is_ok());
        assert!(check_file("x.pdf", b"", FileKind::Main).is_err());
        assert!(check_file(".pdf", pdf, FileKind::Main).is_err());
    }

    #[test]
    fn duplicates_compare_loosely() {
        assert_eq!(
            duplicate_key("Ủy ban nhân dân tỉnh  Ninh Bình", "15/QĐ-UBND"),
            duplicate_key("UỶ BAN NHÂN DÂN TỈNH NINH BÌNH", "15 / qđ - ubnd")
        );
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("d", "Ngày", "22/11/2026").unwrap(), "2026-11-22");
        assert_eq!(parse_date("d", "Ngày", "2024-02-29").unwrap(), "2024-02-29");
        assert!(parse_date("d", "Ngày", "2025-02-29").is_err());
        assert!(parse_date("d", "Ngày", "2025-13-01").is_err());
        assert!(parse_date("d", "Ngày", "hôm qua").is_err());
        assert_eq!(date_vn("2026-01-05"), "05/01/2026");
    }

    #[test]
    fn codes_parse_labels() {
        assert_eq!(Urgency::parse("Hỏa tốc").unwrap(), Urgency::HoaToc);
        assert_eq!(Urgency::parse("thượng khẩn").unwrap(), Urgency::ThuongKhan);
        assert_eq!(
            parse_secrecy(Some("Tối mật")).unwrap(),
            Some(Secrecy::ToiMat)
        );
        assert_eq!(parse_secrecy(Some("")).unwrap(), None);
        assert_eq!(
            Secrecy::from_level(Secrecy::TuyetMat.level()).unwrap(),
            Some(Secrecy::TuyetMat)
        );
    }
}
