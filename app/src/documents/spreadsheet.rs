//! A table as an OpenDocument spreadsheet (`.ods`, ISO/IEC 26300), the State's standard office
//! format, which LibreOffice, Excel and every spreadsheet program of the administrations open:
//! a ZIP holding the `mimetype` first and uncompressed, the manifest, and the sheet. Figures
//! become numbers (a decimal comma read as such), everything else text.

use std::io::Write;

/// What an ODS file is.
pub const ODS_TYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters have no place in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

/// The number a field holds, if it is one (`12`, `-3`, `41,7`).
fn number(field: &str) -> Option<String> {
    let field = field.trim();
    if field.is_empty() || field.len() > 20 {
        return None;
    }
    let dotted = field.replacen(',', ".", 1);
    let digits = dotted.strip_prefix('-').unwrap_or(&dotted);
    let valid = !digits.is_empty()
        && !digits.starts_with('.')
        && !digits.ends_with('.')
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1;
    valid.then_some(dotted)
}

/// The sheet's XML.
fn content(sheet: &str, rows: &[Vec<String>]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content \
         xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet>",
    );
    xml.push_str(&format!("<table:table table:name=\"{}\">", escaped(sheet)));
    for row in rows {
        xml.push_str("<table:table-row>");
        if row.is_empty() {
            xml.push_str("<table:table-cell/>");
        }
        for field in row {
            match number(field) {
                Some(value) => xml.push_str(&format!(
                    "<table:table-cell office:value-type=\"float\" office:value=\"{value}\">\
                     <text:p>{}</text:p></table:table-cell>",
                    escaped(field)
                )),
                None => xml.push_str(&format!(
                    "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p>\
                     </table:table-cell>",
                    escaped(field)
                )),
            }
        }
        xml.push_str("</table:table-row>");
    }
    xml.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    xml
}

const MANIFEST: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
<manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.2\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
</manifest:manifest>";

/// The rows as a one-sheet ODS file named `sheet`.
pub fn ods(sheet: &str, rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let content_xml = content(sheet, rows);
    for (name, bytes) in [
        ("mimetype", ODS_TYPE.as_bytes()),
        ("META-INF/manifest.xml", MANIFEST.as_bytes()),
        ("content.xml", content_xml.as_bytes()),
    ] {
        zip.start_file(name, stored)
            .map_err(|error| error.to_string())?;
        zip.write_all(bytes).map_err(|error| error.to_string())?;
    }
    Ok(zip
        .finish()
        .map_err(|error| error.to_string())?
        .into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_numbers_and_text_is_escaped() {
        assert_eq!(number("12").as_deref(), Some("12"));
        assert_eq!(number("41,7").as_deref(), Some("41.7"));
        assert_eq!(number("-3").as_deref(), Some("-3"));
        assert_eq!(number("effectif trop faible"), None);
        assert_eq!(number("+10 %"), None);
        assert_eq!(number(""), None);
        let xml = content(
            "Tableau",
            &[vec!["Échanges <ouverts> & clos".into(), "12".into()]],
        );
        assert!(xml.contains("Échanges &lt;ouverts&gt; &amp; clos"));
        assert!(xml.contains("office:value=\"12\""));
    }

    #[test]
    fn the_mimetype_comes_first_and_uncompressed() {
        let bytes = ods("Feuille", &[vec!["a".into()]]).unwrap();
        // A local file header, then the name `mimetype` and its content as is.
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        assert_eq!(&bytes[30..38], b"mimetype");
        assert_eq!(&bytes[38..38 + ODS_TYPE.len()], ODS_TYPE.as_bytes());
    }
}
