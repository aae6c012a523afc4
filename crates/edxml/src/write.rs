//! Writing packages as the official library (EdXML102 0.0.3) writes them (standards.md §4.0, §5.4): the same
//! element names, namespace declarations, prefixes, element order, two-space indentation, CRLF line ends and
//! date formats, so that a package read from the golden samples is written back byte for byte.
//!
//! The output is built as text rather than through an XML writer crate because the layout itself is part of the
//! contract: the `edXML` prefix is declared on `edXMLEnvelope` and again on each `ContentTransferEncoded`, while
//! `AttachmentEncoded` and its children rely on the root's default namespace.
//!
//! Not confirmed by a golden sample (none carries them), and so placed by best reading of the sources:
//! `ResponseFor` (after `ToPlaces`), `Bussiness/DocumentId`, `BussinessDocumentInfo` and `ReplacementInfoList`,
//! `To` in a status packet, and the form of a package without attachments.

use crate::attach;
use crate::model::*;
use unicode_normalization::UnicodeNormalization;

/// A package that could not be written.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum WriteError {
    #[error("Không nén được tệp đính kèm \"{name}\": {detail}.")]
    Zip { name: String, detail: String },
}

const CRLF: &str = "\r\n";

/// Writes a document package. Every attachment but a PDF is zipped into one entry and declared
/// `application/zip`, as the official library does; a PDF is sent as it is, as `application/pdf`.
pub fn write_edoc(edoc: &Edoc) -> Result<Vec<u8>, WriteError> {
    let mut w = Out::default();
    w.prologue();
    w.open(2, "edXMLHeader");
    message_header(&mut w, &edoc.header);
    trace_header_list(&mut w, &edoc.trace);
    w.close(2, "edXMLHeader");
    w.open(2, "edXMLBody");
    if edoc.attachments.is_empty() {
        w.raw(3, "<edXML:edXMLManifest version=\"1.0\"/>");
    } else {
        w.raw(3, "<edXML:edXMLManifest version=\"1.0\">");
        for a in &edoc.attachments {
            w.open(4, "Reference");
            w.leaf(5, "ContentId", &a.content_id);
            w.leaf(5, "ContentType", attach::ZIP_TYPE);
            w.opt(5, "Description", &a.description);
            w.leaf(5, "AttachmentName", &a.name);
            w.close(4, "Reference");
        }
        w.raw(3, "</edXML:edXMLManifest>");
    }
    w.close(2, "edXMLBody");
    w.raw(1, "</edXML:edXMLEnvelope>");
    if !edoc.attachments.is_empty() {
        w.raw(1, "<AttachmentEncoded>");
        for a in &edoc.attachments {
            attachment(&mut w, a)?;
        }
        w.raw(1, "</AttachmentEncoded>");
    }
    w.raw(0, "</edXML>");
    Ok(w.s.into_bytes())
}

/// Writes a status packet: the status fields directly in `MessageHeader`, no trace list, no body.
pub fn write_status(status: &Status) -> Vec<u8> {
    let mut w = Out::default();
    w.prologue();
    w.open(2, "edXMLHeader");
    w.open(3, "MessageHeader");
    if let Some(from) = &status.from {
        organization(&mut w, 4, "From", from);
    }
    for to in &status.to {
        organization(&mut w, 4, "To", to);
    }
    response_for(&mut w, 4, &status.response_for);
    if let Some(s) = &status.staff {
        staff_info(&mut w, 4, s);
    }
    w.leaf(4, "StatusCode", status.status_code.code());
    w.opt(4, "Description", &status.description);
    w.leaf(4, "Timestamp", status.timestamp.as_str());
    w.close(3, "MessageHeader");
    w.close(2, "edXMLHeader");
    w.raw(1, "</edXML:edXMLEnvelope>");
    w.raw(0, "</edXML>");
    w.s.into_bytes()
}

fn message_header(w: &mut Out, h: &MessageHeader) {
    w.open(3, "MessageHeader");
    if let Some(from) = &h.from {
        organization(w, 4, "From", from);
    }
    for to in &h.to {
        organization(w, 4, "To", to);
    }
    w.leaf(4, "DocumentId", &h.document_id);
    w.open(4, "Code");
    w.leaf(5, "CodeNumber", &h.code.number);
    w.leaf(5, "CodeNotation", &h.code.notation);
    w.close(4, "Code");
    w.open(4, "PromulgationInfo");
    w.leaf(5, "Place", &h.promulgation.place);
    w.leaf(5, "PromulgationDate", h.promulgation.date.as_str());
    w.close(4, "PromulgationInfo");
    w.open(4, "DocumentType");
    w.leaf(5, "Type", &h.document_type.type_code);
    w.opt(5, "TypeDetail", &h.document_type.type_detail);
    w.opt(5, "TypeName", &h.document_type.type_name);
    w.close(4, "DocumentType");
    w.leaf(4, "Subject", &h.subject);
    w.opt(4, "Content", &h.content);
    if let Some(s) = &h.signer {
        w.open(4, "SignerInfo");
        w.opt(5, "Competence", &s.competence);
        w.opt(5, "Position", &s.position);
        w.opt(5, "FullName", &s.full_name);
        w.close(4, "SignerInfo");
    }
    if let Some(d) = &h.due_date {
        w.leaf(4, "DueDate", d.as_str());
    }
    let o = &h.other_info;
    w.open(4, "OtherInfo");
    w.leaf(5, "Priority", o.priority.code());
    w.opt(5, "SphereOfPromulgation", &o.sphere_of_promulgation);
    w.opt(5, "TyperNotation", &o.typer_notation);
    w.opt(5, "PromulgationAmount", &o.promulgation_amount);
    w.opt(5, "PageAmount", &o.page_amount);
    w.opt(5, "Direction", &o.direction);
    if !o.appendixes.is_empty() {
        w.open(5, "Appendixes");
        for a in &o.appendixes {
            w.leaf(6, "Appendix", a);
        }
        w.close(5, "Appendixes");
    }
    w.close(4, "OtherInfo");
    if let Some(s) = &h.steering_type {
        w.leaf(4, "SteeringType", s.code());
    }
    if !h.to_places.is_empty() {
        w.open(4, "ToPlaces");
        for p in &h.to_places {
            w.leaf(5, "Place", p);
        }
        w.close(4, "ToPlaces");
    }
    for r in &h.response_for {
        response_for(w, 4, r);
    }
    w.close(3, "MessageHeader");
}

fn trace_header_list(w: &mut Out, t: &TraceHeaderList) {
    if t.business.is_none() && t.trace_headers.is_empty() {
        return;
    }
    w.open(3, "TraceHeaderList");
    if let Some(b) = &t.business {
        w.open(4, "Bussiness");
        w.leaf(5, "BussinessDocType", b.doc_type.code());
        w.opt(5, "BussinessDocReason", &b.reason);
        w.opt(5, "DocumentId", &b.document_id);
        w.opt(5, "Paper", &b.paper);
        if let Some(s) = &b.staff {
            staff_info(w, 5, s);
        }
        if let Some(info) = &b.document_info {
            w.open(5, "BussinessDocumentInfo");
            w.opt(6, "DocumentInfo", &info.document_info);
            w.opt(6, "DocumentReceiver", &info.document_receiver);
            if !info.receivers.is_empty() {
                w.open(6, "ReceiverList");
                for r in &info.receivers {
                    w.open(7, "Receiver");
                    w.leaf(8, "OrganId", &r.organ_id);
                    w.leaf(8, "ReceiverType", r.receiver_type.code());
                    w.close(7, "Receiver");
                }
                w.close(6, "ReceiverList");
            }
            w.close(5, "BussinessDocumentInfo");
        }
        if !b.replacements.is_empty() {
            w.open(5, "ReplacementInfoList");
            for r in &b.replacements {
                w.open(6, "ReplacementInfo");
                w.leaf(7, "DocumentId", &r.document_id);
                w.open(7, "OrganIdList");
                for id in &r.organ_ids {
                    w.leaf(8, "OrganId", id);
                }
                w.close(7, "OrganIdList");
                w.close(6, "ReplacementInfo");
            }
            w.close(5, "ReplacementInfoList");
        }
        w.close(4, "Bussiness");
    }
    for h in &t.trace_headers {
        w.open(4, "TraceHeader");
        w.leaf(5, "OrganId", &h.organ_id);
        w.leaf(5, "Timestamp", h.timestamp.as_str());
        w.close(4, "TraceHeader");
    }
    w.close(3, "TraceHeaderList");
}

fn organization(w: &mut Out, depth: usize, tag: &str, o: &Organization) {
    w.open(depth, tag);
    let d = depth + 1;
    w.leaf(d, "OrganId", &o.organ_id);
    w.opt(d, "OrganizationInCharge", &o.organization_in_charge);
    w.opt(d, "OrganName", &o.organ_name);
    w.opt(d, "OrganAdd", &o.organ_add);
    w.opt(d, "Email", &o.email);
    w.opt(d, "Telephone", &o.telephone);
    w.opt(d, "Fax", &o.fax);
    w.opt(d, "Website", &o.website);
    w.close(depth, tag);
}

fn response_for(w: &mut Out, depth: usize, r: &ResponseFor) {
    w.open(depth, "ResponseFor");
    let d = depth + 1;
    w.leaf(d, "OrganId", &r.organ_id);
    w.leaf(d, "Code", &r.code);
    w.leaf(d, "DocumentId", &r.document_id);
    w.leaf(d, "PromulgationDate", r.promulgation_date.as_str());
    w.close(depth, "ResponseFor");
}

fn staff_info(w: &mut Out, depth: usize, s: &StaffInfo) {
    w.open(depth, "StaffInfo");
    let d = depth + 1;
    w.opt(d, "Department", &s.department);
    w.opt(d, "Staff", &s.staff);
    w.opt(d, "Email", &s.email);
    w.opt(d, "Mobile", &s.mobile);
    w.close(depth, "StaffInfo");
}

fn attachment(w: &mut Out, a: &Attachment) -> Result<(), WriteError> {
    let (content_type, payload) = if attach::sent_raw(&a.name) {
        ("application/pdf", a.data.clone())
    } else {
        let entry = attach::entry_name_for(&a.name, &a.data);
        let zipped = attach::zip_single(&entry, &a.data).map_err(|detail| WriteError::Zip {
            name: a.name.clone(),
            detail,
        })?;
        (attach::ZIP_TYPE, zipped)
    };
    w.raw(2, "<Attachment>");
    w.plain_leaf(3, "ContentId", &a.content_id);
    w.plain_leaf(3, "AttachmentName", &a.name);
    if let Some(d) = &a.description {
        w.plain_leaf(3, "Description", d);
    }
    w.plain_leaf(3, "ContentType", content_type);
    w.indent(3);
    w.s.push_str("<edXML:ContentTransferEncoded xmlns:edXML=\"");
    w.s.push_str(EDXML_NS);
    w.s.push_str("\">");
    w.s.push_str(&attach::encode_base64(&payload));
    w.s.push_str("</edXML:ContentTransferEncoded>");
    w.s.push_str(CRLF);
    w.raw(2, "</Attachment>");
    Ok(())
}

#[derive(Default)]
struct Out {
    s: String,
}

impl Out {
    fn prologue(&mut self) {
        self.raw(0, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        self.raw(0, &format!("<edXML xmlns=\"{EDXML_NS}\">"));
        self.raw(
            1,
            &format!("<edXML:edXMLEnvelope xmlns:edXML=\"{EDXML_NS}\">"),
        );
    }

    fn indent(&mut self, depth: usize) {
        for _ in 0..depth {
            self.s.push_str("  ");
        }
    }

    fn raw(&mut self, depth: usize, line: &str) {
        self.indent(depth);
        self.s.push_str(line);
        self.s.push_str(CRLF);
    }

    fn open(&mut self, depth: usize, tag: &str) {
        self.indent(depth);
        self.s.push_str("<edXML:");
        self.s.push_str(tag);
        self.s.push('>');
        self.s.push_str(CRLF);
    }

    fn close(&mut self, depth: usize, tag: &str) {
        self.indent(depth);
        self.s.push_str("</edXML:");
        self.s.push_str(tag);
        self.s.push('>');
        self.s.push_str(CRLF);
    }

    /// `<edXML:tag>text</edXML:tag>`, or `<edXML:tag/>` for empty text.
    fn leaf(&mut self, depth: usize, tag: &str, text: &str) {
        self.element(depth, "edXML:", tag, text);
    }

    fn opt(&mut self, depth: usize, tag: &str, text: &Option<String>) {
        if let Some(t) = text {
            self.leaf(depth, tag, t);
        }
    }

    /// An unprefixed element (in the root's default namespace), as in `Attachment`.
    fn plain_leaf(&mut self, depth: usize, tag: &str, text: &str) {
        self.element(depth, "", tag, text);
    }

    fn element(&mut self, depth: usize, prefix: &str, tag: &str, text: &str) {
        self.indent(depth);
        self.s.push('<');
        self.s.push_str(prefix);
        self.s.push_str(tag);
        if text.is_empty() {
            self.s.push_str("/>");
        } else {
            self.s.push('>');
            escape_into(&mut self.s, text);
            self.s.push_str("</");
            self.s.push_str(prefix);
            self.s.push_str(tag);
            self.s.push('>');
        }
        self.s.push_str(CRLF);
    }
}

/// Escapes text content, in NFC; characters XML 1.0 cannot carry are dropped.
fn escape_into(out: &mut String, text: &str) {
    let push = |out: &mut String, c: char| match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '\r' => out.push_str("&#13;"),
        '\t' | '\n' => out.push(c),
        c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
        c => out.push(c),
    };
    if text.is_ascii() {
        text.chars().for_each(|c| push(out, c));
    } else {
        text.nfc().for_each(|c| push(out, c));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        let mut s = String::new();
        escape_into(&mut s, "a<b>&c\r\n\u{1}d");
        assert_eq!(s, "a&lt;b&gt;&amp;c&#13;\nd");
        let mut s = String::new();
        escape_into(&mut s, "Cu\u{0300}a");
        assert_eq!(s, "Cùa");
    }
}
