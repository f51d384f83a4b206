//! Names in the MRZ: transliteration to the MRZ alphabet and the `PRIMARY<<SECONDARY` field (Doc 9303-3).
//!
//! Transliteration ([`transliterate`]): Unicode NFD decomposition with combining marks dropped (so Vietnamese
//! `Nguyễn Thị Ứng` → `NGUYEN<THI<UNG`), `Đ`/`đ` → `D` (the profile marks this rule unsure; it is the only
//! reading that keeps the letter), the recommended transliterations of Doc 9303-3 for ligatures and special
//! letters (`ß` → `SS`, `Æ` → `AE`, `Œ`/`Ø` → `OE`, `Þ` → `TH`, `Ł` → `L`, …), uppercase; spaces, hyphens and commas become a
//! filler `<` (runs collapse to one); apostrophes and full stops are dropped. Anything else (digits, other
//! scripts, symbols) is an error naming its position.
//!
//! Truncation ([`name_field_from_names`]), when `PRIMARY<<SECONDARY` is longer than the field (Doc 9303-3,
//! truncation of names): characters are removed from the end of the secondary identifier(s); when the
//! primary identifier leaves no room for any secondary character, the primary identifier is cut at the field
//! width and the secondary identifiers are omitted. A truncated name ends with a letter in the last position,
//! which is how the MRZ signals possible truncation: when the cut falls on a separator, the letter before it
//! gives way to `<` and the initial of the next component (`…<DEJTHAMRONG<KRASUANG` cut after `DEJTHAMRONG<`
//! becomes `…<DEJTHAMRON<K`). The one exception: a primary identifier that ends one or two positions before
//! the end of the field leaves fillers there, as the secondary identifiers cannot follow a split separator.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::{MrzError, MrzField, pad};

fn special(c: char) -> Option<&'static str> {
    Some(match c {
        'Đ' | 'đ' | 'Ð' | 'ð' => "D",
        'ß' | 'ẞ' => "SS",
        'Æ' | 'æ' => "AE",
        'Œ' | 'œ' | 'Ø' | 'ø' => "OE",
        'Þ' | 'þ' => "TH",
        'Ł' | 'ł' => "L",
        'Ħ' | 'ħ' => "H",
        'Ŧ' | 'ŧ' => "T",
        'ı' => "I",
        'Ŀ' | 'ŀ' => "L",
        'Ŋ' | 'ŋ' => "N",
        _ => return None,
    })
}

/// Transliterates a name (one or more components) to the MRZ alphabet, components separated by `<`.
///
/// ```
/// use cccd::mrz::name::transliterate;
/// assert_eq!(transliterate("Nguyễn Thị Ứng").unwrap(), "NGUYEN<THI<UNG");
/// assert_eq!(transliterate("Đặng").unwrap(), "DANG");
/// assert_eq!(transliterate("O'Neil-Smith").unwrap(), "ONEIL<SMITH");
/// ```
pub fn transliterate(name: &str) -> Result<String, MrzError> {
    let mut out = String::with_capacity(name.len());
    let mut pending_sep = false;
    for (position, c) in name.chars().enumerate() {
        match c {
            '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '.' => continue,
            ' ' | '\t' | '-' | '\u{2010}' | '\u{2011}' | ',' | '\u{00A0}' => {
                pending_sep = true;
                continue;
            }
            _ => {}
        }
        let mut piece = String::new();
        if let Some(s) = special(c) {
            piece.push_str(s);
        } else {
            for d in c.nfd() {
                if is_combining_mark(d) {
                    continue;
                }
                if let Some(s) = special(d) {
                    piece.push_str(s);
                } else if d.is_ascii_alphabetic() {
                    piece.push(d.to_ascii_uppercase());
                } else {
                    return Err(MrzError::NotTransliterable { position });
                }
            }
        }
        if piece.is_empty() {
            continue;
        }
        if pending_sep && !out.is_empty() {
            out.push('<');
        }
        pending_sep = false;
        out.push_str(&piece);
    }
    if out.is_empty() {
        return Err(MrzError::EmptyName);
    }
    Ok(out)
}

/// A name field built by [`name_field_from_names`].
#[derive(Clone, PartialEq, Eq)]
pub struct NameField {
    /// The field, padded with fillers to its width.
    pub text: String,
    /// Whether characters were removed to make the name fit.
    pub truncated: bool,
}

impl core::fmt::Debug for NameField {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("NameField").field("text", &"REDACTED").field("truncated", &self.truncated).finish()
    }
}

/// Builds a name field of `width` characters from a surname and given names in any Latin script:
/// transliterated, `SURNAME<<GIVEN<NAMES`, truncated as described in the [module documentation](self).
/// `given_names` may be empty; `surname` may not.
pub fn name_field_from_names(surname: &str, given_names: &str, width: usize) -> Result<NameField, MrzError> {
    let primary = transliterate(surname)?;
    let secondary = match transliterate(given_names) {
        Ok(s) => s,
        Err(MrzError::EmptyName) => String::new(),
        Err(MrzError::NotTransliterable { position }) => {
            return Err(MrzError::NotTransliterable { position: surname.chars().count() + position });
        }
        Err(e) => return Err(e),
    };
    let full = if secondary.is_empty() { primary.clone() } else { format!("{primary}<<{secondary}") };
    if full.len() <= width {
        return Ok(NameField { text: pad(&full, width, MrzField::Name)?, truncated: false });
    }
    // The primary identifier plus `<<` and at least one secondary character must fit to keep a secondary part.
    let keep = if primary.len() + 3 <= width && !secondary.is_empty() { &full } else { &primary };
    Ok(NameField { text: pad(&cut(keep, width), width, MrzField::Name)?, truncated: true })
}

/// `s` (MRZ alphabet, single separators) cut to `width` characters so that the last one is a letter: when the
/// cut falls on a separator, the last letter before it gives way to a filler and the next component's initial.
fn cut(s: &str, width: usize) -> String {
    let bytes = s.as_bytes();
    if bytes.len() <= width {
        return s.to_string();
    }
    let head = s.get(..width).unwrap_or(s);
    if !head.ends_with('<') {
        return head.to_string();
    }
    let before = width.checked_sub(2).and_then(|n| s.get(..n)).unwrap_or("");
    match bytes.get(width).copied() {
        Some(initial) if initial != b'<' && !before.is_empty() && !before.ends_with('<') => {
            format!("{before}<{}", char::from(initial))
        }
        _ => head.trim_end_matches('<').to_string(),
    }
}

/// Builds the name field from primary and secondary identifiers already in the MRZ alphabet (components
/// separated by spaces or `<`). No truncation: a name that does not fit is an error.
pub fn name_field(primary: &str, secondary: &str, width: usize) -> Result<String, MrzError> {
    let p = primary.replace(' ', "<");
    let s = secondary.replace(' ', "<");
    if !s.is_empty() && (p.contains("<<") || p.ends_with('<')) {
        return Err(MrzError::InvalidField {
            field: MrzField::Name,
            reason: "primary identifier with a double separator",
        });
    }
    let full = if s.is_empty() { p } else { format!("{p}<<{s}") };
    pad(&full, width, MrzField::Name)
}

/// Splits a name field at its first `<<` into primary and secondary identifiers, fillers inside each
/// turned into spaces and trailing fillers removed.
pub fn split_name_field(field: &str) -> (String, String) {
    let trimmed = field.trim_end_matches('<');
    let (p, s) = match trimmed.find("<<") {
        Some(i) => (trimmed.get(..i).unwrap_or(""), trimmed.get(i + 2..).unwrap_or("")),
        None => (trimmed, ""),
    };
    (p.replace('<', " "), s.replace('<', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese() {
        assert_eq!(transliterate("Nguyễn Văn A").unwrap(), "NGUYEN<VAN<A");
        assert_eq!(transliterate("  Trần   thị  ").unwrap(), "TRAN<THI");
        assert_eq!(transliterate("Đỗ Ứng Ệ À").unwrap(), "DO<UNG<E<A");
        assert_eq!(transliterate("Müller-Lüdenscheidt").unwrap(), "MULLER<LUDENSCHEIDT");
        assert_eq!(transliterate("Straße").unwrap(), "STRASSE");
        assert_eq!(transliterate("d'Artagnan").unwrap(), "DARTAGNAN");
        assert_eq!(transliterate("Иван"), Err(MrzError::NotTransliterable { position: 0 }));
        assert_eq!(transliterate("A1"), Err(MrzError::NotTransliterable { position: 1 }));
        assert_eq!(transliterate(" - '"), Err(MrzError::EmptyName));
        assert_eq!(transliterate("A\u{0007}"), Err(MrzError::NotTransliterable { position: 1 }));
    }

    #[test]
    fn fits_and_truncates() {
        let f = name_field_from_names("Nguyễn", "Văn A", 30).unwrap();
        assert_eq!(f.text, "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<");
        assert!(!f.truncated);
        // secondary identifiers cut at the field end
        let f = name_field_from_names("Tôn Nữ", "Công Tằng Huyền Tôn Nữ Thị Thanh", 30).unwrap();
        assert_eq!(f.text, "TON<NU<<CONG<TANG<HUYEN<TON<NU");
        assert!(f.truncated);
        // a cut inside a component keeps its letters
        let f = name_field_from_names("ABCDEFGHIJ", "KLMNOPQRS TUVWXYZ", 20).unwrap();
        assert_eq!(f.text, "ABCDEFGHIJ<<KLMNOPQR");
        let f = name_field_from_names("ABCDEFGHIJ", "KLMNOPQ RS", 20).unwrap();
        assert_eq!(f.text, "ABCDEFGHIJ<<KLMNOP<R");
        assert!(f.truncated);
        // the primary identifier exactly filling the field leaves no room for the secondary
        let f = name_field_from_names("ABCDEFGHIJKLMNOPQR", "STU", 20).unwrap();
        assert_eq!(f.text, "ABCDEFGHIJKLMNOPQR<<");
        assert!(f.truncated);
        // a cut primary identifier also ends with a letter
        let f = name_field_from_names("ABCDEFGHIJKLMNOPQRS TUV", "", 20).unwrap();
        assert_eq!(f.text, "ABCDEFGHIJKLMNOPQR<T");
        let f = name_field_from_names("ABCDEFGHIJKLMNOPQRS", "TUV", 20).unwrap();
        assert_eq!(f.text, "ABCDEFGHIJKLMNOPQRS<");
        // primary identifier alone too long: cut, secondary omitted
        let f = name_field_from_names("ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDE", "X", 30).unwrap();
        assert_eq!(f.text, "ABCDEFGHIJKLMNOPQRSTUVWXYZ<ABC");
        assert!(f.truncated);
        assert_eq!(name_field_from_names("", "X", 30).unwrap_err(), MrzError::EmptyName);
    }

    #[test]
    fn split_and_join() {
        assert_eq!(split_name_field("ERIKSSON<<ANNA<MARIA<<<<<<<<<<"), ("ERIKSSON".into(), "ANNA MARIA".into()));
        assert_eq!(split_name_field("<<<<"), (String::new(), String::new()));
        assert_eq!(name_field("ERIKSSON", "ANNA MARIA", 30).unwrap(), "ERIKSSON<<ANNA<MARIA<<<<<<<<<<");
        assert!(name_field("A  B", "C", 30).is_err());
        assert_eq!(name_field("ABC", "", 5).unwrap(), "ABC<<");
        assert!(matches!(name_field("ABCDEF", "", 5), Err(MrzError::TooLong { .. })));
    }
}
