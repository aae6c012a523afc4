//! Documents: who may see them, the queues of each role, a document's page (files, handlers, reviews,
//! recipients, comments, history), comments and files. Incoming and outgoing actions are in their modules.
//!
//! Every read goes through [`see`] (one document) or a [`DocFilter`] made from the reader's clearance (lists and
//! counts), so a document above a reader's clearance is never shown, listed or counted; a document the reader
//! has nothing to do with is answered as if it did not exist.

pub mod alerts;
pub mod books;
pub mod incoming;
pub mod outgoing;

use super::units::load_unit;
use super::views::{iso, local_time};
use super::{App, record};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vanthu_domain::Role;
use vanthu_domain::access::Actor;
use vanthu_domain::document::{FileKind, check_file, date_vn};
use vanthu_store::{
    DocFile, DocFilter, DocScope, DocState, Document, NewFile, ReadTx, WriteTx, now_ms,
};

/// One uploaded file, before it is checked.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub kind: FileKind,
    pub bytes: axum::body::Bytes,
}

/// At most this many files per request and this many bytes per file.
pub const MAX_FILES: usize = 20;
pub const MAX_FILE_BYTES: usize = 30 * 1024 * 1024;

/// How the reader relates to a document (several may hold).
#[derive(Debug, Clone, Copy, Default)]
pub struct Relation {
    /// Clerk of the unit that holds it.
    pub clerk: bool,
    /// Leader of the unit that holds it.
    pub leader: bool,
    /// Created it.
    pub creator: bool,
    /// Handles or reviews it.
    pub party: bool,
    /// Member of a unit an issued internal document is addressed to.
    pub recipient: bool,
}

impl Relation {
    fn any(&self) -> bool {
        self.clerk || self.leader || self.creator || self.party || self.recipient
    }
}

pub fn has_role(actor: &Actor, unit_id: i64, role: Role) -> bool {
    actor
        .memberships
        .iter()
        .any(|m| m.unit_id == unit_id && m.roles.contains(&role))
}

pub(crate) fn units_with_role(actor: &Actor, role: Role) -> Vec<i64> {
    actor
        .memberships
        .iter()
        .filter(|m| m.roles.contains(&role))
        .map(|m| m.unit_id)
        .collect()
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("Không tìm thấy văn bản số {id}."))
}

/// The document if the actor may see it, and how they relate to it.
pub(crate) async fn see(
    tx: &mut dyn ReadTx,
    actor: &Actor,
    doc: Option<Document>,
    id: i64,
) -> AppResult<(Document, Relation)> {
    let d = doc.ok_or_else(|| not_found(id))?;
    if !actor.clearance.may_read(d.secrecy) {
        return Err(not_found(id));
    }
    let mut rel = Relation {
        clerk: has_role(actor, d.unit_id, Role::Clerk),
        leader: has_role(actor, d.unit_id, Role::Leader),
        // The drafter of an outgoing or internal document, while still drafting in its unit (never "creator" of
        // an incoming document or of a copy: the clerks of the holding unit hold those).
        creator: d.created_by == actor.person_id
            && d.direction != vanthu_store::Direction::Incoming
            && actor.memberships.iter().any(|m| {
                m.unit_id == d.unit_id
                    && m.roles
                        .iter()
                        .any(|r| matches!(r, Role::Specialist | Role::Leader | Role::Clerk))
            }),
        ..Relation::default()
    };
    if !rel.any() {
        rel.party = tx.takes_part(d.id, actor.person_id).await?;
    }
    if !rel.any() && d.state == DocState::InReview {
        // A delegate of someone whose decision the draft waits for.
        let now = now_ms();
        for r in tx.reviews(d.id).await? {
            if r.round == d.review_round
                && r.step == d.review_step
                && r.decision == "pending"
                && tx.delegated(r.person_id, actor.person_id, now).await?
            {
                rel.party = true;
                break;
            }
        }
    }
    if !rel.any()
        && d.state == DocState::Presented
        && let Some(p) = d.presented_to
        && tx.delegated(p, actor.person_id, now_ms()).await?
        && leads(tx, p, d.unit_id).await?
    {
        // A delegate of the leader an incoming document waits on for direction.
        rel.party = true;
    }
    if !rel.any() && d.direction == vanthu_store::Direction::Internal && d.state != DocState::Draft
    {
        let units: Vec<i64> = actor.memberships.iter().map(|m| m.unit_id).collect();
        rel.recipient = tx
            .recipients(d.id)
            .await?
            .iter()
            .any(|r| r.unit_id.is_some_and(|u| units.contains(&u)))
            && matches!(d.state, DocState::Issued | DocState::Revoked);
    }
    if !rel.any() {
        return Err(not_found(id));
    }
    Ok((d, rel))
}

/// Whether the person is active and a leader of the unit now (what a delegate directs on behalf of).
pub(crate) async fn leads(tx: &mut dyn ReadTx, person: i64, unit_id: i64) -> AppResult<bool> {
    Ok(tx.person(person).await?.is_some_and(|p| p.active)
        && tx
            .memberships(person)
            .await?
            .iter()
            .any(|m| m.unit_id == unit_id && m.roles.contains(&Role::Leader)))
}

/// Reads and locks a document for an action, checking the actor may see it.
pub(crate) async fn see_for_update(
    tx: &mut Box<dyn WriteTx>,
    actor: &Actor,
    id: i64,
) -> AppResult<(Document, Relation)> {
    let d = tx.lock_document(id).await?;
    see(&mut **tx, actor, d, id).await
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: i64,
    pub unit_id: i64,
    /// `incoming`, `outgoing`, `internal`.
    pub direction: String,
    pub direction_label: String,
    pub state: String,
    pub state_label: String,
    pub doc_type: Option<String>,
    /// Trích yếu nội dung.
    pub subject: String,
    /// Số, ký hiệu (`15/QĐ-UBND`).
    pub notation: Option<String>,
    /// Ngày văn bản, `YYYY-MM-DD`.
    pub doc_date: Option<String>,
    /// Cơ quan ban hành.
    pub author: Option<String>,
    pub author_code: Option<String>,
    pub signer: Option<String>,
    pub pages: Option<i64>,
    pub copies: Option<i64>,
    pub urgency: String,
    pub urgency_label: String,
    /// `mat`, `toi_mat`, `tuyet_mat`, or absent for an ordinary document.
    pub secrecy: Option<String>,
    pub secrecy_label: Option<String>,
    /// Hạn xử lý, `YYYY-MM-DD`.
    pub deadline: Option<String>,
    /// The deadline has passed and the document is not finished.
    pub overdue: bool,
    pub channel: Option<String>,
    pub register_id: Option<i64>,
    /// Số đến of an incoming document, or the number given at issue.
    pub reg_number: Option<i64>,
    pub received_at: Option<String>,
    pub registered_at: Option<String>,
    pub issued_at: Option<String>,
    pub presented_to: Option<i64>,
    /// Ý kiến chỉ đạo.
    pub direction_note: Option<String>,
    pub signer_id: Option<i64>,
    /// The processing flow version the document follows (it keeps it when the unit's flow changes).
    pub flow_version_id: Option<i64>,
    /// In review: when the active step is due (its flow step's days), if it has days.
    pub step_due_at: Option<String>,
    /// In review: the active step is past its days.
    pub step_overdue: bool,
    pub source_id: Option<i64>,
    pub reply_to_id: Option<i64>,
    pub replaces_id: Option<i64>,
    /// Why it was last rejected, returned or revoked.
    pub reason: Option<String>,
    pub note: Option<String>,
    pub created_by: i64,
    pub created_at: String,
    pub updated_at: String,
}

pub use crate::app::views::{date_after_today, today_local};

/// A document type code as given (`cong_van`): lowercase ASCII letters, digits and `_`, checked before any lookup.
pub(crate) fn doc_type_code(raw: &str) -> AppResult<&str> {
    let t = raw.trim();
    if t.is_empty()
        || t.len() > 64
        || !t
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(AppError::Invalid {
            field: "doc_type".into(),
            message: format!(
                "Mã loại văn bản \"{}\" không hợp lệ (chữ thường không dấu, số và _), ví dụ cong_van.",
                t.chars()
                    .filter(|c| !c.is_control())
                    .take(64)
                    .collect::<String>()
            ),
        });
    }
    Ok(t)
}

/// The state after an action, or a conflict saying why it cannot be done now (out of order).
/// Revokes an incoming copy at its sender's request (NĐ 30 Điều 18.4): revoked with the reason, and its
/// handlers' open work stops. False when it cannot be revoked (already revoked, rejected).
pub(crate) async fn revoke_copy(
    tx: &mut Box<dyn WriteTx>,
    d: &mut Document,
    reason: &str,
    now: i64,
) -> AppResult<bool> {
    let Ok(s) = step(d, vanthu_domain::document::Action::Revoke) else {
        return Ok(false);
    };
    d.state = s;
    d.reason = Some(reason.to_string());
    tx.update_document(d, now).await?;
    for mut a in tx.assignments(d.id).await? {
        if matches!(a.state.as_str(), "pending" | "processing") {
            a.state = "revoked".into();
            a.done_at = Some(now);
            tx.update_assignment(&a).await?;
        }
    }
    Ok(true)
}

pub(crate) fn step(d: &Document, action: vanthu_domain::document::Action) -> AppResult<DocState> {
    vanthu_domain::document::next_state(d.direction, d.state, action)
        .map_err(|e| AppError::Conflict(e.message))
}

pub(crate) fn finished(s: DocState) -> bool {
    matches!(
        s,
        DocState::Done | DocState::Rejected | DocState::Revoked | DocState::Issued
    )
}

pub fn document_view(d: &Document) -> DocumentView {
    let today = today_local();
    DocumentView {
        id: d.id,
        unit_id: d.unit_id,
        direction: d.direction.code().into(),
        direction_label: d.direction.label().into(),
        state: d.state.code().into(),
        state_label: d.state.label().into(),
        doc_type: d.doc_type.clone(),
        subject: d.subject.clone(),
        notation: d.notation.clone(),
        doc_date: d.doc_date.clone(),
        author: d.author.clone(),
        author_code: d.author_code.clone(),
        signer: d.signer.clone(),
        pages: d.pages,
        copies: d.copies,
        urgency: d.urgency.code().into(),
        urgency_label: d.urgency.label().into(),
        secrecy: d.secrecy.map(|s| s.code().into()),
        secrecy_label: d.secrecy.map(|s| s.label().into()),
        deadline: d.deadline.clone(),
        overdue: d
            .deadline
            .as_deref()
            .is_some_and(|dl| dl < today.as_str() && !finished(d.state)),
        channel: d.channel.map(|c| c.code().into()),
        register_id: d.register_id,
        reg_number: d.reg_number,
        received_at: d.received_at.map(iso),
        registered_at: d.registered_at.map(iso),
        issued_at: d.issued_at.map(iso),
        presented_to: d.presented_to,
        direction_note: d.direction_note.clone(),
        signer_id: d.signer_id,
        flow_version_id: d.flow_version_id,
        step_due_at: d
            .step_due_at
            .filter(|_| d.state == DocState::InReview)
            .map(iso),
        step_overdue: d.state == DocState::InReview && d.step_due_at.is_some_and(|t| t < now_ms()),
        source_id: d.source_id,
        reply_to_id: d.reply_to_id,
        replaces_id: d.replaces_id,
        reason: d.reason.clone(),
        note: d.note.clone(),
        created_by: d.created_by,
        created_at: iso(d.created_at),
        updated_at: iso(d.updated_at),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileView {
    pub id: i64,
    /// `main`, `appendix`, `source`.
    pub kind: String,
    pub kind_label: String,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub version: i64,
    /// Issued: the file can no longer change.
    pub frozen: bool,
    pub uploaded_by: i64,
    pub uploaded_at: String,
}

pub fn file_view(f: &DocFile) -> FileView {
    FileView {
        id: f.id,
        kind: f.kind.code().into(),
        kind_label: f.kind.label().into(),
        name: f.name.clone(),
        media_type: f.media_type.clone(),
        size: f.size,
        sha256: f.sha256.clone(),
        version: f.version,
        frozen: f.frozen,
        uploaded_by: f.uploaded_by,
        uploaded_at: iso(f.uploaded_at),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: i64,
    pub full_name: String,
    pub username: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssignmentView {
    pub id: i64,
    pub person: PersonRef,
    /// `lead` (chủ trì), `co` (phối hợp), `info` (để biết).
    pub role: String,
    pub role_label: String,
    /// `pending`, `processing`, `done`, `forwarded`, `revoked`.
    pub state: String,
    pub state_label: String,
    pub deadline: Option<String>,
    pub note: Option<String>,
    pub report: Option<String>,
    pub assigned_by: PersonRef,
    pub assigned_at: String,
    pub done_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: i64,
    pub round: i64,
    pub step: i64,
    /// `all`, `any`, or `sign` for the person with authority to sign.
    pub mode: String,
    pub person: PersonRef,
    /// `pending`, `approved`, `returned`.
    pub decision: String,
    pub decision_label: String,
    pub comment: Option<String>,
    pub decided_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecipientView {
    pub id: i64,
    /// `internal`, `axis`, `paper`.
    pub channel: String,
    pub unit_id: Option<i64>,
    pub name: String,
    pub code: Option<String>,
    /// `pending`, `arrived`, `rejected`, `accepted`, `assigned`, `processing`, `done`, `revoked`.
    pub status: String,
    pub status_label: String,
    pub note: Option<String>,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentView {
    pub id: i64,
    pub person: PersonRef,
    pub body: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocEventView {
    pub at: String,
    pub at_local: String,
    pub actor: Option<PersonRef>,
    pub action: String,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentDetail {
    pub document: DocumentView,
    pub unit_name: String,
    pub doc_type_name: Option<String>,
    pub files: Vec<FileView>,
    pub assignments: Vec<AssignmentView>,
    pub reviews: Vec<ReviewView>,
    pub recipients: Vec<RecipientView>,
    pub comments: Vec<CommentView>,
    /// Documents that answer this one (that the reader may see).
    pub replies: Vec<DocumentView>,
    /// Packets of this document over the interconnection axis: packages to outside recipients and their
    /// revocations (outgoing), status packets back to the sender (incoming).
    pub exchange: Vec<crate::app::exchange::PacketView>,
    /// Where it came from over the axis (an incoming document that arrived that way).
    pub arrival: Option<crate::app::exchange::ArrivalView>,
    /// What the reader may do now: `register`, `reject`, `present`, `assign`, `progress`, `complete`,
    /// `forward`, `submit`, `review`, `return`, `issue`, `revoke`, `edit`, `attach`, `comment`.
    pub actions: Vec<String>,
}

pub(crate) async fn person_ref(tx: &mut dyn ReadTx, id: i64) -> AppResult<PersonRef> {
    Ok(match tx.person(id).await? {
        Some(p) => PersonRef {
            id,
            full_name: p.full_name,
            username: p.username,
        },
        None => PersonRef {
            id,
            full_name: format!("Người dùng số {id}"),
            username: String::new(),
        },
    })
}

fn assignment_state_label(s: &str) -> &'static str {
    match s {
        "pending" => "Chưa xử lý",
        "processing" => "Đang xử lý",
        "done" => "Đã xong",
        "forwarded" => "Đã chuyển",
        "revoked" => "Đã thu hồi",
        _ => "Khác",
    }
}

fn decision_label(s: &str) -> &'static str {
    match s {
        "pending" => "Chờ ý kiến",
        "approved" => "Đồng ý",
        "returned" => "Trả lại",
        _ => "Khác",
    }
}

/// Which queue or list of documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    /// Clerk: incoming documents waiting to be registered (arrived from inside the installation).
    ToRegister,
    /// Clerk: registered documents to present to a leader.
    ToPresent,
    /// Clerk: approved drafts to number and issue.
    ToIssue,
    /// Leader: incoming documents presented for direction.
    ToDirect,
    /// Reviewers and signers: drafts waiting for their decision.
    ToReview,
    /// Handlers: documents assigned to them, not finished.
    Assigned,
    /// Drafters: their drafts not yet issued.
    Drafts,
    /// Issued internal documents addressed to the reader's units.
    InternalReceived,
}

impl Queue {
    pub const ALL: [Queue; 8] = [
        Queue::ToRegister,
        Queue::ToPresent,
        Queue::ToIssue,
        Queue::ToDirect,
        Queue::ToReview,
        Queue::Assigned,
        Queue::Drafts,
        Queue::InternalReceived,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Queue::ToRegister => "to_register",
            Queue::ToPresent => "to_present",
            Queue::ToIssue => "to_issue",
            Queue::ToDirect => "to_direct",
            Queue::ToReview => "to_review",
            Queue::Assigned => "assigned",
            Queue::Drafts => "drafts",
            Queue::InternalReceived => "internal_received",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Queue::ToRegister => "Văn bản đến chờ vào sổ",
            Queue::ToPresent => "Văn bản đã vào sổ, chờ trình",
            Queue::ToIssue => "Dự thảo đã duyệt, chờ cấp số và ban hành",
            Queue::ToDirect => "Văn bản chờ chỉ đạo",
            Queue::ToReview => "Dự thảo chờ cho ý kiến, ký duyệt",
            Queue::Assigned => "Văn bản được giao xử lý",
            Queue::Drafts => "Dự thảo của tôi",
            Queue::InternalReceived => "Văn bản nội bộ nhận được",
        }
    }

    pub fn parse(s: &str) -> AppResult<Queue> {
        Queue::ALL
            .into_iter()
            .find(|q| q.code() == s)
            .ok_or_else(|| AppError::Invalid {
                field: "queue".into(),
                message: format!(
                    "Hàng đợi \"{s}\" không có; dùng một trong: {}.",
                    Queue::ALL.map(|q| q.code()).join(", ")
                ),
            })
    }

    /// The listing of this queue for the actor, or `None` when the actor has no role that has this queue.
    pub fn filter(self, actor: &Actor) -> Option<DocFilter> {
        let clerk_units = units_with_role(actor, Role::Clerk);
        let leader_units = units_with_role(actor, Role::Leader);
        let all_units: Vec<i64> = actor.memberships.iter().map(|m| m.unit_id).collect();
        let mk = |scope: DocScope, states: &[DocState]| {
            let mut f = DocFilter::new(actor.clearance, scope);
            f.states = states.to_vec();
            f
        };
        match self {
            Queue::ToRegister | Queue::ToPresent | Queue::ToIssue if clerk_units.is_empty() => None,
            Queue::ToRegister => Some(mk(DocScope::Units(clerk_units), &[DocState::Received])),
            Queue::ToPresent => Some(mk(DocScope::Units(clerk_units), &[DocState::Registered])),
            Queue::ToIssue => Some(mk(DocScope::Units(clerk_units), &[DocState::Approved])),
            Queue::ToDirect if leader_units.is_empty() => None,
            Queue::ToDirect => Some(mk(
                DocScope::PresentedTo {
                    person_id: actor.person_id,
                    units: leader_units,
                    at: now_ms(),
                },
                &[DocState::Presented],
            )),
            Queue::ToReview => Some(mk(DocScope::ReviewBy(actor.person_id, now_ms()), &[])),
            Queue::Assigned => Some(mk(DocScope::AssignedTo(actor.person_id), &[])),
            Queue::Drafts => Some(mk(
                DocScope::CreatedBy(actor.person_id),
                &[DocState::Draft, DocState::InReview, DocState::Approved],
            )),
            Queue::InternalReceived => Some(mk(DocScope::RecipientUnits(all_units), &[])),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentPage {
    /// How many documents the list has; with `total_exact` false, at least this many (a unit's whole list is
    /// counted up to [`LIST_COUNT_CAP`]: a filter narrows it).
    pub total: i64,
    pub total_exact: bool,
    pub limit: i64,
    pub offset: i64,
    pub items: Vec<DocumentView>,
}

/// A unit's list is counted up to this many documents; beyond, the page says "more than" and a filter narrows it.
pub const LIST_COUNT_CAP: i64 = 10_000;

/// The filter of the unit listing (`GET /api/v1/documents`).
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub unit_id: i64,
    pub direction: Option<String>,
    pub state: Option<String>,
    pub q: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

impl App {
    /// One queue of the actor, newest first. A queue of a role the actor does not hold is empty.
    pub async fn queue(
        &self,
        actor: &Actor,
        queue: Queue,
        query: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> AppResult<DocumentPage> {
        let Some(mut f) = queue.filter(actor) else {
            return Ok(DocumentPage {
                total: 0,
                total_exact: true,
                limit,
                offset,
                items: vec![],
            });
        };
        f.query = query
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(Into::into);
        f.limit = limit;
        f.offset = offset;
        let mut r = self.store.read().await?;
        let total = r.count_documents(&f).await?;
        let items = r.list_documents(&f).await?;
        Ok(DocumentPage {
            total,
            total_exact: true,
            limit,
            offset,
            items: items.iter().map(document_view).collect(),
        })
    }

    /// How many documents wait in each of the actor's queues (for the home page).
    pub async fn queue_counts(&self, actor: &Actor) -> AppResult<Vec<(Queue, i64)>> {
        let mut r = self.store.read().await?;
        let mut out = Vec::new();
        for q in Queue::ALL {
            if let Some(f) = q.filter(actor) {
                out.push((q, r.count_documents(&f).await?));
            }
        }
        Ok(out)
    }

    /// Every document a unit holds, for its clerks and leaders.
    pub async fn unit_documents(&self, actor: &Actor, q: &ListQuery) -> AppResult<DocumentPage> {
        if !(has_role(actor, q.unit_id, Role::Clerk) || has_role(actor, q.unit_id, Role::Leader)) {
            return Err(AppError::Forbidden(
                "Chỉ văn thư và lãnh đạo của đơn vị được xem toàn bộ văn bản của đơn vị.".into(),
            ));
        }
        let mut f = DocFilter::new(actor.clearance, DocScope::Units(vec![q.unit_id]));
        if let Some(d) = q.direction.as_deref().filter(|s| !s.is_empty()) {
            f.direction = Some(vanthu_store::Direction::parse(d)?);
        }
        if let Some(s) = q.state.as_deref().filter(|s| !s.is_empty()) {
            f.states = vec![DocState::parse(s)?];
        }
        f.query =
            q.q.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Into::into);
        f.limit = q.limit;
        f.offset = q.offset;
        let mut r = self.store.read().await?;
        let counted = r.count_documents_upto(&f, LIST_COUNT_CAP + 1).await?;
        let items = r.list_documents(&f).await?;
        Ok(DocumentPage {
            total: counted.min(LIST_COUNT_CAP),
            total_exact: counted <= LIST_COUNT_CAP,
            limit: q.limit,
            offset: q.offset,
            items: items.iter().map(document_view).collect(),
        })
    }

    pub async fn document_detail(&self, actor: &Actor, id: i64) -> AppResult<DocumentDetail> {
        let mut r = self.store.read().await?;
        let d = r.document(id).await?;
        let (d, rel) = see(&mut *r, actor, d, id).await?;
        let unit = load_unit(&mut *r, d.unit_id).await?;
        let doc_type_name = match &d.doc_type {
            Some(c) => r.document_type(c).await?.map(|t| t.name),
            None => None,
        };
        let files = r.document_files(id).await?;
        let assignments = r.assignments(id).await?;
        let reviews = r.reviews(id).await?;
        let recipients = r.recipients(id).await?;
        let comments = r.comments(id).await?;
        let mut av = Vec::new();
        for a in &assignments {
            av.push(AssignmentView {
                id: a.id,
                person: person_ref(&mut *r, a.person_id).await?,
                role: a.role.code().into(),
                role_label: a.role.label().into(),
                state: a.state.clone(),
                state_label: assignment_state_label(&a.state).into(),
                deadline: a.deadline.clone(),
                note: a.note.clone(),
                report: a.report.clone(),
                assigned_by: person_ref(&mut *r, a.assigned_by).await?,
                assigned_at: iso(a.assigned_at),
                done_at: a.done_at.map(iso),
            });
        }
        let mut rv = Vec::new();
        for x in &reviews {
            rv.push(ReviewView {
                id: x.id,
                round: x.round,
                step: x.step,
                mode: x.mode.clone(),
                person: person_ref(&mut *r, x.person_id).await?,
                decision: x.decision.clone(),
                decision_label: decision_label(&x.decision).into(),
                comment: x.comment.clone(),
                decided_at: x.decided_at.map(iso),
            });
        }
        let mut cv = Vec::new();
        for c in &comments {
            cv.push(CommentView {
                id: c.id,
                person: person_ref(&mut *r, c.person_id).await?,
                body: c.body.clone(),
                at: iso(c.at),
            });
        }
        let mut replies = Vec::new();
        for reply in r.replies(id).await? {
            let rid = reply.id;
            if let Ok((x, _)) = see(&mut *r, actor, Some(reply), rid).await {
                replies.push(document_view(&x));
            }
        }
        let now = now_ms();
        let delegators: Vec<i64> = r
            .delegations_of(actor.person_id)
            .await?
            .into_iter()
            .filter(|g| {
                g.to_person == actor.person_id
                    && g.revoked_at.is_none()
                    && g.starts_at <= now
                    && now < g.ends_at
            })
            .map(|g| g.from_person)
            .collect();
        let actions = allowed_actions(actor, &d, rel, &assignments, &reviews, &delegators);
        let exchange = r
            .outbox_of_document(id)
            .await?
            .iter()
            .map(crate::app::exchange::packet_view)
            .collect();
        let arrival = r
            .exchange_link(id)
            .await?
            .as_ref()
            .map(crate::app::exchange::arrival_view);
        drop(r);
        self.audit_secret(actor, &d, "document.read", "Xem văn bản mật".into())
            .await?;
        Ok(DocumentDetail {
            document: document_view(&d),
            unit_name: unit.name,
            doc_type_name,
            files: files.iter().map(file_view).collect(),
            assignments: av,
            reviews: rv,
            recipients: recipients
                .iter()
                .map(|x| RecipientView {
                    id: x.id,
                    channel: x.channel.clone(),
                    unit_id: x.unit_id,
                    name: x.name.clone(),
                    code: x.code.clone(),
                    status: x.status.code().into(),
                    status_label: x.status.label().into(),
                    note: x.note.clone(),
                    updated_at: iso(x.updated_at),
                })
                .collect(),
            comments: cv,
            replies,
            exchange,
            arrival,
            actions: actions.into_iter().map(Into::into).collect(),
        })
    }

    /// The history of a document, oldest first.
    pub async fn document_history(&self, actor: &Actor, id: i64) -> AppResult<Vec<DocEventView>> {
        let mut r = self.store.read().await?;
        let d = r.document(id).await?;
        see(&mut *r, actor, d, id).await?;
        let mut events = r.events_for("document", id, 1000).await?;
        events.sort_by_key(|e| (e.at, e.id));
        let mut out = Vec::new();
        for e in events {
            out.push(DocEventView {
                at: iso(e.at),
                at_local: local_time(e.at),
                actor: match e.actor_id {
                    Some(p) => Some(person_ref(&mut *r, p).await?),
                    None => None,
                },
                action: e.action,
                summary: e.summary,
            });
        }
        Ok(out)
    }

    /// A file of a document the actor may see: its name, media type and checked content.
    pub async fn document_file(
        &self,
        actor: &Actor,
        id: i64,
        file_id: i64,
    ) -> AppResult<(DocFile, Vec<u8>)> {
        let mut r = self.store.read().await?;
        let d = r.document(id).await?;
        let doc = Some(see(&mut *r, actor, d, id).await?.0);
        let f = r
            .document_file(file_id)
            .await?
            .filter(|f| f.document_id == id)
            .ok_or_else(|| {
                AppError::NotFound(format!("Văn bản {id} không có tệp số {file_id}."))
            })?;
        drop(r);
        if let Some(d) = &doc {
            self.audit_secret(
                actor,
                d,
                "document.download",
                format!("Tải tệp \"{}\" của văn bản mật", f.name),
            )
            .await?;
        }
        let bytes = self.blobs.get(&f.sha256).await.map_err(|e| {
            tracing::error!(error = %e, sha = %f.sha256, "blob unreadable");
            AppError::Internal(format!("tệp {} không đọc được: {e}", f.sha256))
        })?;
        Ok((f, bytes))
    }

    /// Reading a secret document or its files is recorded in its history (who, when), as NĐ 30 Phụ lục VI asks
    /// of the access history; ordinary documents are not, to keep reads cheap.
    async fn audit_secret(
        &self,
        actor: &Actor,
        d: &Document,
        action: &str,
        summary: String,
    ) -> AppResult<()> {
        if d.secrecy.is_none() {
            return Ok(());
        }
        let mut tx = self.store.write().await?;
        record(
            &mut tx,
            Some(actor.person_id),
            action,
            "document",
            d.id,
            summary,
            serde_json::json!({"secrecy": d.secrecy.map(|s| s.code())}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Anyone who sees a document may comment on it.
    pub async fn comment(&self, actor: &Actor, id: i64, body: &str) -> AppResult<CommentView> {
        let body = vanthu_domain::text::parse_text("body", "Ý kiến", body, 5000)?;
        let mut tx = self.store.write().await?;
        let (d, _) = see_for_update(&mut tx, actor, id).await?;
        let now = now_ms();
        let cid = tx.insert_comment(d.id, actor.person_id, &body, now).await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "document.comment",
            "document",
            d.id,
            format!("Cho ý kiến: {}", excerpt(&body, 200)),
            serde_json::json!({"comment_id": cid}),
        )
        .await?;
        let person = person_ref(&mut *tx, actor.person_id).await?;
        tx.commit().await?;
        Ok(CommentView {
            id: cid,
            person,
            body,
            at: iso(now),
        })
    }

    /// Adds files to a document: the drafter to a draft (a new main file is a new version), handlers and the
    /// clerk to an incoming document (their working files). An issued document's files never change.
    pub async fn attach(
        &self,
        actor: &Actor,
        id: i64,
        uploads: Vec<Upload>,
    ) -> AppResult<Vec<FileView>> {
        if uploads.is_empty() {
            return Err(AppError::Invalid {
                field: "file".into(),
                message: "Chưa chọn tệp nào.".into(),
            });
        }
        let checked = check_uploads(&uploads)?;
        // Who may attach is checked before the files are written, and again under the lock.
        {
            let mut r = self.store.read().await?;
            let d = r.document(id).await?;
            let (d, rel) = see(&mut *r, actor, d, id).await?;
            if !may_attach(&d, rel) {
                return Err(attach_refused(&d));
            }
        }
        let stored = self.store_blobs(&uploads).await?;
        let mut tx = self.store.write().await?;
        let (d, rel) = see_for_update(&mut tx, actor, id).await?;
        if !may_attach(&d, rel) {
            return Err(attach_refused(&d));
        }
        let existing = tx.document_files(id).await?;
        let now = now_ms();
        let mut out = Vec::new();
        for ((u, c), sha) in uploads.iter().zip(&checked).zip(&stored) {
            let version = existing
                .iter()
                .filter(|f| {
                    f.kind == u.kind && (u.kind != FileKind::Main || f.kind == FileKind::Main)
                })
                .filter(|f| u.kind == FileKind::Main || f.name == c.name)
                .map(|f| f.version)
                .max()
                .unwrap_or(0)
                + 1;
            let nf = NewFile {
                kind: u.kind,
                name: c.name.clone(),
                media_type: c.media_type.into(),
                size: u.bytes.len() as i64,
                sha256: sha.clone(),
                version,
                frozen: false,
                uploaded_by: actor.person_id,
            };
            let fid = tx.insert_file(id, &nf, now).await?;
            out.push(FileView {
                id: fid,
                kind: nf.kind.code().into(),
                kind_label: nf.kind.label().into(),
                name: nf.name.clone(),
                media_type: nf.media_type.clone(),
                size: nf.size,
                sha256: nf.sha256.clone(),
                version,
                frozen: false,
                uploaded_by: actor.person_id,
                uploaded_at: iso(now),
            });
        }
        let names: Vec<String> = out
            .iter()
            .map(|f| format!("{} (bản {})", f.name, f.version))
            .collect();
        record(
            &mut tx,
            Some(actor.person_id),
            "document.attach",
            "document",
            d.id,
            format!("Thêm tệp: {}", names.join(", ")),
            serde_json::json!({"files": out.iter().map(|f| serde_json::json!({"id": f.id, "sha256": f.sha256})).collect::<Vec<_>>()}),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Checks and stores uploads before the transaction that refers to them.
    pub(crate) async fn store_blobs(&self, uploads: &[Upload]) -> AppResult<Vec<String>> {
        let mut out = Vec::with_capacity(uploads.len());
        for u in uploads {
            let sha = self.blobs.put(u.bytes.clone()).await.map_err(|e| {
                tracing::error!(error = %e, "blob write failed");
                AppError::Internal(format!("không ghi được tệp: {e}"))
            })?;
            out.push(sha);
        }
        Ok(out)
    }
}

/// Files may be added to an unfinished incoming document by its clerks, leaders and handlers, and to a draft by
/// its drafter.
fn may_attach(d: &Document, rel: Relation) -> bool {
    match d.direction {
        vanthu_store::Direction::Incoming => {
            !finished(d.state) && (rel.clerk || rel.party || rel.leader)
        }
        _ => d.state == DocState::Draft && rel.creator,
    }
}

fn attach_refused(d: &Document) -> AppError {
    AppError::Conflict(format!(
        "Không thể thêm tệp vào văn bản đang ở trạng thái \"{}\" (hoặc bạn không xử lý văn bản này).",
        d.state.label()
    ))
}

/// Checks every upload (name, type, content, size, count).
pub(crate) fn check_uploads(
    uploads: &[Upload],
) -> AppResult<Vec<vanthu_domain::document::CheckedFile>> {
    if uploads.len() > MAX_FILES {
        return Err(AppError::Invalid {
            field: "file".into(),
            message: format!("Tối đa {MAX_FILES} tệp mỗi lần gửi."),
        });
    }
    if uploads.iter().filter(|u| u.kind == FileKind::Main).count() > 1 {
        return Err(AppError::Invalid {
            field: "file".into(),
            message: "Chỉ có một văn bản chính mỗi lần gửi; các tệp khác là phụ lục hoặc tệp gốc."
                .into(),
        });
    }
    uploads
        .iter()
        .map(|u| {
            if u.bytes.len() > MAX_FILE_BYTES {
                return Err(AppError::TooLarge(format!(
                    "Tệp \"{}\" lớn hơn {} MB.",
                    u.name,
                    MAX_FILE_BYTES / 1024 / 1024
                )));
            }
            Ok(check_file(&u.name, &u.bytes, u.kind)?)
        })
        .collect()
}

pub(crate) fn excerpt(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out.replace('\n', " ")
}

/// A short Vietnamese name of a document for history lines: "Văn bản đến số 15 (05/QĐ-UBND)".
pub(crate) fn doc_title(d: &Document) -> String {
    let mut s = format!("{} \"{}\"", d.direction.label(), excerpt(&d.subject, 80));
    if let Some(n) = &d.notation {
        s.push_str(&format!(" số {n}"));
    }
    if let Some(dt) = &d.doc_date {
        s.push_str(&format!(" ngày {}", date_vn(dt)));
    }
    s
}

/// What the actor may do now, for pages to show the right buttons (the actions check again).
pub(crate) fn allowed_actions(
    actor: &Actor,
    d: &Document,
    rel: Relation,
    assignments: &[vanthu_store::Assignment],
    reviews: &[vanthu_store::Review],
    delegators: &[i64],
) -> Vec<&'static str> {
    use vanthu_store::Direction as Dir;
    let mut v = vec!["comment"];
    let open_mine: Vec<&vanthu_store::Assignment> = assignments
        .iter()
        .filter(|a| {
            a.person_id == actor.person_id && matches!(a.state.as_str(), "pending" | "processing")
        })
        .collect();
    match (d.direction, d.state) {
        (Dir::Incoming, DocState::Received) if rel.clerk => v.extend(["register", "reject"]),
        (Dir::Incoming, DocState::Registered | DocState::Presented) if rel.clerk => {
            v.push("present")
        }
        _ => {}
    }
    // A leader directs; so does whoever the leader it was presented to has delegated to.
    let delegate =
        d.state == DocState::Presented && d.presented_to.is_some_and(|p| delegators.contains(&p));
    if d.direction == Dir::Incoming
        && (rel.leader || delegate)
        && matches!(
            d.state,
            DocState::Registered | DocState::Presented | DocState::Assigned | DocState::Processing
        )
    {
        v.push("assign");
    }
    if d.direction == Dir::Incoming && !open_mine.is_empty() {
        v.extend(["progress", "complete"]);
        if open_mine
            .iter()
            .any(|a| a.role != vanthu_store::AssignmentRole::Info)
        {
            v.push("forward");
        }
    }
    if d.direction == Dir::Incoming && !finished(d.state) && (rel.clerk || rel.party || rel.leader)
    {
        v.push("attach");
    }
    if d.direction != Dir::Incoming {
        match d.state {
            DocState::Draft if rel.creator => v.extend(["edit", "attach", "submit"]),
            DocState::InReview if rel.creator => {
                v.push("withdraw");
                if reviews.iter().any(|r| {
                    r.round == d.review_round
                        && r.step == d.review_step
                        && (r.person_id == actor.person_id || delegators.contains(&r.person_id))
                        && r.decision == "pending"
                }) {
                    v.push("review");
                }
            }
            DocState::InReview
                if reviews.iter().any(|r| {
                    r.round == d.review_round
                        && r.step == d.review_step
                        && (r.person_id == actor.person_id || delegators.contains(&r.person_id))
                        && r.decision == "pending"
                }) =>
            {
                v.push("review")
            }
            DocState::Approved if rel.clerk => v.extend(["issue", "return"]),
            DocState::Issued if rel.clerk || rel.leader => v.push("revoke"),
            _ => {}
        }
    }
    v
}
