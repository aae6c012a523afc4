//! Attachments on the wire: base64, and the one-entry ZIP the official library wraps every file but a PDF in
//! (standards.md §3.5, §5.4).

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use std::io::{Cursor, Read, Write};

/// The MIME type the official library declares for a wrapped file.
pub const ZIP_TYPE: &str = "application/zip";

/// The most bytes unwrapped from ZIPs in one package, all its files together (a guard against ZIP bombs: a
/// package of a few MB could otherwise claim gigabytes). A file that would go past it is left wrapped and
/// reported.
pub const MAX_UNZIPPED: u64 = 512 * 1024 * 1024;

const BASE64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Base64 as the official library writes it: standard alphabet, padded, one line.
pub fn encode_base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Decodes base64, ignoring white space and line breaks (MIME-style wrapping) and missing padding.
pub fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    BASE64_LENIENT.decode(&compact).map_err(|e| e.to_string())
}

/// Whether the official library sends this file as it is (a PDF) rather than zipped.
pub fn sent_raw(name: &str) -> bool {
    extension(name).is_some_and(|e| e == "pdf")
}

/// The lower-case extension of a file name, without the dot.
pub fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() || ext.is_empty() || ext.contains(['/', '\\']) {
        return None;
    }
    Some(ext.to_ascii_lowercase())
}

/// The MIME type of a file, from its name.
pub fn mime_for_name(name: &str) -> &'static str {
    match extension(name).as_deref() {
        Some("pdf") => "application/pdf",
        Some("doc") => "application/msword",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xls") => "application/vnd.ms-excel",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("ppt") => "application/vnd.ms-powerpoint",
        Some("pptx") => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Some("odt") => "application/vnd.oasis.opendocument.text",
        Some("ods") => "application/vnd.oasis.opendocument.spreadsheet",
        Some("rtf") => "application/rtf",
        Some("txt") => "text/plain",
        Some("xml") => "application/xml",
        Some("htm" | "html") => "text/html",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("tif" | "tiff") => "image/tiff",
        Some("zip") => ZIP_TYPE,
        Some("rar") => "application/vnd.rar",
        Some("7z") => "application/x-7z-compressed",
        _ => "application/octet-stream",
    }
}

/// The MIME type of a file, from its first bytes, when they say it clearly.
pub fn sniff(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        Some(ZIP_TYPE)
    } else {
        None
    }
}

/// Whether a declared MIME type means a ZIP.
pub fn is_zip_type(content_type: &str) -> bool {
    let t = content_type.trim().to_ascii_lowercase();
    matches!(
        t.split(';').next().unwrap_or("").trim(),
        "application/zip" | "application/x-zip-compressed" | "application/x-zip"
    )
}

/// The single file of a one-entry ZIP: its name and bytes, at most `limit` bytes of them (whatever the archive
/// claims: the declared size is only used to refuse early).
pub fn unzip_single(data: &[u8], limit: u64) -> Result<(String, Vec<u8>), String> {
    let too_big =
        || format!("nội dung giải nén vượt quá giới hạn còn lại {limit} byte của gói tin");
    let mut archive = zip::ZipArchive::new(Cursor::new(data)).map_err(|e| e.to_string())?;
    if archive.len() != 1 {
        return Err(format!("tệp ZIP có {} mục thay vì 1", archive.len()));
    }
    let mut entry = archive.by_index(0).map_err(|e| e.to_string())?;
    if entry.size() > limit {
        return Err(too_big());
    }
    let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
    let mut out = Vec::new();
    let read = (&mut entry)
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    if read as u64 > limit {
        return Err(too_big());
    }
    Ok((name, out))
}

/// A one-entry ZIP holding `data` under `entry_name`, compressed with deflate, with the fixed 1980 timestamp so
/// that the same file always gives the same bytes.
pub fn zip_single(entry_name: &str, data: &[u8]) -> Result<Vec<u8>, String> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(data.len() as u64 >= u64::from(u32::MAX));
    writer
        .start_file(entry_name, options)
        .map_err(|e| e.to_string())?;
    writer.write_all(data).map_err(|e| e.to_string())?;
    let cursor = writer.finish().map_err(|e| e.to_string())?;
    Ok(cursor.into_inner())
}

/// The entry name the official library would give: a UUID with the file's extension. Ours is derived from the
/// file's name and bytes (FNV-1a), not random, so that writing a package twice gives the same bytes.
pub fn entry_name_for(name: &str, data: &[u8]) -> String {
    let mut h1: u64 = 0xcbf2_9ce4_8422_2325;
    let mut h2: u64 = 0x6c62_272e_07bb_0142;
    for &b in name.as_bytes().iter().chain([0u8].iter()).chain(data) {
        h1 = (h1 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        h2 = (h2 ^ u64::from(b))
            .wrapping_mul(0x0000_0100_0000_01b3)
            .rotate_left(5);
    }
    // Shape of a version-4 UUID.
    let hi = (h1 & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let lo = (h2 & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    let uuid = format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    );
    match extension(name) {
        Some(ext) => format!("{uuid}.{ext}"),
        None => uuid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_round_trip_is_deterministic() {
        let name = entry_name_for("Tờ trình.docx", b"abc");
        assert!(name.ends_with(".docx"));
        assert_eq!(name.len(), 36 + 5);
        let a = zip_single(&name, b"abc").unwrap();
        let b = zip_single(&name, b"abc").unwrap();
        assert_eq!(a, b);
        assert_eq!(
            unzip_single(&a, MAX_UNZIPPED).unwrap(),
            (name.clone(), b"abc".to_vec())
        );
        assert_eq!(unzip_single(&a, 3).unwrap().1, b"abc");
        assert!(unzip_single(&a, 2).unwrap_err().contains("giới hạn"));
    }

    #[test]
    fn base64_is_lenient_on_input() {
        assert_eq!(decode_base64("aGVs\r\nbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("aGVsbG8").unwrap(), b"hello");
        assert!(decode_base64("a$b").is_err());
        assert_eq!(encode_base64(b"hello"), "aGVsbG8=");
    }

    #[test]
    fn names_and_types() {
        assert!(sent_raw("van-ban.PDF"));
        assert!(!sent_raw("pdf"));
        assert_eq!(mime_for_name("a.doc"), "application/msword");
        assert_eq!(mime_for_name("noext"), "application/octet-stream");
        assert!(is_zip_type("Application/ZIP"));
        assert!(!is_zip_type("application/pdf"));
    }
}
