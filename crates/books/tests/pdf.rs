//! PDF output checks: structure (lopdf, qpdf) and text round trip (pdftotext).
//!
//! When `qpdf` or `pdftotext` is not installed the corresponding check prints
//! "skipped: … not installed" and the test still checks what it can in Rust.

mod common;

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use unicode_normalization::UnicodeNormalization;
use vanthu_books::{IncomingRow, incoming_pdf, outgoing_pdf, sanitize};

fn write_tmp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Parses the PDF with lopdf and returns its page count.
fn lopdf_pages(bytes: &[u8]) -> usize {
    let doc = lopdf::Document::load_mem(bytes).expect("lopdf parses the PDF");
    let pages = doc.get_pages();
    for (_, id) in pages.iter() {
        let page = doc.get_dictionary(*id).unwrap();
        let media = page.get(b"MediaBox").unwrap().as_array().unwrap();
        let w = media[2].as_float().unwrap();
        let h = media[3].as_float().unwrap();
        assert!(
            (w - 841.89).abs() < 0.1 && (h - 595.28).abs() < 0.1,
            "A4 landscape"
        );
    }
    pages.len()
}

/// Prints "skipped: …" straight to stderr (not captured by the test harness,
/// so it is visible in a normal `cargo test` run), once per message.
fn skipped(what: &str) {
    use std::io::Write;
    static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    if !seen.iter().any(|s| s == what) {
        seen.push(what.to_owned());
        let _ = writeln!(std::io::stderr(), "skipped: {what}");
    }
}

/// Text of each page as decoded by lopdf through the ToUnicode maps (text
/// pieces are concatenated without separators). Works without poppler.
fn lopdf_page_texts(bytes: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let pages = doc.get_pages().len() as u32;
    (1..=pages)
        .map(|p| doc.extract_text(&[p]).expect("lopdf extracts text"))
        .collect()
}

/// `qpdf --check`; returns false (after printing why) when qpdf is missing.
fn qpdf_check(path: &Path) -> bool {
    match Command::new("qpdf").arg("--check").arg(path).output() {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            skipped("qpdf not installed (qpdf --check not run)");
            false
        }
        Err(e) => panic!("qpdf: {e}"),
        Ok(out) => {
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && stdout.contains("No syntax or stream encoding errors"),
                "qpdf --check failed: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            true
        }
    }
}

/// Runs `pdftotext ARGS file -`; `None` (after printing why) when it is missing.
fn pdftotext(path: &Path, args: &[&str]) -> Option<String> {
    match Command::new("pdftotext")
        .args(args)
        .arg(path)
        .arg("-")
        .output()
    {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            skipped("pdftotext not installed (poppler text round trip not checked)");
            None
        }
        Err(e) => panic!("pdftotext: {e}"),
        Ok(out) => {
            assert!(
                out.status.success(),
                "pdftotext failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8(out.stdout).expect("pdftotext gives UTF-8"))
        }
    }
}

/// Text of one page (1-based) in content order.
fn page_text(path: &Path, page: usize) -> Option<String> {
    let p = page.to_string();
    pdftotext(path, &["-raw", "-f", &p, "-l", &p])
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_nfc(text: &str) {
    let nfc: String = text.nfc().collect();
    assert!(nfc == text, "extracted text is not NFC");
}

const PHRASES: [&str; 9] = [
    "Tên loại và trích yếu nội dung",
    "Quyết định về việc phê duyệt",
    "ỦY BAN NHÂN DÂN TỈNH NINH BÌNH",
    "Hỏa tốc",
    "Thượng",
    "UBND tỉnh Ninh Bình",
    "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
    "Sổ văn bản đến năm 2026",
    "100/QĐ-UBND",
];

#[test]
fn incoming_pdf_has_exact_vietnamese_text() {
    let rows = common::incoming_rows(40);
    let bytes = incoming_pdf(&common::meta_incoming(false), &rows).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.7"));
    let pages = lopdf_pages(&bytes);
    assert!(pages >= 3, "cover + at least two table pages, got {pages}");
    let texts = lopdf_page_texts(&bytes);
    let all = texts.concat();
    for phrase in PHRASES {
        assert!(all.contains(phrase), "lopdf: missing {phrase:?}");
    }
    assert!(texts[1].contains(&format!("Trang 1/{}", pages - 1)));

    let dir = tempfile::tempdir().unwrap();
    let path = write_tmp(&dir, "so-den.pdf", &bytes);
    qpdf_check(&path);
    let Some(layout) = pdftotext(&path, &["-layout"]) else {
        return;
    };
    assert_nfc(&layout);
    for phrase in PHRASES {
        assert!(
            layout.contains(phrase),
            "missing {phrase:?} in pdftotext -layout output"
        );
    }
    for col in vanthu_books::INCOMING_COLUMNS.iter().map(|c| c.title) {
        assert!(
            collapse(&layout).contains(col.split(' ').next().unwrap()),
            "{col}"
        );
    }
    assert!(layout.contains("(10)"));
    assert!(layout.contains("Năm: 2026"));
    assert!(layout.contains("Quyển số: 01"));
    assert!(layout.contains(&format!("Trang 1/{}", pages - 1)));
    assert!(layout.contains(&format!("Trang {0}/{0}", pages - 1)));
    assert!(!layout.contains("MẬT"), "not a secret book");

    // Every cell comes back exactly, wrapped lines joined by spaces.
    let raw = collapse(&pdftotext(&path, &["-raw"]).unwrap());
    for row in &rows {
        for cell in row.cells() {
            let want = collapse(&sanitize(cell));
            assert!(raw.contains(&want), "missing cell text {want:?}");
        }
    }
    assert!(raw.contains("Đặng Thị Ngọc Hường"));
    assert!(raw.contains("Ủy ban nhân dân tỉnh Ninh Bình"));
}

#[test]
fn outgoing_pdf_has_exact_vietnamese_text() {
    let rows = common::outgoing_rows(25);
    let bytes = outgoing_pdf(&common::meta_outgoing(), &rows).unwrap();
    let pages = lopdf_pages(&bytes);
    let dir = tempfile::tempdir().unwrap();
    let path = write_tmp(&dir, "so-di.pdf", &bytes);
    qpdf_check(&path);
    let Some(layout) = pdftotext(&path, &["-layout"]) else {
        return;
    };
    assert_nfc(&layout);
    for phrase in [
        "SỔ ĐĂNG KÝ VĂN BẢN ĐI",
        "BAN CHẤP HÀNH ĐẢNG BỘ TỈNH NINH BÌNH",
        "Nhiệm kỳ: 2025-2030",
        "Tên loại và trích yếu nội dung",
        "Nơi nhận văn bản",
        "Người ký",
        "Giấy mời dự hội nghị tổng kết",
        "Phòng Tổng hợp",
        "Hỏa tốc",
        "- Các sở, ban, ngành;",
        "- Lưu: VT.",
        "Từ số .................. đến số ..................",
    ] {
        assert!(layout.contains(phrase), "missing {phrase:?}");
    }
    assert!(layout.contains(&format!("Trang {0}/{0}", pages - 1)));
    let raw = collapse(&pdftotext(&path, &["-raw"]).unwrap());
    for row in &rows {
        for cell in row.cells() {
            let want = collapse(&sanitize(cell));
            assert!(raw.contains(&want), "missing cell text {want:?}");
        }
    }
    assert!(raw.contains("Đặng Thị Ngọc Hường"));
}

#[test]
fn empty_book_is_cover_plus_one_page() {
    let bytes = incoming_pdf(&common::meta_incoming(false), &[]).unwrap();
    assert_eq!(lopdf_pages(&bytes), 2);
    let texts = lopdf_page_texts(&bytes);
    assert!(texts[1].contains("Sổ chưa có văn bản nào."));
    assert!(texts[1].contains("Trang 1/1"));
    let dir = tempfile::tempdir().unwrap();
    let path = write_tmp(&dir, "trong.pdf", &bytes);
    qpdf_check(&path);
    if let Some(text) = page_text(&path, 2) {
        assert!(text.contains("Sổ chưa có văn bản nào."), "{text}");
        assert!(text.contains("Trang 1/1"));
        assert!(text.contains("Tên loại và trích yếu nội dung"));
    }
}

/// Rows that are one line each, numbered so each can be found on its page.
fn numbered_rows(n: usize) -> Vec<IncomingRow> {
    (0..n)
        .map(|i| IncomingRow {
            arrival_date: "01/02/2026".into(),
            arrival_number: format!("{}", i + 1),
            author: "Bộ Nội vụ".into(),
            number_notation: format!("{:05}/BNV-VP", i + 1),
            doc_date: "30/01/2026".into(),
            type_and_subject: "Công văn về việc góp ý".into(),
            recipient: "Văn thư".into(),
            ..Default::default()
        })
        .collect()
}

#[test]
fn page_count_and_no_row_split() {
    let n = 150;
    let rows = numbered_rows(n);
    let bytes = incoming_pdf(&common::meta_incoming(false), &rows).unwrap();
    let pages = lopdf_pages(&bytes);
    let dir = tempfile::tempdir().unwrap();
    let path = write_tmp(&dir, "dem.pdf", &bytes);
    qpdf_check(&path);

    // A4 landscape, one-line rows: the page holds between 15 and 30 of them.
    assert!(
        (1 + n.div_ceil(30)..=1 + n.div_ceil(15)).contains(&pages),
        "{pages} pages for {n} rows"
    );
    let table_pages = pages - 1;
    let texts = lopdf_page_texts(&bytes);
    let mut per_page = Vec::new();
    let mut next = 1;
    for (p, text) in texts.iter().enumerate().skip(1) {
        assert!(
            text.contains(&format!("Trang {p}/{table_pages}")),
            "page {p}"
        );
        assert!(
            text.contains("Tên loại và trích yếu nội dung"),
            "header repeated on page {p}"
        );
        assert!(text.contains("(1)(2)(3)"));
        let mut count = 0;
        while text.contains(&format!("{next:05}/BNV-VP")) {
            count += 1;
            next += 1;
        }
        per_page.push(count);
    }
    assert_eq!(next - 1, n, "every row once, in order: {per_page:?}");
    let full = per_page[0];
    assert!(
        per_page[..per_page.len() - 1].iter().all(|c| *c == full),
        "{per_page:?}"
    );
    assert_eq!(table_pages, n.div_ceil(full));

    // Same with poppler's reading of the pages.
    if let Some(last) = page_text(&path, pages) {
        assert!(last.contains(&format!("Trang {table_pages}/{table_pages}")));
        assert!(last.contains(&format!("{n:05}/BNV-VP")));
        assert!(last.contains("Tên loại và trích yếu nội dung"));
    }
}

#[test]
fn secret_book_is_marked_on_every_page() {
    let rows = common::incoming_rows(30);
    let bytes = incoming_pdf(&common::meta_incoming(true), &rows).unwrap();
    let pages = lopdf_pages(&bytes);
    let dir = tempfile::tempdir().unwrap();
    let path = write_tmp(&dir, "mat.pdf", &bytes);
    qpdf_check(&path);
    for (p, text) in lopdf_page_texts(&bytes).iter().enumerate() {
        assert!(text.contains("MẬT"), "page {} lacks MẬT", p + 1);
    }
    if pdftotext(&path, &["-v"]).is_none() {
        return;
    }
    for p in 1..=pages {
        let text = page_text(&path, p).unwrap();
        assert!(text.contains("MẬT"), "page {p} lacks MẬT");
    }
}

#[test]
fn long_subject_wraps_and_overtall_row_continues_on_next_page() {
    // 2,000 characters: wraps inside its cell; 7,000 characters: taller than a
    // page, so the text continues on the following page(s).
    for (chars, min_table_pages) in [(2_000usize, 1usize), (7_000, 3)] {
        let mut rows = common::incoming_rows(3);
        let subject = common::long_subject(chars);
        rows[1].type_and_subject = subject.clone();
        let bytes = incoming_pdf(&common::meta_incoming(false), &rows).unwrap();
        let pages = lopdf_pages(&bytes);
        assert!(pages > min_table_pages, "{chars} chars: {pages} pages");
        let dir = tempfile::tempdir().unwrap();
        let path = write_tmp(&dir, "dai.pdf", &bytes);
        qpdf_check(&path);
        let Some(raw) = pdftotext(&path, &["-raw"]) else {
            continue;
        };
        // Every word of the subject is printed exactly once (nothing clipped
        // or duplicated); these words occur nowhere else in the book.
        for word in ["Đông", "xây", "khu", "Lư,", "tiết"] {
            let want = subject.split(' ').filter(|w| *w == word).count();
            let got = raw.split_whitespace().filter(|w| *w == word).count();
            assert!(want > 0);
            assert_eq!(got, want, "{chars} chars: word {word:?}");
        }
        // The part on the first page is contiguous.
        let start = collapse(&subject.chars().take(300).collect::<String>());
        let start = start.rsplit_once(' ').unwrap().0;
        assert!(collapse(&raw).contains(start));
        // Neighbouring rows are intact.
        let flat = collapse(&raw);
        assert!(flat.contains(&collapse(&rows[0].type_and_subject)));
        assert!(flat.contains(&collapse(&rows[2].type_and_subject)));
    }
}

#[test]
fn input_is_normalised_and_control_characters_removed() {
    let rows = vec![IncomingRow {
        arrival_date: "05/01/2026".into(),
        arrival_number: "7".into(),
        // NFD input with a bell and an escape character.
        author: "Bo\u{323}\u{302} Ta\u{300}i chi\u{301}nh\u{7}".into(),
        type_and_subject: "Tờ trình\u{1b} về việc\r\nđiều chỉnh dự toán\u{200b}".into(),
        ..Default::default()
    }];
    let bytes = incoming_pdf(&common::meta_incoming(false), &rows).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_tmp(&dir, "nfc.pdf", &bytes);
    qpdf_check(&path);
    let Some(raw) = pdftotext(&path, &["-raw"]) else {
        return;
    };
    assert_nfc(&raw);
    assert!(raw.contains("Bộ Tài chính"), "{raw}");
    assert!(
        raw.contains("Tờ trình về việc\nđiều chỉnh dự toán"),
        "{raw}"
    );
    assert!(
        !raw.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\u{c}')
    );
}

/// Peak resident memory of this process (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// 20,000-row books. Run with
/// `cargo test -p vanthu-books --release --test pdf -- --ignored --nocapture`.
#[test]
#[ignore = "large: 20,000 rows; run explicitly to measure"]
fn large_book_20000_rows() {
    let n = 20_000;
    let rows = common::incoming_rows(n);
    let meta = common::meta_incoming(false);

    let start = Instant::now();
    let pdf = incoming_pdf(&meta, &rows).unwrap();
    let pdf_time = start.elapsed();
    let pdf_rss = peak_rss_mib();

    let start = Instant::now();
    let xlsx = vanthu_books::incoming_xlsx(&meta, &rows).unwrap();
    let xlsx_time = start.elapsed();

    let pages = lopdf_pages(&pdf);
    println!(
        "20,000 rows: PDF {pages} pages, {:.1} MiB in {pdf_time:.2?} (peak RSS {:.0} MiB); \
         XLSX {:.1} MiB in {xlsx_time:.2?} (peak RSS {:.0} MiB)",
        pdf.len() as f64 / 1048576.0,
        pdf_rss.unwrap_or(f64::NAN),
        xlsx.len() as f64 / 1048576.0,
        peak_rss_mib().unwrap_or(f64::NAN),
    );
    assert!(pages > n / 30);
    let dir = tempfile::tempdir().unwrap();
    let path = write_tmp(&dir, "lon.pdf", &pdf);
    qpdf_check(&path);
    if let Some(text) = page_text(&path, pages) {
        assert!(text.contains(&format!("Trang {0}/{0}", pages - 1)));
        assert!(text.contains(&format!("{}/QĐ-UBND", 100 + n - 1)));
    }
}

#[test]
fn odd_input_does_not_break_the_layout() {
    let mut meta = common::meta_incoming(true);
    meta.title = "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN ".repeat(8);
    meta.register_name = "Sổ văn bản đến ".repeat(20);
    meta.agency = "VĂN PHÒNG ".repeat(12);
    meta.period = String::new();
    let rows = vec![IncomingRow {
        arrival_number: "1234567890123456789/M".into(),
        author: "😀 漢字 עברית ☃".into(),
        type_and_subject: "x".repeat(3_000),
        note: "\n\n\n".into(),
        ..Default::default()
    }];
    let bytes = incoming_pdf(&meta, &rows).unwrap();
    let texts = lopdf_page_texts(&bytes);
    // Characters without a glyph in Liberation Serif (emoji, CJK, ☃) print
    // as "?"; it does have Hebrew.
    assert!(texts[1].contains("? ?? עברית ?"), "{}", texts[1]);
    let last = texts.last().unwrap();
    assert!(last.contains(&format!("Trang {0}/{0}", texts.len() - 1)));
    // The footer name is cut with an ellipsis instead of running into the page number.
    assert!(texts[1].contains("Sổ văn bản đến Sổ văn bản đến"));
    assert!(texts[1].contains('…'));
    let dir = tempfile::tempdir().unwrap();
    let path = write_tmp(&dir, "la.pdf", &bytes);
    qpdf_check(&path);
}

#[test]
fn a_note_renders_vietnamese_on_one_page() {
    let title = "Quyết định về việc phê duyệt kế hoạch cải cách hành chính năm 2026";
    let body = "Ủy ban nhân dân tỉnh Ninh Bình giao Sở Nội vụ chủ trì, phối hợp với các sở, ngành triển khai thực hiện.";
    let long = "Điều khoản thi hành. ".repeat(400);
    let bytes = vanthu_books::note_pdf(title, &[body, &long]).unwrap();
    let doc = lopdf::Document::load_mem(&bytes).expect("lopdf parses the PDF");
    let pages = doc.get_pages();
    assert_eq!(pages.len(), 1);
    let page = doc.get_dictionary(pages[&1]).unwrap();
    let media = page.get(b"MediaBox").unwrap().as_array().unwrap();
    assert!(
        (media[2].as_float().unwrap() - 595.28).abs() < 0.1,
        "A4 portrait"
    );
    let text = lopdf_page_texts(&bytes).concat();
    assert!(text.contains("Ủy ban nhân dân tỉnh Ninh Bình"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let path = write_tmp(&dir, "note.pdf", &bytes);
    qpdf_check(&path);
    let Some(raw) = pdftotext(&path, &["-raw"]) else {
        return;
    };
    assert_nfc(&raw);
    let raw = collapse(&raw);
    assert!(raw.contains(&collapse(title)), "{raw}");
    assert!(raw.contains(&collapse(body)), "{raw}");
    assert!(
        raw.contains('…'),
        "what does not fit is cut with an ellipsis"
    );
}
