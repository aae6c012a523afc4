//! Rows as stored. Values were validated by the domain types before they were written.

use vanthu_domain::{Clearance, CodeFormat, Role, Side, UnitKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: i64,
    pub key: String,
    pub code: Option<String>,
    pub code_format: CodeFormat,
    pub old_code: Option<String>,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub side: Side,
    pub parent_id: Option<i64>,
    pub active: bool,
    /// Local dates `YYYY-MM-DD` from which and until which the unit exists (restructuring).
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The editable fields of a unit (everything but its place in the tree and its state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFields {
    pub key: String,
    pub code: Option<String>,
    pub code_format: CodeFormat,
    pub old_code: Option<String>,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub side: Side,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
}

impl Unit {
    pub fn fields(&self) -> UnitFields {
        UnitFields {
            key: self.key.clone(),
            code: self.code.clone(),
            code_format: self.code_format,
            old_code: self.old_code.clone(),
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            kind: self.kind,
            side: self.side,
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub clearance: Clearance,
    pub system_admin: bool,
    pub active: bool,
    pub must_change_password: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFields {
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub clearance: Clearance,
    pub system_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub person_id: i64,
    pub unit_id: i64,
    pub position: Option<String>,
    /// Roles within this unit (never `system_admin`, which belongs to the person).
    pub roles: Vec<Role>,
    pub is_primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipFields {
    pub position: Option<String>,
    pub roles: Vec<Role>,
    pub is_primary: bool,
}

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub person_id: i64,
    pub password_hash: Option<String>,
    pub failed_logins: i64,
    pub locked_until: i64,
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A bearer token for the API.
    Api,
    /// A web session behind a cookie.
    Web,
}

impl TokenKind {
    pub fn code(self) -> &'static str {
        match self {
            TokenKind::Api => "api",
            TokenKind::Web => "web",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Token {
    pub person_id: i64,
    pub kind: TokenKind,
    pub csrf: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginEvent {
    pub id: i64,
    pub at: i64,
    pub username: String,
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub success: bool,
    /// `ok`, `bad_password`, `unknown_user`, `locked`, `inactive`.
    pub reason: String,
    /// `web` or `api`.
    pub channel: String,
    pub ip: Option<String>,
}

/// One history event: who did what to which entity, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: i64,
    /// A Vietnamese sentence shown in the history.
    pub summary: String,
    /// JSON object with the changed values.
    pub details: String,
}

#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: i64,
    pub summary: String,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    pub unit_id: Option<i64>,
    pub include_inactive: bool,
    /// Case-insensitive substring of the username or the name.
    pub query: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Register {
    pub id: i64,
    pub unit_id: i64,
    pub kind: vanthu_domain::numbering::RegisterKind,
    /// `2026` or a Party term `2025-2030`.
    pub period: String,
    pub secret: bool,
    /// Empty: one series for every document type; else the type abbreviation with its own series.
    pub series: String,
    pub name: String,
    /// The number the next document will get.
    pub next_number: i64,
    pub active: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterFields {
    pub kind: vanthu_domain::numbering::RegisterKind,
    pub period: String,
    pub secret: bool,
    pub series: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    pub register_id: i64,
    pub number: i64,
    /// Number and notation as given (`15/QĐ-UBND`), when the clerk asked for one.
    pub notation: Option<String>,
    /// `reserved` or `cancelled` (documents will add `used`).
    pub status: String,
    pub reason: Option<String>,
    pub taken_by: i64,
    pub taken_at: i64,
    pub cancelled_by: Option<i64>,
    pub cancelled_at: Option<i64>,
}

/// A document type (loại văn bản) with its abbreviation on the State and the Party side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentType {
    pub code: String,
    pub name: String,
    pub state_abbr: Option<String>,
    pub party_abbr: Option<String>,
    /// Shipped with vanthu (NĐ 30/2020, HD 36-HD/VPTW); may be edited and stopped, not removed.
    pub builtin: bool,
    pub active: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentTypeFields {
    pub name: String,
    pub state_abbr: Option<String>,
    pub party_abbr: Option<String>,
    pub active: bool,
}

use vanthu_domain::Secrecy;
pub use vanthu_domain::document::{
    AssignmentRole, Channel, Direction, DocState, FileKind, RecipientStatus, Urgency,
};

/// A document as stored: metadata only, its files are [`DocFile`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: i64,
    /// The unit that holds it: the receiving unit of an incoming document, the issuing unit otherwise.
    pub unit_id: i64,
    pub direction: Direction,
    pub state: DocState,
    /// Code of its document type.
    pub doc_type: Option<String>,
    /// Trích yếu nội dung.
    pub subject: String,
    /// Số, ký hiệu as printed (`15/QĐ-UBND`).
    pub notation: Option<String>,
    /// Ngày tháng văn bản, `YYYY-MM-DD`.
    pub doc_date: Option<String>,
    /// Cơ quan ban hành (incoming: the sender).
    pub author: Option<String>,
    pub author_code: Option<String>,
    /// Người ký.
    pub signer: Option<String>,
    pub pages: Option<i64>,
    pub copies: Option<i64>,
    pub urgency: Urgency,
    pub secrecy: Option<Secrecy>,
    /// Hạn xử lý, `YYYY-MM-DD`.
    pub deadline: Option<String>,
    pub channel: Option<Channel>,
    pub register_id: Option<i64>,
    /// Số đến (incoming) or the number given at issue (outgoing, internal).
    pub reg_number: Option<i64>,
    pub registered_at: Option<i64>,
    /// When it arrived (ngày đến).
    pub received_at: Option<i64>,
    pub issued_at: Option<i64>,
    /// The leader it was presented to.
    pub presented_to: Option<i64>,
    /// Ý kiến chỉ đạo.
    pub direction_note: Option<String>,
    /// The person with authority to sign (outgoing).
    pub signer_id: Option<i64>,
    /// The review chain of a draft, as JSON.
    pub review_plan: Option<String>,
    /// The flow version the document started with.
    pub flow_version_id: Option<i64>,
    /// When the active review step is due (ms), if its step has a number of days.
    pub step_due_at: Option<i64>,
    pub review_round: i64,
    pub review_step: i64,
    /// The issued document of this installation it is a copy of (incoming from inside).
    pub source_id: Option<i64>,
    /// The document this one answers.
    pub reply_to_id: Option<i64>,
    /// The issued document this one replaces.
    pub replaces_id: Option<i64>,
    /// Why it was rejected, returned or revoked (the latest).
    pub reason: Option<String>,
    pub note: Option<String>,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The fields of a new document; the rest start empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub unit_id: i64,
    pub direction: Direction,
    pub state: DocState,
    pub doc_type: Option<String>,
    pub subject: String,
    pub notation: Option<String>,
    pub doc_date: Option<String>,
    pub author: Option<String>,
    pub author_code: Option<String>,
    pub signer: Option<String>,
    pub pages: Option<i64>,
    pub copies: Option<i64>,
    pub urgency: Urgency,
    pub secrecy: Option<Secrecy>,
    pub deadline: Option<String>,
    pub channel: Option<Channel>,
    pub received_at: Option<i64>,
    pub signer_id: Option<i64>,
    pub review_plan: Option<String>,
    pub flow_version_id: Option<i64>,
    pub source_id: Option<i64>,
    pub reply_to_id: Option<i64>,
    pub replaces_id: Option<i64>,
    pub note: Option<String>,
    pub created_by: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocFile {
    pub id: i64,
    pub document_id: i64,
    pub kind: FileKind,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    /// Hex SHA-256 of the content: its name in the blob store.
    pub sha256: String,
    pub version: i64,
    pub frozen: bool,
    pub uploaded_by: i64,
    pub uploaded_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    pub kind: FileKind,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub version: i64,
    pub frozen: bool,
    pub uploaded_by: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub id: i64,
    pub document_id: i64,
    pub person_id: i64,
    pub role: AssignmentRole,
    /// `pending`, `processing`, `done` or `forwarded`.
    pub state: String,
    pub deadline: Option<String>,
    pub note: Option<String>,
    pub report: Option<String>,
    pub assigned_by: i64,
    pub assigned_at: i64,
    pub done_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: i64,
    pub document_id: i64,
    pub round: i64,
    pub step: i64,
    /// `all`, `any` or `sign`.
    pub mode: String,
    pub person_id: i64,
    /// `pending`, `approved` or `returned`.
    pub decision: String,
    pub comment: Option<String>,
    pub decided_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub id: i64,
    pub document_id: i64,
    /// `internal`, `axis` or `paper`.
    pub channel: String,
    pub unit_id: Option<i64>,
    pub name: String,
    pub code: Option<String>,
    pub status: RecipientStatus,
    /// The incoming copy at an internal recipient.
    pub incoming_id: Option<i64>,
    pub note: Option<String>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: i64,
    pub document_id: i64,
    pub person_id: i64,
    pub body: String,
    pub at: i64,
}

/// Which documents a listing looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocScope {
    /// Every document held by these units (clerks and leaders of those units).
    Units(Vec<i64>),
    /// Incoming documents presented to this person, or presented to no one in particular in these units.
    /// Incoming documents presented to the person (or to someone who delegated to them at `at`, ms), or not
    /// presented to anyone yet in `units`.
    PresentedTo {
        person_id: i64,
        units: Vec<i64>,
        at: i64,
    },
    /// Documents with an open assignment (pending or processing) of this person.
    AssignedTo(i64),
    /// Drafts waiting for this person's decision in the current review step, or for the decision of someone
    /// who delegated to this person at this time (ms).
    ReviewBy(i64, i64),
    /// Documents this person created.
    CreatedBy(i64),
    /// Issued internal documents addressed to these units.
    RecipientUnits(Vec<i64>),
}

/// A listing of documents. The reader's clearance is part of the filter and cannot be left out: a listing
/// never returns, nor counts, a document above it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocFilter {
    max_secrecy: i64,
    pub scope: DocScope,
    pub direction: Option<Direction>,
    pub states: Vec<DocState>,
    /// Words of the subject, notation or author, folded (diacritics do not matter).
    pub query: Option<String>,
    /// Only documents with a deadline on or before this date (`YYYY-MM-DD`) that are not finished.
    pub due_by: Option<String>,
    /// Only documents that arrived at or before this time (ms).
    pub received_before: Option<i64>,
    /// Only drafts in review whose active step was due before this time (ms).
    pub step_due_before: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

impl DocFilter {
    pub fn new(clearance: vanthu_domain::Clearance, scope: DocScope) -> DocFilter {
        DocFilter {
            max_secrecy: clearance.level(),
            scope,
            direction: None,
            states: Vec::new(),
            query: None,
            due_by: None,
            received_before: None,
            step_due_before: None,
            limit: 50,
            offset: 0,
        }
    }

    pub fn max_secrecy(&self) -> i64 {
        self.max_secrecy
    }
}

/// A processing flow: a system template (no unit) or a unit's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub id: i64,
    pub unit_id: Option<i64>,
    pub kind: Direction,
    pub name: String,
    pub current_version: i64,
    pub active: bool,
    pub template_id: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowVersion {
    pub id: i64,
    pub flow_id: i64,
    pub version: i64,
    /// JSON of a `vanthu_domain::flow::FlowDef`.
    pub definition: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

/// A person deciding in another's place for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    pub id: i64,
    pub from_person: i64,
    pub to_person: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub reason: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A packet waiting to go (or gone) over the interconnection axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    /// `edoc` or `status`.
    pub kind: String,
    /// edoc: `new`, `revoke` or `replace`; status: the code `01`–`16`.
    pub code: String,
    pub document_id: Option<i64>,
    pub recipient_id: Option<i64>,
    pub to_code: String,
    pub edxml_document_id: String,
    pub description: Option<String>,
    /// JSON of the acting person (StaffInfo of a status packet).
    pub staff: Option<String>,
    /// A status about no document of ours: the reporting unit and the ResponseFor fields, as JSON.
    pub reference: Option<String>,
    /// The built package, once built.
    pub sha256: Option<String>,
    /// `queued`, `sent` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub next_at: i64,
    pub last_error: Option<String>,
    pub axis_doc_id: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutbox {
    pub kind: String,
    pub code: String,
    pub document_id: Option<i64>,
    pub recipient_id: Option<i64>,
    pub to_code: String,
    pub edxml_document_id: String,
    pub description: Option<String>,
    pub staff: Option<String>,
    pub reference: Option<String>,
}

/// A package taken from the axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
    pub id: i64,
    pub axis_doc_id: String,
    /// `edoc` or `status`.
    pub kind: String,
    pub from_code: Option<String>,
    pub edxml_document_id: Option<String>,
    /// edoc: `new`, `revoke`, `update`, `replace`; status: the code.
    pub code: Option<String>,
    pub sha256: String,
    pub size: i64,
    /// What became of it: `created`, `duplicate`, `also_internal`, `unaddressed`, `invalid`, `status`,
    /// `revoked`, `not_found`, `updated`, `unknown_status`.
    pub outcome: String,
    pub note: Option<String>,
    pub received_at: i64,
}

/// An incoming document that came over the axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeLink {
    pub document_id: i64,
    pub inbox_id: i64,
    pub unit_id: i64,
    pub from_code: String,
    pub edxml_document_id: String,
    /// Số, ký hiệu as the sender wrote it (`ResponseFor/Code` of status packets).
    pub code: String,
    /// `yyyy/MM/dd`.
    pub promulgation_date: String,
}

/// An agency of the axis directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    pub code: String,
    pub name: String,
    pub pcode: Option<String>,
    pub synced_at: i64,
}
