//! PDF rendering: cover page + table pages, A4 landscape.

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use unicode_normalization::char::is_combining_mark;

use crate::columns::{Align, Column};
use crate::font::{BOLD, FontRefs, FontUse, REGULAR};
use crate::text::{is_term, sanitize};
use crate::{BookError, BookMeta, EMPTY_BOOK_TEXT};

const PAGE_W: f32 = 841.89;
const PAGE_H: f32 = 595.28;
/// Left margin is wider: the printed register is bound on that side.
const MARGIN_L: f32 = 56.7;
const MARGIN_R: f32 = 28.35;
const MARGIN_T: f32 = 28.35;
const MARGIN_B: f32 = 22.7;
const TABLE_W: f32 = PAGE_W - MARGIN_L - MARGIN_R;

/// Body text size and line distance inside cells.
const BODY: f32 = 10.0;
const LEADING: f32 = 12.0;
const PAD_X: f32 = 3.0;
const PAD_Y: f32 = 3.5;
/// Distance from a line's top to its baseline (room for stacked diacritics).
const BASELINE: f32 = 0.95 * BODY;

/// Height of the running heading above the table.
const HEADING_H: f32 = 24.0;
const HEADING_SIZE: f32 = 11.0;
const NUMBER_ROW_H: f32 = 15.0;
const NUMBER_SIZE: f32 = 9.0;
const FOOTER_SIZE: f32 = 8.5;
/// Space kept free for the footer below the table.
const FOOTER_H: f32 = 16.0;

const TABLE_TOP: f32 = PAGE_H - MARGIN_T - HEADING_H;
const TABLE_LIMIT: f32 = MARGIN_B + FOOTER_H;

const OUTER_LINE: f32 = 0.9;
const INNER_LINE: f32 = 0.4;
const RED: (f32, f32, f32) = (0.80, 0.0, 0.0);

/// Placeholder for unknown values on the cover, as on the paper template.
const DOTS: &str = "..................";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Face {
    Regular,
    Bold,
}

struct Fonts {
    regular: FontUse,
    bold: FontUse,
}

impl Fonts {
    fn get(&mut self, face: Face) -> &mut FontUse {
        match face {
            Face::Regular => &mut self.regular,
            Face::Bold => &mut self.bold,
        }
    }
}

/// One wrapped line of text with its measured width in points.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    width: f32,
}

/// A data row after wrapping every cell.
struct RowLayout {
    cells: Vec<Vec<Line>>,
    lines: usize,
}

/// A row, or the part of an over-tall row, placed on one page.
#[derive(Debug, Clone, Copy)]
struct Segment {
    row: usize,
    from: usize,
    to: usize,
}

impl Segment {
    fn height(&self) -> f32 {
        row_height(self.to - self.from)
    }
}

fn row_height(lines: usize) -> f32 {
    lines.max(1) as f32 * LEADING + 2.0 * PAD_Y
}

/// Wraps `text` (already sanitised) into lines no wider than `max_width`.
///
/// Breaks on spaces; a word wider than the line is broken by characters
/// (preferably after "-" or "/"), keeping combining marks with their base.
/// Every "\n" starts a new line. Empty text gives no lines.
fn wrap(font: &mut FontUse, text: &str, size: f32, max_width: f32) -> Vec<Line> {
    let mut out = Vec::new();
    if text.is_empty() {
        return out;
    }
    let space = font.width(" ", size);
    for para in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0f32;
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let word_w = font.width(word, size);
            if !line.is_empty() && line_w + space + word_w <= max_width {
                line.push(' ');
                line.push_str(word);
                line_w += space + word_w;
                continue;
            }
            if !line.is_empty() {
                out.push(Line {
                    text: std::mem::take(&mut line),
                    width: line_w,
                });
            }
            if word_w <= max_width {
                line.push_str(word);
                line_w = word_w;
            } else {
                let mut pieces = break_word(font, word, size, max_width);
                let last = pieces.pop().expect("a word gives at least one piece");
                out.extend(pieces);
                line = last.text;
                line_w = last.width;
            }
        }
        out.push(Line {
            text: line,
            width: line_w,
        });
    }
    out
}

/// Hard-breaks one word that is wider than `max_width`.
fn break_word(font: &mut FontUse, word: &str, size: f32, max_width: f32) -> Vec<Line> {
    let mut out = Vec::new();
    let mut piece = String::new();
    let mut piece_w = 0.0f32;
    // Byte offset in `piece` just after the last "-" or "/" and the width up to it.
    let mut soft_break: Option<(usize, f32)> = None;
    for c in word.chars() {
        let w = font.glyph(c).advance * size;
        if !piece.is_empty() && !is_combining_mark(c) && piece_w + w > max_width {
            match soft_break {
                Some((at, at_w)) if at < piece.len() => {
                    let rest = piece.split_off(at);
                    out.push(Line {
                        text: std::mem::replace(&mut piece, rest),
                        width: at_w,
                    });
                    piece_w -= at_w;
                }
                _ => {
                    out.push(Line {
                        text: std::mem::take(&mut piece),
                        width: piece_w,
                    });
                    piece_w = 0.0;
                }
            }
            soft_break = None;
        }
        piece.push(c);
        piece_w += w;
        if c == '-' || c == '/' {
            soft_break = Some((piece.len(), piece_w));
        }
    }
    out.push(Line {
        text: piece,
        width: piece_w,
    });
    out
}

/// Like [`wrap`] but keeps at most `max_lines` lines, the last one cut with "…"
/// when text is left over.
fn wrap_limited(
    font: &mut FontUse,
    text: &str,
    size: f32,
    max_width: f32,
    max_lines: usize,
) -> Vec<Line> {
    let mut lines = wrap(font, text, size, max_width);
    if lines.len() > max_lines {
        let rest: Vec<String> = lines.drain(max_lines - 1..).map(|l| l.text).collect();
        lines.push(fit_line(font, &rest.join(" "), size, max_width));
    }
    lines
}

/// Cuts `text` so that it fits into `max_width`, ending with "…".
fn fit_line(font: &mut FontUse, text: &str, size: f32, max_width: f32) -> Line {
    let width = font.width(text, size);
    if width <= max_width {
        return Line {
            text: text.to_owned(),
            width,
        };
    }
    let ellipsis = font.width("…", size);
    let mut out = String::new();
    let mut w = 0.0;
    for c in text.chars() {
        let cw = font.glyph(c).advance * size;
        if w + cw + ellipsis > max_width {
            break;
        }
        out.push(c);
        w += cw;
    }
    let out = out.trim_end().to_owned();
    let w = font.width(&out, size) + ellipsis;
    Line {
        text: out + "…",
        width: w,
    }
}

/// Content stream builder that tracks the text state.
struct Painter<'a> {
    content: Content,
    fonts: &'a mut Fonts,
    in_text: bool,
    current: Option<(Face, f32)>,
    red: bool,
    buf: Vec<u8>,
}

impl<'a> Painter<'a> {
    fn new(fonts: &'a mut Fonts) -> Self {
        Painter {
            content: Content::new(),
            fonts,
            in_text: false,
            current: None,
            red: false,
            buf: Vec::with_capacity(256),
        }
    }

    fn end_text(&mut self) {
        if self.in_text {
            self.content.end_text();
            self.in_text = false;
        }
    }

    /// Draws one line of text with its baseline starting at (x, y).
    fn text(&mut self, face: Face, size: f32, x: f32, y: f32, s: &str) {
        self.text_colored(face, size, x, y, s, false);
    }

    fn text_colored(&mut self, face: Face, size: f32, x: f32, y: f32, s: &str, red: bool) {
        if s.is_empty() {
            return;
        }
        if !self.in_text {
            self.content.begin_text();
            self.in_text = true;
        }
        if self.current != Some((face, size)) {
            let name: &[u8] = match face {
                Face::Regular => b"F1",
                Face::Bold => b"F2",
            };
            self.content.set_font(Name(name), size);
            self.current = Some((face, size));
        }
        if red != self.red {
            if red {
                self.content.set_fill_rgb(RED.0, RED.1, RED.2);
            } else {
                self.content.set_fill_gray(0.0);
            }
            self.red = red;
        }
        self.buf.clear();
        self.fonts.get(face).encode(s, &mut self.buf);
        self.content.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, y]);
        self.content.show(Str(&self.buf));
    }

    /// Centred text; returns its width.
    fn text_centered(&mut self, face: Face, size: f32, cx: f32, y: f32, s: &str) -> f32 {
        let w = self.fonts.get(face).width(s, size);
        self.text(face, size, cx - w / 2.0, y, s);
        w
    }

    fn line(&mut self, width: f32, x1: f32, y1: f32, x2: f32, y2: f32) {
        self.end_text();
        self.content
            .set_line_width(width)
            .move_to(x1, y1)
            .line_to(x2, y2)
            .stroke();
    }

    /// A red "MẬT" stamp (bold text in a rectangle) whose right edge is at `right`
    /// and whose top is at `top`.
    fn secret_stamp(&mut self, size: f32, right: f32, top: f32) {
        let label = "MẬT";
        let text_w = self.fonts.get(Face::Bold).width(label, size);
        let pad = size * 0.35;
        let h = size * 1.25;
        let x = right - text_w - 2.0 * pad;
        self.end_text();
        self.content
            .save_state()
            .set_stroke_rgb(RED.0, RED.1, RED.2)
            .set_line_width(size / 12.0)
            .rect(x, top - h, text_w + 2.0 * pad, h)
            .stroke()
            .restore_state();
        self.text_colored(Face::Bold, size, x + pad, top - h + size * 0.3, label, true);
    }

    fn finish(mut self) -> Vec<u8> {
        self.end_text();
        self.content.finish().into_vec()
    }
}

/// Geometry and wrapped titles of the table header.
struct TableHead {
    xs: Vec<f32>,
    widths: Vec<f32>,
    titles: Vec<Vec<Line>>,
    title_h: f32,
}

impl TableHead {
    fn new(fonts: &mut Fonts, columns: &[Column]) -> Self {
        let total: f32 = columns.iter().map(|c| c.pdf_weight).sum();
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| c.pdf_weight / total * TABLE_W)
            .collect();
        let mut xs = Vec::with_capacity(columns.len() + 1);
        let mut x = MARGIN_L;
        for w in &widths {
            xs.push(x);
            x += w;
        }
        xs.push(MARGIN_L + TABLE_W);
        let titles: Vec<Vec<Line>> = columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| wrap(&mut fonts.bold, c.title, BODY, w - 2.0 * PAD_X))
            .collect();
        let title_h = row_height(titles.iter().map(Vec::len).max().unwrap_or(1));
        TableHead {
            xs,
            widths,
            titles,
            title_h,
        }
    }

    /// Top of the first data row.
    fn body_top(&self) -> f32 {
        TABLE_TOP - self.title_h - NUMBER_ROW_H
    }

    /// Height available for data rows on one page.
    fn body_height(&self) -> f32 {
        self.body_top() - TABLE_LIMIT
    }
}

/// Everything about the book that is the same on every table page.
struct PageFrame {
    title: String,
    register_name: String,
    printed_at: String,
    secret: bool,
}

/// Renders a register book as PDF bytes.
pub(crate) fn render<R>(
    meta: &BookMeta,
    columns: &[Column; 10],
    rows: &[R],
    cells: fn(&R) -> [&str; 10],
) -> Result<Vec<u8>, BookError> {
    let mut fonts = Fonts {
        regular: FontUse::new(&REGULAR)?,
        bold: FontUse::new(&BOLD)?,
    };
    let head = TableHead::new(&mut fonts, columns);

    // Wrap every cell.
    let layouts: Vec<RowLayout> = rows
        .iter()
        .map(|row| {
            let cells: Vec<Vec<Line>> = cells(row)
                .iter()
                .zip(&head.widths)
                .map(|(text, w)| wrap(&mut fonts.regular, &sanitize(text), BODY, w - 2.0 * PAD_X))
                .collect();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
            RowLayout { cells, lines }
        })
        .collect();

    let pages = paginate(&layouts, head.body_height());
    let table_pages = pages.len().max(1);

    // Object ids.
    let mut next_id = 1;
    let mut alloc = || {
        let r = Ref::new(next_id);
        next_id += 1;
        r
    };
    let catalog_id = alloc();
    let tree_id = alloc();
    let info_id = alloc();
    let regular_refs = FontRefs::starting_at(alloc().get());
    for _ in 0..4 {
        alloc();
    }
    let bold_refs = FontRefs::starting_at(alloc().get());
    for _ in 0..4 {
        alloc();
    }
    let page_count = 1 + table_pages;
    let page_ids: Vec<(Ref, Ref)> = (0..page_count).map(|_| (alloc(), alloc())).collect();

    let mut pdf = Pdf::new();
    let frame = PageFrame {
        title: sanitize(&meta.title),
        register_name: sanitize(&meta.register_name),
        printed_at: sanitize(&meta.printed_at),
        secret: meta.secret,
    };

    // Cover.
    let cover = render_cover(&mut fonts, meta);
    write_page(
        &mut pdf,
        tree_id,
        page_ids[0],
        &cover,
        regular_refs,
        bold_refs,
    );

    // Table pages.
    if pages.is_empty() {
        let content = render_table_page(&mut fonts, &frame, columns, &head, &layouts, &[], 1, 1);
        write_page(
            &mut pdf,
            tree_id,
            page_ids[1],
            &content,
            regular_refs,
            bold_refs,
        );
    } else {
        for (i, segments) in pages.iter().enumerate() {
            let content = render_table_page(
                &mut fonts,
                &frame,
                columns,
                &head,
                &layouts,
                segments,
                i + 1,
                table_pages,
            );
            write_page(
                &mut pdf,
                tree_id,
                page_ids[i + 1],
                &content,
                regular_refs,
                bold_refs,
            );
        }
    }
    drop(layouts);

    fonts.regular.write(&mut pdf, regular_refs)?;
    fonts.bold.write(&mut pdf, bold_refs)?;

    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|(p, _)| *p))
        .count(i32::try_from(page_count).unwrap_or(i32::MAX));
    let mut catalog = pdf.catalog(catalog_id);
    catalog.pages(tree_id).lang(TextStr("vi"));
    catalog.finish();

    let doc_title = if frame.register_name.is_empty() {
        frame.title.clone()
    } else {
        format!("{} – {}", frame.title, frame.register_name)
    };
    pdf.document_info(info_id)
        .title(TextStr(&doc_title))
        .author(TextStr(&sanitize(&meta.agency)))
        .creator(TextStr("vanthu"))
        .producer(TextStr("vanthu-books"));

    Ok(pdf.finish())
}

/// Distributes rows over pages. Rows are never split unless a single row is
/// taller than a whole page; such a row is continued on the next page(s).
/// A one-page A4 portrait document: a bold title and paragraphs, wrapped, in the embedded font (every
/// Vietnamese letter renders). What does not fit on the page is cut with an ellipsis.
pub(crate) fn render_note(title: &str, paragraphs: &[&str]) -> Result<Vec<u8>, BookError> {
    const W: f32 = 595.28;
    const H: f32 = 841.89;
    const LEFT: f32 = 85.0;
    const RIGHT: f32 = 56.7;
    const TOP: f32 = 70.0;
    const BOTTOM: f32 = 60.0;
    let mut fonts = Fonts {
        regular: FontUse::new(&REGULAR)?,
        bold: FontUse::new(&BOLD)?,
    };
    let width = W - LEFT - RIGHT;
    let title = sanitize(title);
    let mut p = Painter::new(&mut fonts);
    let mut y = H - TOP;
    for line in wrap(&mut p.fonts.bold, &title, 14.0, width) {
        p.text_centered(Face::Bold, 14.0, LEFT + width / 2.0, y, &line.text);
        y -= 14.0 * 1.4;
    }
    y -= 10.0;
    'page: for para in paragraphs {
        for line in wrap(&mut p.fonts.regular, &sanitize(para), 13.0, width) {
            if y < BOTTOM {
                p.text(Face::Regular, 13.0, LEFT, y + 13.0 * 1.4, "…");
                break 'page;
            }
            p.text(Face::Regular, 13.0, LEFT, y, &line.text);
            y -= 13.0 * 1.4;
        }
        y -= 6.0;
    }
    let content = p.finish();

    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let info_id = Ref::new(3);
    let page_id = Ref::new(4);
    let content_id = Ref::new(5);
    let regular_refs = FontRefs::starting_at(6);
    let bold_refs = FontRefs::starting_at(11);
    let mut pdf = Pdf::new();
    let mut page = pdf.page(page_id);
    page.media_box(Rect::new(0.0, 0.0, W, H))
        .parent(tree_id)
        .contents(content_id);
    let mut resources = page.resources();
    resources
        .fonts()
        .pair(Name(b"F1"), regular_refs.type0)
        .pair(Name(b"F2"), bold_refs.type0);
    resources.finish();
    page.finish();
    pdf.stream(content_id, &compress_to_vec_zlib(&content, 6))
        .filter(Filter::FlateDecode);
    fonts.regular.write(&mut pdf, regular_refs)?;
    fonts.bold.write(&mut pdf, bold_refs)?;
    pdf.pages(tree_id).kids([page_id]).count(1);
    let mut catalog = pdf.catalog(catalog_id);
    catalog.pages(tree_id).lang(TextStr("vi"));
    catalog.finish();
    pdf.document_info(info_id)
        .title(TextStr(&title))
        .creator(TextStr("vanthu"))
        .producer(TextStr("vanthu-books"));
    Ok(pdf.finish())
}

fn paginate(rows: &[RowLayout], body_height: f32) -> Vec<Vec<Segment>> {
    let max_lines = (((body_height - 2.0 * PAD_Y) / LEADING).floor() as usize).max(1);
    let mut pages: Vec<Vec<Segment>> = Vec::new();
    let mut current: Vec<Segment> = Vec::new();
    let mut used = 0.0f32;
    for (idx, row) in rows.iter().enumerate() {
        let seg = Segment {
            row: idx,
            from: 0,
            to: row.lines,
        };
        let h = seg.height();
        if used + h <= body_height {
            current.push(seg);
            used += h;
            continue;
        }
        if h <= body_height {
            pages.push(std::mem::take(&mut current));
            current.push(seg);
            used = h;
            continue;
        }
        // Over-tall row: fill the rest of this page (if at least three lines
        // fit), then continue on fresh pages.
        let mut from = 0;
        let room = ((body_height - used - 2.0 * PAD_Y) / LEADING).floor();
        if room >= 3.0 && !current.is_empty() {
            let n = room as usize;
            current.push(Segment {
                row: idx,
                from,
                to: n,
            });
            from = n;
        }
        while from < row.lines {
            if !current.is_empty() {
                pages.push(std::mem::take(&mut current));
            }
            let to = (from + max_lines).min(row.lines);
            let seg = Segment { row: idx, from, to };
            used = seg.height();
            current.push(seg);
            from = to;
        }
    }
    if !current.is_empty() {
        pages.push(current);
    }
    pages
}

fn write_page(
    pdf: &mut Pdf,
    tree: Ref,
    (page_id, content_id): (Ref, Ref),
    content: &[u8],
    f1: FontRefs,
    f2: FontRefs,
) {
    let mut page = pdf.page(page_id);
    page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
        .parent(tree)
        .contents(content_id);
    let mut resources = page.resources();
    resources
        .fonts()
        .pair(Name(b"F1"), f1.type0)
        .pair(Name(b"F2"), f2.type0);
    resources.finish();
    page.finish();
    let compressed = compress_to_vec_zlib(content, 6);
    pdf.stream(content_id, &compressed)
        .filter(Filter::FlateDecode);
}

fn render_cover(fonts: &mut Fonts, meta: &BookMeta) -> Vec<u8> {
    let mut p = Painter::new(fonts);

    // Agency block, top left (Phụ lục IV: tên cơ quan chủ quản / tên cơ quan).
    let block_w = 330.0;
    let cx = MARGIN_L + block_w / 2.0;
    let mut y = PAGE_H - 62.0;
    let size = 13.0;
    if let Some(parent) = meta
        .parent_agency
        .as_deref()
        .map(sanitize)
        .filter(|s| !s.is_empty())
    {
        for line in wrap(&mut p.fonts.regular, &parent, size, block_w) {
            p.text_centered(Face::Regular, size, cx, y, &line.text);
            y -= size * 1.25;
        }
    }
    let agency = sanitize(&meta.agency);
    let mut agency_w: f32 = 0.0;
    for line in wrap(&mut p.fonts.bold, &agency, size, block_w) {
        agency_w = agency_w.max(line.width);
        p.text_centered(Face::Bold, size, cx, y, &line.text);
        y -= size * 1.25;
    }
    // Short rule under the agency name (one third of its width).
    let rule = (agency_w / 3.0).max(40.0);
    p.line(
        0.6,
        cx - rule / 2.0,
        y + size * 0.8,
        cx + rule / 2.0,
        y + size * 0.8,
    );

    if meta.secret {
        p.secret_stamp(24.0, PAGE_W - MARGIN_R - 30.0, PAGE_H - 50.0);
    }

    // Title.
    let title = sanitize(&meta.title);
    let title_size = 30.0;
    let mut y = PAGE_H * 0.60;
    for line in wrap_limited(&mut p.fonts.bold, &title, title_size, TABLE_W - 60.0, 3) {
        p.text_centered(Face::Bold, title_size, PAGE_W / 2.0, y, &line.text);
        y -= title_size * 1.2;
    }
    let register_name = sanitize(&meta.register_name);
    if !register_name.is_empty() {
        y -= 4.0;
        for line in wrap_limited(
            &mut p.fonts.regular,
            &register_name,
            16.0,
            TABLE_W - 60.0,
            2,
        ) {
            p.text_centered(Face::Regular, 16.0, PAGE_W / 2.0, y, &line.text);
            y -= 16.0 * 1.25;
        }
    }

    // Period, dates, numbers, volume.
    let or_dots = |v: Option<String>| {
        v.filter(|s| !s.is_empty())
            .unwrap_or_else(|| DOTS.to_owned())
    };
    let period = sanitize(&meta.period);
    let period_line = if is_term(&period) {
        format!("Nhiệm kỳ: {period}")
    } else {
        format!("Năm: {}", or_dots(Some(period)))
    };
    let lines = [
        period_line,
        format!(
            "Từ ngày {} đến ngày {}",
            or_dots(meta.from_date.as_deref().map(sanitize)),
            or_dots(meta.to_date.as_deref().map(sanitize))
        ),
        format!(
            "Từ số {} đến số {}",
            or_dots(meta.from_number.map(|n| n.to_string())),
            or_dots(meta.to_number.map(|n| n.to_string()))
        ),
        format!(
            "Quyển số: {}",
            or_dots(meta.volume.as_deref().map(sanitize))
        ),
    ];
    let info_size = 14.0;
    let widest = lines
        .iter()
        .map(|l| p.fonts.regular.width(l, info_size))
        .fold(0.0f32, f32::max);
    let x = (PAGE_W - widest) / 2.0;
    let mut y = y.min(PAGE_H * 0.42) - 14.0;
    for l in &lines {
        p.text(Face::Regular, info_size, x, y, l);
        y -= info_size * 1.8;
    }

    let printed = sanitize(&meta.printed_at);
    if !printed.is_empty() {
        let s = format!("Ngày in: {printed}");
        let w = p.fonts.regular.width(&s, FOOTER_SIZE);
        p.text(
            Face::Regular,
            FOOTER_SIZE,
            PAGE_W - MARGIN_R - w,
            MARGIN_B,
            &s,
        );
    }
    p.finish()
}

#[allow(clippy::too_many_arguments)]
fn render_table_page(
    fonts: &mut Fonts,
    frame: &PageFrame,
    columns: &[Column],
    head: &TableHead,
    rows: &[RowLayout],
    segments: &[Segment],
    page_no: usize,
    page_total: usize,
) -> Vec<u8> {
    let mut p = Painter::new(fonts);
    let left = MARGIN_L;
    let right = MARGIN_L + TABLE_W;

    // Running heading and secrecy mark.
    // Kept clear of the "MẬT" stamp at the right.
    let heading_base = PAGE_H - MARGIN_T - HEADING_SIZE;
    let heading = fit_line(
        &mut p.fonts.bold,
        &frame.title,
        HEADING_SIZE,
        TABLE_W - 160.0,
    );
    p.text(
        Face::Bold,
        HEADING_SIZE,
        left + (TABLE_W - heading.width) / 2.0,
        heading_base,
        &heading.text,
    );
    if frame.secret {
        p.secret_stamp(13.0, right, PAGE_H - MARGIN_T + 4.0);
    }

    // Header background.
    p.end_text();
    p.content
        .save_state()
        .set_fill_gray(0.9)
        .rect(
            left,
            TABLE_TOP - head.title_h - NUMBER_ROW_H,
            TABLE_W,
            head.title_h + NUMBER_ROW_H,
        )
        .fill_nonzero()
        .restore_state();

    // Column titles, centred both ways.
    for (i, title) in head.titles.iter().enumerate() {
        let block = title.len() as f32 * LEADING;
        let top = TABLE_TOP - (head.title_h - block) / 2.0;
        let cx = head.xs[i] + head.widths[i] / 2.0;
        for (k, line) in title.iter().enumerate() {
            let y = top - BASELINE - k as f32 * LEADING + (LEADING - BODY) / 2.0;
            p.text(Face::Bold, BODY, cx - line.width / 2.0, y, &line.text);
        }
    }
    // Column numbers (1)…(10).
    let num_base =
        TABLE_TOP - head.title_h - NUMBER_ROW_H + (NUMBER_ROW_H - NUMBER_SIZE) / 2.0 + 1.5;
    for i in 0..columns.len() {
        let cx = head.xs[i] + head.widths[i] / 2.0;
        p.text_centered(
            Face::Regular,
            NUMBER_SIZE,
            cx,
            num_base,
            &format!("({})", i + 1),
        );
    }

    // Data rows.
    let mut y = head.body_top();
    let mut bottoms = Vec::with_capacity(segments.len());
    if segments.is_empty() {
        let h = row_height(2);
        p.text_centered(
            Face::Regular,
            BODY,
            left + TABLE_W / 2.0,
            y - h / 2.0 - BODY * 0.3,
            EMPTY_BOOK_TEXT,
        );
        y -= h;
        bottoms.push(y);
    }
    for seg in segments {
        let row = &rows[seg.row];
        for (i, cell) in row.cells.iter().enumerate() {
            let end = seg.to.min(cell.len());
            let start = seg.from.min(end);
            for (k, line) in cell[start..end].iter().enumerate() {
                let x = match columns[i].align {
                    Align::Left => head.xs[i] + PAD_X,
                    Align::Center => head.xs[i] + (head.widths[i] - line.width) / 2.0,
                };
                let base = y - PAD_Y - BASELINE - k as f32 * LEADING;
                p.text(Face::Regular, BODY, x, base, &line.text);
            }
        }
        y -= seg.height();
        bottoms.push(y);
    }
    let table_bottom = y;

    // Grid.
    p.end_text();
    p.content.set_line_width(INNER_LINE);
    let header_bottom = TABLE_TOP - head.title_h;
    let body_top = head.body_top();
    for yy in [header_bottom, body_top].into_iter().chain(
        bottoms
            .iter()
            .copied()
            .take(bottoms.len().saturating_sub(1)),
    ) {
        p.content.move_to(left, yy).line_to(right, yy);
    }
    let inner_bottom = if segments.is_empty() {
        body_top
    } else {
        table_bottom
    };
    for x in &head.xs[1..head.xs.len() - 1] {
        p.content.move_to(*x, TABLE_TOP).line_to(*x, inner_bottom);
    }
    p.content.stroke();
    p.content
        .set_line_width(OUTER_LINE)
        .rect(left, table_bottom, TABLE_W, TABLE_TOP - table_bottom)
        .stroke();

    // Footer: register name, print time, page number.
    let footer_y = MARGIN_B;
    let page_label = format!("Trang {page_no}/{page_total}");
    let label_w = p.fonts.regular.width(&page_label, FOOTER_SIZE);
    p.text(
        Face::Regular,
        FOOTER_SIZE,
        right - label_w,
        footer_y,
        &page_label,
    );
    let mut name_room = TABLE_W - label_w - 20.0;
    if !frame.printed_at.is_empty() {
        let s = format!("Ngày in: {}", frame.printed_at);
        let w = p.text_centered(
            Face::Regular,
            FOOTER_SIZE,
            left + TABLE_W / 2.0,
            footer_y,
            &s,
        );
        name_room = TABLE_W / 2.0 - w / 2.0 - 15.0;
    }
    let name = fit_line(
        &mut p.fonts.regular,
        &frame.register_name,
        FOOTER_SIZE,
        name_room,
    );
    p.text(Face::Regular, FOOTER_SIZE, left, footer_y, &name.text);
    p.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> FontUse {
        FontUse::new(&REGULAR).unwrap()
    }

    #[test]
    fn wrap_breaks_on_spaces_and_keeps_width() {
        let mut f = font();
        let text = "Quyết định về việc phê duyệt kế hoạch cải cách hành chính năm 2026 của Ủy ban nhân dân tỉnh";
        let lines = wrap(&mut f, text, 10.0, 120.0);
        assert!(lines.len() > 2);
        for l in &lines {
            assert!(l.width <= 120.0 + 1e-3, "{l:?}");
            assert!((f.width(&l.text, 10.0) - l.width).abs() < 1e-3);
            assert!(!l.text.starts_with(' ') && !l.text.ends_with(' '));
        }
        let joined: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(joined.join(" "), text);
    }

    #[test]
    fn wrap_hard_breaks_long_words_and_newlines() {
        let mut f = font();
        let word = "Đ".repeat(80);
        let lines = wrap(&mut f, &format!("a\n\n{word}"), 10.0, 60.0);
        assert_eq!(lines[0].text, "a");
        assert_eq!(lines[1].text, "");
        assert!(lines.len() > 4);
        let rebuilt: String = lines[2..].iter().map(|l| l.text.as_str()).collect();
        assert_eq!(rebuilt, word);
        for l in &lines {
            assert!(l.width <= 60.0 + 1e-3);
        }
        // Prefer breaking after "-" or "/".
        let lines = wrap(&mut f, "1234/QĐ-UBNDTỈNHNINHBÌNH", 10.0, 80.0);
        assert_eq!(lines[0].text, "1234/QĐ-");
        assert!(wrap(&mut f, "", 10.0, 80.0).is_empty());
    }

    #[test]
    fn fit_line_ellipsis() {
        let mut f = font();
        let l = fit_line(&mut f, &"Sổ văn bản ".repeat(30), 9.0, 100.0);
        assert!(l.text.ends_with('…'));
        assert!(l.width <= 100.0);
    }

    fn layout(lines: usize) -> RowLayout {
        RowLayout {
            cells: vec![vec![
                Line {
                    text: "x".into(),
                    width: 5.0
                };
                lines
            ]],
            lines,
        }
    }

    #[test]
    fn pagination_keeps_rows_whole_and_splits_only_overtall_rows() {
        let body = 100.0; // 7 lines of 12 pt + padding
        let rows = vec![layout(3), layout(3), layout(2), layout(20), layout(1)];
        let pages = paginate(&rows, body);
        for page in &pages {
            let h: f32 = page.iter().map(Segment::height).sum();
            assert!(h <= body + 1e-3, "{page:?}");
        }
        // Row 3 (20 lines) is split in segments covering 0..20 without gaps.
        let segs: Vec<Segment> = pages
            .iter()
            .flatten()
            .filter(|s| s.row == 3)
            .copied()
            .collect();
        assert!(segs.len() >= 3);
        assert_eq!(segs[0].from, 0);
        for w in segs.windows(2) {
            assert_eq!(w[0].to, w[1].from);
        }
        assert_eq!(segs.last().unwrap().to, 20);
        // Other rows are never split.
        for r in [0, 1, 2, 4] {
            assert_eq!(pages.iter().flatten().filter(|s| s.row == r).count(), 1);
        }
    }
}
