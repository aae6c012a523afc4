//! `vanthu axis`: a national-axis interconnection service (trục liên thông văn bản) for vanthu installations, and
//! its client.
//!
//! Systems (installations) connect with an id and a secret; each hosts agencies (mã định danh). A system sends
//! an edXML package with `sendEdoc`; the axis routes it by the package's header — a document package to the
//! systems hosting its `To/OrganId` codes, a status packet to the system hosting `ResponseFor/OrganId` — into
//! one queue per recipient system, which pulls with `getReceivedEdocList`, `getEdoc` and acknowledges with
//! `updateStatus`. The wire protocol is that of the VPCP/VNPT SDK (standards.md §5.1, §5.4): see [`protocol`].
//!
//! - [`server`]: [`bind`] / [`serve`] with an [`AxisConfig`]; the store ([`Store`]) also carries the admin
//!   functions of the CLI (add, list, disable, enable agencies and systems; rotate a secret).
//! - [`client`]: [`Client`], what an installation's exchange worker calls.
//!
//! # Guarantees
//! - A package is acknowledged (`DocId`) only once its file is durable (fsync'd, renamed, directory fsync'd) and
//!   its rows committed; it then survives a crash.
//! - At least once: a delivery stays listed until the recipient answers `updateStatus` `done` or `fail`, across
//!   restarts; fetching it (`getEdoc`) does not take it off the list.
//! - Idempotent send: the same sender sending the same bytes (same SHA-256, same message type) again within 24 h
//!   gets the first `DocId` back and no second delivery.
//! - One delivery per recipient *system*: a package addressed to two agencies of one system is delivered once,
//!   with both codes in `to`.
//! - Packages are streamed: `sendEdoc` to disk while hashing, the header scanned without reading the
//!   attachments, `getEdoc`/`downloadEdoc` from disk in chunks.
//!
//! # Security
//! - **Identity.** A request acts as the system named by `XroadVnpt-systemid`, whose secret must check the HMAC of
//!   `XroadVnpt-sign-header`; the signed `systemid` must be that same id. Every sign-header key must carry the
//!   `XroadVnpt-` prefix (all the official SDK sends) and name its parameter once (no two keys differing by case
//!   only): otherwise `15`. `sendEdoc`'s `from` must be the caller, and its package's `From/OrganId` an active
//!   agency of the caller (`19`).
//! - **Unambiguous packages.** A repeated `MessageHeader`, `From`, `OrganId` in `From`/`To`/`ResponseFor`, or
//!   `ResponseFor` in a status packet is refused (`22`), so that the sender and recipients the axis checks are the
//!   ones the installations read (they take the first). The `from` of `getReceivedEdocList` is that checked
//!   `From/OrganId`.
//! - **Replay.** The signature of each accepted request is remembered, per system, until its timestamp can no
//!   longer be fresh ([`replay`]): the same request again, at any operation, is refused with `16`. Because a
//!   Vietnam-time timestamp read as UTC is fresh again 7 h later, those entries live 7 h plus the window. The
//!   cache is per process and bounded (default 100 000 requests, the closest to expiry dropped first).
//!   `deleteAgency` takes its own parameter `AgencyCode` only, so a `registerAgency` cannot read as a deletion.
//! - **Registration.** By default (open) `registerAgency` lets a system claim any code not yet on the axis, as
//!   the national axis's SDK expects of a self-service directory; a code of another system is refused (`28`).
//!   That trusts every connected system not to squat codes it does not serve. With
//!   [`AxisConfig::closed_registration`] a system may only update agencies an administrator added to it (`28`
//!   otherwise): safer, at the cost of an administrator adding each new agency (`vanthu axis agency add`).
//! - **Client.** [`Client`] signs every call with a timestamp later than its previous one (no two calls share a
//!   signature), reads at most [`client::DEFAULT_MAX_ANSWER_BYTES`] of an answer
//!   ([`Client::with_max_answer_bytes`]), and [`ClientError::is_retryable`] tells temporary refusals (`15`, `16`,
//!   `17`, `20`, `21`, transport failures, a proxy's error page) from final ones.
//!
//! # Answers and `ErrorCode`s
//! Every answer is JSON `{"status": "OK"|"FAIL", "ErrorCode": "…", "ErrorDesc": "…", …}` (`ErrorDesc` in
//! Vietnamese), also for an unknown operation (HTTP 404), a wrong method (405) or a body too large (413).
//!
//! | ErrorCode | HTTP | Meaning |
//! |---|---|---|
//! | `0` | 200 | Thành công |
//! | `10` | 400 | Tệp không hợp lệ: empty package, `hash-file` does not match the bytes |
//! | `15` | 401 | Unknown `systemid`, wrong secret / HMAC, a signed header altered or absent, a parameter sent unsigned, a sign-header key without the `XroadVnpt-` prefix or repeated, signed `systemid` ≠ `XroadVnpt-systemid`, `from` ≠ `systemid` |
//! | `16` | 401 | `XroadVnpt-timestamp` malformed or outside ±15 min; the request was already used (replay) |
//! | `17` | 403 | The calling system is disabled |
//! | `18` | 404 | Recipient code(s) unknown (listed), no recipient; `deleteAgency` of an unknown code |
//! | `19` | 403 | The package's `From/OrganId` is not an active agency of the calling system |
//! | `20` | 500 | System error of the axis (database, disk): retry later |
//! | `21` | 400 | The body could not be received completely |
//! | `22` | 400 | Not an edXML package (not XML, no edXML envelope/header, no `From`, status without `ResponseFor`), a repeated routing element (`MessageHeader`, `From`, `OrganId` of `From`/`To`/`ResponseFor`, `ResponseFor` of a status), or `messagetype` does not match the package |
//! | `23` | 403 | Recipient code(s) disabled (listed) |
//! | `24` | 413 | Package larger than the limit (default 64 MiB), or another body over 64 KiB |
//! | `25` | 404 | `docId` unknown or not delivered to the caller |
//! | `26` | 400 | Parameter missing or invalid (`messagetype`, `servicetype`, `hash-file`, `status`, `pageSize`, agency fields, `deleteAgency` without `AgencyCode`) |
//! | `27` | 404/405 | Unknown operation, or HTTP method not accepted |
//! | `28` | 409 | Agency code belongs to another system, or is the caller's main code (`deleteAgency`); under closed registration, a code not added to the caller by an administrator (`registerAgency`) |
//!
//! The client retries (with back-off) after `15`, `16`, `17`, `20`, `21` and transport failures; the other codes
//! refuse the request itself ([`client::RETRYABLE_CODES`]).

pub mod blobs;
pub mod client;
pub mod error;
pub mod protocol;
pub mod replay;
pub mod scan;
pub mod server;
pub mod store;

pub use client::{
    AgencyItem, AgencyRegistration, Client, ClientError, MessageType, ReceivedItem, SentItem,
};
pub use error::{ErrorCode, Refusal};
pub use server::{AxisConfig, DEFAULT_MAX_PACKAGE_BYTES, ServeError, ServerFuture, bind, serve};
pub use store::{AgencyRecord, NewAgency, Store, StoreError};
