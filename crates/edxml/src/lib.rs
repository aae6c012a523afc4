//! edXML (QCVN 102:2016/BTTTT) codec for vanthu: document packages (gói tin văn bản, messagetype `edoc`) and
//! status packets (gói tin trạng thái, messagetype `status`) exchanged over the national document
//! interconnection axis (Trục liên thông văn bản quốc gia). A library only: no I/O beyond the bytes it is given.
//!
//! - [`read()`], [`read_edoc`], [`read_status`]: bytes → model, with a list of [`Problem`]s. Reading accepts what
//!   the axis accepts (malformed agency codes, unknown codes, bad dates, elements in any order, unknown
//!   elements, attachments plain or ZIP-wrapped) and reports it; only input that is not XML or not an edXML
//!   envelope is a [`ReadError`]. It never panics.
//! - [`write_edoc`], [`write_status`]: model → bytes, as the official library EdXML102 0.0.3 writes them.
//! - [`Edoc::validate`], [`Status::validate`]: the report alone, for packages built in code.
//! - [`sign`]: enveloped XML signature of a written package, its verification, and a self-signed signing
//!   identity for an installation that has none ([`sign::generate_self_signed`]).
//!
//! # Why roxmltree for reading
//! `roxmltree` (0.21, maintained, no unsafe code in the parser) gives a read-only tree in which every element
//! carries its resolved namespace URI, so elements are matched by URI and local name whatever prefix the sender
//! chose, and children can be looked up in any order, which is what packages from different writers need. It
//! refuses DTDs by default (no entity expansion), bounds the node count, and turns every malformed input into an
//! error value. `quick-xml` would stream faster, but its reader leaves namespace resolution and order tolerance
//! to hand-written state machines; packages are small (a few MB), so a tree costs little. The writer needs no XML
//! crate: it emits text in exactly the layout of the official library (see [`mod@write`]).

mod attach;
pub mod codes;
pub mod dates;
pub mod model;
pub mod read;
pub mod sign;
pub mod validate;
pub mod write;

pub use codes::{BusinessDocType, Priority, ReceiverType, StatusCode, SteeringType};
pub use dates::{EdDate, EdTimestamp};
pub use model::*;
pub use read::{Decoded, ReadError, read, read_edoc, read_status};
pub use validate::{Problem, ProblemKind, Severity, ValidateOptions, is_axis_agency_code};
pub use write::{WriteError, write_edoc, write_status};

/// Helpers about attachment bytes on the wire.
pub mod attachment {
    pub use crate::attach::{MAX_UNZIPPED, ZIP_TYPE, mime_for_name, sent_raw};
}
