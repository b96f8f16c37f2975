//! Event times: parsed once into [`EventTime`], milliseconds since the Unix epoch in UTC.
//!
//! CloudTrail writes `2022-03-07T15:03:45Z`; `lookup-events` output may carry `2021-11-18T09:41:02-08:00`,
//! `2022-02-08 09:23:37+11:00` or epoch seconds; CloudWatch export lines use `2022-03-07T15:00:11.000Z`.
//! All of them become one number here, so nothing downstream re-checks a time string.

/// A point in time, milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventTime(pub i64);

impl EventTime {
    /// Parses an ISO 8601 date-time with `T` or a space between date and time, optional fraction,
    /// and `Z` or a `±hh:mm` / `±hhmm` offset. Returns `None` for anything else.
    pub fn parse(text: &str) -> Option<EventTime> {
        let b = text.trim().as_bytes();
        if b.len() < 19 {
            return None;
        }
        let year = digits(b, 0, 4)?;
        let month = digits(b, 5, 2)?;
        let day = digits(b, 8, 2)?;
        if b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ' || b[10] == b't') {
            return None;
        }
        let hour = digits(b, 11, 2)?;
        let minute = digits(b, 14, 2)?;
        let second = digits(b, 17, 2)?;
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let mut i = 19;
        let mut millis = 0i64;
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 3 {
                    millis = millis * 10 + i64::from(b[i] - b'0');
                }
                i += 1;
            }
            if i == start {
                return None;
            }
            for _ in (i - start)..3 {
                millis *= 10;
            }
        }
        let offset_minutes = match b.get(i) {
            None => 0, // No zone: CloudTrail times are UTC.
            Some(b'Z') | Some(b'z') if i + 1 == b.len() => 0,
            Some(&sign @ (b'+' | b'-')) => {
                let rest = &b[i + 1..];
                let (h, m) = match rest.len() {
                    5 if rest[2] == b':' => (digits(rest, 0, 2)?, digits(rest, 3, 2)?),
                    4 => (digits(rest, 0, 2)?, digits(rest, 2, 2)?),
                    2 => (digits(rest, 0, 2)?, 0),
                    _ => return None,
                };
                let total = h * 60 + m;
                if sign == b'-' {
                    -total
                } else {
                    total
                }
            }
            _ => return None,
        };
        let days = days_from_civil(year, month, day);
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
        Some(EventTime(seconds * 1_000 + millis))
    }

    /// Epoch seconds, as `aws cloudtrail lookup-events` prints them with some output settings.
    pub fn from_epoch_seconds(seconds: f64) -> Option<EventTime> {
        if !seconds.is_finite() || seconds.abs() > 1.0e13 {
            return None;
        }
        Some(EventTime((seconds * 1_000.0).round() as i64))
    }

    /// The time as CloudTrail writes it, in UTC: `2022-03-07T15:03:45Z`, with `.123` when there are milliseconds.
    pub fn to_iso(self) -> String {
        let millis = self.0.rem_euclid(1_000);
        let seconds = self.0.div_euclid(1_000);
        let days = seconds.div_euclid(86_400);
        let of_day = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let (h, m, s) = (of_day / 3_600, of_day / 60 % 60, of_day % 60);
        if millis == 0 {
            format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z")
        } else {
            format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{millis:03}Z")
        }
    }
}

fn digits(b: &[u8], start: usize, len: usize) -> Option<i64> {
    let slice = b.get(start..start + len)?;
    let mut value = 0i64;
    for &c in slice {
        if !c.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(c - b'0');
    }
    Some(value)
}

/// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (Howard Hinnant's days-from-civil:
/// exact, no table, no dependency).
pub const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a count of days since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::EventTime;

    fn check(input: &str, expect: Option<&str>) {
        assert_eq!(EventTime::parse(input).map(EventTime::to_iso).as_deref(), expect, "input: {input}");
    }

    #[test]
    fn cloudtrail_utc() {
        check("2022-03-07T15:03:45Z", Some("2022-03-07T15:03:45Z"));
    }

    #[test]
    fn fraction_and_offset() {
        check("2022-03-07T15:03:44.229000-08:00", Some("2022-03-07T23:03:44.229Z"));
        check("2022-03-07T15:00:11.000Z", Some("2022-03-07T15:00:11Z"));
    }

    #[test]
    fn boto3_style_with_space() {
        check("2022-02-08 09:23:37+11:00", Some("2022-02-07T22:23:37Z"));
    }

    #[test]
    fn epoch_seconds() {
        let time = EventTime::from_epoch_seconds(1_454_013_732.0);
        assert_eq!(time.map(EventTime::to_iso).as_deref(), Some("2016-01-28T20:42:12Z"));
    }

    #[test]
    fn rejects_garbage() {
        check("yesterday", None);
        check("2022-13-07T15:03:45Z", None);
        check("2022-03-07T15:03:45Zjunk", None);
        check("", None);
    }

    #[test]
    fn before_epoch_and_leap_day() {
        check("1969-12-31T23:59:59Z", Some("1969-12-31T23:59:59Z"));
        check("2024-02-29T00:00:00Z", Some("2024-02-29T00:00:00Z"));
    }
}
