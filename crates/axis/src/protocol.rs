//! The `XroadVnpt-*` header scheme of the VPCP/VNPT SDK (standards.md §5.1, §5.4), shared by the client and the
//! server.
//!
//! Every operation is `POST {endpoint}/{operation}`. Its parameters travel as headers `XroadVnpt-<key>` (the
//! key's case kept), next to `XroadVnpt-systemid`, `XroadVnpt-timestamp` and `XroadVnpt-Content-Type`. The sender
//! signs them: `XroadVnpt-sign-header` is the compact JSON `{"XroadVnpt-<key>":"<value>",…}` of those headers,
//! `XroadVnpt-sign-header-key` their names without the prefix joined by `;`, and `XroadVnpt-hash-header` the
//! lowercase hex of HMAC-SHA256(secret, sign-header).
//!
//! The server verifies the HMAC over the sign-header string **as transmitted** (key order and JSON escaping are
//! the sender's business), checks that every signed value is the header actually sent, and takes the parameters
//! from the signed set only: a parameter sent as a header but not signed is never used. Every signed key must
//! carry the `XroadVnpt-` prefix and name its parameter once, and the signed `systemid` must be the claimed
//! `XroadVnpt-systemid` whose secret checked the HMAC: one system cannot sign as another.

use axum::http::HeaderMap;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::fmt::Write as _;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Prefix of every protocol header.
pub const PREFIX: &str = "XroadVnpt-";
pub const H_SYSTEMID: &str = "XroadVnpt-systemid";
pub const H_TIMESTAMP: &str = "XroadVnpt-timestamp";
pub const H_CONTENT_TYPE: &str = "XroadVnpt-Content-Type";
pub const H_SIGN_HEADER: &str = "XroadVnpt-sign-header";
pub const H_SIGN_HEADER_KEY: &str = "XroadVnpt-sign-header-key";
pub const H_HASH_HEADER: &str = "XroadVnpt-hash-header";
pub const H_VERSION: &str = "XroadVnpt-version";
/// `User-Agent` of the official Java SDK.
pub const USER_AGENT: &str = "JAVASDKAgent/1.0.0 XRoad/VPCP";
/// `XroadVnpt-version` of the official Java SDK.
pub const VERSION: &str = "3.0.201608";
/// The only `servicetype` of the document service.
pub const SERVICE_TYPE: &str = "eDoc";

/// Vietnam's time zone (ICT, UTC+7), which the official SDK's local timestamps are in on the machines of the
/// axis's users, and which [`crate::client::Client`] uses.
pub const VIETNAM: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("UTC+7 is a valid offset"),
};

/// `ddMMyyyy'T'HHmmss+SSSS` (Java `SimpleDateFormat`): local time, then **milliseconds** zero-padded to four
/// digits after the `+` (it is not an offset), e.g. `22112026T145057+0616`.
pub fn format_timestamp(t: PrimitiveDateTime) -> String {
    format!(
        "{:02}{:02}{:04}T{:02}{:02}{:02}+{:04}",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Parses [`format_timestamp`]'s form. The part after `+` (1 to 4 digits) is read as milliseconds; a value
/// over 999 (a sender that wrote a real offset such as `+0700`) is ignored rather than refused.
pub fn parse_timestamp(s: &str) -> Option<PrimitiveDateTime> {
    let b = s.trim().as_bytes();
    if b.len() < 17 || b[8] != b'T' || b[15] != b'+' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let day = num(0..2)?;
    let month = num(2..4)?;
    let year = num(4..8)?;
    let hour = num(9..11)?;
    let minute = num(11..13)?;
    let second = num(13..15)?;
    if b.len() > 20 {
        return None;
    }
    let millis = num(16..b.len())?;
    let date = Date::from_calendar_date(
        i32::try_from(year).ok()?,
        Month::try_from(u8::try_from(month).ok()?).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    let time = Time::from_hms_milli(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
        if millis <= 999 { millis as u16 } else { 0 },
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time))
}

/// Lowercase hex of HMAC-SHA256(key = `secret` in UTF-8, data = `data` in UTF-8): the `XroadVnpt-hash-header`.
pub fn hmac_hex(secret: &str, data: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(data.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Checks `hash_header` (hex, either case) against HMAC-SHA256(secret, data) in constant time.
pub fn hmac_verify(secret: &str, data: &str, hash_header: &str) -> bool {
    let Ok(given) = hex::decode(hash_header.trim()) else {
        return false;
    };
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(data.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// A digest written as the SDK writes `hash-file`: each byte with Java's `Integer.toHexString`, i.e. lowercase hex
/// **without zero padding** (`0x0a` → `a`), so 32 bytes give 32 to 64 characters.
pub fn lossy_hex(digest: &[u8]) -> String {
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:x}");
        s
    })
}

/// Whether `given` (a `hash-file` header) names `digest`: in the SDK's lossy form, or as ordinary 64-character
/// hex. Case is ignored.
pub fn hash_file_matches(given: &str, digest: &[u8]) -> bool {
    let g = given.trim().to_ascii_lowercase();
    !g.is_empty() && (g == lossy_hex(digest) || g == hex::encode(digest))
}

/// The headers of a signed request, in the order the SDK sends them: `XroadVnpt-systemid`, one
/// `XroadVnpt-<key>` per parameter, `XroadVnpt-timestamp`, `Content-Type`, `XroadVnpt-Content-Type`,
/// `XroadVnpt-sign-header-key`, `XroadVnpt-sign-header`, `XroadVnpt-hash-header`, `User-Agent`,
/// `XroadVnpt-version`. `local_now` is the sender's local time (see [`VIETNAM`]).
pub fn sign_request(
    system_id: &str,
    secret: &str,
    params: &[(&str, &str)],
    content_type: &str,
    local_now: PrimitiveDateTime,
) -> Vec<(String, String)> {
    let timestamp = format_timestamp(local_now);
    let mut signed: Vec<(String, String)> = Vec::with_capacity(params.len() + 3);
    signed.push(("systemid".into(), system_id.into()));
    for (k, v) in params {
        signed.push(((*k).into(), (*v).into()));
    }
    signed.push(("timestamp".into(), timestamp));
    signed.push(("Content-Type".into(), content_type.into()));
    let key = signed
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let mut json = String::from("{");
    for (i, (k, v)) in signed.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&serde_json::Value::String(format!("{PREFIX}{k}")).to_string());
        json.push(':');
        json.push_str(&serde_json::Value::String(v.clone()).to_string());
    }
    json.push('}');
    let hash = hmac_hex(secret, &json);
    let mut out: Vec<(String, String)> = Vec::with_capacity(signed.len() + 7);
    for (k, v) in &signed {
        if k == "Content-Type" {
            out.push(("Content-Type".into(), v.clone()));
        }
        out.push((format!("{PREFIX}{k}"), v.clone()));
    }
    out.push((H_SIGN_HEADER_KEY.into(), key));
    out.push((H_SIGN_HEADER.into(), json));
    out.push((H_HASH_HEADER.into(), hash));
    out.push(("User-Agent".into(), USER_AGENT.into()));
    out.push((H_VERSION.into(), VERSION.into()));
    out
}

/// A header value as text: UTF-8 when it is, else each byte as a Latin-1 character.
pub fn header_text(v: &axum::http::HeaderValue) -> String {
    match std::str::from_utf8(v.as_bytes()) {
        Ok(s) => s.to_string(),
        Err(_) => v.as_bytes().iter().map(|&b| b as char).collect(),
    }
}

/// The one value of a header; `Err` when it is sent more than once.
fn single(headers: &HeaderMap, name: &str) -> Result<Option<String>, VerifyError> {
    let mut all = headers.get_all(name).iter();
    let first = all.next().map(header_text);
    if all.next().is_some() {
        return Err(VerifyError::Repeated(name.to_string()));
    }
    Ok(first)
}

/// The system a request says it comes from (`XroadVnpt-systemid`), before anything is verified.
pub fn claimed_system(headers: &HeaderMap) -> Result<String, VerifyError> {
    match single(headers, H_SYSTEMID)? {
        Some(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        _ => Err(VerifyError::Missing(H_SYSTEMID)),
    }
}

/// How fresh a request must be.
#[derive(Debug, Clone)]
pub struct Freshness {
    /// Largest difference allowed between the request's timestamp and now.
    pub window: time::Duration,
    /// The time zones the senders' local time may be in; the timestamp is fresh if it is within
    /// [`Self::window`] of now in any of them.
    pub offsets: Vec<UtcOffset>,
}

impl Default for Freshness {
    /// ±15 minutes, in Vietnam time (the official SDK's local time on the axis's users' machines) or UTC (a
    /// machine whose clock is set to UTC).
    fn default() -> Freshness {
        Freshness {
            window: time::Duration::minutes(15),
            offsets: vec![VIETNAM, UtcOffset::UTC],
        }
    }
}

impl Freshness {
    /// Whether `ts` (a sender's local time) is within the window of `now` in one of the accepted offsets.
    pub fn accepts(&self, ts: PrimitiveDateTime, now: OffsetDateTime) -> bool {
        self.offsets.iter().any(|off| {
            let local = now.to_offset(*off);
            let local = PrimitiveDateTime::new(local.date(), local.time());
            (ts - local).abs() <= self.window
        })
    }

    /// The last instant at which [`Self::accepts`] takes `ts`: its latest reading in the accepted offsets plus the
    /// window. For a Vietnam-time timestamp that is its UTC reading, 7 h after it was sent; a replay cache must
    /// remember a request until then.
    pub fn last_accepted(&self, ts: PrimitiveDateTime) -> OffsetDateTime {
        self.offsets
            .iter()
            .map(|off| ts.assume_offset(*off) + self.window)
            .max()
            .unwrap_or_else(|| ts.assume_utc())
    }
}

/// A request whose signature checked out: the system and its signed parameters.
#[derive(Debug, Clone)]
pub struct Verified {
    pub system_id: String,
    pub timestamp: PrimitiveDateTime,
    /// The signed parameters: names without the prefix, values as signed (equal to the headers sent).
    pub params: Vec<(String, String)>,
    /// The request's HMAC (`XroadVnpt-hash-header` decoded): what identifies it for the replay cache.
    pub mac: Vec<u8>,
}

impl Verified {
    /// A signed parameter by name (names are compared without regard to case, as HTTP header names are).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request's signature is refused. Each message is for the caller, in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("Thiếu tiêu đề {0}.")]
    Missing(&'static str),
    #[error("Tiêu đề {0} được gửi nhiều lần.")]
    Repeated(String),
    #[error(
        "Chữ ký yêu cầu (XroadVnpt-hash-header) không đúng: sai mã hệ thống hoặc khóa bí mật, hoặc tiêu đề đã bị thay đổi."
    )]
    BadSignature,
    #[error("XroadVnpt-sign-header không phải một đối tượng JSON mà mọi giá trị là chuỗi.")]
    MalformedSignHeader,
    #[error("Giá trị đã ký của {0} khác với tiêu đề thực sự được gửi.")]
    Mismatch(String),
    #[error("Tiêu đề {0} không nằm trong phần được ký (XroadVnpt-sign-header).")]
    Unsigned(String),
    #[error(
        "Khóa \"{0}\" trong XroadVnpt-sign-header thiếu tiền tố XroadVnpt-: chỉ nhận tham số được ký dưới dạng XroadVnpt-<tên>."
    )]
    Unprefixed(String),
    #[error(
        "Tham số {0} xuất hiện nhiều lần trong XroadVnpt-sign-header (kể cả khi chỉ khác chữ hoa, chữ thường)."
    )]
    DuplicateKey(String),
    #[error("Mã hệ thống đã ký \"{0}\" khác với tiêu đề XroadVnpt-systemid \"{1}\".")]
    IdentityMismatch(String, String),
    #[error(
        "Yêu cầu này đã được sử dụng (XroadVnpt-hash-header trùng với một yêu cầu trục đã nhận): mỗi yêu cầu phải được ký lại với thời điểm mới."
    )]
    Replayed,
    #[error("XroadVnpt-timestamp \"{0}\" không đúng dạng ddMMyyyy'T'HHmmss+SSSS.")]
    BadTimestamp(String),
    #[error(
        "XroadVnpt-timestamp \"{0}\" lệch quá {1} phút so với giờ của trục: kiểm tra đồng hồ của hệ thống gửi."
    )]
    Stale(String, i64),
}

impl VerifyError {
    /// A timestamp problem (rather than an authentication one).
    pub fn is_timestamp(&self) -> bool {
        matches!(
            self,
            VerifyError::BadTimestamp(_) | VerifyError::Stale(..) | VerifyError::Replayed
        )
    }
}

/// Verifies a request's headers with the secret of the system it claims to come from.
///
/// Checks, in order: the HMAC over the transmitted `XroadVnpt-sign-header` (constant time); that it is a JSON
/// object of strings whose keys all carry the `XroadVnpt-` prefix, each parameter once (names compared without
/// regard to case); that each signed header was sent with exactly the signed value; that `systemid` and
/// `timestamp` are signed; that the signed `systemid` is the claimed `XroadVnpt-systemid` (whose secret is
/// `secret`); that the timestamp parses and is fresh. Whether the request was seen before is the caller's
/// business ([`crate::replay::ReplayCache`]).
pub fn verify(
    headers: &HeaderMap,
    secret: &str,
    now: OffsetDateTime,
    freshness: &Freshness,
) -> Result<Verified, VerifyError> {
    let sign_header = single(headers, H_SIGN_HEADER)?.ok_or(VerifyError::Missing(H_SIGN_HEADER))?;
    let hash = single(headers, H_HASH_HEADER)?.ok_or(VerifyError::Missing(H_HASH_HEADER))?;
    if !hmac_verify(secret, &sign_header, &hash) {
        return Err(VerifyError::BadSignature);
    }
    let entries: SignedEntries =
        serde_json::from_str(&sign_header).map_err(|_| VerifyError::MalformedSignHeader)?;
    let mut params: Vec<(String, String)> = Vec::with_capacity(entries.0.len());
    for (k, v) in entries.0 {
        // Only prefixed keys (all the official SDK sends, standards.md §5.4): an unprefixed key would name a
        // header outside the protocol, e.g. a plain `systemid` other than `XroadVnpt-systemid`.
        let name = match k.get(..PREFIX.len()) {
            Some(p) if p.eq_ignore_ascii_case(PREFIX) => k[PREFIX.len()..].to_string(),
            _ => return Err(VerifyError::Unprefixed(k)),
        };
        // One value per parameter: names are matched without regard to case, so two keys differing by case
        // only (or written twice) would make the parameter ambiguous.
        if name.is_empty() || params.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            return Err(VerifyError::DuplicateKey(k));
        }
        let value = match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => return Err(VerifyError::MalformedSignHeader),
        };
        let sent = match axum::http::HeaderName::from_bytes(k.as_bytes()) {
            Ok(name) => single(headers, name.as_str())?,
            Err(_) => None,
        };
        if sent.as_deref() != Some(value.as_str()) {
            return Err(VerifyError::Mismatch(k));
        }
        params.push((name, value));
    }
    let signed = |n: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    let system_id = signed("systemid").ok_or_else(|| VerifyError::Unsigned(H_SYSTEMID.into()))?;
    let system_id = system_id.trim().to_string();
    // The identity is the one whose secret checked the HMAC: the claimed `XroadVnpt-systemid`.
    let claimed = claimed_system(headers)?;
    if system_id != claimed {
        return Err(VerifyError::IdentityMismatch(system_id, claimed));
    }
    let ts_text = signed("timestamp").ok_or_else(|| VerifyError::Unsigned(H_TIMESTAMP.into()))?;
    let timestamp =
        parse_timestamp(&ts_text).ok_or_else(|| VerifyError::BadTimestamp(ts_text.clone()))?;
    if !freshness.accepts(timestamp, now) {
        return Err(VerifyError::Stale(
            ts_text,
            freshness.window.whole_minutes(),
        ));
    }
    Ok(Verified {
        system_id,
        timestamp,
        params,
        mac: hex::decode(hash.trim()).unwrap_or_default(),
    })
}

/// The entries of a sign-header in the order written, duplicates kept (a map would silently keep one).
struct SignedEntries(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for SignedEntries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SignedEntries, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = SignedEntries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<SignedEntries, A::Error> {
                let mut v = Vec::new();
                while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                    v.push(entry);
                }
                Ok(SignedEntries(v))
            }
        }
        d.deserialize_map(V)
    }
}

/// Whether a header was sent under the protocol prefix (whatever the case of the name).
pub fn has_prefixed(headers: &HeaderMap, name: &str) -> bool {
    headers.contains_key(format!("{PREFIX}{name}").as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderName, HeaderValue};
    use time::macros::datetime;

    /// A request built by hand literally as standards.md §5.4 describes what the official SDK sends for
    /// `getReceivedEdocList`: prefixed headers, the sign-header in Java HashMap order, the timestamp with
    /// milliseconds after `+`.
    fn captured(secret: &str, ts: &str) -> HeaderMap {
        let sign_header = format!(
            "{{\"XroadVnpt-systemid\":\"000.00.00.H41\",\"XroadVnpt-servicetype\":\"eDoc\",\"XroadVnpt-messagetype\":\"edoc\",\"XroadVnpt-timestamp\":\"{ts}\",\"XroadVnpt-Content-Type\":\"application/json\"}}"
        );
        let mut h = HeaderMap::new();
        let mut put = |k: &str, v: &str| {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        };
        put("XroadVnpt-systemid", "000.00.00.H41");
        put("XroadVnpt-servicetype", "eDoc");
        put("XroadVnpt-messagetype", "edoc");
        put("XroadVnpt-timestamp", ts);
        put("Content-Type", "application/json");
        put("XroadVnpt-Content-Type", "application/json");
        put(
            "XroadVnpt-sign-header-key",
            "systemid;servicetype;messagetype;timestamp;Content-Type",
        );
        put("XroadVnpt-sign-header", &sign_header);
        put("XroadVnpt-hash-header", &hmac_hex(secret, &sign_header));
        put("User-Agent", "JAVASDKAgent/1.0.0 XRoad/VPCP");
        put("XroadVnpt-version", "3.0.201608");
        h
    }

    #[test]
    fn timestamp_is_the_java_pattern_with_milliseconds() {
        let t = datetime!(2026-11-22 14:50:57.616);
        assert_eq!(format_timestamp(t), "22112026T145057+0616");
        assert_eq!(parse_timestamp("22112026T145057+0616"), Some(t));
        assert_eq!(
            parse_timestamp("01022026T000000+0000"),
            Some(datetime!(2026-02-01 0:00))
        );
        assert_eq!(
            parse_timestamp("22112026T145057+7"),
            Some(datetime!(2026-11-22 14:50:57.007))
        );
        // Over 999 (not milliseconds): the time is kept, that part ignored.
        assert_eq!(
            parse_timestamp("22112026T145057+1200"),
            Some(datetime!(2026-11-22 14:50:57))
        );
        for bad in [
            "",
            "2026-11-22T14:50:57",
            "32112026T145057+0616",
            "22132026T145057+0616",
            "22112026T245057+0616",
            "22112026X145057+0616",
            "22112026T145057-0616",
            "22112026T145057+06166",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn hmac_is_rfc4231_compatible() {
        // RFC 4231 test case 2.
        assert_eq!(
            hmac_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(hmac_verify(
            "Jefe",
            "what do ya want for nothing?",
            "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843"
        ));
        assert!(!hmac_verify(
            "Jefe",
            "what do ya want for nothing!",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ));
        assert!(!hmac_verify("Jefe", "x", "not hex"));
    }

    #[test]
    fn lossy_hash_file_drops_leading_zeros_per_byte() {
        let d = [0x0a, 0x00, 0xff, 0x10];
        assert_eq!(lossy_hex(&d), "a0ff10");
        let digest: Vec<u8> = (0u8..32).collect();
        let lossy = lossy_hex(&digest);
        assert_eq!(lossy.len(), 16 + 2 * 16);
        assert!(hash_file_matches(&lossy, &digest));
        assert!(hash_file_matches(&hex::encode(&digest), &digest));
        assert!(hash_file_matches(
            &hex::encode(&digest).to_uppercase(),
            &digest
        ));
        assert!(!hash_file_matches("", &digest));
        let mut other = digest.clone();
        other[31] ^= 1;
        assert!(!hash_file_matches(&lossy, &other));
    }

    #[test]
    fn a_captured_style_request_verifies() {
        let now = datetime!(2026-11-22 7:50:00 UTC);
        // Local Vietnam time, as the SDK on a Vietnamese machine sends it.
        let h = captured("bí-mật-0123456789", "22112026T145057+0616");
        let v = verify(&h, "bí-mật-0123456789", now, &Freshness::default()).unwrap();
        assert_eq!(v.system_id, "000.00.00.H41");
        assert_eq!(v.param("messagetype"), Some("edoc"));
        assert_eq!(v.param("MessageType"), Some("edoc"));
        assert_eq!(v.param("servicetype"), Some("eDoc"));
        assert_eq!(v.param("Content-Type"), Some("application/json"));
        assert_eq!(v.param("docId"), None);
        // The same request from a machine whose clock is on UTC.
        let h = captured("bí-mật-0123456789", "22112026T075057+0616");
        assert!(verify(&h, "bí-mật-0123456789", now, &Freshness::default()).is_ok());
    }

    #[test]
    fn refusals() {
        let now = datetime!(2026-11-22 7:50:00 UTC);
        let f = Freshness::default();
        let good = captured("secret-secret-16", "22112026T145057+0616");
        assert_eq!(
            verify(&good, "wrong-secret-000", now, &f).unwrap_err(),
            VerifyError::BadSignature
        );

        // A signed value changed on the wire.
        let mut h = good.clone();
        h.insert("XroadVnpt-messagetype", HeaderValue::from_static("status"));
        assert_eq!(
            verify(&h, "secret-secret-16", now, &f).unwrap_err(),
            VerifyError::Mismatch("XroadVnpt-messagetype".into())
        );
        // A signed header left out.
        let mut h = good.clone();
        h.remove("XroadVnpt-servicetype");
        assert!(matches!(
            verify(&h, "secret-secret-16", now, &f),
            Err(VerifyError::Mismatch(_))
        ));
        // The sign-header itself changed (a parameter added to it): the HMAC no longer matches.
        let mut h = good.clone();
        let tampered = h[H_SIGN_HEADER]
            .to_str()
            .unwrap()
            .replace('}', ",\"XroadVnpt-docId\":\"x\"}");
        h.insert(H_SIGN_HEADER, HeaderValue::from_str(&tampered).unwrap());
        assert_eq!(
            verify(&h, "secret-secret-16", now, &f).unwrap_err(),
            VerifyError::BadSignature
        );
        // Stale: 20 minutes old in both Vietnam time and UTC.
        let old = captured("secret-secret-16", "22112026T143000+0000");
        assert!(matches!(
            verify(&old, "secret-secret-16", now, &f),
            Err(VerifyError::Stale(..))
        ));
        let bad = captured("secret-secret-16", "2026-11-22 14:50");
        assert!(matches!(
            verify(&bad, "secret-secret-16", now, &f),
            Err(VerifyError::BadTimestamp(_))
        ));
        // No signature at all.
        let mut h = good.clone();
        h.remove(H_HASH_HEADER);
        assert_eq!(
            verify(&h, "secret-secret-16", now, &f).unwrap_err(),
            VerifyError::Missing(H_HASH_HEADER)
        );
        // A signed header sent twice.
        let mut h = good.clone();
        h.append("XroadVnpt-messagetype", HeaderValue::from_static("edoc"));
        assert!(matches!(
            verify(&h, "secret-secret-16", now, &f),
            Err(VerifyError::Repeated(_))
        ));
    }

    /// Headers with `XroadVnpt-systemid: claimed` and a sign-header over `signed` (keys as written there), each
    /// signed pair also sent as a header of that name.
    fn forge(claimed: &str, secret: &str, signed: &[(&str, &str)]) -> HeaderMap {
        let json = format!(
            "{{{}}}",
            signed
                .iter()
                .map(|(k, v)| format!(
                    "{}:{}",
                    serde_json::Value::String(k.to_string()),
                    serde_json::Value::String(v.to_string())
                ))
                .collect::<Vec<_>>()
                .join(",")
        );
        let mut h = HeaderMap::new();
        h.insert(H_SYSTEMID, HeaderValue::from_str(claimed).unwrap());
        for (k, v) in signed {
            let name = HeaderName::from_bytes(k.as_bytes()).unwrap();
            if !h.contains_key(&name) {
                h.insert(name, HeaderValue::from_str(v).unwrap());
            }
        }
        h.insert(H_SIGN_HEADER, HeaderValue::from_str(&json).unwrap());
        h.insert(
            H_HASH_HEADER,
            HeaderValue::from_str(&hmac_hex(secret, &json)).unwrap(),
        );
        h
    }

    #[test]
    fn the_signed_identity_is_the_claimed_one() {
        let now = datetime!(2026-11-22 7:50:00 UTC);
        let f = Freshness::default();
        let ts = "22112026T145057+0616";
        // The attack: A's secret selected by the claimed header, an unprefixed signed `systemid` naming B.
        let h = forge(
            "A.system",
            "secret-of-A-0001",
            &[("systemid", "B.system"), ("XroadVnpt-timestamp", ts)],
        );
        assert_eq!(
            verify(&h, "secret-of-A-0001", now, &f).unwrap_err(),
            VerifyError::Unprefixed("systemid".into())
        );
        // Any other unprefixed key too.
        let h = forge(
            "A.system",
            "secret-of-A-0001",
            &[
                ("XroadVnpt-systemid", "A.system"),
                ("messagetype", "edoc"),
                ("XroadVnpt-timestamp", ts),
            ],
        );
        assert_eq!(
            verify(&h, "secret-of-A-0001", now, &f).unwrap_err(),
            VerifyError::Unprefixed("messagetype".into())
        );
        // The same parameter twice, differing by case (of the name or of the prefix), or written identically.
        for dup in ["xroadvnpt-SystemId", "XROADVNPT-systemid"] {
            let h = forge(
                "A.system",
                "secret-of-A-0001",
                &[
                    ("XroadVnpt-systemid", "A.system"),
                    (dup, "A.system"),
                    ("XroadVnpt-timestamp", ts),
                ],
            );
            assert!(
                matches!(
                    verify(&h, "secret-of-A-0001", now, &f),
                    Err(VerifyError::DuplicateKey(_))
                ),
                "{dup}"
            );
        }
        let json = format!(
            "{{\"XroadVnpt-systemid\":\"A.system\",\"XroadVnpt-systemid\":\"A.system\",\"XroadVnpt-timestamp\":\"{ts}\"}}"
        );
        let mut h = forge(
            "A.system",
            "secret-of-A-0001",
            &[
                ("XroadVnpt-systemid", "A.system"),
                ("XroadVnpt-timestamp", ts),
            ],
        );
        h.insert(H_SIGN_HEADER, HeaderValue::from_str(&json).unwrap());
        h.insert(
            H_HASH_HEADER,
            HeaderValue::from_str(&hmac_hex("secret-of-A-0001", &json)).unwrap(),
        );
        assert!(matches!(
            verify(&h, "secret-of-A-0001", now, &f),
            Err(VerifyError::DuplicateKey(_))
        ));
        // `systemid` not signed at all.
        let h = forge(
            "A.system",
            "secret-of-A-0001",
            &[("XroadVnpt-timestamp", ts)],
        );
        assert_eq!(
            verify(&h, "secret-of-A-0001", now, &f).unwrap_err(),
            VerifyError::Unsigned(H_SYSTEMID.into())
        );
        // Signed, well formed, and the claimed identity: accepted, the MAC kept for the replay cache.
        let h = forge(
            "A.system",
            "secret-of-A-0001",
            &[
                ("XroadVnpt-systemid", "A.system"),
                ("XroadVnpt-timestamp", ts),
            ],
        );
        let v = verify(&h, "secret-of-A-0001", now, &f).unwrap();
        assert_eq!(v.system_id, "A.system");
        assert_eq!(v.mac.len(), 32);
    }

    #[test]
    fn sign_request_round_trips_through_verify() {
        let local = datetime!(2026-11-22 14:50:57.006);
        let headers = sign_request(
            "vxp.saas.02",
            "0123456789abcdef",
            &[("docId", "d-1"), ("filePath", "/tmp/Văn bản")],
            "application/json",
            local,
        );
        let names: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "XroadVnpt-systemid",
                "XroadVnpt-docId",
                "XroadVnpt-filePath",
                "XroadVnpt-timestamp",
                "Content-Type",
                "XroadVnpt-Content-Type",
                "XroadVnpt-sign-header-key",
                "XroadVnpt-sign-header",
                "XroadVnpt-hash-header",
                "User-Agent",
                "XroadVnpt-version"
            ]
        );
        let get = |n: &str| headers.iter().find(|(k, _)| k == n).unwrap().1.clone();
        assert_eq!(
            get("XroadVnpt-sign-header-key"),
            "systemid;docId;filePath;timestamp;Content-Type"
        );
        assert_eq!(get("XroadVnpt-timestamp"), "22112026T145057+0006");
        assert_eq!(
            get("XroadVnpt-sign-header"),
            "{\"XroadVnpt-systemid\":\"vxp.saas.02\",\"XroadVnpt-docId\":\"d-1\",\"XroadVnpt-filePath\":\"/tmp/Văn bản\",\"XroadVnpt-timestamp\":\"22112026T145057+0006\",\"XroadVnpt-Content-Type\":\"application/json\"}"
        );
        let mut map = HeaderMap::new();
        for (k, v) in &headers {
            map.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_bytes(v.as_bytes()).unwrap(),
            );
        }
        let v = verify(
            &map,
            "0123456789abcdef",
            datetime!(2026-11-22 7:51 UTC),
            &Freshness::default(),
        )
        .unwrap();
        assert_eq!(v.param("filePath"), Some("/tmp/Văn bản"));
        assert_eq!(v.param("docid"), Some("d-1"));
    }
}
