//! Embedded TrueType fonts: glyph lookup, advance widths, subsetting and the
//! PDF font objects (Type0 / CIDFontType2, Identity-H, ToUnicode).

use std::collections::HashMap;

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use subsetter::GlyphRemapper;

use crate::BookError;

/// A font file shipped inside the crate.
pub(crate) struct FontFile {
    /// PostScript name used in the PDF (after the subset tag).
    pub ps_name: &'static str,
    /// Subset tag (six upper-case letters, PDF 32000 §9.6.4).
    pub tag: &'static str,
    pub data: &'static [u8],
    pub bold: bool,
}

/// Liberation Serif Regular 2.1.5 (SIL OFL 1.1), metric-compatible with
/// Times New Roman, full Vietnamese coverage.
pub(crate) const REGULAR: FontFile = FontFile {
    ps_name: "LiberationSerif",
    tag: "VTBKRG",
    data: include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    bold: false,
};

/// Liberation Serif Bold 2.1.5 (SIL OFL 1.1).
pub(crate) const BOLD: FontFile = FontFile {
    ps_name: "LiberationSerif-Bold",
    tag: "VTBKBD",
    data: include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    bold: true,
};

/// A glyph of the subset: its CID (= new glyph id) and advance in em.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Glyph {
    pub cid: u16,
    pub advance: f32,
}

/// Characters below this code point are cached in a flat table (covers Latin,
/// Vietnamese precomposed letters U+1EA0–U+1EF9 and general punctuation).
const FAST_LIMIT: usize = 0x2100;

/// One font as used by one document: lookups, measurements and the set of
/// glyphs that must go into the subset.
pub(crate) struct FontUse {
    pub file: &'static FontFile,
    face: ttf_parser::Face<'static>,
    upem: f32,
    fast: Vec<Option<Glyph>>,
    slow: HashMap<char, Glyph>,
    remapper: GlyphRemapper,
    /// Unicode text of each CID (index = CID).
    to_unicode: Vec<Option<char>>,
    /// Advance of each CID in 1/1000 em (index = CID).
    widths: Vec<f32>,
    fallback: Option<Glyph>,
}

impl FontUse {
    pub fn new(file: &'static FontFile) -> Result<Self, BookError> {
        let face =
            ttf_parser::Face::parse(file.data, 0).map_err(|_| BookError::Font(file.ps_name))?;
        let upem = f32::from(face.units_per_em());
        let mut font = FontUse {
            file,
            face,
            upem,
            fast: vec![None; FAST_LIMIT],
            slow: HashMap::new(),
            remapper: GlyphRemapper::new(),
            to_unicode: vec![None],
            widths: Vec::new(),
            fallback: None,
        };
        let notdef = font
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(0))
            .unwrap_or(0);
        font.widths.push(f32::from(notdef) * 1000.0 / upem);
        font.fallback = font.lookup('?');
        if font.fallback.is_none() {
            return Err(BookError::Font(file.ps_name));
        }
        Ok(font)
    }

    /// Whether the font has a real glyph for `c`.
    #[cfg(test)]
    pub fn has_glyph(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some_and(|g| g.0 != 0)
    }

    fn lookup(&mut self, c: char) -> Option<Glyph> {
        let gid = self.face.glyph_index(c).filter(|g| g.0 != 0)?;
        let advance = f32::from(self.face.glyph_hor_advance(gid).unwrap_or(0)) / self.upem;
        let cid = self.remapper.remap(gid.0);
        let idx = usize::from(cid);
        if idx >= self.widths.len() {
            self.widths.resize(idx + 1, 0.0);
            self.to_unicode.resize(idx + 1, None);
        }
        self.widths[idx] = advance * 1000.0;
        // Two characters may share a glyph; the first one seen is what a text
        // extractor gets back.
        if self.to_unicode[idx].is_none() {
            self.to_unicode[idx] = Some(c);
        }
        Some(Glyph { cid, advance })
    }

    /// The glyph printed for `c`; characters missing from the font print as "?".
    #[inline]
    pub fn glyph(&mut self, c: char) -> Glyph {
        let code = c as usize;
        if code < FAST_LIMIT {
            if let Some(g) = self.fast[code] {
                return g;
            }
            let g = self
                .lookup(c)
                .or(self.fallback)
                .expect("fallback glyph exists");
            self.fast[code] = Some(g);
            g
        } else {
            if let Some(g) = self.slow.get(&c) {
                return *g;
            }
            let g = self
                .lookup(c)
                .or(self.fallback)
                .expect("fallback glyph exists");
            self.slow.insert(c, g);
            g
        }
    }

    /// Width of `s` in points at `size`.
    pub fn width(&mut self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.glyph(c).advance).sum::<f32>() * size
    }

    /// Appends the Identity-H encoding (two-byte CIDs) of `s` to `out`.
    pub fn encode(&mut self, s: &str, out: &mut Vec<u8>) {
        for c in s.chars() {
            out.extend_from_slice(&self.glyph(c).cid.to_be_bytes());
        }
    }

    /// Writes the Type0 font, its CIDFont, descriptor, subset font file and
    /// ToUnicode CMap. `refs` are five fresh object ids.
    pub fn write(&self, pdf: &mut Pdf, refs: FontRefs) -> Result<(), BookError> {
        let subset = subsetter::subset(self.file.data, 0, &self.remapper).map_err(|e| {
            BookError::FontSubset {
                font: self.file.ps_name,
                reason: e.to_string(),
            }
        })?;
        let base_name = format!("{}+{}", self.file.tag, self.file.ps_name);
        let k = 1000.0 / self.upem;

        pdf.type0_font(refs.type0)
            .base_font(Name(base_name.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(refs.cid_font)
            .to_unicode(refs.to_unicode);

        let mut cid = pdf.cid_font(refs.cid_font);
        cid.subtype(CidFontType::Type2)
            .base_font(Name(base_name.as_bytes()))
            .system_info(SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"Identity"),
                supplement: 0,
            })
            .font_descriptor(refs.descriptor)
            .default_width(self.widths.first().copied().unwrap_or(0.0))
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid.widths()
            .consecutive(0, self.widths.iter().map(|w| w.round()));
        cid.finish();

        let bbox = self.face.global_bounding_box();
        let mut flags = FontFlags::SERIF | FontFlags::NON_SYMBOLIC;
        if self.file.bold {
            flags |= FontFlags::FORCE_BOLD;
        }
        pdf.font_descriptor(refs.descriptor)
            .name(Name(base_name.as_bytes()))
            .flags(flags)
            .bbox(Rect::new(
                f32::from(bbox.x_min) * k,
                f32::from(bbox.y_min) * k,
                f32::from(bbox.x_max) * k,
                f32::from(bbox.y_max) * k,
            ))
            .italic_angle(0.0)
            .ascent(f32::from(self.face.ascender()) * k)
            .descent(f32::from(self.face.descender()) * k)
            .cap_height(f32::from(self.face.capital_height().unwrap_or(self.face.ascender())) * k)
            .weight(if self.file.bold { 700 } else { 400 })
            .stem_v(if self.file.bold { 140.0 } else { 80.0 })
            .font_file2(refs.file);

        let compressed = compress_to_vec_zlib(&subset, 6);
        pdf.stream(refs.file, &compressed)
            .filter(Filter::FlateDecode)
            .pair(
                Name(b"Length1"),
                i32::try_from(subset.len()).unwrap_or(i32::MAX),
            );

        let mut cmap = UnicodeCmap::new(
            Name(b"Vanthu-UCS"),
            SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"UCS"),
                supplement: 0,
            },
        );
        for (cid, c) in self.to_unicode.iter().enumerate() {
            if let (Some(c), Ok(cid)) = (c, u16::try_from(cid)) {
                cmap.pair(cid, *c);
            }
        }
        let cmap = cmap.finish();
        let cmap = compress_to_vec_zlib(&cmap, 6);
        pdf.cmap(refs.to_unicode, &cmap).filter(Filter::FlateDecode);
        Ok(())
    }
}

/// Object ids of one embedded font.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FontRefs {
    pub type0: Ref,
    pub cid_font: Ref,
    pub descriptor: Ref,
    pub file: Ref,
    pub to_unicode: Ref,
}

impl FontRefs {
    /// Five consecutive ids starting at `first`.
    pub fn starting_at(first: i32) -> Self {
        FontRefs {
            type0: Ref::new(first),
            cid_font: Ref::new(first + 1),
            descriptor: Ref::new(first + 2),
            file: Ref::new(first + 3),
            to_unicode: Ref::new(first + 4),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    /// All 134 precomposed Vietnamese letters (both cases) plus Đ/đ.
    fn vietnamese_letters() -> Vec<char> {
        let mut out = vec!['đ', 'Đ'];
        for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY".chars() {
            for mark in ['\0', '\u{300}', '\u{301}', '\u{309}', '\u{303}', '\u{323}'] {
                let s: String = if mark == '\0' {
                    base.to_string()
                } else {
                    [base, mark].iter().collect::<String>().nfc().collect()
                };
                let mut it = s.chars();
                let c = it.next().unwrap();
                assert!(
                    it.next().is_none(),
                    "{base}+{mark:?} has no precomposed form"
                );
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn fonts_cover_vietnamese_with_distinct_glyphs() {
        for file in [&REGULAR, &BOLD] {
            let font = FontUse::new(file).unwrap();
            let mut seen = HashMap::new();
            for c in vietnamese_letters() {
                let gid = font.face.glyph_index(c);
                assert!(
                    gid.is_some_and(|g| g.0 != 0),
                    "{}: no glyph for {c}",
                    file.ps_name
                );
                if let Some(prev) = seen.insert(gid.unwrap().0, c) {
                    panic!("{}: {prev} and {c} share a glyph", file.ps_name);
                }
            }
            for c in "…–—“”‘’°№".chars() {
                assert!(font.has_glyph(c), "{}: no glyph for {c}", file.ps_name);
            }
        }
    }

    #[test]
    fn measuring_and_encoding() {
        let mut font = FontUse::new(&REGULAR).unwrap();
        let w = font.width("Ủy ban nhân dân", 10.0);
        assert!(w > 50.0 && w < 90.0, "{w}");
        let mut bytes = Vec::new();
        font.encode("ỦỦ\u{10ffff}", &mut bytes);
        assert_eq!(bytes.len(), 6);
        assert_eq!(bytes[0..2], bytes[2..4]);
        // Missing glyph falls back to '?'.
        let q = font.glyph('?').cid.to_be_bytes();
        assert_eq!(bytes[4..6], q);
    }
}
