//! Exchange with other agencies over the interconnection axis (standards.md §3–§5, §7): the installation's
//! endpoint side.
//!
//! - Document commands queue packets in their own transaction ([`queue`]): an issued document addressed to an
//!   outside agency (one package per recipient), a revocation, and the statuses 01–06 of a document that came
//!   over the axis as the clerk and handlers act on it.
//! - The [`worker::Worker`] (run by `vanthu serve` when an axis is configured) builds each queued packet once
//!   ([`package`]), signs it, keeps it by content hash, and sends it until the axis accepts it, backing off
//!   between attempts; a refusal waits for a person. It pulls pending packages, stores them unchanged, turns
//!   them into incoming documents or status updates ([`inbox`]) and acknowledges them; it keeps the directory
//!   of agencies in step with the axis.
//!
//! The worker talks to the axis through [`AxisApi`], implemented over HTTP by `vanthu_axis::Client`.

pub mod inbox;
pub mod package;
pub mod queue;
pub mod worker;

use async_trait::async_trait;

/// A failed call to the axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AxisError {
    /// Worth trying again later (the axis was unreachable or failed); otherwise the axis refused the request.
    pub retryable: bool,
    pub message: String,
}

impl std::fmt::Display for AxisError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// An agency of the axis directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AxisAgency {
    pub code: String,
    pub name: String,
    pub pcode: Option<String>,
}

/// A package waiting on the axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub doc_id: String,
    /// The sender's code as the axis checked it (the package's `From/OrganId`, hosted by the system that sent
    /// it); a package that says otherwise is refused. Empty when the axis does not say.
    pub from: String,
}

/// The operations of the axis the worker uses (standards.md §5.1).
#[async_trait]
pub trait AxisApi: Send + Sync {
    /// `sendEdoc`: the axis id of the accepted package. `kind` is `edoc` or `status`.
    async fn send(&self, kind: &str, package: &[u8]) -> Result<String, AxisError>;
    /// `getReceivedEdocList`: the packages waiting for this system, oldest first.
    async fn pending(&self, kind: &str) -> Result<Vec<Pending>, AxisError>;
    /// `getEdoc`: the bytes of a package.
    async fn fetch(&self, doc_id: &str) -> Result<Vec<u8>, AxisError>;
    /// `updateStatus`: `done` or `fail`.
    async fn ack(&self, doc_id: &str, status: &str) -> Result<(), AxisError>;
    /// `getAgenciesList`.
    async fn agencies(&self) -> Result<Vec<AxisAgency>, AxisError>;
    /// `registerAgency`: an agency this system hosts.
    async fn register(&self, agency: &AxisAgency) -> Result<(), AxisError>;
}
