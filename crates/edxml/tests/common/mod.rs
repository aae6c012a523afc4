//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod exercise;

use std::path::PathBuf;

pub const GOLDEN_EDOC: &str = "official-sdk-edoc-pdf.edxml";
pub const GOLDEN_STATUS: &str = "official-sdk-status-03.edxml";
pub const VPCP_SAMPLE: &str = "vpcp-sdk-sample_edoc_new.edxml";

pub fn sample(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/samples")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One element of a document, flattened: its path of (namespace, local name), attributes other than namespace
/// declarations, and trimmed text.
#[derive(Debug, PartialEq, Eq)]
pub struct Flat {
    pub path: String,
    pub attributes: Vec<(String, String)>,
    pub text: String,
}

/// Every element in document order, skipping `Signature` subtrees (in any namespace) and comments.
pub fn flatten(xml: &[u8]) -> Vec<Flat> {
    let text = std::str::from_utf8(xml).expect("UTF-8");
    let start = text.find("<?xml").unwrap_or(0);
    let doc = roxmltree::Document::parse(&text[start..]).expect("XML");
    let mut out = Vec::new();
    walk(doc.root_element(), String::new(), &mut out);
    out
}

fn walk(node: roxmltree::Node<'_, '_>, parent: String, out: &mut Vec<Flat>) {
    if node.tag_name().name() == "Signature" {
        return;
    }
    let path = format!(
        "{parent}/{{{}}}{}",
        node.tag_name().namespace().unwrap_or(""),
        node.tag_name().name()
    );
    let own_text: String = node
        .children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect();
    let mut attributes: Vec<(String, String)> = node
        .attributes()
        .map(|a| {
            (
                format!("{{{}}}{}", a.namespace().unwrap_or(""), a.name()),
                a.value().to_string(),
            )
        })
        .collect();
    attributes.sort();
    out.push(Flat {
        path: path.clone(),
        attributes,
        text: own_text.trim().to_string(),
    });
    for c in node.children().filter(|c| c.is_element()) {
        walk(c, path.clone(), out);
    }
}

/// Asserts that two documents have the same elements, in the same order, with the same attributes and texts
/// (white space between elements and signatures ignored), reporting the first difference.
pub fn assert_same_elements(ours: &[u8], golden: &[u8]) {
    let a = flatten(ours);
    let b = flatten(golden);
    for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
        assert_eq!(x, y, "element #{i} differs");
    }
    assert_eq!(a.len(), b.len(), "number of elements differs");
}
