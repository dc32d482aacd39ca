//! How dates and durations read in French. Times are stored in UTC and shown in Europe/Paris.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;

/// `26/11/2026 à 15:24`, in Paris time.
pub fn date_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Paris)
        .format("%d/%m/%Y à %H:%M")
        .to_string()
}

/// A calendar day, as French people write it: 26/11/2026.
pub fn date(day: chrono::NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// A size as people read it: « 830 octets », « 120 Ko », « 4,2 Mo ».
pub fn size(bytes: i64) -> String {
    const KIB: i64 = 1024;
    if bytes < KIB {
        return format!("{bytes} octets");
    }
    if bytes < KIB * KIB {
        return format!("{} Ko", (bytes + KIB / 2) / KIB);
    }
    let tenths = (bytes * 10 + KIB * KIB / 2) / (KIB * KIB);
    format!("{},{} Mo", tenths / 10, tenths % 10)
}

/// A machine-readable timestamp for `<time datetime>`.
pub fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339()
}

/// `45 min`, `3 h`, `2 h 30`, `3 j`, `1 j 6 h`.
pub fn duration_minutes(minutes: i64) -> String {
    let minutes = minutes.max(0);
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match (days, hours, mins) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m:02}"),
        (d, 0, _) => format!("{d} j"),
        (d, h, _) => format!("{d} j {h} h"),
    }
}

/// A number as French writes it, thousands apart: `1 000 000` (with narrow no-break spaces).
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::from(if n < 0 { "-" } else { "" });
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(digit);
    }
    out
}

/// A count with its noun, in French: `0 place libre`, `1 place libre`, `2 places libres` (French
/// puts zero and one in the singular).
pub fn count(n: impl Into<i64>, singular: &str, plural: &str) -> String {
    let n = n.into();
    if (-1..=1).contains(&n) {
        format!("{n} {singular}")
    } else {
        format!("{n} {plural}")
    }
}

/// When a step ran, as a person says it: `Le 01/12/2026 à 15:12` when it took under a minute,
/// `Le 01/12/2026, de 15:12 à 16:40 (1 h 28)` within a day, else from one date to the other.
pub fn span(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let minutes = (end - start).num_minutes();
    if minutes < 1 {
        return format!("Le {}", date_time(end));
    }
    let (first, last) = (start.with_timezone(&Paris), end.with_timezone(&Paris));
    if first.date_naive() == last.date_naive() {
        format!(
            "Le {}, de {} à {} ({})",
            first.format("%d/%m/%Y"),
            first.format("%H:%M"),
            last.format("%H:%M"),
            duration_minutes(minutes)
        )
    } else {
        format!(
            "Du {} au {} ({})",
            date_time(start),
            date_time(end),
            duration_minutes(minutes)
        )
    }
}

/// A value made safe for an address's query (`retour=%2Fdossiers%3Fpage%3D2`).
pub fn query_value(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// `08:30`, in Paris time.
pub fn time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Paris).format("%H:%M").to_string()
}

/// `lundi 30/11`, a day of a week view.
pub fn weekday_date(day: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let name = match day.weekday() {
        chrono::Weekday::Mon => "lundi",
        chrono::Weekday::Tue => "mardi",
        chrono::Weekday::Wed => "mercredi",
        chrono::Weekday::Thu => "jeudi",
        chrono::Weekday::Fri => "vendredi",
        chrono::Weekday::Sat => "samedi",
        chrono::Weekday::Sun => "dimanche",
    };
    format!("{name} {}", day.format("%d/%m"))
}

/// The French name of a month: « janvier 2026 », or « janv. 2026 » when `short`.
pub fn month(day: chrono::NaiveDate, short: bool) -> String {
    use chrono::Datelike;
    const LONG: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const SHORT: [&str; 12] = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ];
    let names = if short { SHORT } else { LONG };
    format!("{} {}", names[day.month0() as usize], day.year())
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_set_apart() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1\u{202f}000");
        assert_eq!(super::thousands(-1_234_567), "-1\u{202f}234\u{202f}567");
    }

    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size(830), "830 octets");
        assert_eq!(size(120 * 1024), "120 Ko");
        assert_eq!(size(4 * 1024 * 1024 + 200 * 1024), "4,2 Mo");
        assert_eq!(size(20 * 1024 * 1024), "20,0 Mo");
    }

    #[test]
    fn paris_time_follows_daylight_saving() {
        let winter = Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(date_time(winter), "15/01/2026 à 13:00");
        assert_eq!(date_time(summer), "15/07/2026 à 14:00");
    }

    #[test]
    fn counts_and_spans_read_naturally() {
        assert_eq!(count(0, "place libre", "places libres"), "0 place libre");
        assert_eq!(count(1, "heure", "heures"), "1 heure");
        assert_eq!(count(2, "heure", "heures"), "2 heures");
        let start = Utc.with_ymd_and_hms(2026, 12, 1, 14, 12, 0).unwrap();
        assert_eq!(span(start, start), "Le 01/12/2026 à 15:12");
        assert_eq!(
            span(start, start + chrono::Duration::minutes(88)),
            "Le 01/12/2026, de 15:12 à 16:40 (1 h 28)"
        );
        assert_eq!(
            span(start, start + chrono::Duration::hours(26)),
            "Du 01/12/2026 à 15:12 au 02/12/2026 à 17:12 (1 j 2 h)"
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_minutes(45), "45 min");
        assert_eq!(duration_minutes(180), "3 h");
        assert_eq!(duration_minutes(150), "2 h 30");
        assert_eq!(duration_minutes(3 * 1440), "3 j");
        assert_eq!(duration_minutes(1440 + 360), "1 j 6 h");
    }
}
