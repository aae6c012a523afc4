//! Reading packages: namespace-aware, order-tolerant, lenient about content, strict only about the envelope.
//!
//! Elements are matched by namespace URI and local name, never by prefix. An element in the edXML namespace and
//! an unqualified one (no namespace at all) are both taken as edXML; `Signature` is also found in the XML-DSig
//! namespace. Unknown elements are reported as warnings and skipped; malformed values are kept and reported by
//! validation. Only input that is not XML, or not an edXML envelope, is an error.

use crate::attach;
use crate::codes::{BusinessDocType, Priority, ReceiverType, StatusCode, SteeringType};
use crate::dates::{EdDate, EdTimestamp};
use crate::model::*;
use crate::validate::{Problem, ProblemKind};
use roxmltree::{Document, Node, ParsingOptions};
use unicode_normalization::UnicodeNormalization;

/// Most nodes a package may have (a guard for memory on hostile input; real packages have a few hundred).
const NODES_LIMIT: u32 = 1_000_000;

/// A package read from bytes, with every problem found in it (by the reader and by validation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decoded<T> {
    pub value: T,
    pub problems: Vec<Problem>,
}

impl<T> Decoded<T> {
    /// True when no problem is of [`crate::Severity::Error`].
    pub fn is_clean(&self) -> bool {
        !self
            .problems
            .iter()
            .any(|p| p.severity == crate::Severity::Error)
    }
}

/// Input that cannot be read as an edXML package at all.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ReadError {
    #[error("Gói tin không phải văn bản UTF-8 (lỗi tại byte thứ {0}).")]
    NotUtf8(usize),
    #[error("Gói tin rỗng.")]
    Empty,
    #[error("Gói tin không phải XML hợp lệ: {0}.")]
    NotXml(String),
    #[error(
        "Gói tin không phải edXML: phần tử gốc là <{0}> thay vì <edXML> (http://www.mic.gov.vn/TBT/QCVN_102_2016)."
    )]
    NotEdxml(String),
    #[error(
        "Phần tử gốc <edXML> không thuộc không gian tên http://www.mic.gov.vn/TBT/QCVN_102_2016 của QCVN 102 (đang là \"{0}\")."
    )]
    WrongNamespace(String),
    #[error("Gói tin edXML thiếu phần tử {0}.")]
    MissingElement(&'static str),
    #[error("Gói tin là gói tin trạng thái, không phải gói tin văn bản.")]
    NotEdoc,
    #[error("Gói tin là gói tin văn bản, không phải gói tin trạng thái.")]
    NotStatus,
}

/// Reads a document package or a status packet.
pub fn read(bytes: &[u8]) -> Result<Decoded<Packet>, ReadError> {
    read_with(Reader::default(), bytes)
}

fn read_with(mut r: Reader, bytes: &[u8]) -> Result<Decoded<Packet>, ReadError> {
    let text = r.prepare(bytes)?;
    let doc = Document::parse_with_options(
        text,
        ParsingOptions {
            nodes_limit: NODES_LIMIT,
            ..ParsingOptions::default()
        },
    )
    .map_err(|e| ReadError::NotXml(e.to_string()))?;
    let packet = r.packet(&doc)?;
    let mut problems = r.problems;
    match &packet {
        Packet::Edoc(e) => problems.extend(e.validate()),
        Packet::Status(s) => problems.extend(s.validate()),
    }
    Ok(Decoded {
        value: packet,
        problems,
    })
}

/// Reads a document package; a status packet is an error.
pub fn read_edoc(bytes: &[u8]) -> Result<Decoded<Edoc>, ReadError> {
    let d = read(bytes)?;
    match d.value {
        Packet::Edoc(e) => Ok(Decoded {
            value: *e,
            problems: d.problems,
        }),
        Packet::Status(_) => Err(ReadError::NotEdoc),
    }
}

/// Reads a status packet; a document package is an error.
pub fn read_status(bytes: &[u8]) -> Result<Decoded<Status>, ReadError> {
    let d = read(bytes)?;
    match d.value {
        Packet::Status(s) => Ok(Decoded {
            value: *s,
            problems: d.problems,
        }),
        Packet::Edoc(_) => Err(ReadError::NotStatus),
    }
}

fn is_ed(node: Node<'_, '_>, local: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == local
        && matches!(node.tag_name().namespace(), Some(EDXML_NS) | None)
}

fn is_sig(node: Node<'_, '_>, local: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == local
        && matches!(
            node.tag_name().namespace(),
            Some(DSIG_NS) | Some(EDXML_NS) | None
        )
}

fn child<'a, 'i>(node: Node<'a, 'i>, local: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| is_ed(*c, local))
}

fn children<'a, 'i>(node: Node<'a, 'i>, local: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| is_ed(*c, local))
}

fn sig_child<'a, 'i>(node: Node<'a, 'i>, local: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| is_sig(*c, local))
}

/// The element's own text (text and CDATA children; comments skipped), trimmed and in NFC.
fn text_of(node: Node<'_, '_>) -> String {
    let mut s = String::new();
    for c in node.children() {
        if c.is_text()
            && let Some(t) = c.text()
        {
            s.push_str(t);
        }
    }
    let t = s.trim();
    if t.is_ascii() {
        t.to_string()
    } else {
        t.nfc().collect()
    }
}

fn opt_text(node: Node<'_, '_>, local: &str) -> Option<String> {
    child(node, local).map(text_of).filter(|s| !s.is_empty())
}

fn req_text(node: Node<'_, '_>, local: &str) -> String {
    child(node, local).map(text_of).unwrap_or_default()
}

fn texts(node: Node<'_, '_>, local: &'static str) -> Vec<String> {
    children(node, local)
        .map(text_of)
        .filter(|s| !s.is_empty())
        .collect()
}

struct Reader {
    problems: Vec<Problem>,
    /// Bytes unwrapped from ZIPs so far, against `unzip_budget` ([`attach::MAX_UNZIPPED`]) for the whole package.
    unzipped: u64,
    unzip_budget: u64,
}

impl Default for Reader {
    fn default() -> Reader {
        Reader {
            problems: Vec::new(),
            unzipped: 0,
            unzip_budget: attach::MAX_UNZIPPED,
        }
    }
}

impl Reader {
    /// UTF-8 text from the first `<`, with a BOM and stray leading content removed (and reported: the official
    /// reader refuses content before `<?xml`).
    fn prepare<'b>(&mut self, bytes: &'b [u8]) -> Result<&'b str, ReadError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|e| ReadError::NotUtf8(e.valid_up_to()))?;
        if text.trim().is_empty() {
            return Err(ReadError::Empty);
        }
        let start = text
            .find('<')
            .ok_or_else(|| ReadError::NotXml("không có thẻ XML nào".into()))?;
        let lead = &text[..start];
        if !lead.trim().is_empty() {
            let shown: String = lead.trim().chars().take(20).collect();
            self.problems.push(Problem::error(
                "/",
                ProblemKind::Structure,
                format!(
                    "Có nội dung thừa \"{shown}\" trước khai báo XML; đã bỏ qua khi đọc, nhưng thư viện chính thức từ chối gói tin như vậy."
                ),
            ));
        } else if !lead.is_empty() {
            self.problems.push(Problem::warning(
                "/",
                ProblemKind::Structure,
                "Có khoảng trắng trước khai báo XML; đã bỏ qua.",
            ));
        }
        Ok(&text[start..])
    }

    fn packet(&mut self, doc: &Document<'_>) -> Result<Packet, ReadError> {
        let root = doc.root_element();
        let name = root.tag_name();
        if name.name() != "edXML" {
            return Err(ReadError::NotEdxml(name.name().chars().take(60).collect()));
        }
        if name.namespace() != Some(EDXML_NS) {
            return Err(ReadError::WrongNamespace(
                name.namespace().unwrap_or("").chars().take(120).collect(),
            ));
        }
        let envelope =
            child(root, "edXMLEnvelope").ok_or(ReadError::MissingElement("edXMLEnvelope"))?;
        let header =
            child(envelope, "edXMLHeader").ok_or(ReadError::MissingElement("edXMLHeader"))?;
        let message = child(header, "MessageHeader");
        let status_el = child(header, "Status");
        let status_node = match (message, status_el) {
            (Some(m), _) if child(m, "StatusCode").is_some() => Some(m),
            (_, Some(s)) => Some(s),
            _ => None,
        };
        if let Some(s) = status_node {
            self.known(
                header,
                "edXMLHeader",
                &["MessageHeader", "Status", "TraceHeaderList", "Signature"],
            );
            return Ok(Packet::Status(Box::new(self.status(s))));
        }
        let message = message.ok_or(ReadError::MissingElement("MessageHeader"))?;
        self.known(
            header,
            "edXMLHeader",
            &["MessageHeader", "TraceHeaderList", "Signature"],
        );
        self.known(root, "edXML", &["edXMLEnvelope", "AttachmentEncoded"]);
        self.known(
            envelope,
            "edXMLEnvelope",
            &["edXMLHeader", "edXMLBody", "AttachmentEncoded"],
        );
        let edoc = Edoc {
            header: self.message_header(message),
            trace: child(header, "TraceHeaderList")
                .map(|t| self.trace(t))
                .unwrap_or_default(),
            attachments: self.attachments(root, envelope),
            signature: header
                .children()
                .find(|c| is_sig(*c, "Signature"))
                .map(signature_info),
        };
        Ok(Packet::Edoc(Box::new(edoc)))
    }

    /// Warns about element children not in `known` (edXML elements; `Signature` in any of its namespaces).
    fn known(&mut self, node: Node<'_, '_>, path: &str, known: &[&str]) {
        for c in node.children().filter(|c| c.is_element()) {
            let local = c.tag_name().name();
            let ok = if local == "Signature" {
                known.contains(&"Signature") && is_sig(c, "Signature")
            } else {
                known.contains(&local) && is_ed(c, local)
            };
            if !ok {
                let ns = c.tag_name().namespace().unwrap_or("");
                let what = if ns.is_empty() || ns == EDXML_NS {
                    format!("Phần tử <{local}>")
                } else {
                    format!("Phần tử <{local}> (không gian tên {ns})")
                };
                self.problems.push(Problem::warning(
                    format!("{path}/{local}"),
                    ProblemKind::Structure,
                    format!("{what} không thuộc chuẩn ở vị trí này; đã bỏ qua."),
                ));
            }
        }
    }

    fn organization(&mut self, node: Node<'_, '_>, path: &str) -> Organization {
        self.known(
            node,
            path,
            &[
                "OrganId",
                "OrganizationInCharge",
                "OrganName",
                "OrganAdd",
                "Email",
                "Telephone",
                "Fax",
                "Website",
            ],
        );
        Organization {
            organ_id: req_text(node, "OrganId"),
            organization_in_charge: opt_text(node, "OrganizationInCharge"),
            organ_name: opt_text(node, "OrganName"),
            organ_add: opt_text(node, "OrganAdd"),
            email: opt_text(node, "Email"),
            telephone: opt_text(node, "Telephone"),
            fax: opt_text(node, "Fax"),
            website: opt_text(node, "Website"),
        }
    }

    fn organizations(
        &mut self,
        node: Node<'_, '_>,
        local: &'static str,
        path: &str,
    ) -> Vec<Organization> {
        children(node, local)
            .enumerate()
            .map(|(i, n)| self.organization(n, &format!("{path}/{local}[{}]", i + 1)))
            .collect()
    }

    fn message_header(&mut self, m: Node<'_, '_>) -> MessageHeader {
        let p = "MessageHeader";
        self.known(
            m,
            p,
            &[
                "From",
                "To",
                "DocumentId",
                "Code",
                "PromulgationInfo",
                "DocumentType",
                "Subject",
                "Content",
                "SignerInfo",
                "Author",
                "DueDate",
                "OtherInfo",
                "SteeringType",
                "ToPlaces",
                "ResponseFor",
            ],
        );
        let code = child(m, "Code")
            .map(|c| Code {
                number: req_text(c, "CodeNumber"),
                notation: req_text(c, "CodeNotation"),
            })
            .unwrap_or_default();
        let promulgation = child(m, "PromulgationInfo")
            .map(|c| PromulgationInfo {
                place: req_text(c, "Place"),
                date: EdDate::from_text(req_text(c, "PromulgationDate")),
            })
            .unwrap_or_default();
        let document_type = child(m, "DocumentType")
            .map(|c| DocumentType {
                type_code: req_text(c, "Type"),
                type_detail: opt_text(c, "TypeDetail"),
                type_name: opt_text(c, "TypeName"),
            })
            .unwrap_or_default();
        let signer = match (child(m, "SignerInfo"), child(m, "Author")) {
            (Some(s), _) => Some(SignerInfo {
                competence: opt_text(s, "Competence"),
                position: opt_text(s, "Position"),
                full_name: opt_text(s, "FullName"),
            }),
            (None, Some(a)) => Some(SignerInfo {
                competence: opt_text(a, "Competence"),
                position: opt_text(a, "Function").or_else(|| opt_text(a, "Position")),
                full_name: opt_text(a, "FullName"),
            }),
            (None, None) => None,
        };
        let other_info = child(m, "OtherInfo")
            .map(|o| self.other_info(o))
            .unwrap_or_default();
        MessageHeader {
            from: child(m, "From").map(|f| self.organization(f, "MessageHeader/From")),
            to: self.organizations(m, "To", p),
            document_id: req_text(m, "DocumentId"),
            code,
            promulgation,
            document_type,
            subject: req_text(m, "Subject"),
            content: opt_text(m, "Content"),
            signer,
            due_date: opt_text(m, "DueDate").map(EdDate::from_text),
            other_info,
            steering_type: opt_text(m, "SteeringType").map(|s| SteeringType::parse(&s)),
            to_places: child(m, "ToPlaces")
                .map(|t| texts(t, "Place"))
                .unwrap_or_default(),
            response_for: children(m, "ResponseFor").map(response_for).collect(),
        }
    }

    fn other_info(&mut self, o: Node<'_, '_>) -> OtherInfo {
        self.known(
            o,
            "MessageHeader/OtherInfo",
            &[
                "Priority",
                "SphereOfPromulgation",
                "TyperNotation",
                "PromulgationAmount",
                "PageAmount",
                "Direction",
                "Appendixes",
            ],
        );
        OtherInfo {
            priority: opt_text(o, "Priority")
                .map(|s| Priority::parse(&s))
                .unwrap_or_default(),
            sphere_of_promulgation: opt_text(o, "SphereOfPromulgation"),
            typer_notation: opt_text(o, "TyperNotation"),
            promulgation_amount: opt_text(o, "PromulgationAmount"),
            page_amount: opt_text(o, "PageAmount"),
            direction: opt_text(o, "Direction"),
            appendixes: child(o, "Appendixes")
                .map(|a| texts(a, "Appendix"))
                .unwrap_or_default(),
        }
    }

    fn trace(&mut self, t: Node<'_, '_>) -> TraceHeaderList {
        self.known(
            t,
            "TraceHeaderList",
            &["TraceHeader", "Bussiness", "Business"],
        );
        TraceHeaderList {
            business: child(t, "Bussiness")
                .or_else(|| child(t, "Business"))
                .map(|b| self.business(b)),
            trace_headers: children(t, "TraceHeader")
                .map(|h| TraceHeader {
                    organ_id: req_text(h, "OrganId"),
                    timestamp: EdTimestamp::from_text(req_text(h, "Timestamp")),
                })
                .collect(),
        }
    }

    fn business(&mut self, b: Node<'_, '_>) -> Business {
        self.known(
            b,
            "TraceHeaderList/Bussiness",
            &[
                "BussinessDocType",
                "BussinessDocReason",
                "DocumentId",
                "Paper",
                "StaffInfo",
                "BussinessDocumentInfo",
                "ReplacementInfoList",
            ],
        );
        let document_info = child(b, "BussinessDocumentInfo").map(|i| BusinessDocumentInfo {
            document_info: opt_text(i, "DocumentInfo"),
            document_receiver: opt_text(i, "DocumentReceiver"),
            receivers: children(i, "ReceiverList")
                .flat_map(|l| children(l, "Receiver"))
                .map(|r| Receiver {
                    organ_id: req_text(r, "OrganId"),
                    receiver_type: ReceiverType::parse(&req_text(r, "ReceiverType")),
                })
                .collect(),
        });
        let replacements = children(b, "ReplacementInfoList")
            .flat_map(|l| children(l, "ReplacementInfo"))
            .map(|r| ReplacementInfo {
                document_id: req_text(r, "DocumentId"),
                organ_ids: children(r, "OrganIdList")
                    .flat_map(|l| children(l, "OrganId"))
                    .map(text_of)
                    .filter(|s| !s.is_empty())
                    .collect(),
            })
            .collect();
        Business {
            doc_type: BusinessDocType::parse(&req_text(b, "BussinessDocType")),
            reason: opt_text(b, "BussinessDocReason"),
            document_id: opt_text(b, "DocumentId"),
            paper: opt_text(b, "Paper"),
            staff: child(b, "StaffInfo").map(staff_info),
            document_info,
            replacements,
        }
    }

    fn status(&mut self, m: Node<'_, '_>) -> Status {
        let p = "MessageHeader";
        self.known(
            m,
            p,
            &[
                "From",
                "To",
                "ResponseFor",
                "StaffInfo",
                "StatusCode",
                "Description",
                "Timestamp",
            ],
        );
        Status {
            from: child(m, "From").map(|f| self.organization(f, "MessageHeader/From")),
            to: self.organizations(m, "To", p),
            response_for: child(m, "ResponseFor")
                .map(response_for)
                .unwrap_or_default(),
            staff: child(m, "StaffInfo").map(staff_info),
            status_code: StatusCode::parse(&req_text(m, "StatusCode")),
            description: opt_text(m, "Description"),
            timestamp: EdTimestamp::from_text(req_text(m, "Timestamp")),
        }
    }

    fn attachments(&mut self, root: Node<'_, '_>, envelope: Node<'_, '_>) -> Vec<Attachment> {
        // Outside the envelope as written by the SDKs; also looked for inside it, where some writers put it.
        let lists: Vec<Node<'_, '_>> = children(root, "AttachmentEncoded")
            .chain(children(envelope, "AttachmentEncoded"))
            .collect();
        let mut out = Vec::new();
        for node in lists.iter().flat_map(|l| children(*l, "Attachment")) {
            let path = format!("AttachmentEncoded/Attachment[{}]", out.len() + 1);
            let a = self.attachment(node, &path);
            out.push(a);
        }
        let references: Vec<(String, String)> = child(envelope, "edXMLBody")
            .and_then(|b| child(b, "edXMLManifest"))
            .map(|m| {
                children(m, "Reference")
                    .map(|r| (req_text(r, "ContentId"), req_text(r, "AttachmentName")))
                    .collect()
            })
            .unwrap_or_default();
        let bare = |id: &str| id.trim().trim_start_matches("cid:").to_string();
        for (i, (id, name)) in references.iter().enumerate() {
            if !out.iter().any(|a| bare(&a.content_id) == bare(id)) {
                self.problems.push(Problem::error(
                    format!("edXMLBody/edXMLManifest/Reference[{}]", i + 1),
                    ProblemKind::Attachment,
                    format!(
                        "Tệp \"{name}\" (ContentId \"{id}\") có trong danh mục edXMLManifest nhưng không có trong AttachmentEncoded."
                    ),
                ));
            }
        }
        for (i, a) in out.iter().enumerate() {
            if !references
                .iter()
                .any(|(id, _)| bare(id) == bare(&a.content_id))
            {
                self.problems.push(Problem::warning(
                    format!("AttachmentEncoded/Attachment[{}]", i + 1),
                    ProblemKind::Attachment,
                    format!(
                        "Tệp \"{}\" (ContentId \"{}\") không có trong danh mục edXMLManifest.",
                        a.name, a.content_id
                    ),
                ));
            }
        }
        out
    }

    fn attachment(&mut self, node: Node<'_, '_>, path: &str) -> Attachment {
        self.known(
            node,
            path,
            &[
                "ContentId",
                "AttachmentName",
                "Description",
                "ContentType",
                "ContentTransferEncoded",
            ],
        );
        let name = req_text(node, "AttachmentName");
        let declared = req_text(node, "ContentType");
        let encoded = child(node, "ContentTransferEncoded")
            .map(|c| c.children().filter_map(|t| t.text()).collect::<String>())
            .unwrap_or_default();
        let raw = match attach::decode_base64(&encoded) {
            Ok(raw) => raw,
            Err(e) => {
                self.problems.push(Problem::error(
                    format!("{path}/ContentTransferEncoded"),
                    ProblemKind::Attachment,
                    format!(
                        "Nội dung tệp \"{name}\" không phải base64 hợp lệ ({e}); tệp được để trống."
                    ),
                ));
                Vec::new()
            }
        };
        let (content_type, data) = self.unwrap(path, &name, &declared, raw);
        Attachment {
            content_id: req_text(node, "ContentId"),
            name,
            description: opt_text(node, "Description"),
            content_type,
            data,
        }
    }

    /// The file itself and its type, unwrapping the one-entry ZIP of the official library.
    fn unwrap(
        &mut self,
        path: &str,
        name: &str,
        declared: &str,
        raw: Vec<u8>,
    ) -> (String, Vec<u8>) {
        let by_name = attach::mime_for_name(name);
        let is_zip_name = attach::extension(name).is_some_and(|e| e == "zip");
        if raw.is_empty() {
            // Reported by validation ("không có nội dung").
            let t = if attach::is_zip_type(declared) || declared.is_empty() {
                by_name.to_string()
            } else {
                declared.to_string()
            };
            return (t, raw);
        }
        if !attach::is_zip_type(declared) {
            let t = if declared.is_empty() {
                attach::sniff(&raw).unwrap_or(by_name).to_string()
            } else {
                declared.to_string()
            };
            return (t, raw);
        }
        if attach::sniff(&raw) != Some(attach::ZIP_TYPE) {
            self.problems.push(Problem::error(
                format!("{path}/ContentType"),
                ProblemKind::Attachment,
                format!(
                    "Tệp \"{name}\" khai báo application/zip nhưng nội dung không phải tệp ZIP; đã giữ nguyên nội dung (thư viện chính thức từ chối gói tin như vậy)."
                ),
            ));
            return (attach::sniff(&raw).unwrap_or(by_name).to_string(), raw);
        }
        match attach::unzip_single(&raw, self.unzip_budget.saturating_sub(self.unzipped)) {
            Ok((entry, data)) => {
                let entry_is_zip = attach::extension(&entry).is_some_and(|e| e == "zip");
                if is_zip_name && !entry_is_zip {
                    // A .zip file sent as it is, not wrapped.
                    return (attach::ZIP_TYPE.to_string(), raw);
                }
                let t = if by_name == "application/octet-stream" {
                    attach::mime_for_name(&entry)
                } else {
                    by_name
                };
                self.unzipped = self.unzipped.saturating_add(data.len() as u64);
                (t.to_string(), data)
            }
            Err(_) if is_zip_name => (attach::ZIP_TYPE.to_string(), raw),
            Err(e) => {
                self.problems.push(Problem::error(
                    format!("{path}/ContentTransferEncoded"),
                    ProblemKind::Attachment,
                    format!(
                        "Không giải nén được tệp \"{name}\" khai báo application/zip ({e}); đã giữ nguyên tệp ZIP."
                    ),
                ));
                (attach::ZIP_TYPE.to_string(), raw)
            }
        }
    }
}

fn response_for(r: Node<'_, '_>) -> ResponseFor {
    ResponseFor {
        organ_id: req_text(r, "OrganId"),
        code: req_text(r, "Code"),
        promulgation_date: EdDate::from_text(req_text(r, "PromulgationDate")),
        document_id: req_text(r, "DocumentId"),
    }
}

fn staff_info(s: Node<'_, '_>) -> StaffInfo {
    StaffInfo {
        department: opt_text(s, "Department"),
        staff: opt_text(s, "Staff"),
        mobile: opt_text(s, "Mobile"),
        email: opt_text(s, "Email"),
    }
}

fn signature_info(sig: Node<'_, '_>) -> SignatureInfo {
    let algorithm =
        |n: Option<Node<'_, '_>>| n.and_then(|n| n.attribute("Algorithm")).map(str::to_string);
    let signed_info = sig_child(sig, "SignedInfo");
    let reference = signed_info.and_then(|s| sig_child(s, "Reference"));
    let x509 = sig_child(sig, "KeyInfo").and_then(|k| sig_child(k, "X509Data"));
    SignatureInfo {
        canonicalization: algorithm(
            signed_info.and_then(|s| sig_child(s, "CanonicalizationMethod")),
        ),
        signature_method: algorithm(signed_info.and_then(|s| sig_child(s, "SignatureMethod"))),
        transforms: reference
            .and_then(|r| sig_child(r, "Transforms"))
            .map(|t| {
                t.children()
                    .filter(|c| is_sig(*c, "Transform"))
                    .filter_map(|c| c.attribute("Algorithm").map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        digest_method: algorithm(reference.and_then(|r| sig_child(r, "DigestMethod"))),
        subject_name: x509
            .and_then(|x| sig_child(x, "X509SubjectName"))
            .map(text_of)
            .filter(|s| !s.is_empty()),
        has_certificate: x509
            .and_then(|x| sig_child(x, "X509Certificate"))
            .is_some_and(|c| !text_of(c).is_empty()),
        in_dsig_namespace: sig.tag_name().namespace() == Some(DSIG_NS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unzipping_is_bounded_for_the_whole_package() {
        let file = |n: u8| Attachment {
            content_id: n.to_string(),
            name: format!("tep-{n}.docx"),
            description: None,
            content_type: String::new(),
            data: vec![n; 600],
        };
        let edoc = Edoc {
            attachments: vec![file(1), file(2), file(3)],
            ..Edoc::default()
        };
        let bytes = crate::write_edoc(&edoc).unwrap();
        // Room for two files of 600 bytes: the third is left wrapped, and reported.
        let reader = Reader {
            unzip_budget: 1300,
            ..Reader::default()
        };
        let Packet::Edoc(got) = read_with(reader, &bytes).unwrap().value else {
            panic!("not an edoc")
        };
        assert_eq!(got.attachments[0].data, vec![1; 600]);
        assert_eq!(got.attachments[1].data, vec![2; 600]);
        assert!(got.attachments[2].data.starts_with(b"PK\x03\x04"));
        assert_eq!(got.attachments[2].content_type, attach::ZIP_TYPE);
        let problems = read_with(
            Reader {
                unzip_budget: 1300,
                ..Reader::default()
            },
            &bytes,
        )
        .unwrap()
        .problems;
        assert!(
            problems.iter().any(|p| p.path
                == "AttachmentEncoded/Attachment[3]/ContentTransferEncoded"
                && p.message.contains("vượt quá giới hạn")),
            "{problems:#?}"
        );
        // With the real budget all three are unwrapped.
        let Packet::Edoc(got) = read(&bytes).unwrap().value else {
            panic!("not an edoc")
        };
        assert_eq!(got.attachments[2].data, vec![3; 600]);
    }
}
