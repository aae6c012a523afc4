//! The storage traits, split by concern. Writes take grants from `vanthu_domain::access`, so a write
//! cannot be called without the permission check that makes the grant.

use crate::Result;
use crate::model::*;
use async_trait::async_trait;
use vanthu_domain::access::{AdminGrant, ClerkGrant, PersonGrant, SystemGrant};

/// Where a new unit goes: at the top (system administrators only) or under a parent the actor administers.
pub enum Placement<'a> {
    Root(&'a SystemGrant),
    Under(&'a AdminGrant),
}

impl Placement<'_> {
    pub fn parent_id(&self) -> Option<i64> {
        match self {
            Placement::Root(_) => None,
            Placement::Under(g) => Some(g.unit_id()),
        }
    }
}

#[async_trait]
pub trait UnitRead: Send {
    async fn unit(&mut self, id: i64) -> Result<Option<Unit>>;
    async fn unit_by_key(&mut self, key: &str) -> Result<Option<Unit>>;
    /// The unit whose current or old identifier code is `code`.
    async fn unit_by_code(&mut self, code: &str) -> Result<Option<Unit>>;
    /// All units ordered by name; inactive ones only when asked.
    async fn units(&mut self, include_inactive: bool) -> Result<Vec<Unit>>;
    /// The unit itself first, then its parent, up to the root. Empty if the unit does not exist.
    async fn ancestry(&mut self, id: i64) -> Result<Vec<i64>>;
    async fn count_active_children(&mut self, id: i64) -> Result<i64>;
}

#[async_trait]
pub trait UnitWrite: Send {
    /// Serialises changes to the unit tree and the codes until the end of the transaction, so that checks
    /// made on the tree (no cycle, codes free) still hold at commit. SQLite writers are serialised already.
    async fn lock_organisation(&mut self) -> Result<()>;
    async fn insert_unit(&mut self, at: Placement<'_>, f: &UnitFields, now: i64) -> Result<i64>;
    async fn update_unit(&mut self, g: &AdminGrant, f: &UnitFields, now: i64) -> Result<()>;
    async fn move_unit(&mut self, g: &AdminGrant, to: Placement<'_>, now: i64) -> Result<()>;
    async fn set_unit_active(&mut self, g: &AdminGrant, active: bool, now: i64) -> Result<()>;
}

#[async_trait]
pub trait PersonRead: Send {
    async fn person(&mut self, id: i64) -> Result<Option<Person>>;
    async fn person_by_username(&mut self, username: &str) -> Result<Option<Person>>;
    async fn people(&mut self, f: &PeopleFilter) -> Result<Vec<Person>>;
    async fn count_people(&mut self, f: &PeopleFilter) -> Result<i64>;
    async fn memberships(&mut self, person_id: i64) -> Result<Vec<Membership>>;
    async fn memberships_of_unit(&mut self, unit_id: i64) -> Result<Vec<Membership>>;
    async fn all_memberships(&mut self) -> Result<Vec<Membership>>;
}

#[async_trait]
pub trait PersonWrite: Send {
    /// Creates an account, by a system administrator (`Root`) or by the administrator of the unit the
    /// account will belong to (`Under`). Memberships are added with [`PersonWrite::put_membership`].
    async fn insert_person(
        &mut self,
        by: Placement<'_>,
        username: &str,
        f: &PersonFields,
        password_hash: Option<&str>,
        must_change_password: bool,
        now: i64,
    ) -> Result<i64>;
    async fn update_person(&mut self, g: &PersonGrant, f: &PersonFields, now: i64) -> Result<()>;
    async fn set_person_active(&mut self, g: &PersonGrant, active: bool, now: i64) -> Result<()>;
    async fn set_password(
        &mut self,
        g: &PersonGrant,
        hash: &str,
        must_change: bool,
        now: i64,
    ) -> Result<()>;
    /// Adds or replaces the person's membership in the granted unit.
    async fn put_membership(
        &mut self,
        person_id: i64,
        unit: &AdminGrant,
        f: &MembershipFields,
    ) -> Result<()>;
    async fn remove_membership(&mut self, person_id: i64, unit: &AdminGrant) -> Result<()>;
}

#[async_trait]
pub trait AuthRead: Send {
    async fn credentials(&mut self, username: &str) -> Result<Option<Credentials>>;
    async fn token(&mut self, token_hash: &str) -> Result<Option<Token>>;
    async fn login_events(&mut self, since: i64, until: i64) -> Result<Vec<LoginEvent>>;
}

#[async_trait]
pub trait AuthWrite: Send {
    async fn set_login_state(
        &mut self,
        person_id: i64,
        failed: i64,
        locked_until: i64,
    ) -> Result<()>;
    /// Counts a sign-in attempt as a failure before the password is checked, unless the account is locked
    /// at `now`; answers the new count, or `None` when locked. Atomic, so parallel attempts all count.
    async fn reserve_attempt(&mut self, person_id: i64, now: i64) -> Result<Option<i64>>;
    async fn insert_login_event(&mut self, e: &LoginEvent) -> Result<()>;
    async fn insert_token(
        &mut self,
        token_hash: &str,
        person_id: i64,
        kind: TokenKind,
        csrf: Option<&str>,
        now: i64,
        expires_at: i64,
    ) -> Result<()>;
    async fn revoke_token(&mut self, token_hash: &str, now: i64) -> Result<bool>;
    async fn revoke_person_tokens(&mut self, person_id: i64, now: i64) -> Result<u64>;
}

#[async_trait]
pub trait HistoryRead: Send {
    async fn events_for(&mut self, entity: &str, entity_id: i64, limit: i64) -> Result<Vec<Event>>;
    async fn recent_events(&mut self, limit: i64) -> Result<Vec<Event>>;
}

#[async_trait]
pub trait HistoryWrite: Send {
    async fn append_event(&mut self, e: &NewEvent<'_>, now: i64) -> Result<i64>;
}

#[async_trait]
pub trait RegisterRead: Send {
    async fn register(&mut self, id: i64) -> Result<Option<Register>>;
    async fn registers_of_unit(&mut self, unit_id: i64) -> Result<Vec<Register>>;
    /// Entries of a register, newest first.
    async fn register_entries(
        &mut self,
        register_id: i64,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<RegisterEntry>>;
    async fn register_entry(
        &mut self,
        register_id: i64,
        number: i64,
    ) -> Result<Option<RegisterEntry>>;
}

#[async_trait]
pub trait RegisterWrite: Send {
    async fn insert_register(
        &mut self,
        unit: &AdminGrant,
        f: &RegisterFields,
        now: i64,
    ) -> Result<i64>;
    /// Takes the next number of an active register of the clerk's unit and records it as reserved; `None`
    /// when the register is not one of that unit or is closed. Gap-free: a rolled-back transaction gives the
    /// number back.
    async fn take_number(
        &mut self,
        clerk: &ClerkGrant,
        register_id: i64,
        by: i64,
        now: i64,
    ) -> Result<Option<i64>>;
    async fn set_entry_notation(
        &mut self,
        register_id: i64,
        number: i64,
        notation: &str,
    ) -> Result<()>;
    /// Cancels a reserved number with a reason; `false` when it is not reserved (already cancelled or used).
    async fn cancel_number(
        &mut self,
        clerk: &ClerkGrant,
        register_id: i64,
        number: i64,
        reason: &str,
        by: i64,
        now: i64,
    ) -> Result<bool>;
}

#[async_trait]
pub trait DocumentTypeRead: Send {
    /// By name; stopped ones only when asked.
    async fn document_types(&mut self, include_inactive: bool) -> Result<Vec<DocumentType>>;
    async fn document_type(&mut self, code: &str) -> Result<Option<DocumentType>>;
}

#[async_trait]
pub trait DocumentTypeWrite: Send {
    async fn insert_document_type(
        &mut self,
        g: &SystemGrant,
        code: &str,
        f: &DocumentTypeFields,
        now: i64,
    ) -> Result<()>;
    async fn update_document_type(
        &mut self,
        g: &SystemGrant,
        code: &str,
        f: &DocumentTypeFields,
    ) -> Result<()>;
}

#[async_trait]
pub trait ExchangeRead: Send {
    /// Queued packets due at `now`, oldest first.
    async fn outbox_due(&mut self, now: i64, limit: i64) -> Result<Vec<OutboxItem>>;
    /// When the next queued packet is due (none: nothing queued).
    async fn outbox_next_due(&mut self) -> Result<Option<i64>>;
    async fn outbox_item(&mut self, id: i64) -> Result<Option<OutboxItem>>;
    async fn outbox_of_document(&mut self, document_id: i64) -> Result<Vec<OutboxItem>>;
    /// Document packages sent with this DocumentId to this agency.
    async fn outbox_sent_to(
        &mut self,
        edxml_document_id: &str,
        to_code: &str,
    ) -> Result<Vec<OutboxItem>>;
    /// Packets by state (`queued`, `sent`, `failed`), newest first.
    async fn outbox_list(&mut self, state: Option<&str>, limit: i64) -> Result<Vec<OutboxItem>>;
    async fn inbox_by_axis_id(&mut self, axis_doc_id: &str) -> Result<Option<InboxItem>>;
    async fn inbox_item(&mut self, id: i64) -> Result<Option<InboxItem>>;
    /// Packages taken from the axis, newest first, optionally only those with this outcome.
    async fn inbox_list(&mut self, outcome: Option<&str>, limit: i64) -> Result<Vec<InboxItem>>;
    async fn exchange_link(&mut self, document_id: i64) -> Result<Option<ExchangeLink>>;
    /// Incoming documents from this sender with this DocumentId.
    async fn exchange_links_for(
        &mut self,
        from_code: &str,
        edxml_document_id: &str,
    ) -> Result<Vec<ExchangeLink>>;
    async fn agencies(&mut self) -> Result<Vec<Agency>>;
    async fn agency(&mut self, code: &str) -> Result<Option<Agency>>;
    /// Whether the directory was ever synchronised (it has any agency).
    async fn has_agencies(&mut self) -> Result<bool>;
}

#[async_trait]
pub trait ExchangeWrite: Send {
    async fn insert_outbox(&mut self, o: &NewOutbox, now: i64) -> Result<i64>;
    /// Takes a queued packet for sending (`sending`); false when it is no longer queued (cancelled meanwhile,
    /// or taken by another worker).
    async fn outbox_claim(&mut self, id: i64) -> Result<bool>;
    /// Puts back in the queue the packets a stopped worker was sending; how many.
    async fn outbox_recover(&mut self) -> Result<u64>;
    /// Records the built package of a queued packet.
    async fn set_outbox_package(&mut self, id: i64, sha256: &str) -> Result<()>;
    async fn outbox_sent(&mut self, id: i64, axis_doc_id: &str, now: i64) -> Result<()>;
    /// A failed attempt that will be tried again at `next_at`.
    async fn outbox_retry(&mut self, id: i64, next_at: i64, error: &str) -> Result<()>;
    /// Refused by the axis: waits for a person (`outbox_requeue`).
    async fn outbox_failed(&mut self, id: i64, error: &str) -> Result<()>;
    /// A queued or refused packet that must not go any more (its document was revoked); false when it was
    /// neither (sending, sent, cancelled).
    async fn outbox_cancel(&mut self, id: i64, reason: &str) -> Result<bool>;
    /// Queues a failed packet again, due at `now`; false when it was not failed.
    async fn outbox_requeue(&mut self, id: i64, now: i64) -> Result<bool>;
    async fn insert_inbox(&mut self, i: &InboxItem) -> Result<i64>;
    async fn set_inbox_outcome(&mut self, id: i64, outcome: &str, note: Option<&str>)
    -> Result<()>;
    async fn insert_exchange_link(&mut self, l: &ExchangeLink) -> Result<()>;
    /// Replaces the directory with what the axis lists.
    async fn replace_agencies(&mut self, agencies: &[Agency]) -> Result<()>;
}

/// Everything that can be read.
pub trait ReadTx:
    UnitRead
    + PersonRead
    + AuthRead
    + HistoryRead
    + RegisterRead
    + DocumentTypeRead
    + DocumentRead
    + ExchangeRead
    + Send
{
}

/// One write transaction: everything readable and writable; nothing is kept without `commit`.
#[async_trait]
pub trait WriteTx:
    ReadTx
    + UnitWrite
    + PersonWrite
    + AuthWrite
    + HistoryWrite
    + RegisterWrite
    + DocumentTypeWrite
    + DocumentWrite
    + ExchangeWrite
    + Send
{
    async fn commit(self: Box<Self>) -> Result<()>;
}

#[async_trait]
pub trait DocumentRead: Send {
    /// The stored document, whoever asks: callers check the reader may see it.
    async fn document(&mut self, id: i64) -> Result<Option<Document>>;
    async fn list_documents(&mut self, f: &DocFilter) -> Result<Vec<Document>>;
    async fn count_documents(&mut self, f: &DocFilter) -> Result<i64>;
    /// Counts the documents of the filter, stopping at `cap`: a long list's pager needs no more.
    async fn count_documents_upto(&mut self, f: &DocFilter, cap: i64) -> Result<i64>;
    /// Incoming documents of a unit with the same folded sender and notation and the same date, at or below the
    /// reader's secrecy level (a warning must not reveal a document the reader may not know of).
    async fn find_duplicates(
        &mut self,
        unit_id: i64,
        author: &str,
        notation: &str,
        doc_date: Option<&str>,
        max_secrecy: i64,
    ) -> Result<Vec<Document>>;
    /// Documents numbered in a register, by number.
    async fn register_documents(&mut self, register_id: i64) -> Result<Vec<Document>>;
    async fn document_files(&mut self, document_id: i64) -> Result<Vec<DocFile>>;
    async fn document_file(&mut self, file_id: i64) -> Result<Option<DocFile>>;
    /// Which of these content hashes (SHA-256, hex) a document file refers to.
    async fn referenced_blobs(&mut self, hashes: &[String]) -> Result<Vec<String>>;
    async fn assignments(&mut self, document_id: i64) -> Result<Vec<Assignment>>;
    /// Every review of every round, in order.
    async fn reviews(&mut self, document_id: i64) -> Result<Vec<Review>>;
    async fn recipients(&mut self, document_id: i64) -> Result<Vec<Recipient>>;
    /// The assignments of every document numbered in a register, by document (for its book).
    async fn register_assignments(&mut self, register_id: i64) -> Result<Vec<Assignment>>;
    /// The recipients of every document numbered in a register, by document (for its book).
    async fn register_recipients(&mut self, register_id: i64) -> Result<Vec<Recipient>>;
    /// The recipient row of the sender whose incoming copy this is.
    async fn recipient_of_copy(&mut self, incoming_id: i64) -> Result<Option<Recipient>>;
    async fn comments(&mut self, document_id: i64) -> Result<Vec<Comment>>;
    /// Documents whose `reply_to_id` is this one.
    async fn replies(&mut self, document_id: i64) -> Result<Vec<Document>>;
    /// System templates (`None`) or a unit's flows, oldest first.
    async fn flows(&mut self, unit_id: Option<i64>) -> Result<Vec<Flow>>;
    async fn flow(&mut self, id: i64) -> Result<Option<Flow>>;
    /// Every version of a flow, oldest first.
    async fn flow_versions(&mut self, flow_id: i64) -> Result<Vec<FlowVersion>>;
    async fn flow_version(&mut self, id: i64) -> Result<Option<FlowVersion>>;
    /// Delegations given by or to a person, newest first.
    async fn delegations_of(&mut self, person_id: i64) -> Result<Vec<Delegation>>;
    async fn delegation(&mut self, id: i64) -> Result<Option<Delegation>>;
    /// Whether `from` has delegated to `to` at time `at` (not revoked).
    async fn delegated(&mut self, from: i64, to: i64, at: i64) -> Result<bool>;
    /// Recipients inside the installation that have not acknowledged (still `arrived`) since `before` (ms), of
    /// documents issued by these units and at or below the reader's secrecy level.
    async fn count_unacknowledged(
        &mut self,
        units: &[i64],
        before: i64,
        max_secrecy: i64,
    ) -> Result<i64>;
    /// Active units that have an open incoming register but no active clerk to receive documents.
    async fn units_without_clerk(&mut self) -> Result<Vec<i64>>;
    /// Whether the person handles or reviews the document (any assignment or review, in any state).
    async fn takes_part(&mut self, document_id: i64, person_id: i64) -> Result<bool>;
}

#[async_trait]
pub trait DocumentWrite: Send {
    /// Reads the document and holds it until the end of the transaction, so that concurrent actions on one
    /// document run one after the other (SQLite writers are serialised already).
    async fn lock_document(&mut self, id: i64) -> Result<Option<Document>>;
    async fn insert_document(&mut self, d: &NewDocument, now: i64) -> Result<i64>;
    /// Writes back every changeable field of a document loaded with [`DocumentWrite::lock_document`].
    async fn update_document(&mut self, d: &Document, now: i64) -> Result<()>;
    async fn insert_file(&mut self, document_id: i64, f: &NewFile, now: i64) -> Result<i64>;
    /// Makes every file of the document immutable (at issue).
    async fn freeze_files(&mut self, document_id: i64) -> Result<()>;
    #[allow(clippy::too_many_arguments)]
    async fn insert_assignment(
        &mut self,
        document_id: i64,
        person_id: i64,
        role: AssignmentRole,
        deadline: Option<&str>,
        note: Option<&str>,
        by: i64,
        now: i64,
    ) -> Result<i64>;
    async fn update_assignment(&mut self, a: &Assignment) -> Result<()>;
    #[allow(clippy::too_many_arguments)]
    async fn insert_review(
        &mut self,
        document_id: i64,
        round: i64,
        step: i64,
        mode: &str,
        person_id: i64,
    ) -> Result<i64>;
    async fn decide_review(
        &mut self,
        review_id: i64,
        decision: &str,
        comment: Option<&str>,
        now: i64,
    ) -> Result<()>;
    async fn insert_recipient(&mut self, r: &Recipient) -> Result<i64>;
    async fn set_recipient_status(
        &mut self,
        id: i64,
        status: RecipientStatus,
        incoming_id: Option<i64>,
        note: Option<&str>,
        now: i64,
    ) -> Result<()>;
    /// A new flow with its first version; answers the flow id.
    #[allow(clippy::too_many_arguments)]
    async fn insert_flow(
        &mut self,
        unit: &AdminGrant,
        kind: Direction,
        name: &str,
        template_id: Option<i64>,
        definition: &str,
        by: i64,
        now: i64,
    ) -> Result<i64>;
    /// Adds the next version of a flow of the granted unit (and its new name and state); answers the version.
    #[allow(clippy::too_many_arguments)]
    async fn add_flow_version(
        &mut self,
        unit: &AdminGrant,
        flow_id: i64,
        name: &str,
        active: bool,
        definition: &str,
        by: i64,
        now: i64,
    ) -> Result<i64>;
    /// Records a delegation from the acting person (`from`).
    async fn insert_delegation(
        &mut self,
        from: i64,
        to: i64,
        starts_at: i64,
        ends_at: i64,
        reason: &str,
        now: i64,
    ) -> Result<i64>;
    /// Ends a delegation given by `from`; `false` when there is none to end.
    async fn revoke_delegation(&mut self, id: i64, from: i64, now: i64) -> Result<bool>;
    /// Removes the recipients of a draft (before it is saved again with new ones).
    async fn delete_recipients(&mut self, document_id: i64) -> Result<()>;
    async fn insert_comment(
        &mut self,
        document_id: i64,
        person_id: i64,
        body: &str,
        now: i64,
    ) -> Result<i64>;
    /// Marks a reserved number as used by a document, with its notation.
    async fn use_number(
        &mut self,
        register_id: i64,
        number: i64,
        document_id: i64,
        notation: Option<&str>,
    ) -> Result<()>;
}
