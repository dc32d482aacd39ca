//! The layout of the documents the platform hands out as files (the terms of use, the
//! convocation, and the dossier documents to come), written by the krilla library as PDF/A-2a
//! and PDF/UA-1 at once: archival, tagged (headings, paragraphs, lists and the QR code's
//! alternative text, in reading order), in French, with their fonts embedded and subset, and in
//! full Unicode.
//!
//! The layout is ours: A4 portrait with 2 cm margins on every side (the footer sits inside them,
//! its baseline on the bottom margin); a title and an optional subtitle over a rule; headings,
//! paragraphs, bulleted items and two-dimensional codes. Lines are broken at spaces using the
//! font's own advance widths, and a word is cut only when it is longer than a whole line. Every
//! page carries a footer (the title on the left, "Page N sur M" in the middle), marked as an
//! artifact so that readers skip it.
//!
//! The typeface is a [`Typeface`]: Liberation Sans (SIL Open Font License), bundled with the
//! code, or the files a State deployment provides (Marianne). The output depends only on the
//! document, the typeface and the creation date: [`render_at`] is deterministic.

use std::num::NonZeroU16;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Timelike, Utc};
use krilla::color::rgb;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, SpanTag, Tag, TagGroup, TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla::{Document as PdfDocument, SerializeSettings};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

/// One block of a document's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A section title, in bold, with space before it; kept on the same page as what follows.
    Heading(String),
    /// Running text. Runs of white space (line breaks included) count as one space.
    Paragraph(String),
    /// A list item, drawn after a bullet "•" with a hanging indent. Consecutive items form one
    /// list.
    Bullet(String),
    /// A two-dimensional code (a QR code's modules, row by row, `true` dark), drawn in black on
    /// white with its quiet zone, 4 cm wide, at the left margin; `description` is what a screen
    /// reader says of it.
    Code {
        modules: Vec<Vec<bool>>,
        description: String,
    },
}

/// What to lay out: a title (also the PDF's title and the footer's left part), an optional
/// subtitle under it, then the body.
#[derive(Clone, Copy, Debug)]
pub struct Document<'a> {
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub blocks: &'a [Block],
}

/// Why a document could not be produced (in French, for the log; the person is told the document
/// is momentarily unavailable).
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("police de caractères illisible : {0}")]
    Font(String),
    #[error("document PDF non conforme : {0}")]
    Pdf(String),
}

/// The regular and bold faces documents are set in.
#[derive(Clone)]
pub struct Typeface {
    regular: Face,
    bold: Face,
}

/// Liberation Sans 2.1.5 (SIL Open Font License 1.1, see `app/fonts/OFL.txt`).
const LIBERATION_REGULAR: &[u8] = include_bytes!("../../fonts/LiberationSans-Regular.ttf");
const LIBERATION_BOLD: &[u8] = include_bytes!("../../fonts/LiberationSans-Bold.ttf");

impl Typeface {
    /// The free typeface bundled with the code: what every deployment may use.
    pub fn bundled() -> Typeface {
        Typeface {
            regular: Face::new(LIBERATION_REGULAR.to_vec()).expect("the bundled font reads"),
            bold: Face::new(LIBERATION_BOLD.to_vec()).expect("the bundled font reads"),
        }
    }

    /// A typeface from two font files (TrueType or OpenType) the deployment provides.
    pub fn from_files(regular: &Path, bold: &Path) -> Result<Typeface, DocumentError> {
        let read = |path: &Path| {
            let bytes = std::fs::read(path)
                .map_err(|error| DocumentError::Font(format!("{} : {error}", path.display())))?;
            Face::new(bytes).ok_or_else(|| {
                DocumentError::Font(format!("{} n'est pas une police lisible", path.display()))
            })
        };
        Ok(Typeface {
            regular: read(regular)?,
            bold: read(bold)?,
        })
    }

    /// The font's family name, as its file says.
    pub fn family(&self) -> String {
        self.regular.family()
    }

    fn face(&self, bold: bool) -> &Face {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }
}

impl std::fmt::Debug for Typeface {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Typeface")
            .field("family", &self.family())
            .finish()
    }
}

/// One font file, for krilla to embed and for the layout to measure.
#[derive(Clone)]
struct Face {
    bytes: Arc<Vec<u8>>,
    font: Font,
    /// Above and below the baseline, as shares of the font size.
    ascent: f32,
    descent: f32,
}

impl Face {
    fn new(bytes: Vec<u8>) -> Option<Face> {
        let bytes = Arc::new(bytes);
        let (ascent, descent) = {
            let font = FontRef::new(&bytes).ok()?;
            let metrics = font.metrics(Size::unscaled(), LocationRef::default());
            let em = f32::from(metrics.units_per_em);
            (metrics.ascent / em, -metrics.descent / em)
        };
        let font = Font::new(bytes.clone().into(), 0)?;
        Some(Face {
            bytes,
            font,
            ascent,
            descent,
        })
    }

    fn family(&self) -> String {
        FontRef::new(&self.bytes)
            .ok()
            .and_then(|font| {
                font.localized_strings(skrifa::string::StringId::FAMILY_NAME)
                    .english_or_first()
                    .map(|name| name.to_string())
            })
            .unwrap_or_default()
    }

    /// The width of `text` set at `size`, from the font's advance widths.
    fn width(&self, text: &str, size: f32) -> f32 {
        let Ok(font) = FontRef::new(&self.bytes) else {
            return 0.0;
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                let glyph = charmap.map(c).unwrap_or_default();
                metrics.advance_width(glyph).unwrap_or(0.0)
            })
            .sum()
    }
}

// ---------------------------------------------------------------------------------------------
// Page geometry, in points (1/72 inch), origin at the top left, y downwards.

/// A4: 210 × 297 mm.
const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
/// 2 cm.
const MARGIN: f32 = 56.69;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// The footer's baseline sits on the bottom margin; the body stays above this line.
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - MARGIN;
const FOOTER_SIZE: f32 = 8.5;
const BODY_BOTTOM: f32 = PAGE_HEIGHT - MARGIN - 24.0;
/// Horizontal position of the bullet, and of the text of a list item, from the left margin.
const BULLET_OFFSET: f32 = 6.0;
const BULLET_INDENT: f32 = 18.0;
/// Vertical space around the rule under the title.
const RULE_BEFORE: f32 = 10.0;
const RULE_AFTER: f32 = 16.0;
/// Width of a two-dimensional code, quiet zone included: 4 cm.
const CODE_SIZE: f32 = 113.39;
/// Quiet zone around a QR code, in modules.
const QUIET_ZONE: usize = 4;
/// Grey of the subtitle and the footer.
const GREY: u8 = 89;

/// How a kind of line is set.
struct Style {
    size: f32,
    bold: bool,
    grey: bool,
    /// Line height, as a multiple of the size.
    leading: f32,
    space_before: f32,
    space_after: f32,
}

const TITLE: Style = Style {
    size: 18.0,
    bold: true,
    grey: false,
    leading: 1.25,
    space_before: 0.0,
    space_after: 4.0,
};
const SUBTITLE: Style = Style {
    size: 10.5,
    bold: false,
    grey: true,
    leading: 1.35,
    space_before: 0.0,
    space_after: 0.0,
};
const HEADING: Style = Style {
    size: 13.0,
    bold: true,
    grey: false,
    leading: 1.3,
    space_before: 14.0,
    space_after: 4.0,
};
const BODY: Style = Style {
    size: 10.5,
    bold: false,
    grey: false,
    leading: 1.4,
    space_before: 0.0,
    space_after: 6.0,
};

/// Where a piece belongs in the document's structure.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Role {
    Title,
    Subtitle,
    Heading,
    Paragraph,
    /// The bullet of a list item.
    Label,
    /// The text of a list item.
    Item,
    Code,
    /// Drawn, but not part of the content: the rule, the footer.
    Decoration(ArtifactType),
}

/// One thing drawn on a page.
#[derive(Clone, Debug)]
enum Drawing {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        bold: bool,
        grey: bool,
        text: String,
    },
    Rule {
        y: f32,
    },
    Code {
        x: f32,
        y: f32,
        modules: Vec<Vec<bool>>,
    },
}

/// A drawing and the block it belongs to (its index among the structure's elements).
#[derive(Clone, Debug)]
struct Piece {
    element: usize,
    role: Role,
    drawing: Drawing,
}

/// An element of the structure: the pieces of one block, and the list it is an item of.
#[derive(Clone, Debug)]
struct Element {
    role: Role,
    /// For list items: the list (counted from 0) they belong to.
    list: Option<usize>,
    /// A code's alternative text; a heading's (or the title's) text, its title in the structure.
    description: Option<String>,
}

/// An entry of the document's outline (its bookmarks): the title, then each heading.
struct Bookmark {
    text: String,
    page: usize,
    y: f32,
}

struct Layout<'a> {
    typeface: &'a Typeface,
    pages: Vec<Vec<Piece>>,
    elements: Vec<Element>,
    bookmarks: Vec<Bookmark>,
    y: f32,
}

impl Layout<'_> {
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    fn element(&mut self, role: Role, list: Option<usize>, description: Option<String>) -> usize {
        self.elements.push(Element {
            role,
            list,
            description,
        });
        self.elements.len() - 1
    }

    /// An outline entry for what is set next, here.
    fn bookmark(&mut self, text: &str) {
        self.bookmarks.push(Bookmark {
            text: text.to_owned(),
            page: self.pages.len() - 1,
            y: self.y,
        });
    }

    fn place(&mut self, element: usize, role: Role, drawing: Drawing) {
        self.pages.last_mut().expect("a page is open").push(Piece {
            element,
            role,
            drawing,
        });
    }

    /// Lines of `text` in `style`, within `width`.
    fn lines(&self, text: &str, style: &Style, width: f32) -> Vec<String> {
        wrap(text, self.typeface.face(style.bold), style.size, width)
    }

    /// Height of `count` lines in `style`.
    fn height(style: &Style, count: usize) -> f32 {
        style.size * style.leading * count as f32
    }

    /// Sets the lines of one element, breaking pages between lines when needed.
    fn set(&mut self, element: usize, role: Role, style: &Style, x: f32, lines: Vec<String>) {
        let face = self.typeface.face(style.bold);
        let line_height = style.size * style.leading;
        for line in lines {
            if self.y + line_height > BODY_BOTTOM {
                self.new_page();
            }
            // The glyphs sit in the middle of their line box.
            let baseline = self.y
                + (line_height - (face.ascent + face.descent) * style.size) / 2.0
                + face.ascent * style.size;
            self.place(
                element,
                role,
                Drawing::Text {
                    x,
                    baseline,
                    size: style.size,
                    bold: style.bold,
                    grey: style.grey,
                    text: line,
                },
            );
            self.y += line_height;
        }
    }
}

/// Breaks `text` into lines no wider than `width` at ordinary spaces; a word longer than a line
/// is cut where it must be.
fn wrap(text: &str, face: &Face, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if face.width(&candidate, size) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut rest = word.to_owned();
        while face.width(&rest, size) > width {
            let mut cut = String::new();
            for c in rest.chars() {
                let mut longer = cut.clone();
                longer.push(c);
                if face.width(&longer, size) > width && !cut.is_empty() {
                    break;
                }
                cut = longer;
            }
            rest = rest[cut.len()..].to_owned();
            lines.push(cut);
        }
        line = rest;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Shortens `text` with an ellipsis to fit `width`.
fn truncate(text: &str, face: &Face, size: f32, width: f32) -> String {
    if face.width(text, size) <= width {
        return text.to_owned();
    }
    let mut kept: String = text.to_owned();
    while !kept.is_empty() && face.width(&format!("{kept}…"), size) > width {
        kept.pop();
    }
    format!("{}…", kept.trim_end())
}

fn layout<'a>(document: &Document, typeface: &'a Typeface) -> Layout<'a> {
    let mut layout = Layout {
        typeface,
        pages: Vec::new(),
        elements: Vec::new(),
        bookmarks: Vec::new(),
        y: MARGIN,
    };
    layout.new_page();
    layout.bookmark(document.title);
    let title = layout.element(Role::Title, None, Some(document.title.to_owned()));
    let lines = layout.lines(document.title, &TITLE, CONTENT_WIDTH);
    layout.set(title, Role::Title, &TITLE, MARGIN, lines);
    layout.y += TITLE.space_after;
    if let Some(subtitle) = document.subtitle {
        let element = layout.element(Role::Subtitle, None, None);
        let lines = layout.lines(subtitle, &SUBTITLE, CONTENT_WIDTH);
        layout.set(element, Role::Subtitle, &SUBTITLE, MARGIN, lines);
    }
    layout.y += RULE_BEFORE;
    let rule = layout.element(Role::Decoration(ArtifactType::Layout), None, None);
    let y = layout.y;
    layout.place(
        rule,
        Role::Decoration(ArtifactType::Layout),
        Drawing::Rule { y },
    );
    layout.y += RULE_AFTER;

    let mut lists = 0;
    let mut in_list = false;
    for (index, block) in document.blocks.iter().enumerate() {
        match block {
            Block::Heading(text) => {
                in_list = false;
                let element = layout.element(Role::Heading, None, Some(text.clone()));
                let lines = layout.lines(text, &HEADING, CONTENT_WIDTH);
                // Kept with the first line of what follows.
                let next = document
                    .blocks
                    .get(index + 1)
                    .map_or(0.0, |next| match next {
                        Block::Code { .. } => CODE_SIZE,
                        _ => BODY.size * BODY.leading,
                    });
                let needed = HEADING.space_before + Layout::height(&HEADING, lines.len()) + next;
                if layout.y + needed > BODY_BOTTOM {
                    layout.new_page();
                } else {
                    layout.y += HEADING.space_before;
                }
                layout.bookmark(text);
                layout.set(element, Role::Heading, &HEADING, MARGIN, lines);
                layout.y += HEADING.space_after;
            }
            Block::Paragraph(text) => {
                in_list = false;
                let element = layout.element(Role::Paragraph, None, None);
                let lines = layout.lines(text, &BODY, CONTENT_WIDTH);
                layout.set(element, Role::Paragraph, &BODY, MARGIN, lines);
                layout.y += BODY.space_after;
            }
            Block::Bullet(text) => {
                if !in_list {
                    in_list = true;
                    lists += 1;
                }
                let list = Some(lists - 1);
                let label = layout.element(Role::Label, list, None);
                let element = layout.element(Role::Item, list, None);
                let lines = layout.lines(text, &BODY, CONTENT_WIDTH - BULLET_INDENT);
                if layout.y + BODY.size * BODY.leading > BODY_BOTTOM {
                    layout.new_page();
                }
                let mut bullet = layout.lines("•", &BODY, BULLET_INDENT);
                bullet.truncate(1);
                let top = layout.y;
                layout.set(label, Role::Label, &BODY, MARGIN + BULLET_OFFSET, bullet);
                layout.y = top;
                layout.set(element, Role::Item, &BODY, MARGIN + BULLET_INDENT, lines);
                layout.y += BODY.space_after;
            }
            Block::Code {
                modules,
                description,
            } => {
                in_list = false;
                let element = layout.element(Role::Code, None, Some(description.clone()));
                if layout.y + CODE_SIZE > BODY_BOTTOM {
                    layout.new_page();
                }
                let (x, y) = (MARGIN, layout.y);
                layout.place(
                    element,
                    Role::Code,
                    Drawing::Code {
                        x,
                        y,
                        modules: modules.clone(),
                    },
                );
                layout.y += CODE_SIZE + BODY.space_after;
            }
        }
    }
    layout
}

/// The document as a PDF file, created now, in `typeface`.
pub fn render(document: &Document, typeface: &Typeface) -> Result<Vec<u8>, DocumentError> {
    render_at(document, typeface, Utc::now())
}

/// The document as a PDF file created at `created_at`; the same arguments always give the same
/// bytes.
pub fn render_at(
    document: &Document,
    typeface: &Typeface,
    created_at: DateTime<Utc>,
) -> Result<Vec<u8>, DocumentError> {
    let layout = layout(document, typeface);
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_A)
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|error| DocumentError::Pdf(format!("{error:?}")))?;
    let mut pdf = PdfDocument::new_with(SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    });
    // One identifier list per element, in reading order.
    let mut content: Vec<Vec<Identifier>> = vec![Vec::new(); layout.elements.len()];
    let count = layout.pages.len();
    for (number, pieces) in layout.pages.iter().enumerate() {
        let mut page = pdf.start_page_with(
            PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("A4 is a page size"),
        );
        let mut surface = page.surface();
        for piece in pieces {
            let tag = match piece.role {
                Role::Decoration(kind) => ContentTag::Artifact(Artifact::new(kind, None)),
                Role::Code => ContentTag::Other,
                _ => ContentTag::Span(SpanTag::empty()),
            };
            let id = surface.start_tagged(tag);
            draw(&mut surface, typeface, &piece.drawing);
            surface.end_tagged();
            if !matches!(piece.role, Role::Decoration(_)) {
                content[piece.element].push(id);
            }
        }
        footer(&mut surface, typeface, document.title, number + 1, count);
        surface.finish();
        page.finish();
    }
    pdf.set_tag_tree(structure(&layout.elements, content));
    pdf.set_outline(outline(&layout.bookmarks));
    pdf.set_metadata(
        Metadata::new()
            .title(document.title.to_owned())
            .language("fr-FR".to_owned())
            .creator("France Sésame".to_owned())
            .creation_date(pdf_date(created_at)),
    );
    pdf.finish()
        .map_err(|error| DocumentError::Pdf(format!("{error:?}")))
}

/// The structure tree: the title (H1), the subtitle (P), headings (H2), paragraphs (P), lists
/// (L > LI > Lbl, LBody) and codes (Figure with their description), in reading order.
fn structure(elements: &[Element], mut content: Vec<Vec<Identifier>>) -> TagTree {
    let mut tree = TagTree::new().with_lang(Some("fr-FR".to_owned()));
    let mut list: Option<(usize, TagGroup)> = None;
    let mut item: Option<TagGroup> = None;
    for (index, element) in elements.iter().enumerate() {
        let ids = std::mem::take(&mut content[index]);
        if ids.is_empty() {
            continue;
        }
        // A list ends at the first element that is not one of its items.
        if list
            .as_ref()
            .is_some_and(|(number, _)| element.list != Some(*number))
        {
            let (_, mut group) = list.take().expect("checked");
            if let Some(done) = item.take() {
                group.push(done);
            }
            tree.push(group);
        }
        let mut group = match element.role {
            Role::Title => TagGroup::new(Tag::Hn(NonZeroU16::MIN, element.description.clone())),
            Role::Heading => TagGroup::new(Tag::Hn(
                NonZeroU16::new(2).expect("2 is not 0"),
                element.description.clone(),
            )),
            Role::Subtitle | Role::Paragraph => TagGroup::new(Tag::P),
            Role::Label => TagGroup::new(Tag::Lbl),
            Role::Item => TagGroup::new(Tag::LBody),
            Role::Code => TagGroup::new(Tag::Figure(element.description.clone())),
            Role::Decoration(_) => continue,
        };
        for id in ids {
            group.push(id);
        }
        match element.role {
            Role::Label => {
                if list.is_none() {
                    list = Some((
                        element.list.expect("a label is in a list"),
                        TagGroup::new(Tag::L(ListNumbering::Disc)),
                    ));
                }
                let (_, list_group) = list.as_mut().expect("just opened");
                if let Some(done) = item.take() {
                    list_group.push(done);
                }
                let mut new_item = TagGroup::new(Tag::LI);
                new_item.push(group);
                item = Some(new_item);
            }
            Role::Item => item.as_mut().expect("a label opens the item").push(group),
            _ => tree.push(group),
        }
    }
    if let Some((_, mut group)) = list {
        if let Some(done) = item.take() {
            group.push(done);
        }
        tree.push(group);
    }
    tree
}

/// The bookmarks: the title, and under it each heading.
fn outline(bookmarks: &[Bookmark]) -> Outline {
    let node = |bookmark: &Bookmark| {
        OutlineNode::new(
            bookmark.text.clone(),
            XyzDestination::new(bookmark.page, Point::from_xy(MARGIN, bookmark.y)),
        )
    };
    let mut outline = Outline::new();
    if let Some((title, headings)) = bookmarks.split_first() {
        let mut root = node(title).with_open(true);
        for heading in headings {
            root.push_child(node(heading));
        }
        outline.push_child(root);
    }
    outline
}

fn fill(surface: &mut Surface, grey: bool) {
    let level = if grey { GREY } else { 0 };
    surface.set_fill(Some(Fill {
        paint: rgb::Color::new(level, level, level).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }));
}

fn draw(surface: &mut Surface, typeface: &Typeface, drawing: &Drawing) {
    match drawing {
        Drawing::Text {
            x,
            baseline,
            size,
            bold,
            grey,
            text,
        } => {
            fill(surface, *grey);
            surface.draw_text(
                Point::from_xy(*x, *baseline),
                typeface.face(*bold).font.clone(),
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Drawing::Rule { y } => {
            fill(surface, true);
            rectangle(surface, MARGIN, *y, CONTENT_WIDTH, 0.75);
        }
        Drawing::Code { x, y, modules } => {
            let count = modules.len() + 2 * QUIET_ZONE;
            let module = CODE_SIZE / count as f32;
            fill(surface, false);
            let mut path = PathBuilder::new();
            for (row, line) in modules.iter().enumerate() {
                for (column, dark) in line.iter().enumerate() {
                    if *dark {
                        if let Some(rect) = Rect::from_xywh(
                            x + (column + QUIET_ZONE) as f32 * module,
                            y + (row + QUIET_ZONE) as f32 * module,
                            module,
                            module,
                        ) {
                            path.push_rect(rect);
                        }
                    }
                }
            }
            if let Some(path) = path.finish() {
                surface.draw_path(&path);
            }
        }
    }
}

fn rectangle(surface: &mut Surface, x: f32, y: f32, width: f32, height: f32) {
    let mut path = PathBuilder::new();
    if let Some(rect) = Rect::from_xywh(x, y, width, height) {
        path.push_rect(rect);
    }
    if let Some(path) = path.finish() {
        surface.draw_path(&path);
    }
}

/// The footer, an artifact: the title on the left, "Page N sur M" in the middle.
fn footer(surface: &mut Surface, typeface: &Typeface, title: &str, number: usize, count: usize) {
    let face = typeface.face(false);
    let pages = format!("Page {number} sur {count}");
    let pages_width = face.width(&pages, FOOTER_SIZE);
    let middle = MARGIN + (CONTENT_WIDTH - pages_width) / 2.0;
    let title = truncate(title, face, FOOTER_SIZE, middle - MARGIN - 12.0);
    for (x, text, kind) in [
        (MARGIN, title, ArtifactType::Footer),
        (middle, pages, ArtifactType::PageNumber),
    ] {
        surface.start_tagged(ContentTag::Artifact(Artifact::new(kind, None)));
        draw(
            surface,
            typeface,
            &Drawing::Text {
                x,
                baseline: FOOTER_BASELINE,
                size: FOOTER_SIZE,
                bold: false,
                grey: true,
                text,
            },
        );
        surface.end_tagged();
    }
}

fn pdf_date(at: DateTime<Utc>) -> krilla::metadata::DateTime {
    krilla::metadata::DateTime::new(at.year().clamp(0, 9999) as u16)
        .month(at.month() as u8)
        .day(at.day() as u8)
        .hour(at.hour() as u8)
        .minute(at.minute() as u8)
        .second(at.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

#[cfg(test)]
mod tests {
    //! Each document is checked from the outside, as an archive or a reader would: poppler's
    //! `pdffonts` and `pdftotext`, and the qpdf library (its `--check` and its JSON view of every
    //! object, which the structure tree is read from). The tools are installed by the test
    //! command; without them the tests fail, they are never skipped.

    use super::*;
    use serde_json::Value;
    use std::process::Command;

    const COMPANY: &str = "Œuvre Łódź Çà—€";

    fn date() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-02T09:30:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn blocks() -> Vec<Block> {
        vec![
            Block::Heading("Rendez-vous".into()),
            Block::Paragraph(format!(
                "Opérateur : {COMPANY}. Certificat officiel, efficace et affiché à 12,50 €."
            )),
            Block::Bullet("Présentez-vous à l'accueil du poste.".into()),
            Block::Bullet("Le lot doit être positionné au poste avant l'horaire.".into()),
            Block::Heading("Code de pointage".into()),
            Block::Code {
                modules: vec![
                    vec![true, false, true],
                    vec![false, true, false],
                    vec![true, true, false],
                ],
                description: "Code QR de pointage de ce rendez-vous".into(),
            },
            Block::Paragraph("Fin du document.".into()),
        ]
    }

    fn sample(blocks: &[Block]) -> Vec<u8> {
        render_at(
            &Document {
                title: "Convocation — contrôle physique",
                subtitle: Some("France Sésame — dossier MSCU1234565"),
                blocks,
            },
            &Typeface::bundled(),
            date(),
        )
        .expect("the document passes the PDF/A-2a and PDF/UA-1 validation")
    }

    /// Runs `tool` on `pdf` (written to a file of its own), giving its standard output.
    fn run(tool: &str, arguments: &[&str], pdf: &[u8]) -> (bool, String) {
        let path = std::env::temp_dir().join(format!(
            "sesame-pdf-{}-{}.pdf",
            std::process::id(),
            rand_suffix()
        ));
        std::fs::write(&path, pdf).unwrap();
        let output = Command::new(tool)
            .args(arguments)
            .arg(&path)
            .args(if tool == "pdftotext" { &["-"][..] } else { &[][..] })
            .output()
            .unwrap_or_else(|error| {
                panic!("{tool} introuvable ({error}) : installez poppler-utils et qpdf (la commande de test le fait)")
            });
        std::fs::remove_file(&path).ok();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    }

    fn rand_suffix() -> u64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed)
    }

    #[test]
    fn every_font_is_embedded_and_subset() {
        let (ok, listing) = run("pdffonts", &[], &sample(&blocks()));
        assert!(ok, "{listing}");
        let fonts: Vec<&str> = listing.lines().skip(2).collect();
        assert!(fonts.len() >= 2, "regular and bold: {listing}");
        for font in fonts {
            let columns: Vec<&str> = font.split_whitespace().collect();
            // name type encoding emb sub uni object ID: emb, sub and uni are the three yes/no
            // columns before the object number.
            let flags = &columns[columns.len() - 5..columns.len() - 2];
            assert_eq!(flags, ["yes", "yes", "yes"], "{font}");
            assert!(columns[0].contains("LiberationSans"), "{font}");
        }
    }

    #[test]
    fn the_text_comes_back_exactly() {
        let (ok, text) = run("pdftotext", &["-enc", "UTF-8"], &sample(&blocks()));
        assert!(ok);
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        // Each piece, after the one before it: the reading order.
        let mut from = 0;
        for expected in [
            "Convocation — contrôle physique",
            "France Sésame — dossier MSCU1234565",
            "Rendez-vous",
            COMPANY,
            "Certificat officiel, efficace et affiché à 12,50 €.",
            "Présentez-vous à l'accueil du poste.",
            "Le lot doit être positionné",
            "Code de pointage",
            "Fin du document.",
            "Page 1 sur 1",
        ] {
            let at = flat[from..].find(expected).unwrap_or_else(|| {
                panic!("« {expected} » manque après l'octet {from} de : {flat}")
            });
            from += at + expected.len();
        }
        assert!(!flat.contains('?'), "aucun caractère remplacé : {flat}");
    }

    #[test]
    fn qpdf_finds_nothing_wrong() {
        let (ok, report) = run("qpdf", &["--check"], &sample(&blocks()));
        assert!(ok, "{report}");
        assert!(
            report.contains("No syntax or stream encoding errors found"),
            "{report}"
        );
    }

    /// The objects of a PDF as qpdf reads them (JSON version 2).
    struct Objects(serde_json::Map<String, Value>);

    impl Objects {
        fn of(pdf: &[u8]) -> Objects {
            let (ok, json) = run("qpdf", &["--json=2", "--json-key=qpdf"], pdf);
            assert!(ok, "qpdf --json");
            let value: Value = serde_json::from_str(&json).unwrap();
            Objects(value["qpdf"][1].as_object().unwrap().clone())
        }

        /// The dictionary an indirect reference (`"12 0 R"`) points to, or the value itself.
        fn get<'a>(&'a self, value: &'a Value) -> &'a Value {
            match value.as_str() {
                Some(reference) if reference.ends_with(" R") => {
                    &self.0[&format!("obj:{reference}")]["value"]
                }
                _ => value,
            }
        }

        fn catalog(&self) -> &Value {
            self.get(&self.0["trailer"]["value"]["/Root"])
        }

        /// The structure elements under `element`, depth first: (type, alternative text).
        fn walk(&self, element: &Value, into: &mut Vec<(String, Option<String>)>) {
            if let Value::Array(children) = element {
                for child in children {
                    self.walk(child, into);
                }
                return;
            }
            let element = self.get(element);
            if let Some(kind) = element["/S"].as_str() {
                into.push((
                    kind.trim_start_matches('/').to_owned(),
                    element["/Alt"]
                        .as_str()
                        .map(|alt| alt.trim_start_matches("u:").to_owned()),
                ));
            }
            if matches!(element["/K"], Value::Array(_) | Value::String(_)) {
                self.walk(&element["/K"], into);
            }
        }
    }

    #[test]
    fn the_structure_is_tagged_in_reading_order_and_in_french() {
        let objects = Objects::of(&sample(&blocks()));
        let catalog = objects.catalog();
        assert_eq!(catalog["/Lang"], "u:fr-FR");
        assert_eq!(objects.get(&catalog["/MarkInfo"])["/Marked"], true);
        let root = objects.get(&catalog["/StructTreeRoot"]);
        let mut elements = Vec::new();
        objects.walk(&root["/K"], &mut elements);
        let kinds: Vec<&str> = elements.iter().map(|(kind, _)| kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "Document", "H1", "P", "H2", "P", "L", "LI", "Lbl", "LBody", "LI", "Lbl", "LBody",
                "H2", "Figure", "P"
            ]
        );
        let figure = elements.iter().find(|(kind, _)| kind == "Figure").unwrap();
        assert_eq!(
            figure.1.as_deref(),
            Some("Code QR de pointage de ce rendez-vous")
        );
    }

    #[test]
    fn it_declares_pdf_a_2a_and_pdf_ua_1() {
        let pdf = sample(&blocks());
        let text = String::from_utf8_lossy(&pdf);
        // The XMP metadata stream is not compressed (PDF/A requires it readable).
        for claim in [
            "<pdfaid:part>2</pdfaid:part>",
            "<pdfaid:conformance>A</pdfaid:conformance>",
            "<pdfuaid:part>1</pdfuaid:part>",
        ] {
            assert!(text.contains(claim), "{claim}");
        }
    }

    #[test]
    fn the_same_document_gives_the_same_bytes() {
        assert_eq!(sample(&blocks()), sample(&blocks()));
    }

    #[test]
    fn long_documents_break_into_numbered_pages_and_long_words_are_cut() {
        let mut many = vec![Block::Paragraph("x".repeat(400))];
        for number in 0..60 {
            many.push(Block::Paragraph(format!(
                "Paragraphe {number} : {COMPANY}."
            )));
        }
        let pdf = sample(&many);
        let (ok, text) = run("pdftotext", &["-enc", "UTF-8"], &pdf);
        assert!(ok);
        assert!(
            text.contains("Page 1 sur 2") && text.contains("Page 2 sur 2"),
            "{text}"
        );
        assert!(text.contains("Paragraphe 59"));
        let face = Typeface::bundled();
        for line in wrap(&"x".repeat(400), face.face(false), BODY.size, CONTENT_WIDTH) {
            assert!(face.face(false).width(&line, BODY.size) <= CONTENT_WIDTH);
        }
    }

    #[test]
    fn fonts_a_deployment_provides_are_the_ones_embedded() {
        let dejavu = Path::new("/usr/share/fonts/truetype/dejavu");
        let typeface = Typeface::from_files(
            &dejavu.join("DejaVuSans.ttf"),
            &dejavu.join("DejaVuSans-Bold.ttf"),
        )
        .expect("Debian's DejaVu fonts, which the test command installs with poppler");
        assert_eq!(typeface.family(), "DejaVu Sans");
        let pdf = render_at(
            &Document {
                title: "Titre",
                subtitle: None,
                blocks: &[Block::Paragraph(COMPANY.into())],
            },
            &typeface,
            date(),
        )
        .unwrap();
        let (_, listing) = run("pdffonts", &[], &pdf);
        assert!(listing.contains("DejaVuSans"), "{listing}");
        assert!(!listing.contains("Liberation"), "{listing}");
        let missing =
            Typeface::from_files(Path::new("/nulle/part.otf"), Path::new("/nulle/part.otf"));
        assert!(matches!(missing, Err(DocumentError::Font(_))));
    }
}
