//! The packages in Rust terms. Each field names the edXML element it carries (standards.md §3, §4).
//!
//! Conventions: an element the standard requires is a plain value (a missing one reads as empty text and is
//! reported by validation); an optional element is an `Option` (an empty element reads as `None`); a repeated one
//! is a `Vec`. Text is trimmed and normalised to Unicode NFC on reading.

use crate::codes::{BusinessDocType, Priority, ReceiverType, StatusCode, SteeringType};
use crate::dates::{EdDate, EdTimestamp};
use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};

/// The namespace of every edXML element (QCVN 102:2016/BTTTT).
pub const EDXML_NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
/// The namespace of XML-DSig.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// A package read from bytes: a document or a status packet. The reader tells them apart by the presence of
/// `StatusCode` in the header.
///
/// Serialized as `{"kind": "edoc" | "status", "package": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "package", rename_all = "lowercase")]
pub enum Packet {
    /// Gói tin văn bản (messagetype `edoc`).
    Edoc(Box<Edoc>),
    /// Gói tin trạng thái (messagetype `status`).
    Status(Box<Status>),
}

impl Packet {
    /// `edoc` or `status`, the messagetype of the package.
    pub fn kind(&self) -> &'static str {
        match self {
            Packet::Edoc(_) => "edoc",
            Packet::Status(_) => "status",
        }
    }
}

/// A document package (gói tin văn bản, messagetype `edoc`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Edoc {
    /// `edXMLHeader/MessageHeader`.
    pub header: MessageHeader,
    /// `edXMLHeader/TraceHeaderList`.
    pub trace: TraceHeaderList,
    /// The files, from `AttachmentEncoded/Attachment` (described again in `edXMLBody/edXMLManifest/Reference`).
    pub attachments: Vec<Attachment>,
    /// What the package's `edXMLHeader/Signature` declares, when it has one. Filled by the reader only: the writer
    /// never writes it (a signature is added over the written bytes by [`crate::sign`]).
    pub signature: Option<SignatureInfo>,
}

/// `MessageHeader` of a document package.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MessageHeader {
    /// `From`: cơ quan gửi. The official reader accepts a package without it.
    pub from: Option<Organization>,
    /// `To`: each receiving agency on the axis (not the printed "Nơi nhận", see [`Self::to_places`]).
    pub to: Vec<Organization>,
    /// `DocumentId`: mã văn bản; by the VPCP convention `"{OrganId},{yyyy/MM/dd},{number}/{notation}"`.
    pub document_id: String,
    /// `Code`: số và ký hiệu.
    pub code: Code,
    /// `PromulgationInfo`: địa danh, ngày ban hành.
    pub promulgation: PromulgationInfo,
    /// `DocumentType`: loại văn bản.
    pub document_type: DocumentType,
    /// `Subject`: trích yếu.
    pub subject: String,
    /// `Content`: nội dung tóm tắt.
    pub content: Option<String>,
    /// `SignerInfo` (older writers: `Author`, with `Function` for the position): người ký.
    pub signer: Option<SignerInfo>,
    /// `DueDate`: hạn trả lời / hạn xử lý.
    pub due_date: Option<EdDate>,
    /// `OtherInfo`: độ khẩn, phạm vi lưu hành, số trang, phụ lục…
    pub other_info: OtherInfo,
    /// `SteeringType`: loại chỉ đạo.
    pub steering_type: Option<SteeringType>,
    /// `ToPlaces/Place`: "Nơi nhận" as printed on the document.
    pub to_places: Vec<String>,
    /// `ResponseFor`: the documents this one answers (or, in a revoke package, revokes).
    pub response_for: Vec<ResponseFor>,
}

/// An agency: `From`, `To` (children `OrganId` … `Website`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Organization {
    /// `OrganId`: mã định danh (e.g. `000.00.00.G22`, standards.md §2).
    pub organ_id: String,
    /// `OrganizationInCharge`: cơ quan chủ quản (a code per one source, a name in the SDK samples).
    pub organization_in_charge: Option<String>,
    /// `OrganName`: tên cơ quan.
    pub organ_name: Option<String>,
    /// `OrganAdd`: địa chỉ.
    pub organ_add: Option<String>,
    /// `Email`.
    pub email: Option<String>,
    /// `Telephone`.
    pub telephone: Option<String>,
    /// `Fax`.
    pub fax: Option<String>,
    /// `Website`.
    pub website: Option<String>,
}

impl Organization {
    /// An agency known only by its identifier.
    pub fn new(organ_id: impl Into<String>) -> Organization {
        Organization {
            organ_id: organ_id.into(),
            ..Organization::default()
        }
    }
}

/// `Code`: số (`CodeNumber`) and ký hiệu (`CodeNotation`), printed "Số: 7816/VPCP-TTĐT".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Code {
    /// `CodeNumber`.
    pub number: String,
    /// `CodeNotation`.
    pub notation: String,
}

impl Code {
    /// `number/notation`, or the one that is present.
    pub fn display(&self) -> String {
        match (self.number.is_empty(), self.notation.is_empty()) {
            (false, false) => format!("{}/{}", self.number, self.notation),
            (false, true) => self.number.clone(),
            _ => self.notation.clone(),
        }
    }
}

/// `PromulgationInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PromulgationInfo {
    /// `Place`: địa danh.
    pub place: String,
    /// `PromulgationDate`: ngày ban hành, `yyyy/MM/dd`.
    pub date: EdDate,
}

/// `DocumentType`. How the numbers map onto the QCVN type table is not settled (standards.md §3.7): the codes are
/// kept as text, and `TypeName` should always be sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct DocumentType {
    /// `Type`: mã loại văn bản (`1` in the VPCP samples).
    pub type_code: String,
    /// `TypeDetail`.
    pub type_detail: Option<String>,
    /// `TypeName`: tên loại văn bản (e.g. `Công văn`).
    pub type_name: Option<String>,
}

/// `SignerInfo`: người ký.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SignerInfo {
    /// `Competence`: quyền hạn ký (TM., KT., TL., TUQ., Q.).
    pub competence: Option<String>,
    /// `Position` (`Function` in `Author`): chức vụ.
    pub position: Option<String>,
    /// `FullName`: họ tên.
    pub full_name: Option<String>,
}

/// `OtherInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct OtherInfo {
    /// `Priority`: độ khẩn.
    pub priority: Priority,
    /// `SphereOfPromulgation`: phạm vi lưu hành.
    pub sphere_of_promulgation: Option<String>,
    /// `TyperNotation`: ký hiệu người đánh máy / đơn vị soạn thảo.
    pub typer_notation: Option<String>,
    /// `PromulgationAmount`: số lượng bản phát hành (a whole number; kept as text so that nonsense can be
    /// reported rather than lost).
    pub promulgation_amount: Option<String>,
    /// `PageAmount`: số trang (a whole number, kept as text).
    pub page_amount: Option<String>,
    /// `Direction` (`true`/`false`; meaning not documented).
    pub direction: Option<String>,
    /// `Appendixes/Appendix`: tên các phụ lục.
    pub appendixes: Vec<String>,
}

/// `ResponseFor`: a document referred to (answered, revoked, or, in a status packet, the document whose status
/// is reported).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ResponseFor {
    /// `OrganId`: the agency that issued that document.
    pub organ_id: String,
    /// `Code`: its "số/ký hiệu" as one string, e.g. `123/VPCP-TTĐT`.
    pub code: String,
    /// `PromulgationDate`.
    pub promulgation_date: EdDate,
    /// `DocumentId`.
    pub document_id: String,
}

/// `TraceHeaderList`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TraceHeaderList {
    /// `Bussiness` (sic): the business variant of the package.
    pub business: Option<Business>,
    /// `TraceHeader`: each system the package went through.
    pub trace_headers: Vec<TraceHeader>,
}

/// `TraceHeader`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TraceHeader {
    /// `OrganId`.
    pub organ_id: String,
    /// `Timestamp`, `yyyy/MM/dd HH:mm:ss`.
    pub timestamp: EdTimestamp,
}

/// `Bussiness` (the standard's spelling): nghiệp vụ liên thông.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Business {
    /// `BussinessDocType`: new, revoke, update, replace.
    pub doc_type: BusinessDocType,
    /// `BussinessDocReason`: lý do.
    pub reason: Option<String>,
    /// `DocumentId`: the document revoked or updated.
    pub document_id: Option<String>,
    /// `Paper`: `0` in every sample (whether a paper copy follows); kept as text.
    pub paper: Option<String>,
    /// `StaffInfo`: the clerk who sent it.
    pub staff: Option<StaffInfo>,
    /// `BussinessDocumentInfo` (update packages).
    pub document_info: Option<BusinessDocumentInfo>,
    /// `ReplacementInfoList/ReplacementInfo` (replace packages).
    pub replacements: Vec<ReplacementInfo>,
}

/// `StaffInfo`: cán bộ thực hiện.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct StaffInfo {
    /// `Department`: đơn vị, phòng ban.
    pub department: Option<String>,
    /// `Staff`: họ tên.
    pub staff: Option<String>,
    /// `Mobile`.
    pub mobile: Option<String>,
    /// `Email`.
    pub email: Option<String>,
}

/// `BussinessDocumentInfo` of an update package: what changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct BusinessDocumentInfo {
    /// `DocumentInfo`: `1` when the document's information changed.
    pub document_info: Option<String>,
    /// `DocumentReceiver`: `1` when the list of recipients changed.
    pub document_receiver: Option<String>,
    /// `ReceiverList/Receiver`.
    pub receivers: Vec<Receiver>,
}

/// `Receiver` of an update package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receiver {
    /// `OrganId`.
    pub organ_id: String,
    /// `ReceiverType`: added or removed.
    pub receiver_type: ReceiverType,
}

/// `ReplacementInfo` of a replace package.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ReplacementInfo {
    /// `DocumentId`: the document replaced.
    pub document_id: String,
    /// `OrganIdList/OrganId`: the recipients concerned.
    pub organ_ids: Vec<String>,
}

/// A file of the package: `AttachmentEncoded/Attachment`.
///
/// Serialized without its bytes (see [`AttachmentSummary`]): `content_id`, `name`, `description`,
/// `content_type`, `size` (bytes) and `sha256` (lower-case hex) of [`Self::data`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attachment {
    /// `ContentId`, matching the manifest's `Reference/ContentId` (`1` from the official library, `cid:209` in
    /// the VPCP sample).
    pub content_id: String,
    /// `AttachmentName`: the file name.
    pub name: String,
    /// `Description`.
    pub description: Option<String>,
    /// The MIME type of [`Self::data`]. On the wire the official library zips every file but a PDF and declares
    /// `application/zip`; the reader unwraps such a ZIP and gives here the type of the file inside.
    pub content_type: String,
    /// The file itself (`ContentTransferEncoded`, base64-decoded and unzipped when it was wrapped).
    pub data: Vec<u8>,
}

impl Attachment {
    /// What is shown of the file when the package is serialized: everything but the bytes.
    pub fn summary(&self) -> AttachmentSummary<'_> {
        AttachmentSummary {
            content_id: &self.content_id,
            name: &self.name,
            description: self.description.as_deref(),
            content_type: &self.content_type,
            size: self.data.len() as u64,
            sha256: sha256_hex(&self.data),
        }
    }
}

impl Serialize for Attachment {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.summary().serialize(serializer)
    }
}

/// An attachment without its bytes: how [`Attachment`] is serialized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentSummary<'a> {
    /// `ContentId`.
    pub content_id: &'a str,
    /// `AttachmentName`.
    pub name: &'a str,
    /// `Description`.
    pub description: Option<&'a str>,
    /// The MIME type of the file (after unwrapping).
    pub content_type: &'a str,
    /// Size of the file in bytes (after base64 decoding and unwrapping).
    pub size: u64,
    /// SHA-256 of the file, lower-case hex.
    pub sha256: String,
}

fn sha256_hex(data: &[u8]) -> String {
    use std::fmt::Write;
    Sha256::digest(data)
        .iter()
        .fold(String::with_capacity(64), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// What a package's `Signature` declares (read for display and diagnosis; verification is [`crate::sign`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SignatureInfo {
    /// `SignedInfo/CanonicalizationMethod/@Algorithm`.
    pub canonicalization: Option<String>,
    /// `SignedInfo/SignatureMethod/@Algorithm`.
    pub signature_method: Option<String>,
    /// `Reference/Transforms/Transform/@Algorithm` of the first reference.
    pub transforms: Vec<String>,
    /// `Reference/DigestMethod/@Algorithm`.
    pub digest_method: Option<String>,
    /// `KeyInfo/X509Data/X509SubjectName`.
    pub subject_name: Option<String>,
    /// Whether `KeyInfo/X509Data/X509Certificate` has content.
    pub has_certificate: bool,
    /// Whether the `Signature` element is in the XML-DSig namespace (the VPCP sample's is not: unqualified, it
    /// falls in the edXML namespace, and standard tools do not find it).
    pub in_dsig_namespace: bool,
}

/// A status packet (gói tin trạng thái, messagetype `status`). The official library writes these fields directly
/// in `MessageHeader` (standards.md §4.0); the reader also accepts them wrapped in a `Status` element.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Status {
    /// `From`: the agency reporting the status (the receiver of the document).
    pub from: Option<Organization>,
    /// `To`: not written by the official library in its sample; kept when a package has it.
    pub to: Vec<Organization>,
    /// `ResponseFor`: the document whose status this is.
    pub response_for: ResponseFor,
    /// `StaffInfo`: who handled it.
    pub staff: Option<StaffInfo>,
    /// `StatusCode`.
    pub status_code: StatusCode,
    /// `Description`: free text (reason for a rejection…).
    pub description: Option<String>,
    /// `Timestamp`, `yyyy/MM/dd HH:mm:ss`.
    pub timestamp: EdTimestamp,
}

impl Default for StatusCode {
    fn default() -> StatusCode {
        StatusCode::Other(String::new())
    }
}
