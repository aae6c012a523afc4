//! Input that is not an edXML package is an error with a Vietnamese message, never a panic.

mod common;

use common::*;
use vanthu_edxml::*;

const NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";

fn err(bytes: &[u8]) -> ReadError {
    match read(bytes) {
        Err(e) => e,
        Ok(d) => panic!("accepted: {:?}", d.value),
    }
}

#[test]
fn garbage_is_an_error() {
    assert_eq!(err(b""), ReadError::Empty);
    assert_eq!(err(b" \r\n\t"), ReadError::Empty);
    assert!(matches!(err(b"hello"), ReadError::NotXml(_)));
    assert!(matches!(err(b"\xff\xfe<\x00e\x00"), ReadError::NotUtf8(0)));
    assert!(matches!(err(b"<a><b></a>"), ReadError::NotXml(_)));
    assert!(matches!(err(b"%PDF-1.4 <<>>"), ReadError::NotXml(_)));
    assert_eq!(
        err(b"<html><body/></html>"),
        ReadError::NotEdxml("html".into())
    );
    assert_eq!(err(b"<edXML/>"), ReadError::WrongNamespace(String::new()));
    assert_eq!(
        err(b"<edXML xmlns=\"urn:khac\"/>"),
        ReadError::WrongNamespace("urn:khac".into())
    );
    assert_eq!(
        err(format!("<edXML xmlns=\"{NS}\"/>").as_bytes()),
        ReadError::MissingElement("edXMLEnvelope")
    );
    assert_eq!(
        err(format!("<edXML xmlns=\"{NS}\"><edXMLEnvelope/></edXML>").as_bytes()),
        ReadError::MissingElement("edXMLHeader")
    );
    assert_eq!(
        err(
            format!("<edXML xmlns=\"{NS}\"><edXMLEnvelope><edXMLHeader/></edXMLEnvelope></edXML>")
                .as_bytes()
        ),
        ReadError::MissingElement("MessageHeader")
    );
    // Entities from a DTD are refused (no expansion attacks).
    let dtd = format!(
        "<!DOCTYPE edXML [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><edXML xmlns=\"{NS}\">&b;</edXML>"
    );
    assert!(matches!(err(dtd.as_bytes()), ReadError::NotXml(_)));
    // A cut package.
    let golden = sample(GOLDEN_EDOC);
    assert!(matches!(
        err(&golden[..golden.len() / 2]),
        ReadError::NotXml(_)
    ));
}

#[test]
fn messages_are_vietnamese() {
    assert_eq!(ReadError::Empty.to_string(), "Gói tin rỗng.");
    assert!(
        err(b"hello")
            .to_string()
            .starts_with("Gói tin không phải XML hợp lệ")
    );
    assert!(
        err(b"<html/>")
            .to_string()
            .contains("phần tử gốc là <html>")
    );
    assert_eq!(
        ReadError::MissingElement("edXMLHeader").to_string(),
        "Gói tin edXML thiếu phần tử edXMLHeader."
    );
}

#[test]
fn a_minimal_envelope_reads_with_a_full_report() {
    let xml = format!(
        "<edXML xmlns=\"{NS}\"><edXMLEnvelope><edXMLHeader><MessageHeader/></edXMLHeader></edXMLEnvelope></edXML>"
    );
    let d = read_edoc(xml.as_bytes()).unwrap();
    assert_eq!(d.value, Edoc::default());
    let paths: Vec<&str> = d.problems.iter().map(|p| p.path.as_str()).collect();
    for p in [
        "MessageHeader/From",
        "MessageHeader/To",
        "MessageHeader/DocumentId",
        "MessageHeader/Code/CodeNumber",
        "MessageHeader/PromulgationInfo/PromulgationDate",
        "MessageHeader/Subject",
        "MessageHeader/SignerInfo",
        "TraceHeaderList/TraceHeader",
    ] {
        assert!(paths.contains(&p), "{p} not reported: {paths:#?}");
    }
    assert!(d.problems.iter().all(
        |p| p.to_string().starts_with("Lỗi tại ") || p.to_string().starts_with("Cảnh báo tại ")
    ));
}

/// Hostile shapes that a fuzzer reaches only slowly: they are refused or read, in bounded time, without
/// exhausting the stack.
#[test]
fn deep_nesting_does_not_exhaust_the_stack() {
    let depth = 100_000;
    let deep = format!(
        "<edXML xmlns=\"{NS}\"><edXMLEnvelope><edXMLHeader><MessageHeader>{}{}</MessageHeader><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo/></Signature></edXMLHeader></edXMLEnvelope></edXML>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    // Run on a thread with a small stack, like a worker thread of a server.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let read = read_edoc(deep.as_bytes()).map(|d| d.problems.len());
            let verified =
                vanthu_edxml::sign::verify(deep.as_bytes(), vanthu_edxml::sign::Trust::Embedded)
                    .map(|v| v.valid);
            (read, verified)
        })
        .unwrap();
    let (read, verified) = handle.join().expect("no stack overflow");
    assert!(read.is_ok(), "{read:?}");
    assert!(!matches!(verified, Ok(true)));
}
