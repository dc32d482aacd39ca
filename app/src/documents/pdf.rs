//! A small PDF writer, without dependencies, for the documents the platform hands out as files
//! (the terms of use first of all).
//!
//! The output is PDF 1.7: A4 portrait with 2 cm margins on every side (the footer sits inside
//! them, its baseline on the bottom margin). Text is set in the standard Type 1 fonts Helvetica and
//! Helvetica-Bold with `/WinAnsiEncoding`, so no font is embedded and French text shows correctly
//! in every reader: it is converted from Unicode to Windows-1252, and a character that encoding
//! cannot hold is drawn as `?`. Lines are broken at ordinary spaces only, using the fonts' own
//! glyph widths (Adobe's AFM metrics), and a word is cut only when it is longer than a whole line.
//! Every page carries a footer: the document's title on the left, "Page N sur M" in the middle.
//!
//! Content streams are not compressed. The output depends only on the document and on the
//! creation date: [`render_at`] is deterministic, [`render`] stamps the current time.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// One block of a document's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A section title, in bold, with space before it; kept on the same page as what follows.
    Heading(String),
    /// Running text. Runs of white space (line breaks included) count as one space.
    Paragraph(String),
    /// A list item, drawn after a bullet "•" with a hanging indent.
    Bullet(String),
    /// A two-dimensional code (a QR code's modules, row by row, `true` dark), drawn in black on
    /// white with its quiet zone, 4 cm wide, at the left margin.
    Code(Vec<Vec<bool>>),
}

/// What to lay out: a title (also the PDF's `/Title` and the footer's left part), an optional
/// subtitle under it, then the body.
#[derive(Clone, Copy, Debug)]
pub struct Document<'a> {
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub blocks: &'a [Block],
}

/// The document as a PDF file, created now.
pub fn render(document: &Document) -> Vec<u8> {
    render_at(document, Utc::now())
}

/// The document as a PDF file whose `/CreationDate` is `created_at`; the same arguments always
/// give the same bytes.
pub fn render_at(document: &Document, created_at: DateTime<Utc>) -> Vec<u8> {
    let pages = layout(document);
    write_pdf(document, &pages, created_at)
}

// ---------------------------------------------------------------------------------------------
// Page geometry, in PostScript points (1/72 inch), origin at the bottom left.

/// A4: 210 × 297 mm.
const PAGE_WIDTH: f64 = 595.28;
const PAGE_HEIGHT: f64 = 841.89;
/// 2 cm.
const MARGIN: f64 = 56.69;
const CONTENT_WIDTH: f64 = PAGE_WIDTH - 2.0 * MARGIN;
/// Top of the first line box of a page.
const BODY_TOP: f64 = PAGE_HEIGHT - MARGIN;
/// The footer's baseline sits on the bottom margin; the body stays above this line.
const FOOTER_BASELINE: f64 = MARGIN;
const FOOTER_SIZE: f64 = 8.5;
const BODY_BOTTOM: f64 = MARGIN + 24.0;
/// Horizontal position of the bullet, and of the text of a list item, from the left margin.
const BULLET_OFFSET: f64 = 6.0;
const BULLET_INDENT: f64 = 18.0;
/// Vertical space around the rule under the title.
const RULE_BEFORE: f64 = 10.0;
const RULE_AFTER: f64 = 16.0;
/// Share of the font size above and below the baseline (Helvetica's cap height and descender),
/// used to centre glyphs vertically in their line box.
const ASCENT: f64 = 0.718;
const DESCENT: f64 = 0.207;
/// Slack for floating-point comparisons, far below anything visible.
const EPSILON: f64 = 1e-9;
/// Fill colour of the subtitle and the footer (grey level, 0 is black).
const GREY: f64 = 0.35;

/// WinAnsi code of the bullet "•" and of the ellipsis "…".
const BULLET: u8 = 0x95;
const ELLIPSIS: u8 = 0x85;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    /// Name in the pages' resource dictionaries.
    fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
        }
    }

    fn base_font(self) -> &'static str {
        match self {
            Font::Regular => "Helvetica",
            Font::Bold => "Helvetica-Bold",
        }
    }

    /// Advance width of a WinAnsi code, in thousandths of the font size.
    fn glyph_width(self, code: u8) -> u32 {
        let table = match self {
            Font::Regular => &HELVETICA_WIDTHS,
            Font::Bold => &HELVETICA_BOLD_WIDTHS,
        };
        // Codes below 32 are never drawn: `encode` turns control characters into '?'.
        code.checked_sub(32)
            .map_or(0, |index| u32::from(table[usize::from(index)]))
    }

    /// Width of a run of WinAnsi codes, in thousandths of the font size.
    fn units(self, text: &[u8]) -> u32 {
        text.iter().map(|&code| self.glyph_width(code)).sum()
    }

    /// Width of a run of WinAnsi codes at `size`, in points.
    fn width(self, text: &[u8], size: f64) -> f64 {
        f64::from(self.units(text)) * size / 1000.0
    }
}

/// How a kind of text is set. `before` and `after` are the space wanted above and below the
/// block; between two blocks the larger of the two applies, and none at the top of a page.
struct Style {
    font: Font,
    size: f64,
    leading: f64,
    before: f64,
    after: f64,
    grey: bool,
}

const TITLE: Style = Style {
    font: Font::Bold,
    size: 20.0,
    leading: 24.0,
    before: 0.0,
    after: 0.0,
    grey: false,
};
const SUBTITLE: Style = Style {
    font: Font::Regular,
    size: 12.0,
    leading: 15.6,
    before: 4.0,
    after: 0.0,
    grey: true,
};
const HEADING: Style = Style {
    font: Font::Bold,
    size: 13.0,
    leading: 16.9,
    before: 16.0,
    after: 4.0,
    grey: false,
};
const PARAGRAPH: Style = Style {
    font: Font::Regular,
    size: 10.5,
    leading: 10.5 * 1.35,
    before: 6.0,
    after: 6.0,
    grey: false,
};
const BULLET_ITEM: Style = Style {
    font: Font::Regular,
    size: 10.5,
    leading: 10.5 * 1.35,
    before: 3.0,
    after: 3.0,
    grey: false,
};

fn style_of(block: &Block) -> &'static Style {
    match block {
        Block::Heading(_) => &HEADING,
        Block::Paragraph(_) | Block::Code(_) => &PARAGRAPH,
        Block::Bullet(_) => &BULLET_ITEM,
    }
}

// ---------------------------------------------------------------------------------------------
// Text: Unicode to WinAnsi, then lines.

/// The WinAnsi (Windows-1252) bytes of `text`, one byte a character.
///
/// White space other than the no-break kinds becomes a space (0x20, where lines may break); the
/// no-break space, the narrow no-break space and the figure space become 0xA0 (which never breaks).
/// Soft hyphens and zero-width characters are dropped. A combining accent that follows its letter
/// (decomposed text) is merged into it; one that cannot be merged is dropped, keeping the letter.
/// Any other character without a WinAnsi code becomes '?'.
fn encode(text: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(text.len());
    for c in text.chars() {
        if ('\u{0300}'..='\u{036F}').contains(&c) {
            if let Some(last) = bytes.last_mut() {
                if let Some(&(_, _, composed)) = COMPOSITIONS
                    .iter()
                    .find(|&&(base, mark, _)| mark == c && u32::from(base) == u32::from(*last))
                {
                    *last = composed;
                }
            }
            continue;
        }
        match c {
            '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
            _ => bytes.push(win_ansi(c).unwrap_or(b'?')),
        }
    }
    bytes
}

/// The WinAnsi code of one character, if it has one.
fn win_ansi(c: char) -> Option<u8> {
    let code = match c {
        '\t' | '\n' | '\u{000B}' | '\u{000C}' | '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}' => 0x20,
        ' '..='~' => c as u8,
        '\u{00A0}' | '\u{2007}' | '\u{202F}' => 0xA0,
        '\u{00A1}'..='\u{00FF}' => c as u8,
        '\u{2000}'..='\u{200A}' | '\u{205F}' | '\u{3000}' => 0x20,
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2212}' => b'-',
        '\u{20AC}' => 0x80, // €
        '\u{201A}' => 0x82, // ‚
        '\u{0192}' => 0x83, // ƒ
        '\u{201E}' => 0x84, // „
        '\u{2026}' => 0x85, // …
        '\u{2020}' => 0x86, // †
        '\u{2021}' => 0x87, // ‡
        '\u{02C6}' => 0x88, // ˆ
        '\u{2030}' => 0x89, // ‰
        '\u{0160}' => 0x8A, // Š
        '\u{2039}' => 0x8B, // ‹
        '\u{0152}' => 0x8C, // Œ
        '\u{017D}' => 0x8E, // Ž
        '\u{2018}' => 0x91, // ‘
        '\u{2019}' => 0x92, // ’
        '\u{201C}' => 0x93, // “
        '\u{201D}' => 0x94, // ”
        '\u{2022}' => 0x95, // •
        '\u{2013}' => 0x96, // –
        '\u{2014}' => 0x97, // —
        '\u{02DC}' => 0x98, // ˜
        '\u{2122}' => 0x99, // ™
        '\u{0161}' => 0x9A, // š
        '\u{203A}' => 0x9B, // ›
        '\u{0153}' => 0x9C, // œ
        '\u{017E}' => 0x9E, // ž
        '\u{0178}' => 0x9F, // Ÿ
        _ => return None,
    };
    Some(code)
}

/// Breaks WinAnsi text into lines no wider than `max_width` points, greedily, at spaces (0x20)
/// only; runs of spaces count as one and vanish at line ends. A word wider than a whole line is
/// cut between characters, on a line of its own.
fn wrap(text: &[u8], font: Font, size: f64, max_width: f64) -> Vec<Vec<u8>> {
    let max_units = max_width * 1000.0 / size + EPSILON;
    let fits = |units: u32| f64::from(units) <= max_units;
    let space = font.glyph_width(b' ');
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut line_units = 0;
    for word in text
        .split(|&byte| byte == b' ')
        .filter(|word| !word.is_empty())
    {
        let word_units = font.units(word);
        if !line.is_empty() && fits(line_units + space + word_units) {
            line.push(b' ');
            line.extend_from_slice(word);
            line_units += space + word_units;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line_units = 0;
        }
        if fits(word_units) {
            line.extend_from_slice(word);
            line_units = word_units;
            continue;
        }
        for &code in word {
            let code_units = font.glyph_width(code);
            if !line.is_empty() && !fits(line_units + code_units) {
                lines.push(std::mem::take(&mut line));
                line_units = 0;
            }
            line.push(code);
            line_units += code_units;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `text`, cut and ended with "…" if it is wider than `max_width` points.
fn truncate(text: &[u8], font: Font, size: f64, max_width: f64) -> Vec<u8> {
    if font.width(text, size) <= max_width + EPSILON {
        return text.to_vec();
    }
    let mut kept = text.to_vec();
    loop {
        kept.pop();
        while kept.last() == Some(&b' ') {
            kept.pop();
        }
        let mut candidate = kept.clone();
        candidate.push(ELLIPSIS);
        if kept.is_empty() || font.width(&candidate, size) <= max_width + EPSILON {
            return candidate;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Layout: blocks to positioned lines, page by page.

/// Something drawn on a page.
#[derive(Debug)]
enum Item {
    /// One line of text, `y` being its baseline.
    Text {
        font: Font,
        size: f64,
        x: f64,
        y: f64,
        grey: bool,
        text: Vec<u8>,
    },
    /// A thin horizontal rule.
    Rule { x1: f64, x2: f64, y: f64 },
    /// A filled black square, `(x, y)` its bottom left corner.
    Square { x: f64, y: f64, side: f64 },
}

/// The pages laid out so far and where the next line goes.
struct Layout {
    pages: Vec<Vec<Item>>,
    /// Top of the next line box.
    y: f64,
    /// Space owed before the next line (collapsed between blocks, dropped at a page's top).
    pending: f64,
    /// Nothing drawn on the current page yet.
    fresh: bool,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            pages: vec![Vec::new()],
            y: BODY_TOP,
            pending: 0.0,
            fresh: true,
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = BODY_TOP;
        self.pending = 0.0;
        self.fresh = true;
    }

    fn space(&mut self, space: f64) {
        self.pending = self.pending.max(space);
    }

    /// Starts a new page unless `height` (plus the space owed) still fits on this one.
    fn keep(&mut self, height: f64) {
        if !self.fresh && self.y - self.pending - height < BODY_BOTTOM - EPSILON {
            self.new_page();
        }
    }

    /// Reserves `height` for what comes next, on a new page if need be, and returns the top of
    /// the reserved box.
    fn reserve(&mut self, height: f64) -> f64 {
        self.keep(height);
        if !self.fresh {
            self.y -= self.pending;
        }
        self.pending = 0.0;
        self.fresh = false;
        let top = self.y;
        self.y -= height;
        top
    }

    fn push(&mut self, item: Item) {
        self.pages
            .last_mut()
            .expect("a layout always has a page")
            .push(item);
    }

    /// Draws one line at `x`, preceded at `marker.0` by the glyph `marker.1` if given.
    fn line(&mut self, style: &Style, x: f64, text: Vec<u8>, marker: Option<(f64, u8)>) {
        let top = self.reserve(style.leading);
        let y = top - (style.leading - (ASCENT + DESCENT) * style.size) / 2.0 - ASCENT * style.size;
        if let Some((marker_x, glyph)) = marker {
            self.push(Item::Text {
                font: style.font,
                size: style.size,
                x: marker_x,
                y,
                grey: style.grey,
                text: vec![glyph],
            });
        }
        self.push(Item::Text {
            font: style.font,
            size: style.size,
            x,
            y,
            grey: style.grey,
            text,
        });
    }

    fn rule(&mut self) {
        let top = self.reserve(1.0);
        self.push(Item::Rule {
            x1: MARGIN,
            x2: PAGE_WIDTH - MARGIN,
            y: top - 0.5,
        });
    }
}

fn layout(document: &Document) -> Vec<Vec<Item>> {
    let mut page = Layout::new();

    let mut header = false;
    for line in wrap(
        &encode(document.title),
        TITLE.font,
        TITLE.size,
        CONTENT_WIDTH,
    ) {
        page.line(&TITLE, MARGIN, line, None);
        header = true;
    }
    if let Some(subtitle) = document.subtitle {
        page.space(SUBTITLE.before);
        for line in wrap(
            &encode(subtitle),
            SUBTITLE.font,
            SUBTITLE.size,
            CONTENT_WIDTH,
        ) {
            page.line(&SUBTITLE, MARGIN, line, None);
            header = true;
        }
    }
    if header {
        page.space(RULE_BEFORE);
        page.rule();
        page.space(RULE_AFTER);
    }

    for (index, block) in document.blocks.iter().enumerate() {
        let style = style_of(block);
        match block {
            Block::Heading(text) | Block::Paragraph(text) => {
                let lines = wrap(&encode(text), style.font, style.size, CONTENT_WIDTH);
                if lines.is_empty() {
                    continue;
                }
                page.space(style.before);
                if let Block::Heading(_) = block {
                    // A heading never ends a page: it goes with the first line of what follows.
                    let mut height = lines.len() as f64 * style.leading;
                    if let Some(next) = document.blocks.get(index + 1).map(style_of) {
                        height += style.after.max(next.before) + next.leading;
                    }
                    page.keep(height);
                }
                for line in lines {
                    page.line(style, MARGIN, line, None);
                }
            }
            Block::Code(modules) => {
                // 4 cm across, quiet zone of four modules included.
                const WIDTH: f64 = 113.39;
                let count = modules.len();
                if count == 0 {
                    continue;
                }
                let module = WIDTH / (count + 8) as f64;
                page.space(style.before);
                page.keep(WIDTH);
                let top = page.reserve(WIDTH);
                for (row, line) in modules.iter().enumerate() {
                    for (column, dark) in line.iter().enumerate() {
                        if *dark {
                            page.push(Item::Square {
                                x: MARGIN + (column + 4) as f64 * module,
                                y: top - (row + 5) as f64 * module,
                                side: module,
                            });
                        }
                    }
                }
            }
            Block::Bullet(text) => {
                let width = CONTENT_WIDTH - BULLET_INDENT;
                let lines = wrap(&encode(text), style.font, style.size, width);
                if lines.is_empty() {
                    continue;
                }
                page.space(style.before);
                for (number, line) in lines.into_iter().enumerate() {
                    let marker = (number == 0).then_some((MARGIN + BULLET_OFFSET, BULLET));
                    page.line(style, MARGIN + BULLET_INDENT, line, marker);
                }
            }
        }
        page.space(style.after);
    }
    page.pages
}

/// The footer of page `number` (from 1) of `count`: the title on the left (shortened if it would
/// reach the page number), "Page N sur M" in the middle.
fn footer(title: &[u8], number: usize, count: usize) -> Vec<Item> {
    let font = Font::Regular;
    let label = format!("Page {number} sur {count}").into_bytes();
    let label_width = font.width(&label, FOOTER_SIZE);
    let label_x = round((PAGE_WIDTH - label_width) / 2.0);
    let mut items = Vec::new();
    let title = truncate(title, font, FOOTER_SIZE, label_x - 12.0 - MARGIN);
    if !title.is_empty() {
        items.push(Item::Text {
            font,
            size: FOOTER_SIZE,
            x: MARGIN,
            y: FOOTER_BASELINE,
            grey: true,
            text: title,
        });
    }
    items.push(Item::Text {
        font,
        size: FOOTER_SIZE,
        x: label_x,
        y: FOOTER_BASELINE,
        grey: true,
        text: label,
    });
    items
}

// ---------------------------------------------------------------------------------------------
// Serialisation.

/// Objects 1 to 5; then each page takes two objects: the page and its content stream.
const CATALOG: usize = 1;
const PAGES: usize = 2;
const FONT_REGULAR: usize = 3;
const FONT_BOLD: usize = 4;
const INFO: usize = 5;
const FIRST_PAGE: usize = 6;

fn write_pdf(document: &Document, pages: &[Vec<Item>], created_at: DateTime<Utc>) -> Vec<u8> {
    let mut pdf = Writer::new();
    let count = pages.len();
    let page_object = |index: usize| FIRST_PAGE + 2 * index;

    pdf.object(
        CATALOG,
        format!(
            "<< /Type /Catalog /Pages {PAGES} 0 R /Lang (fr-FR) \
             /ViewerPreferences << /DisplayDocTitle true >> >>"
        )
        .as_bytes(),
    );
    let kids: Vec<String> = (0..count)
        .map(|index| format!("{} 0 R", page_object(index)))
        .collect();
    pdf.object(
        PAGES,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {count} >>",
            kids.join(" ")
        )
        .as_bytes(),
    );
    for (number, font) in [(FONT_REGULAR, Font::Regular), (FONT_BOLD, Font::Bold)] {
        pdf.object(
            number,
            format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{} /Encoding /WinAnsiEncoding >>",
                font.base_font()
            )
            .as_bytes(),
        );
    }
    let mut info = format!("<< /Title {}", text_string(document.title));
    if let Some(subtitle) = document.subtitle {
        info.push_str(&format!(" /Subject {}", text_string(subtitle)));
    }
    info.push_str(&format!(
        " /Producer {} /CreationDate ({}) >>",
        text_string("France Sésame"),
        created_at.format("D:%Y%m%d%H%M%SZ")
    ));
    pdf.object(INFO, info.as_bytes());

    let title = encode(document.title);
    for (index, items) in pages.iter().enumerate() {
        let number = page_object(index);
        pdf.object(
            number,
            format!(
                "<< /Type /Page /Parent {PAGES} 0 R /MediaBox [0 0 {} {}] \
                 /Resources << /Font << /F1 {FONT_REGULAR} 0 R /F2 {FONT_BOLD} 0 R >> >> \
                 /Contents {} 0 R >>",
                num(PAGE_WIDTH),
                num(PAGE_HEIGHT),
                number + 1
            )
            .as_bytes(),
        );
        let mut content = Vec::new();
        for item in items.iter().chain(&footer(&title, index + 1, count)) {
            draw(&mut content, item);
        }
        pdf.stream(number + 1, &content);
    }
    pdf.finish(CATALOG, INFO)
}

/// Appends the operators drawing `item` to a content stream.
fn draw(content: &mut Vec<u8>, item: &Item) {
    match item {
        Item::Text {
            font,
            size,
            x,
            y,
            grey,
            text,
        } => {
            let colour = if *grey { GREY } else { 0.0 };
            content.extend_from_slice(
                format!(
                    "BT /{} {} Tf {} g {} {} Td ",
                    font.resource(),
                    num(*size),
                    num(colour),
                    num(*x),
                    num(*y)
                )
                .as_bytes(),
            );
            literal(content, text);
            content.extend_from_slice(b" Tj ET\n");
        }
        Item::Square { x, y, side } => {
            content.extend_from_slice(
                format!(
                    "0 g {} {} {} {} re f\n",
                    num(*x),
                    num(*y),
                    num(*side),
                    num(*side)
                )
                .as_bytes(),
            );
        }
        Item::Rule { x1, x2, y } => {
            content.extend_from_slice(
                format!(
                    "q 0.5 w 0.7 G {} {y} m {} {y} l S Q\n",
                    num(*x1),
                    num(*x2),
                    y = num(*y)
                )
                .as_bytes(),
            );
        }
    }
}

/// Appends a literal string, `(` `)` and `\` escaped; other bytes go as they are.
fn literal(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'(');
    for &byte in bytes {
        if matches!(byte, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(byte);
    }
    out.push(b')');
}

/// A text string for the document information dictionary: a literal when `text` is printable
/// ASCII, otherwise UTF-16BE with a byte order mark, in hexadecimal.
fn text_string(text: &str) -> String {
    if text.chars().all(|c| (' '..='~').contains(&c)) {
        let mut out = Vec::new();
        literal(&mut out, text.as_bytes());
        String::from_utf8(out).expect("escaped ASCII is ASCII")
    } else {
        let mut out = String::from("<FEFF");
        for unit in text.encode_utf16() {
            out.push_str(&format!("{unit:04X}"));
        }
        out.push('>');
        out
    }
}

/// Rounds to the hundredth of a point, the precision written out.
fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// A number as written in the file: at most two decimals, no trailing zeros.
fn num(value: f64) -> String {
    let text = format!("{:.2}", round(value));
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match text {
        "-0" | "" => "0".to_owned(),
        _ => text.to_owned(),
    }
}

/// The file being written: the bytes so far and where each object starts.
struct Writer {
    out: Vec<u8>,
    /// Byte offset of object `n` at index `n - 1`.
    offsets: Vec<usize>,
}

impl Writer {
    fn new() -> Writer {
        // The second line, with bytes above 127, tells transfer tools the file is binary.
        Writer {
            out: b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(),
            offsets: Vec::new(),
        }
    }

    /// Writes object `number`, which must be the next one.
    fn object(&mut self, number: usize, body: &[u8]) {
        self.begin(number);
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
    }

    fn stream(&mut self, number: usize, data: &[u8]) {
        self.begin(number);
        self.out
            .extend_from_slice(format!("<< /Length {} >>\nstream\n", data.len()).as_bytes());
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
    }

    fn begin(&mut self, number: usize) {
        assert_eq!(
            number,
            self.offsets.len() + 1,
            "objects are written in order"
        );
        self.offsets.push(self.out.len());
        self.out
            .extend_from_slice(format!("{number} 0 obj\n").as_bytes());
    }

    /// Appends the cross-reference table and the trailer.
    fn finish(mut self, root: usize, info: usize) -> Vec<u8> {
        let digest = Sha256::digest(&self.out);
        let id: String = digest[..16]
            .iter()
            .map(|byte| format!("{byte:02X}"))
            .collect();
        let xref = self.out.len();
        let size = self.offsets.len() + 1;
        let mut table = format!("xref\n0 {size}\n0000000000 65535 f\r\n");
        for offset in &self.offsets {
            table.push_str(&format!("{offset:010} 00000 n\r\n"));
        }
        table.push_str(&format!(
            "trailer\n<< /Size {size} /Root {root} 0 R /Info {info} 0 R /ID [<{id}> <{id}>] >>\n\
             startxref\n{xref}\n%%EOF\n"
        ));
        self.out.extend_from_slice(table.as_bytes());
        self.out
    }
}

// ---------------------------------------------------------------------------------------------
// Font data.

/// Advance widths of Helvetica for WinAnsi codes 32 to 255, in thousandths of the font size,
/// from Adobe's AFM file (Helvetica.afm, 1997); 0 for the codes WinAnsi leaves undefined.
#[rustfmt::skip]
const HELVETICA_WIDTHS: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0x30
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 0x50
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // 0x60
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0, // 0x70
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 0x80
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, // 0x90
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, // 0xF0
];

/// The same for Helvetica-Bold (Helvetica-Bold.afm, 1997).
#[rustfmt::skip]
const HELVETICA_BOLD_WIDTHS: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0x30
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // 0x50
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // 0x60
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0, // 0x70
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 0x80
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, // 0x90
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556, // 0xF0
];

/// Letter + combining accent → WinAnsi code of the precomposed letter, for decomposed (NFD) text.
#[rustfmt::skip]
const COMPOSITIONS: [(char, char, u8); 58] = [
    ('A', '\u{0300}', 0xC0), ('A', '\u{0301}', 0xC1), ('A', '\u{0302}', 0xC2),
    ('A', '\u{0303}', 0xC3), ('A', '\u{0308}', 0xC4), ('A', '\u{030A}', 0xC5),
    ('C', '\u{0327}', 0xC7),
    ('E', '\u{0300}', 0xC8), ('E', '\u{0301}', 0xC9), ('E', '\u{0302}', 0xCA), ('E', '\u{0308}', 0xCB),
    ('I', '\u{0300}', 0xCC), ('I', '\u{0301}', 0xCD), ('I', '\u{0302}', 0xCE), ('I', '\u{0308}', 0xCF),
    ('N', '\u{0303}', 0xD1),
    ('O', '\u{0300}', 0xD2), ('O', '\u{0301}', 0xD3), ('O', '\u{0302}', 0xD4),
    ('O', '\u{0303}', 0xD5), ('O', '\u{0308}', 0xD6),
    ('U', '\u{0300}', 0xD9), ('U', '\u{0301}', 0xDA), ('U', '\u{0302}', 0xDB), ('U', '\u{0308}', 0xDC),
    ('Y', '\u{0301}', 0xDD),
    ('a', '\u{0300}', 0xE0), ('a', '\u{0301}', 0xE1), ('a', '\u{0302}', 0xE2),
    ('a', '\u{0303}', 0xE3), ('a', '\u{0308}', 0xE4), ('a', '\u{030A}', 0xE5),
    ('c', '\u{0327}', 0xE7),
    ('e', '\u{0300}', 0xE8), ('e', '\u{0301}', 0xE9), ('e', '\u{0302}', 0xEA), ('e', '\u{0308}', 0xEB),
    ('i', '\u{0300}', 0xEC), ('i', '\u{0301}', 0xED), ('i', '\u{0302}', 0xEE), ('i', '\u{0308}', 0xEF),
    ('n', '\u{0303}', 0xF1),
    ('o', '\u{0300}', 0xF2), ('o', '\u{0301}', 0xF3), ('o', '\u{0302}', 0xF4),
    ('o', '\u{0303}', 0xF5), ('o', '\u{0308}', 0xF6),
    ('u', '\u{0300}', 0xF9), ('u', '\u{0301}', 0xFA), ('u', '\u{0302}', 0xFB), ('u', '\u{0308}', 0xFC),
    ('y', '\u{0301}', 0xFD), ('y', '\u{0308}', 0xFF),
    ('S', '\u{030C}', 0x8A), ('Z', '\u{030C}', 0x8E), ('s', '\u{030C}', 0x9A), ('z', '\u{030C}', 0x9E),
    ('Y', '\u{0308}', 0x9F),
];

#[cfg(test)]
mod tests {
    use std::process::Command;

    use chrono::TimeZone;

    use super::*;

    const TERMS: &str = "Conditions générales d'utilisation — « données »";

    fn date() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 14, 9, 26, 53).unwrap()
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack
            .windows(needle.len())
            .position(|window| window == needle)
    }

    /// The unsigned integer written at the start of `bytes`.
    fn leading_number(bytes: &[u8]) -> usize {
        let digits: Vec<u8> = bytes
            .iter()
            .copied()
            .take_while(u8::is_ascii_digit)
            .collect();
        assert!(
            !digits.is_empty(),
            "no number at {:?}",
            lossy(&bytes[..20.min(bytes.len())])
        );
        String::from_utf8(digits).unwrap().parse().unwrap()
    }

    /// The integer following `key` (and a space) in `bytes`.
    fn value_after(bytes: &[u8], key: &str) -> usize {
        let at = find(bytes, key.as_bytes()).unwrap_or_else(|| panic!("{key} missing"));
        leading_number(&bytes[at + key.len()..])
    }

    fn lossy(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    /// A PDF file read back through its cross-reference table, every entry checked.
    struct Pdf {
        bytes: Vec<u8>,
        /// Offset of object `n` at index `n - 1`.
        offsets: Vec<usize>,
        trailer: Vec<u8>,
    }

    impl Pdf {
        fn parse(bytes: Vec<u8>) -> Pdf {
            assert!(bytes.starts_with(b"%PDF-1.7\n"));
            assert!(bytes.ends_with(b"\n%%EOF\n"));
            let tail = bytes.len() - 40;
            let at = tail + find(&bytes[tail..], b"startxref\n").expect("startxref");
            let xref = leading_number(&bytes[at + b"startxref\n".len()..]);
            assert!(
                bytes[xref..].starts_with(b"xref\n0 "),
                "startxref points at {:?}",
                lossy(&bytes[xref..xref + 10])
            );
            let size = leading_number(&bytes[xref + b"xref\n0 ".len()..]);
            let table = xref + format!("xref\n0 {size}\n").len();
            assert_eq!(&bytes[table..table + 20], b"0000000000 65535 f\r\n");
            let mut offsets = Vec::new();
            for number in 1..size {
                let entry = &bytes[table + 20 * number..table + 20 * (number + 1)];
                assert_eq!(&entry[10..], b" 00000 n\r\n", "entry {number}");
                let offset = leading_number(entry);
                let header = format!("{number} 0 obj\n");
                assert!(
                    bytes[offset..].starts_with(header.as_bytes()),
                    "object {number}: offset {offset} points at {:?}",
                    lossy(&bytes[offset..offset + 12])
                );
                offsets.push(offset);
            }
            let trailer = bytes[table + 20 * size..].to_vec();
            assert!(trailer.starts_with(b"trailer\n<<"));
            assert_eq!(value_after(&trailer, "/Size "), size);
            // Every object in the file is in the table.
            let written = bytes
                .windows(7)
                .filter(|window| window == b" 0 obj\n")
                .count();
            assert_eq!(written, size - 1);
            Pdf {
                bytes,
                offsets,
                trailer,
            }
        }

        /// The text of an object without a stream, between `obj` and `endobj`.
        fn object(&self, number: usize) -> &[u8] {
            let start = self.offsets[number - 1] + format!("{number} 0 obj\n").len();
            let end = start + find(&self.bytes[start..], b"\nendobj\n").expect("endobj");
            &self.bytes[start..end]
        }

        /// The data of a stream object, its `/Length` checked against `endstream`.
        fn stream(&self, number: usize) -> &[u8] {
            let start = self.offsets[number - 1] + format!("{number} 0 obj\n").len();
            let object = &self.bytes[start..];
            let length = value_after(object, "/Length ");
            let data = find(object, b">>\nstream\n").expect("stream") + b">>\nstream\n".len();
            assert!(
                object[data + length..].starts_with(b"\nendstream\nendobj\n"),
                "wrong /Length in object {number}"
            );
            &object[data..data + length]
        }

        fn root(&self) -> usize {
            value_after(&self.trailer, "/Root ")
        }

        fn info(&self) -> usize {
            value_after(&self.trailer, "/Info ")
        }

        fn page_count(&self) -> usize {
            value_after(
                self.object(value_after(self.object(self.root()), "/Pages ")),
                "/Count ",
            )
        }

        /// The page objects, in order.
        fn pages(&self) -> Vec<usize> {
            let pages = self.object(value_after(self.object(self.root()), "/Pages "));
            let kids = &pages[find(pages, b"/Kids [").expect("/Kids") + 7..];
            let kids = lossy(&kids[..find(kids, b"]").unwrap()]);
            let words: Vec<&str> = kids.split_whitespace().collect();
            words
                .chunks(3)
                .map(|reference| {
                    assert_eq!(&reference[1..], ["0", "R"]);
                    reference[0].parse().unwrap()
                })
                .collect()
        }

        /// What each page draws, in order.
        fn page_draws(&self) -> Vec<Vec<Draw>> {
            self.pages()
                .into_iter()
                .map(|page| draws(self.stream(value_after(self.object(page), "/Contents "))))
                .collect()
        }
    }

    /// A text shown by a content stream.
    #[derive(Debug)]
    struct Draw {
        font: Font,
        size: f64,
        x: f64,
        y: f64,
        text: Vec<u8>,
    }

    impl Draw {
        fn right(&self) -> f64 {
            self.x + self.font.width(&self.text, self.size)
        }

        fn is_footer(&self) -> bool {
            (self.y - FOOTER_BASELINE).abs() < 0.001
        }
    }

    enum Operand {
        Number(f64),
        Name(String),
        Text(Vec<u8>),
    }

    /// Interprets the text operators of a content stream (BT, Tf, Td, Tj) independently of the
    /// writer: strings are unescaped, positions accumulated.
    fn draws(content: &[u8]) -> Vec<Draw> {
        let mut draws = Vec::new();
        let mut operands = Vec::new();
        let (mut font, mut size, mut x, mut y) = (None, 0.0, 0.0, 0.0);
        let mut at = 0;
        let delimiter = |byte: u8| byte.is_ascii_whitespace() || b"()<>[]{}/%".contains(&byte);
        while at < content.len() {
            let byte = content[at];
            if byte.is_ascii_whitespace() {
                at += 1;
            } else if byte == b'(' {
                let mut text = Vec::new();
                let mut depth = 0;
                at += 1;
                loop {
                    let byte = content[at];
                    at += 1;
                    match byte {
                        b'\\' => {
                            let escaped = content[at];
                            at += 1;
                            text.push(match escaped {
                                b'n' => b'\n',
                                b'r' => b'\r',
                                b't' => b'\t',
                                b'b' => 0x08,
                                b'f' => 0x0C,
                                b'0'..=b'7' => panic!("octal escapes are not expected"),
                                other => other,
                            });
                        }
                        b'(' => {
                            depth += 1;
                            text.push(byte);
                        }
                        b')' if depth == 0 => break,
                        b')' => {
                            depth -= 1;
                            text.push(byte);
                        }
                        _ => text.push(byte),
                    }
                }
                operands.push(Operand::Text(text));
            } else if byte == b'/' {
                let end = at
                    + 1
                    + content[at + 1..]
                        .iter()
                        .position(|&b| delimiter(b))
                        .unwrap();
                operands.push(Operand::Name(lossy(&content[at + 1..end])));
                at = end;
            } else {
                let end = at
                    + content[at..]
                        .iter()
                        .position(|&b| delimiter(b))
                        .unwrap_or(content.len() - at);
                let token = lossy(&content[at..end]);
                at = end;
                if let Ok(number) = token.parse::<f64>() {
                    operands.push(Operand::Number(number));
                    continue;
                }
                let number = |index: usize| match operands.get(index) {
                    Some(Operand::Number(number)) => *number,
                    _ => panic!("{token}: operand {index} is not a number"),
                };
                match token.as_str() {
                    "BT" => (x, y) = (0.0, 0.0),
                    "Tf" => {
                        font = match &operands[0] {
                            Operand::Name(name) if name == "F1" => Some(Font::Regular),
                            Operand::Name(name) if name == "F2" => Some(Font::Bold),
                            _ => panic!("unknown font"),
                        };
                        size = number(1);
                    }
                    "Td" => (x, y) = (x + number(0), y + number(1)),
                    "Tj" => match operands.pop() {
                        Some(Operand::Text(text)) => draws.push(Draw {
                            font: font.expect("Tj before Tf"),
                            size,
                            x,
                            y,
                            text,
                        }),
                        _ => panic!("Tj without a string"),
                    },
                    _ => {}
                }
                operands.clear();
            }
        }
        draws
    }

    fn words(text: &[u8]) -> Vec<Vec<u8>> {
        text.split(|&byte| byte == b' ')
            .filter(|word| !word.is_empty())
            .map(<[u8]>::to_vec)
            .collect()
    }

    /// A deterministic sentence of `count` French words.
    fn filler(seed: usize, count: usize) -> String {
        const WORDS: [&str; 16] = [
            "l'utilisateur",
            "accède",
            "à",
            "la",
            "plateforme",
            "France",
            "Sésame",
            "après",
            "vérification",
            "de",
            "son",
            "identité ;",
            "les",
            "données",
            "sont",
            "protégées.",
        ];
        let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..count)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                WORDS[(state >> 33) % WORDS.len()]
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn long_blocks() -> Vec<Block> {
        let mut blocks = Vec::new();
        for index in 0..200 {
            if index % 10 == 0 {
                blocks.push(Block::Heading(format!(
                    "Article {} — Dispositions",
                    index / 10 + 1
                )));
            }
            blocks.push(Block::Paragraph(filler(index, 20 + index % 60)));
            if index % 25 == 3 {
                blocks.push(Block::Bullet(filler(index + 1000, 8)));
                blocks.push(Block::Bullet(filler(index + 2000, 45)));
            }
        }
        blocks
    }

    #[test]
    fn cross_reference_offsets_point_at_objects() {
        let blocks = [
            Block::Heading("Article premier".to_owned()),
            Block::Paragraph(TERMS.to_owned()),
            Block::Bullet("Premier point (avec parenthèses) et \\ barre.".to_owned()),
        ];
        let document = Document {
            title: "Sésame",
            subtitle: Some("Version du 14 mars 2025"),
            blocks: &blocks,
        };
        let pdf = Pdf::parse(render_at(&document, date()));
        // Pdf::parse checked every offset and startxref; check what the objects are.
        let catalog = lossy(pdf.object(pdf.root()));
        assert!(catalog.starts_with("<< /Type /Catalog "), "{catalog}");
        assert!(catalog.contains("/Lang (fr-FR)"), "{catalog}");
        let info = lossy(pdf.object(pdf.info()));
        assert!(
            info.contains("/Title <FEFF005300E900730061006D0065>"),
            "{info}"
        );
        assert!(
            info.contains("/Producer <FEFF004600720061006E006300650020005300E900730061006D0065>"),
            "{info}"
        );
        assert!(info.contains("/CreationDate (D:20250314092653Z)"), "{info}");
        assert_eq!(pdf.page_count(), 1);
        assert_eq!(pdf.pages().len(), 1);
        let texts: Vec<Vec<u8>> = pdf
            .page_draws()
            .remove(0)
            .into_iter()
            .map(|draw| draw.text)
            .collect();
        assert!(texts.contains(&b"Premier point (avec parenth\xE8ses) et \\ barre.".to_vec()));
    }

    #[test]
    fn long_documents_are_paginated_with_footers() {
        let blocks = long_blocks();
        let document = Document {
            title: "Conditions générales d'utilisation",
            subtitle: Some("France Sésame"),
            blocks: &blocks,
        };
        let pdf = Pdf::parse(render_at(&document, date()));
        let count = pdf.page_count();
        assert!(count >= 5, "{count} pages");
        assert_eq!(pdf.pages().len(), count);
        let page_objects = (1..=pdf.offsets.len())
            .filter(|&number| find(pdf.object(number), b"/Type /Page ").is_some())
            .count();
        assert_eq!(page_objects, count);

        let title = encode(document.title);
        let mut drawn_words = Vec::new();
        for (index, draws) in pdf.page_draws().iter().enumerate() {
            let label = format!("Page {} sur {count}", index + 1).into_bytes();
            let footer: Vec<&Draw> = draws.iter().filter(|draw| draw.is_footer()).collect();
            assert_eq!(footer.len(), 2, "page {}", index + 1);
            assert_eq!(footer[0].text, title);
            assert!((footer[0].x - MARGIN).abs() < 0.001);
            assert_eq!(footer[1].text, label);
            let centre = (footer[1].x + footer[1].right()) / 2.0;
            assert!(
                (centre - PAGE_WIDTH / 2.0).abs() < 0.01,
                "label centred at {centre}"
            );

            let body: Vec<&Draw> = draws.iter().filter(|draw| !draw.is_footer()).collect();
            let lowest = body.iter().map(|draw| draw.y).fold(f64::INFINITY, f64::min);
            assert!(
                lowest > BODY_BOTTOM,
                "page {} goes down to {lowest}",
                index + 1
            );
            if index + 1 < count {
                assert!(
                    lowest < BODY_BOTTOM + 60.0,
                    "page {} ends at {lowest}",
                    index + 1
                );
            }
            for draw in body.into_iter().filter(|draw| draw.text != [BULLET]) {
                drawn_words.extend(words(&draw.text));
            }
        }
        // Nothing lost, duplicated or reordered across pages.
        let mut expected = words(&title);
        expected.extend(words(&encode("France Sésame")));
        for block in &blocks {
            let (Block::Heading(text) | Block::Paragraph(text) | Block::Bullet(text)) = block
            else {
                continue;
            };
            expected.extend(words(&encode(text)));
        }
        assert_eq!(drawn_words, expected);
    }

    #[test]
    fn a_code_draws_one_black_square_per_dark_module() {
        let modules = vec![
            vec![true, false, true],
            vec![false, true, false],
            vec![true, true, false],
        ];
        let blocks = [Block::Code(modules)];
        let pdf = render_at(
            &Document {
                title: "Code",
                subtitle: None,
                blocks: &blocks,
            },
            Utc::now(),
        );
        let text = String::from_utf8_lossy(&pdf);
        assert_eq!(text.matches(" re f").count(), 5);
    }

    #[test]
    fn french_text_is_encoded_in_win_ansi() {
        let blocks = [
            Block::Heading(TERMS.to_owned()),
            Block::Paragraph(TERMS.to_owned()),
        ];
        let document = Document {
            title: TERMS,
            subtitle: None,
            blocks: &blocks,
        };
        let pdf = Pdf::parse(render_at(&document, date()));
        let content = pdf.stream(value_after(pdf.object(pdf.pages()[0]), "/Contents "));
        let expected: &[u8] =
            b"(Conditions g\xE9n\xE9rales d'utilisation \x97 \xAB donn\xE9es \xBB) Tj";
        let shown = content
            .windows(expected.len())
            .filter(|window| *window == expected)
            .count();
        // Title, heading, paragraph and footer.
        assert_eq!(shown, 4, "{}", lossy(content));
        for (number, base_font) in [(FONT_REGULAR, "Helvetica"), (FONT_BOLD, "Helvetica-Bold")] {
            let font = lossy(pdf.object(number));
            assert!(
                font.contains(&format!(
                    "/BaseFont /{base_font} /Encoding /WinAnsiEncoding"
                )),
                "{font}"
            );
        }
        let info = lossy(pdf.object(pdf.info()));
        assert!(
            info.contains(
                "/Title <FEFF0043006F006E0064006900740069006F006E00730020006700E9006E00E9"
            ),
            "{info}"
        );
    }

    #[test]
    fn unicode_is_mapped_to_win_ansi() {
        let cases: [(&str, &[u8]); 14] = [
            (
                "éèêëàâçôöûùüîï",
                b"\xE9\xE8\xEA\xEB\xE0\xE2\xE7\xF4\xF6\xFB\xF9\xFC\xEE\xEF",
            ),
            ("ÉÈÀÇ", b"\xC9\xC8\xC0\xC7"),
            ("Œuvre, œil", b"\x8Cuvre, \x9Cil"),
            ("« citation »", b"\xAB citation \xBB"),
            ("\u{AB}\u{202F}oui\u{202F}\u{BB}", b"\xAB\xA0oui\xA0\xBB"),
            ("10\u{A0}000\u{A0}€", b"10\xA0000\xA0\x80"),
            ("l’ami ‘a’ “b”", b"l\x92ami \x91a\x92 \x93b\x94"),
            ("a – b — c…", b"a \x96 b \x97 c\x85"),
            ("•", b"\x95"),
            ("e\u{301}te\u{301} c\u{327}a", b"\xE9t\xE9 \xE7a"),
            ("a\tb\nc", b"a b c"),
            ("co\u{AD}opé\u{200B}ration", b"coop\xE9ration"),
            ("中文 🙂", b"?? ?"),
            ("\u{1}x\u{7F}", b"?x?"),
        ];
        for (text, expected) in cases {
            assert_eq!(encode(text), expected, "{text:?}");
        }
        let mut out = Vec::new();
        literal(&mut out, b"a(b)c\\d");
        assert_eq!(out, b"(a\\(b\\)c\\\\d)");
        assert_eq!(text_string("CGU (v2)"), "(CGU \\(v2\\))");
    }

    #[test]
    fn glyph_widths_are_helvetica() {
        // From the AFM files: "Hello" is H 722, e 556, l 222, l 222, o 556 in Helvetica.
        assert_eq!(Font::Regular.units(b"Hello"), 2278);
        assert_eq!(Font::Bold.units(b"Hello"), 722 + 556 + 278 + 278 + 611);
        assert_eq!(
            Font::Regular.units(b"\xE9\xC9\x80\x95\x97\xAB"),
            556 + 667 + 556 + 350 + 1000 + 556
        );
        assert_eq!(Font::Regular.units(b"'`"), 191 + 333);
        let total: u32 = HELVETICA_WIDTHS.iter().map(|&width| u32::from(width)).sum();
        let bold: u32 = HELVETICA_BOLD_WIDTHS
            .iter()
            .map(|&width| u32::from(width))
            .sum();
        assert_eq!((total, bold), (118_723, 123_009));
    }

    #[test]
    fn wrapping_is_greedy_and_keeps_words_whole() {
        let text = encode(&filler(7, 300));
        for (font, size, width) in [
            (Font::Regular, 10.5, CONTENT_WIDTH),
            (Font::Bold, 13.0, CONTENT_WIDTH),
            (Font::Regular, 10.5, CONTENT_WIDTH - BULLET_INDENT),
            (Font::Regular, 9.0, 120.0),
        ] {
            let lines = wrap(&text, font, size, width);
            assert!(lines.len() > 3);
            let rejoined: Vec<Vec<u8>> = lines.iter().flat_map(|line| words(line)).collect();
            assert_eq!(rejoined, words(&text));
            for pair in lines.windows(2) {
                assert!(font.width(&pair[0], size) <= width + EPSILON);
                assert!(!pair[0].starts_with(b" ") && !pair[0].ends_with(b" "));
                let mut longer = pair[0].clone();
                longer.push(b' ');
                longer.extend_from_slice(&words(&pair[1])[0]);
                assert!(
                    font.width(&longer, size) > width,
                    "{:?} could have taken another word",
                    lossy(&pair[0])
                );
            }
        }

        let long = "m".repeat(200);
        let lines = wrap(
            &encode(&format!("un mot {long} fin")),
            Font::Regular,
            10.0,
            100.0,
        );
        assert_eq!(lines[0], b"un mot");
        let cut: Vec<u8> = lines[1..lines.len() - 1].concat();
        let last = lines.last().unwrap();
        assert!(last.ends_with(b" fin"));
        assert_eq!(
            [cut, last[..last.len() - 4].to_vec()].concat(),
            long.as_bytes()
        );
        for line in &lines {
            assert!(Font::Regular.width(line, 10.0) <= 100.0 + EPSILON);
        }
        assert!(wrap(b"   ", Font::Regular, 10.0, 100.0).is_empty());
    }

    #[test]
    fn no_text_crosses_the_margins() {
        let url = format!(
            "https://france-sesame.example/{}",
            "conditions-generales-".repeat(20)
        );
        let blocks = [
            Block::Heading(format!("{} {}", TERMS, filler(1, 30))),
            Block::Paragraph(format!("{} {url} {}", filler(2, 80), filler(3, 40))),
            Block::Paragraph("W".repeat(500)),
            Block::Bullet(format!("{} {url}", filler(4, 60))),
            Block::Bullet("Ž".repeat(300)),
            Block::Paragraph(filler(5, 2000)),
        ];
        let document = Document {
            title: &format!("{TERMS} : {}", filler(6, 40)),
            subtitle: Some(&filler(8, 50)),
            blocks: &blocks,
        };
        let pdf = Pdf::parse(render_at(&document, date()));
        let mut rightmost: f64 = 0.0;
        let pages = pdf.page_draws();
        assert!(pages.len() > 1);
        for draws in pages {
            for draw in draws {
                let right = draw.right();
                rightmost = rightmost.max(right);
                assert!(
                    right <= PAGE_WIDTH - MARGIN + 0.001,
                    "{draw:?} ends at {right}"
                );
                assert!(draw.x >= MARGIN - 0.001, "{draw:?}");
                assert!(draw.y >= MARGIN - 0.001, "{draw:?}");
                assert!(
                    draw.y + ASCENT * draw.size <= PAGE_HEIGHT - MARGIN + 0.001,
                    "{draw:?}"
                );
            }
        }
        // The check is not vacuous: long words fill lines up to the margin.
        assert!(rightmost > PAGE_WIDTH - MARGIN - 12.0, "{rightmost}");
    }

    #[test]
    fn headings_stay_with_what_follows() {
        let mut at_bottom = 0;
        for words in (600..900).step_by(7) {
            let blocks = [
                Block::Paragraph(filler(words, words)),
                Block::Heading("Article 2 — Responsabilité".to_owned()),
                Block::Paragraph(filler(1, 60)),
            ];
            let document = Document {
                title: "CGU",
                subtitle: None,
                blocks: &blocks,
            };
            let pages = Pdf::parse(render_at(&document, date())).page_draws();
            for draws in &pages {
                let body: Vec<&Draw> = draws.iter().filter(|draw| !draw.is_footer()).collect();
                let last = body.last().expect("a page is never empty");
                assert_ne!(
                    last.font,
                    Font::Bold,
                    "a heading ends a page ({words} words)"
                );
            }
            // The heading opens page 2 when it would otherwise have been the last line of page 1.
            let first = pages[1].iter().find(|draw| !draw.is_footer()).unwrap();
            if first.font == Font::Bold {
                at_bottom += 1;
            }
        }
        assert!(at_bottom > 0, "no case exercised the rule");
    }

    #[test]
    fn long_titles_are_shortened_in_the_footer() {
        let title = filler(9, 40);
        let document = Document {
            title: &title,
            subtitle: None,
            blocks: &[],
        };
        let pdf = Pdf::parse(render_at(&document, date()));
        let draws = pdf.page_draws().remove(0);
        let footer: Vec<&Draw> = draws.iter().filter(|draw| draw.is_footer()).collect();
        assert_eq!(footer[1].text, b"Page 1 sur 1");
        assert!(footer[0].text.ends_with(&[ELLIPSIS]));
        assert!(footer[0].right() + 12.0 <= footer[1].x + 0.001);
        assert!(encode(&title).starts_with(&footer[0].text[..footer[0].text.len() - 1]));
    }

    #[test]
    fn output_is_deterministic_apart_from_the_date() {
        let blocks = long_blocks();
        let document = Document {
            title: "CGU",
            subtitle: None,
            blocks: &blocks,
        };
        assert_eq!(render_at(&document, date()), render_at(&document, date()));
        let now = Pdf::parse(render(&document));
        assert_eq!(
            now.page_count(),
            Pdf::parse(render_at(&document, date())).page_count()
        );
        let empty = Pdf::parse(render(&Document {
            title: "",
            subtitle: None,
            blocks: &[],
        }));
        assert_eq!(empty.page_count(), 1);
        assert!(lossy(empty.object(empty.info())).contains("/Title ()"));
    }

    /// Runs a poppler tool on `pdf`; `None` when poppler-utils is not installed.
    fn poppler(tool: &str, options: &[&str], output: &[&str], pdf: &[u8]) -> Option<String> {
        if Command::new(tool).arg("-v").output().is_err() {
            eprintln!("{tool} is not installed (poppler-utils): check skipped");
            return None;
        }
        let path =
            std::env::temp_dir().join(format!("sesame-pdf-{}-{tool}.pdf", std::process::id()));
        std::fs::write(&path, pdf).unwrap();
        let output = Command::new(tool)
            .args(options)
            .arg(&path)
            .args(output)
            .output();
        std::fs::remove_file(&path).unwrap();
        let output = output.unwrap();
        assert!(
            output.status.success(),
            "{tool} failed: {}",
            lossy(&output.stderr)
        );
        assert!(
            output.stderr.is_empty(),
            "{tool} complained: {}",
            lossy(&output.stderr)
        );
        Some(lossy(&output.stdout))
    }

    #[test]
    fn poppler_extracts_the_french_text() {
        let blocks = [
            Block::Heading("Article 1 — Objet".to_owned()),
            Block::Paragraph(format!(
                "{TERMS}. L’utilisateur accepte les présentes conditions ; il s’engage à \
                 fournir des données exactes. Œuvre protégée, coût : 10\u{A0}€. {}",
                filler(10, 1200)
            )),
            Block::Bullet("Déclaration préalable à la création du compte.".to_owned()),
        ];
        let document = Document {
            title: "Conditions générales d'utilisation",
            subtitle: Some("Plateforme France Sésame"),
            blocks: &blocks,
        };
        let pdf = render_at(&document, date());
        let count = Pdf::parse(pdf.clone()).page_count();
        assert!(count >= 2);
        let Some(text) = poppler("pdftotext", &["-enc", "UTF-8"], &["-"], &pdf) else {
            return;
        };
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let labels: Vec<String> = (1..=count)
            .map(|page| format!("Page {page} sur {count}"))
            .collect();
        for expected in [
            "Conditions générales d'utilisation — « données ».",
            "L’utilisateur accepte les présentes conditions ; il s’engage à fournir des données exactes.",
            "Œuvre protégée, coût : 10 €.",
            "Article 1 — Objet",
            "• Déclaration préalable à la création du compte.",
            "Plateforme France Sésame",
        ]
        .into_iter()
        .chain(labels.iter().map(String::as_str))
        {
            assert!(text.contains(expected), "{expected:?} not in {text:?}");
        }
        if let Some(info) = poppler("pdfinfo", &[], &[], &pdf) {
            let fields: Vec<String> = info
                .lines()
                .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect();
            for expected in [
                "Title: Conditions générales d'utilisation".to_owned(),
                "Subject: Plateforme France Sésame".to_owned(),
                "Producer: France Sésame".to_owned(),
                format!("Pages: {count}"),
                "Page size: 595.28 x 841.89 pts (A4)".to_owned(),
            ] {
                assert!(fields.contains(&expected), "{expected:?} not in {info}");
            }
        }
    }
}
