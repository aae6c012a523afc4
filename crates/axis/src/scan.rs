//! What the axis needs from a package to route it, read by a streaming scan of the edXML header that stops at the
//! end of `edXMLHeader`: the attachments after it (tens of MB of base64) are never read.
//!
//! Like the codec (`vanthu_edxml::read`), elements are matched by namespace URI and local name, never by prefix:
//! an element in the QCVN 102 namespace or with no namespace is an edXML element; the root must be `edXML` in the
//! QCVN namespace. A status packet is told from a document package by a `StatusCode` in `MessageHeader` (how
//! the official library writes it) or a `Status` element in `edXMLHeader`.
//!
//! The elements routing depends on must be unambiguous, since the installations' reader takes the first of
//! repeated elements: a second `MessageHeader` (or a `MessageHeader` and a `Status`), a second `From`, a second
//! `OrganId` in `From`, `To` or `ResponseFor`, or a second `ResponseFor` in a status packet is refused
//! ([`ScanError::Repeated`], `ErrorCode` 22). Several `To`, and several `ResponseFor` in a document package, are
//! the standard's own and accepted.

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use std::io::BufRead;
use unicode_normalization::UnicodeNormalization;
use vanthu_edxml::EDXML_NS;

/// `edoc` or `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Edoc,
    Status,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Edoc => "edoc",
            Kind::Status => "status",
        }
    }
}

/// The routing fields of a package's header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Header {
    /// Status packet or document package.
    pub status: bool,
    /// `From/OrganId`.
    pub from: Option<String>,
    /// `To/OrganId`, each once, in order.
    pub to: Vec<String>,
    /// `DocumentId`.
    pub document_id: String,
    /// `Code/CodeNumber` and `Code/CodeNotation` as printed (`123/VPCP-TTĐT`).
    pub notation: Option<String>,
    /// `Subject` (trích yếu).
    pub subject: Option<String>,
    /// First `ResponseFor/OrganId`.
    pub response_for_organ: Option<String>,
    /// First `ResponseFor/DocumentId`.
    pub response_for_document: Option<String>,
    /// `StatusCode` of a status packet.
    pub status_code: Option<String>,
}

impl Header {
    pub fn kind(&self) -> Kind {
        if self.status {
            Kind::Status
        } else {
            Kind::Edoc
        }
    }
}

/// Why a package cannot be routed. Messages in Vietnamese.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("Gói tin không phải XML hợp lệ: {0}.")]
    NotXml(String),
    #[error("Gói tin không phải edXML: {0}.")]
    NotEdxml(String),
    /// An element that routing depends on appears twice (`MessageHeader`, `From`, an `OrganId` of `From`, `To`
    /// or `ResponseFor`, the `ResponseFor` of a status packet): readers disagree on which one counts (the
    /// installations take the first), so the sender or recipient would be ambiguous.
    #[error(
        "Gói tin edXML không hợp lệ: phần tử {0} xuất hiện nhiều lần trong edXMLHeader, nên đơn vị gửi hoặc đơn vị nhận không rõ ràng."
    )]
    Repeated(String),
    #[error("không đọc được tệp gói tin: {0}")]
    Io(#[from] std::io::Error),
}

/// How often the routing elements were seen, to refuse a repeated one.
#[derive(Default)]
struct Seen {
    /// The header element (`MessageHeader` or `Status`) seen first.
    root: Option<String>,
    from: u32,
    response_for: u32,
    /// `OrganId` children of the current `From`, `To` or `ResponseFor`.
    organ_ids: u32,
}

impl Seen {
    /// Notes an element opened at `rest` (the path below `edXMLHeader`).
    fn open(&mut self, rest: &[String]) -> Result<(), ScanError> {
        match rest {
            [root] if root == "MessageHeader" || root == "Status" => match &self.root {
                None => self.root = Some(root.clone()),
                Some(first) if first == root => return Err(ScanError::Repeated(root.clone())),
                Some(first) => return Err(ScanError::Repeated(format!("{first} và {root}"))),
            },
            [root, el] if root == "MessageHeader" || root == "Status" => {
                match el.as_str() {
                    "From" => {
                        self.from += 1;
                        if self.from > 1 {
                            return Err(ScanError::Repeated("From".into()));
                        }
                    }
                    "ResponseFor" => self.response_for += 1,
                    _ => {}
                }
                self.organ_ids = 0;
            }
            [root, el, id]
                if (root == "MessageHeader" || root == "Status")
                    && matches!(el.as_str(), "From" | "To" | "ResponseFor")
                    && id == "OrganId" =>
            {
                self.organ_ids += 1;
                if self.organ_ids > 1 {
                    return Err(ScanError::Repeated(format!("{el}/OrganId")));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Where the scan is, as the local names of the edXML elements open from the root (a foreign element is "").
#[derive(Default)]
struct Path(Vec<String>);

impl Path {
    /// The path below `edXML/edXMLEnvelope/edXMLHeader`, or `None` outside the header.
    fn in_header(&self) -> Option<&[String]> {
        match self.0.as_slice() {
            [a, b, c, rest @ ..] if a == "edXML" && b == "edXMLEnvelope" && c == "edXMLHeader" => {
                Some(rest)
            }
            _ => None,
        }
    }
}

/// The fields collected while scanning: which one the current text belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    From,
    To,
    DocumentId,
    CodeNumber,
    CodeNotation,
    Subject,
    ResponseForOrgan,
    ResponseForDocument,
    StatusCode,
}

fn field_of(rest: &[String]) -> Option<Field> {
    let r: Vec<&str> = rest.iter().map(String::as_str).collect();
    let m = match r.first() {
        Some(&"MessageHeader") | Some(&"Status") => &r[1..],
        _ => return None,
    };
    Some(match m {
        ["From", "OrganId"] => Field::From,
        ["To", "OrganId"] => Field::To,
        ["DocumentId"] => Field::DocumentId,
        ["Code", "CodeNumber"] => Field::CodeNumber,
        ["Code", "CodeNotation"] => Field::CodeNotation,
        ["Subject"] => Field::Subject,
        ["ResponseFor", "OrganId"] => Field::ResponseForOrgan,
        ["ResponseFor", "DocumentId"] => Field::ResponseForDocument,
        ["StatusCode"] => Field::StatusCode,
        _ => return None,
    })
}

fn clean(s: &str) -> String {
    let t = s.trim();
    if t.is_ascii() {
        t.to_string()
    } else {
        t.nfc().collect()
    }
}

/// Scans the header of a package read from `input` (a UTF-8 edXML file, a BOM allowed).
pub fn scan_header<R: BufRead>(mut input: R) -> Result<Header, ScanError> {
    // A UTF-8 byte order mark.
    let head = input.fill_buf()?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
    }
    let mut reader = NsReader::from_reader(input);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    let mut path = Path::default();
    let mut h = Header::default();
    let (mut number, mut notation) = (String::new(), String::new());
    let mut text = String::new();
    let mut field: Option<Field> = None;
    let mut seen_root = false;
    let mut seen_header = false;
    let mut first_response_for = true;
    let mut seen = Seen::default();
    loop {
        buf.clear();
        let (ns, event) = reader
            .read_resolved_event_into(&mut buf)
            .map_err(|e| ScanError::NotXml(e.to_string()))?;
        let ed = match ns {
            ResolveResult::Bound(Namespace(n)) => n == EDXML_NS,
            ResolveResult::Unbound => true,
            ResolveResult::Unknown(p) => {
                return Err(ScanError::NotXml(format!(
                    "tiền tố không gian tên \"{p}\" chưa được khai báo"
                )));
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let local = e.local_name().as_ref().to_string();
                if !seen_root {
                    seen_root = true;
                    if local != "edXML" {
                        return Err(ScanError::NotEdxml(format!(
                            "phần tử gốc là <{}> thay vì <edXML>",
                            local.chars().take(60).collect::<String>()
                        )));
                    }
                    if !matches!(ns, ResolveResult::Bound(Namespace(n)) if n == EDXML_NS) {
                        return Err(ScanError::NotEdxml(format!(
                            "phần tử gốc <edXML> không thuộc không gian tên {EDXML_NS} của QCVN 102"
                        )));
                    }
                }
                let empty = matches!(event, Event::Empty(_));
                path.0.push(if ed { local } else { String::new() });
                if let Some(rest) = path.in_header() {
                    if rest.is_empty() {
                        seen_header = true;
                    }
                    seen.open(rest)?;
                    if rest.len() == 1 && rest[0] == "Status" {
                        h.status = true;
                    }
                    if rest.len() == 2 && rest[1] == "StatusCode" && rest[0] == "MessageHeader" {
                        h.status = true;
                    }
                    field = field_of(rest);
                    text.clear();
                }
                if empty {
                    end_element(
                        &mut path,
                        &mut h,
                        &mut field,
                        &mut text,
                        &mut number,
                        &mut notation,
                        &mut first_response_for,
                    );
                    if seen_header && path.in_header().is_none() {
                        break;
                    }
                }
            }
            Event::End(_) => {
                let closing_header = path.in_header().is_some_and(<[String]>::is_empty);
                end_element(
                    &mut path,
                    &mut h,
                    &mut field,
                    &mut text,
                    &mut number,
                    &mut notation,
                    &mut first_response_for,
                );
                if closing_header {
                    break;
                }
            }
            Event::Text(t) => {
                if field.is_some() {
                    text.push_str(&t.xml10_content());
                } else if !seen_root && !t.xml10_content().trim().is_empty() {
                    return Err(ScanError::NotEdxml(
                        "có nội dung thừa trước phần tử gốc".into(),
                    ));
                }
            }
            Event::CData(c) => {
                if field.is_some() {
                    text.push_str(&c.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                if field.is_some() {
                    if r.is_char_ref() {
                        match r.resolve_char_ref() {
                            Ok(Some(c)) => text.push(c),
                            _ => {
                                return Err(ScanError::NotXml(
                                    "tham chiếu ký tự không hợp lệ".into(),
                                ));
                            }
                        }
                    } else {
                        let name = r.xml10_content();
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => text.push_str(s),
                            None => {
                                return Err(ScanError::NotXml(format!(
                                    "thực thể &{name}; không được định nghĩa"
                                )));
                            }
                        }
                    }
                } else if !seen_root {
                    return Err(ScanError::NotEdxml(
                        "có nội dung thừa trước phần tử gốc".into(),
                    ));
                }
            }
            Event::DocType(_) => {
                return Err(ScanError::NotXml("khai báo DOCTYPE không được phép".into()));
            }
            Event::Eof => {
                return Err(if !seen_root {
                    ScanError::NotXml("không có phần tử nào".into())
                } else {
                    ScanError::NotEdxml("thiếu phần tử edXMLEnvelope/edXMLHeader".into())
                });
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    // A status packet answers one document (the installations read its first ResponseFor only).
    if h.status && seen.response_for > 1 {
        return Err(ScanError::Repeated("ResponseFor".into()));
    }
    if !number.is_empty() || !notation.is_empty() {
        h.notation = Some(match (number.is_empty(), notation.is_empty()) {
            (false, false) => format!("{number}/{notation}"),
            (false, true) => number,
            _ => notation,
        });
    }
    Ok(h)
}

#[allow(clippy::too_many_arguments)]
fn end_element(
    path: &mut Path,
    h: &mut Header,
    field: &mut Option<Field>,
    text: &mut String,
    number: &mut String,
    notation: &mut String,
    first_response_for: &mut bool,
) {
    if let Some(rest) = path.in_header()
        && rest.len() == 2
        && rest[1] == "ResponseFor"
    {
        *first_response_for = false;
    }
    if let Some(f) = field.take() {
        let v = clean(text);
        text.clear();
        match f {
            Field::From => h.from = Some(v).filter(|s| !s.is_empty()),
            Field::To => {
                if !v.is_empty() && !h.to.contains(&v) {
                    h.to.push(v);
                }
            }
            Field::DocumentId => h.document_id = v,
            Field::CodeNumber => *number = v,
            Field::CodeNotation => *notation = v,
            Field::Subject => h.subject = Some(v).filter(|s| !s.is_empty()),
            Field::ResponseForOrgan if *first_response_for => {
                h.response_for_organ = Some(v).filter(|s| !s.is_empty())
            }
            Field::ResponseForDocument if *first_response_for => {
                h.response_for_document = Some(v).filter(|s| !s.is_empty())
            }
            Field::ResponseForOrgan | Field::ResponseForDocument => {}
            Field::StatusCode => h.status_code = Some(v),
        }
    }
    path.0.pop();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(s: &str) -> Result<Header, ScanError> {
        scan_header(std::io::Cursor::new(s.as_bytes()))
    }

    const EDOC: &str = include_str!("../tests/data/official-sdk-edoc-pdf.edxml");
    const STATUS: &str = include_str!("../tests/data/official-sdk-status-03.edxml");

    #[test]
    fn official_document_package() {
        let h = scan(EDOC).unwrap();
        assert_eq!(h.kind(), Kind::Edoc);
        assert_eq!(h.from.as_deref(), Some("000.00.00.G22"));
        assert_eq!(h.to, ["000.00.00.H41"]);
        assert_eq!(h.document_id, "000.00.00.G22,2024/05/20,123/VPCP-TTĐT");
        assert_eq!(h.notation.as_deref(), Some("123/VPCP-TTĐT"));
        assert_eq!(
            h.subject.as_deref(),
            Some("V/v thử nghiệm liên thông văn bản")
        );
        assert_eq!(h.status_code, None);
    }

    #[test]
    fn official_status_packet() {
        let h = scan(STATUS).unwrap();
        assert_eq!(h.kind(), Kind::Status);
        assert_eq!(h.from.as_deref(), Some("000.00.00.H41"));
        assert_eq!(h.response_for_organ.as_deref(), Some("000.00.00.G22"));
        assert_eq!(
            h.response_for_document.as_deref(),
            Some("000.00.00.G22,2024/05/20,123/VPCP-TTĐT")
        );
        assert_eq!(h.status_code.as_deref(), Some("03"));
    }

    #[test]
    fn prefix_agnostic_and_stops_at_the_end_of_the_header() {
        // Another prefix, several To (one repeated), entities; and garbage after the header that is never read.
        let s = r#"<?xml version="1.0"?>
<q:edXML xmlns:q="http://www.mic.gov.vn/TBT/QCVN_102_2016"><q:edXMLEnvelope><q:edXMLHeader><q:MessageHeader>
<q:From><q:OrganId> 000.00.00.G22 </q:OrganId></q:From>
<q:To><q:OrganId>000.00.00.H41</q:OrganId></q:To><q:To><q:OrganId>000.00.01.H41</q:OrganId></q:To>
<q:To><q:OrganId>000.00.00.H41</q:OrganId></q:To>
<x:To xmlns:x="urn:other"><x:OrganId>999</x:OrganId></x:To>
<q:DocumentId>a&amp;b&#x41;</q:DocumentId><q:Subject><![CDATA[<trích yếu>]]></q:Subject>
<q:ResponseFor><q:OrganId>R1</q:OrganId></q:ResponseFor><q:ResponseFor><q:OrganId>R2</q:OrganId></q:ResponseFor>
</q:MessageHeader><q:Signature/></q:edXMLHeader></q:edXMLEnvelope> not even closed <<<"#;
        let h = scan(s).unwrap();
        assert_eq!(h.kind(), Kind::Edoc);
        assert_eq!(h.from.as_deref(), Some("000.00.00.G22"));
        assert_eq!(h.to, ["000.00.00.H41", "000.00.01.H41"]);
        assert_eq!(h.document_id, "a&bA");
        assert_eq!(h.subject.as_deref(), Some("<trích yếu>"));
        assert_eq!(h.response_for_organ.as_deref(), Some("R1"));
    }

    #[test]
    fn status_wrapped_in_a_status_element() {
        let s = r#"<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader><Status>
<ResponseFor><OrganId>000.00.00.G22</OrganId></ResponseFor><From><OrganId>000.00.00.H41</OrganId></From>
<StatusCode>01</StatusCode></Status></edXMLHeader></edXMLEnvelope></edXML>"#;
        let h = scan(s).unwrap();
        assert_eq!(h.kind(), Kind::Status);
        assert_eq!(h.from.as_deref(), Some("000.00.00.H41"));
        assert_eq!(h.response_for_organ.as_deref(), Some("000.00.00.G22"));
    }

    /// A header whose `MessageHeader` is `inner`.
    fn with_message_header(inner: &str) -> String {
        format!(
            r#"<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader><MessageHeader>{inner}</MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"#
        )
    }

    fn repeated(s: &str) -> String {
        match scan(s) {
            Err(ScanError::Repeated(what)) => what,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn repeated_routing_elements_are_refused() {
        const FROM: &str = "<From><OrganId>000.00.00.G22</OrganId></From>";
        const TO: &str = "<To><OrganId>000.00.00.H41</OrganId></To>";
        // The installation's reader takes the first OrganId, the scan used to keep the last.
        let what = repeated(&with_message_header(&format!(
            "<From><OrganId>000.00.00.H17</OrganId><OrganId>000.00.00.G22</OrganId></From>{TO}"
        )));
        assert!(what.contains("From/OrganId"), "{what}");
        let what = repeated(&with_message_header(&format!(
            "<From><OrganId>000.00.00.H17</OrganId></From>{FROM}{TO}"
        )));
        assert!(what.contains("From"), "{what}");
        // Two MessageHeader, or a MessageHeader and a Status.
        let s = r#"<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader>
<MessageHeader><From><OrganId>000.00.00.H17</OrganId></From></MessageHeader>
<MessageHeader><From><OrganId>000.00.00.G22</OrganId></From><To><OrganId>000.00.00.H41</OrganId></To></MessageHeader>
</edXMLHeader></edXMLEnvelope></edXML>"#;
        assert!(repeated(s).contains("MessageHeader"));
        let s = r#"<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader>
<MessageHeader><From><OrganId>000.00.00.G22</OrganId></From><To><OrganId>000.00.00.H41</OrganId></To></MessageHeader>
<Status><From><OrganId>000.00.00.H17</OrganId></From><ResponseFor><OrganId>000.00.00.H41</OrganId></ResponseFor><StatusCode>01</StatusCode></Status>
</edXMLHeader></edXMLEnvelope></edXML>"#;
        assert!(repeated(s).contains("Status"));
        // Two OrganId in one ResponseFor or one To.
        let what = repeated(&with_message_header(&format!(
            "{FROM}{TO}<ResponseFor><OrganId>A</OrganId><OrganId>B</OrganId></ResponseFor>"
        )));
        assert!(what.contains("ResponseFor/OrganId"), "{what}");
        let what = repeated(&with_message_header(&format!(
            "{FROM}<To><OrganId>000.00.00.H41</OrganId><OrganId>000.00.00.H17</OrganId></To>"
        )));
        assert!(what.contains("To/OrganId"), "{what}");
        // A status packet answers one document: a second ResponseFor is refused.
        let what = repeated(&with_message_header(&format!(
            "{FROM}<ResponseFor><OrganId>000.00.00.H41</OrganId></ResponseFor><ResponseFor><OrganId>000.00.00.H17</OrganId></ResponseFor><StatusCode>01</StatusCode>"
        )));
        assert!(what.contains("ResponseFor"), "{what}");
        // Also when StatusCode comes first.
        let what = repeated(&with_message_header(&format!(
            "<StatusCode>01</StatusCode>{FROM}<ResponseFor><OrganId>000.00.00.H41</OrganId></ResponseFor><ResponseFor><OrganId>000.00.00.H17</OrganId></ResponseFor>"
        )));
        assert!(what.contains("ResponseFor"), "{what}");
        // The message says what is repeated, in Vietnamese.
        let msg = ScanError::Repeated("From/OrganId".into()).to_string();
        assert!(
            msg.contains("From/OrganId") && msg.contains("nhiều lần"),
            "{msg}"
        );
        // Single elements, several To and (in a document package) several ResponseFor stay accepted.
        let h = scan(&with_message_header(&format!(
            "{FROM}{TO}<To><OrganId>000.00.00.H17</OrganId></To><ResponseFor><OrganId>R1</OrganId></ResponseFor><ResponseFor><OrganId>R2</OrganId></ResponseFor>"
        )))
        .unwrap();
        assert_eq!(h.from.as_deref(), Some("000.00.00.G22"));
        assert_eq!(h.to, ["000.00.00.H41", "000.00.00.H17"]);
    }

    #[test]
    fn not_edxml() {
        let cases = [
            ("", "NotXml"),
            ("%PDF-1.4 binary", "NotEdxml"),
            ("<html><body/></html>", "NotEdxml"),
            (
                r#"<edXML xmlns="urn:wrong"><edXMLEnvelope/></edXML>"#,
                "NotEdxml",
            ),
            ("<edXML><edXMLEnvelope/></edXML>", "NotEdxml"),
            (
                r#"<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope></edXMLEnvelope></edXML>"#,
                "NotEdxml",
            ),
            (
                r#"<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader><From></edXMLHeader>"#,
                "NotXml",
            ),
            (
                r#"<!DOCTYPE x [<!ENTITY a "b">]><edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>"#,
                "NotXml",
            ),
            (
                r#"<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader><MessageHeader><DocumentId>&foo;</DocumentId>"#,
                "NotXml",
            ),
        ];
        for (s, want) in cases {
            let got = match scan(s) {
                Err(ScanError::NotXml(_)) => "NotXml",
                Err(ScanError::NotEdxml(_)) => "NotEdxml",
                other => panic!("{s}: {other:?}"),
            };
            assert_eq!(got, want, "{s}");
        }
    }
}
