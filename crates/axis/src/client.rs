//! The client of an axis, as an installation's exchange worker uses it. It sends exactly what the official SDK
//! (SDKVXP 2.0.1) sends (standards.md §5.4): `POST {endpoint}/{operation}`, the parameters in prefixed signed
//! headers only, the local time in Vietnam as timestamp, `sendEdoc`'s body followed by `\r\n` and its
//! `hash-file` in the SDK's lossy hex.

use crate::protocol;
use reqwest::header::{HeaderName, HeaderValue};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// The kind of package (`messagetype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// `edoc`: a document package.
    Edoc,
    /// `status`: a status packet.
    Status,
}

impl MessageType {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Edoc => "edoc",
            MessageType::Status => "status",
        }
    }
}

impl std::fmt::Display for MessageType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for MessageType {
    type Err = String;
    fn from_str(s: &str) -> Result<MessageType, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "edoc" => Ok(MessageType::Edoc),
            "status" => Ok(MessageType::Status),
            _ => Err(format!(
                "loại gói tin \"{s}\" không hợp lệ: dùng edoc hoặc status"
            )),
        }
    }
}

/// A package waiting for the caller (`getReceivedEdocList`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ReceivedItem {
    #[serde(rename = "docId")]
    pub doc_id: String,
    /// The sender agency (`From/OrganId`).
    pub from: String,
    /// The addressed codes the caller hosts, separated by `,`.
    pub to: String,
    #[serde(rename = "messageType")]
    pub message_type: String,
    pub created_time: String,
    pub updated_time: String,
    /// `pending` (never fetched) or `fetched` (fetched, not acknowledged).
    pub status: String,
    pub status_desc: String,
}

/// The delivery of a sent package to one recipient agency (`getSentEdocList`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SentItem {
    pub service_type: String,
    pub sender_doc_id: String,
    pub receiver_doc_id: String,
    pub from_code: String,
    pub to_code: String,
    /// Trích yếu.
    pub title: String,
    /// Số/ký hiệu.
    pub notation: String,
    pub message_type: String,
    pub sent_time: String,
    /// When the recipient system first fetched it (empty before).
    pub received_time: String,
    pub send_status: String,
    pub send_status_desc: String,
    /// `pending`, `fetched`, `done`, `fail`, or what the recipient reported (`inbox`, `acceptance`,
    /// `rejection`, `processing`).
    pub receive_status: String,
    pub receive_status_desc: String,
}

/// An agency reachable on the axis (`getAgenciesList`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct AgencyItem {
    #[serde(deserialize_with = "text")]
    pub id: String,
    pub code: String,
    pub name: String,
    pub pcode: Option<String>,
    pub mail: Option<String>,
    pub mobile: Option<String>,
    pub fax: Option<String>,
    /// The system hosting it.
    pub system: Option<String>,
}

/// An agency a system registers for itself (`registerAgency`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgencyRegistration {
    pub code: String,
    pub name: String,
    pub pcode: Option<String>,
    pub mail: Option<String>,
    pub mobile: Option<String>,
    pub fax: Option<String>,
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Connection refused, timeout, HTTP 5xx, 408, 413 or 429 without a protocol answer (a proxy): retry later.
    #[error("không kết nối được trục liên thông: {0}")]
    Transport(String),
    /// The axis answered `FAIL` with this `ErrorCode`/`ErrorDesc`.
    #[error("trục liên thông từ chối (mã {code}): {desc}")]
    Refused { code: String, desc: String },
    /// An answer that is not the protocol.
    #[error("trục liên thông trả lời không đúng giao thức: {0}")]
    Protocol(String),
}

/// The `ErrorCode`s after which the same call may succeed later (the caller backs off and retries):
/// `15` (a secret rotated on the axis before the installation's configuration), `16` (clocks drifting apart, or
/// a request refused as already used), `17` (the system briefly disabled), `20` (the axis's own system error),
/// `21` (an upload cut off on the way). The others (`10`, `18`, `19`, `22`–`28`) refuse the request itself:
/// sending it again gives the same answer.
pub const RETRYABLE_CODES: [&str; 5] = ["15", "16", "17", "20", "21"];

impl ClientError {
    /// Whether the same call may succeed later: transport failures (connection, timeout, an answer that is not
    /// JSON with HTTP 408, 413, 429 or 5xx — a proxy in front of the axis), unexpected answers, and the
    /// temporary refusals of [`RETRYABLE_CODES`]. A JSON refusal of the axis with another code (e.g. `24`, the
    /// package too large) is final.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Transport(_) | ClientError::Protocol(_) => true,
            ClientError::Refused { code, .. } => RETRYABLE_CODES.contains(&code.trim()),
        }
    }

    /// The `ErrorCode` of a refusal.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// A number or a string, as text.
fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        v => v.to_string(),
    })
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    status: String,
    #[serde(rename = "ErrorCode", default, deserialize_with = "text")]
    error_code: String,
    #[serde(rename = "ErrorDesc", default, deserialize_with = "text")]
    error_desc: String,
}

#[derive(Deserialize)]
struct DocIdAnswer {
    #[serde(rename = "DocId", default, deserialize_with = "text")]
    doc_id: String,
}

#[derive(Deserialize)]
struct ListAnswer<T> {
    #[serde(default = "Vec::new")]
    data: Vec<T>,
}

#[derive(Deserialize)]
struct CountAnswer {
    #[serde(default)]
    count: Value,
}

/// `getEdoc`'s answer, read in one pass (the base64 is the bulk of it).
#[derive(Deserialize)]
struct EdocAnswer {
    #[serde(default)]
    status: String,
    #[serde(rename = "ErrorCode", default, deserialize_with = "text")]
    error_code: String,
    #[serde(rename = "ErrorDesc", default, deserialize_with = "text")]
    error_desc: String,
    #[serde(default)]
    data: Option<String>,
}

/// Default largest answer a client reads: 128 MiB (a 64 MiB package, the axis's default limit, is about 86 MiB
/// of base64 in `getEdoc`'s JSON).
pub const DEFAULT_MAX_ANSWER_BYTES: u64 = 128 * 1024 * 1024;

/// A connection to an axis for one system.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    endpoint: String,
    system_id: String,
    secret: String,
    max_answer: u64,
}

/// The last timestamp (Unix milliseconds) this process signed with: each request gets a later one, so that no two
/// requests carry the same signature (the axis refuses a signature seen before as a replay).
static LAST_SIGNED_MS: AtomicI64 = AtomicI64::new(0);

/// Now in Vietnam time, at least one millisecond after the previous request of this process.
fn unique_local_now() -> time::PrimitiveDateTime {
    let now_ms = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    let mut last = LAST_SIGNED_MS.load(Ordering::Relaxed);
    let ms = loop {
        let next = now_ms.max(last + 1);
        match LAST_SIGNED_MS.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed)
        {
            Ok(_) => break next,
            Err(seen) => last = seen,
        }
    };
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .to_offset(protocol::VIETNAM);
    time::PrimitiveDateTime::new(t.date(), t.time())
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint)
            .field("system_id", &self.system_id)
            .finish_non_exhaustive()
    }
}

const JSON: &str = "application/json";

impl Client {
    /// A client for `endpoint` (`http://host:port`, a path prefix allowed) acting as `system_id`. Timeouts:
    /// connect 5 s, whole request 60 s.
    pub fn new(endpoint: &str, system_id: &str, secret: &str) -> Result<Client, ClientError> {
        Client::with_timeout(endpoint, system_id, secret, Duration::from_secs(60))
    }

    /// [`Client::new`] with another whole-request timeout (large packages on slow links).
    pub fn with_timeout(
        endpoint: &str,
        system_id: &str,
        secret: &str,
        timeout: Duration,
    ) -> Result<Client, ClientError> {
        let endpoint = endpoint.trim().trim_end_matches('/').to_string();
        if !endpoint.starts_with("http://") {
            return Err(ClientError::Protocol(format!(
                "địa chỉ trục \"{endpoint}\" không hợp lệ: cần dạng http://máy:cổng (HTTPS đặt ở bộ chuyển tiếp phía trước)"
            )));
        }
        if system_id.trim().is_empty() || secret.is_empty() {
            return Err(ClientError::Protocol(
                "thiếu mã hệ thống hoặc khóa bí mật".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(timeout)
            .build()
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        Ok(Client {
            http,
            endpoint,
            system_id: system_id.trim().to_string(),
            secret: secret.to_string(),
            max_answer: DEFAULT_MAX_ANSWER_BYTES,
        })
    }

    /// The largest answer body read (default [`DEFAULT_MAX_ANSWER_BYTES`]); a larger one is abandoned with
    /// [`ClientError::Protocol`]. For `getEdoc` it bounds the base64 JSON, for `downloadEdoc` the file.
    pub fn with_max_answer_bytes(mut self, max: u64) -> Client {
        self.max_answer = max.max(1);
        self
    }

    pub fn max_answer_bytes(&self) -> u64 {
        self.max_answer
    }

    pub fn system_id(&self) -> &str {
        &self.system_id
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Sends a signed request and returns the HTTP status and body.
    async fn raw(
        &self,
        op: &str,
        params: &[(&str, &str)],
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<(reqwest::StatusCode, bytes_of::Bytes), ClientError> {
        let local = unique_local_now();
        let headers =
            protocol::sign_request(&self.system_id, &self.secret, params, content_type, local);
        let mut req = self.http.post(format!("{}/{op}", self.endpoint));
        for (k, v) in &headers {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|e| ClientError::Protocol(format!("tên tiêu đề {k}: {e}")))?;
            let value = HeaderValue::from_bytes(v.as_bytes())
                .map_err(|e| ClientError::Protocol(format!("giá trị tiêu đề {k}: {e}")))?;
            req = req.header(name, value);
        }
        let resp = req
            .body(body)
            .send()
            .await
            .map_err(|e| ClientError::Transport(describe(&e)))?;
        let status = resp.status();
        let too_large = |n: u64| {
            ClientError::Protocol(format!(
                "câu trả lời của {op} dài hơn {} byte, giới hạn mà máy khách đọc ({n} byte trở lên)",
                self.max_answer
            ))
        };
        if let Some(len) = resp.content_length()
            && len > self.max_answer
        {
            return Err(too_large(len));
        }
        let mut resp = resp;
        let mut body: Vec<u8> = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| ClientError::Transport(describe(&e)))?
        {
            if (body.len() + chunk.len()) as u64 > self.max_answer {
                return Err(too_large((body.len() + chunk.len()) as u64));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, bytes_of::Bytes::from(body)))
    }

    /// Calls an operation and returns the body of an `OK` answer.
    async fn call(
        &self,
        op: &str,
        params: &[(&str, &str)],
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<bytes_of::Bytes, ClientError> {
        let (status, bytes) = self.raw(op, params, content_type, body).await?;
        match serde_json::from_slice::<Envelope>(&bytes) {
            Ok(e) => check(status, &e.status, e.error_code, e.error_desc).map(|_| bytes),
            Err(_) => Err(not_protocol(status, &bytes)),
        }
    }

    /// `sendEdoc`: sends a package; returns its `DocId` (the same one for an identical resend within 24 h).
    pub async fn send_edoc(
        &self,
        kind: MessageType,
        package: &[u8],
    ) -> Result<String, ClientError> {
        let hash = protocol::lossy_hex(&Sha256::digest(package));
        let mut body = Vec::with_capacity(package.len() + 2);
        body.extend_from_slice(package);
        body.extend_from_slice(b"\r\n");
        let bytes = self
            .call(
                "sendEdoc",
                &[
                    ("from", &self.system_id),
                    ("servicetype", protocol::SERVICE_TYPE),
                    ("messagetype", kind.as_str()),
                    ("hash-file", &hash),
                ],
                "application/octet-stream",
                body,
            )
            .await?;
        let a: DocIdAnswer = parse(&bytes)?;
        if a.doc_id.is_empty() {
            return Err(ClientError::Protocol(
                "câu trả lời của sendEdoc thiếu DocId".into(),
            ));
        }
        Ok(a.doc_id)
    }

    /// `getReceivedEdocList`: the packages of one kind waiting for this system, oldest first (up to 1000).
    pub async fn received_list(&self, kind: MessageType) -> Result<Vec<ReceivedItem>, ClientError> {
        self.received_page(kind, 1000, 1).await
    }

    /// `getReceivedEdocList` with `pageSize` and `pageIndex` (from 1).
    pub async fn received_page(
        &self,
        kind: MessageType,
        page_size: u32,
        page_index: u32,
    ) -> Result<Vec<ReceivedItem>, ClientError> {
        let (size, index) = (page_size.to_string(), page_index.to_string());
        let bytes = self
            .call(
                "getReceivedEdocList",
                &[
                    ("servicetype", protocol::SERVICE_TYPE),
                    ("messagetype", kind.as_str()),
                    ("pageSize", &size),
                    ("pageIndex", &index),
                ],
                JSON,
                Vec::new(),
            )
            .await?;
        Ok(parse::<ListAnswer<ReceivedItem>>(&bytes)?.data)
    }

    /// `getEdoc`: the package's bytes, exactly as sent.
    pub async fn get_edoc(&self, doc_id: &str) -> Result<Vec<u8>, ClientError> {
        let (status, bytes) = self
            .raw("getEdoc", &[("docId", doc_id)], JSON, b"{}".to_vec())
            .await?;
        let a: EdocAnswer =
            serde_json::from_slice(&bytes).map_err(|_| not_protocol(status, &bytes))?;
        check(status, &a.status, a.error_code, a.error_desc)?;
        let data = a
            .data
            .ok_or_else(|| ClientError::Protocol("câu trả lời của getEdoc thiếu data".into()))?;
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(data.as_bytes())
            .map_err(|e| ClientError::Protocol(format!("data của getEdoc không phải base64: {e}")))
    }

    /// `downloadEdoc`: the package's bytes as a file stream (no base64).
    pub async fn download_edoc(&self, doc_id: &str) -> Result<Vec<u8>, ClientError> {
        let (status, bytes) = self
            .raw("downloadEdoc", &[("docId", doc_id)], JSON, b"{}".to_vec())
            .await?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        match serde_json::from_slice::<Envelope>(&bytes) {
            Ok(e) => check(status, &e.status, e.error_code, e.error_desc).map(|_| bytes.to_vec()),
            Err(_) => Err(not_protocol(status, &bytes)),
        }
    }

    /// `updateStatus`: `done` (saved) or `fail` end the delivery; `inbox`, `acceptance`, `rejection`,
    /// `processing` are recorded as information.
    pub async fn update_status(&self, doc_id: &str, status: &str) -> Result<(), ClientError> {
        self.call(
            "updateStatus",
            &[("docId", doc_id), ("status", status)],
            JSON,
            b"{}".to_vec(),
        )
        .await?;
        Ok(())
    }

    /// `getSentEdocList`: per-recipient tracking of this system's packages of one kind (one package with
    /// `doc_id`), newest first.
    pub async fn sent_list(
        &self,
        kind: MessageType,
        doc_id: Option<&str>,
    ) -> Result<Vec<SentItem>, ClientError> {
        let mut params = vec![
            ("servicetype", protocol::SERVICE_TYPE),
            ("messagetype", kind.as_str()),
        ];
        if let Some(d) = doc_id {
            params.push(("docId", d));
        }
        let bytes = self
            .call("getSentEdocList", &params, JSON, Vec::new())
            .await?;
        Ok(parse::<ListAnswer<SentItem>>(&bytes)?.data)
    }

    /// `countReceiveEdoc` / `countReceiveStatus`: how many packages of one kind wait for this system.
    pub async fn count_received(&self, kind: MessageType) -> Result<u64, ClientError> {
        let op = match kind {
            MessageType::Edoc => "countReceiveEdoc",
            MessageType::Status => "countReceiveStatus",
        };
        let bytes = self
            .call(
                op,
                &[
                    ("servicetype", protocol::SERVICE_TYPE),
                    ("messagetype", kind.as_str()),
                ],
                JSON,
                Vec::new(),
            )
            .await?;
        let a: CountAnswer = parse(&bytes)?;
        match &a.count {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| ClientError::Protocol(format!("count không phải số: {}", a.count)))
    }

    /// `getAgenciesList`: the agencies that can receive.
    pub async fn agencies(&self) -> Result<Vec<AgencyItem>, ClientError> {
        let bytes = self
            .call("getAgenciesList", &[], JSON, b"{}".to_vec())
            .await?;
        Ok(parse::<ListAnswer<AgencyItem>>(&bytes)?.data)
    }

    /// `registerAgency`: registers (or updates) an agency hosted by this system. The fields travel as signed
    /// headers (`code`, `name`, `pcode`, `mail`, `mobile`, `fax`), control characters replaced by spaces.
    pub async fn register_agency(&self, a: &AgencyRegistration) -> Result<(), ClientError> {
        let clean = |s: &str| {
            s.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect::<String>()
        };
        let fields: Vec<(&str, String)> = [
            ("code", Some(a.code.as_str())),
            ("name", Some(a.name.as_str())),
            ("pcode", a.pcode.as_deref()),
            ("mail", a.mail.as_deref()),
            ("mobile", a.mobile.as_deref()),
            ("fax", a.fax.as_deref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, clean(v))))
        .collect();
        let params: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.call("registerAgency", &params, JSON, b"{}".to_vec())
            .await?;
        Ok(())
    }

    /// `deleteAgency`: removes an agency this system registered (not its main code).
    pub async fn delete_agency(&self, code: &str) -> Result<(), ClientError> {
        self.call(
            "deleteAgency",
            &[("AgencyCode", code)],
            JSON,
            b"{}".to_vec(),
        )
        .await?;
        Ok(())
    }
}

/// reqwest's bytes type, named without a direct dependency on `bytes`.
mod bytes_of {
    pub type Bytes = axum::body::Bytes;
}

fn describe(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

fn check(
    status: reqwest::StatusCode,
    ok: &str,
    code: String,
    desc: String,
) -> Result<(), ClientError> {
    if ok.eq_ignore_ascii_case("OK") && (code.is_empty() || code == "0") {
        return Ok(());
    }
    if ok.eq_ignore_ascii_case("FAIL") || !code.is_empty() {
        return Err(ClientError::Refused { code, desc });
    }
    Err(not_protocol(status, b""))
}

fn not_protocol(status: reqwest::StatusCode, body: &[u8]) -> ClientError {
    let shown: String = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
    // Not the axis's answer: a proxy or load balancer in front of it (overloaded, restarting, a body limit of
    // its own), worth trying again later.
    if status.is_server_error()
        || matches!(
            status,
            reqwest::StatusCode::REQUEST_TIMEOUT
                | reqwest::StatusCode::PAYLOAD_TOO_LARGE
                | reqwest::StatusCode::TOO_MANY_REQUESTS
        )
    {
        ClientError::Transport(format!("HTTP {status}: {shown}"))
    } else {
        ClientError::Protocol(format!("HTTP {status}: {shown}"))
    }
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ClientError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ClientError::Protocol(format!("JSON không đọc được: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: &str) -> ClientError {
        ClientError::Refused {
            code: code.into(),
            desc: String::new(),
        }
    }

    #[test]
    fn temporary_refusals_are_retryable() {
        for code in ["15", "16", "17", "20", "21", " 20 "] {
            assert!(refused(code).is_retryable(), "{code}");
        }
        for code in [
            "10", "18", "19", "22", "23", "24", "25", "26", "27", "28", "",
        ] {
            assert!(!refused(code).is_retryable(), "{code}");
        }
        assert!(ClientError::Transport("x".into()).is_retryable());
        assert!(ClientError::Protocol("x".into()).is_retryable());
    }

    #[test]
    fn a_proxy_error_page_is_a_transport_failure() {
        use reqwest::StatusCode as S;
        for s in [
            S::BAD_GATEWAY,
            S::SERVICE_UNAVAILABLE,
            S::GATEWAY_TIMEOUT,
            S::INTERNAL_SERVER_ERROR,
            S::PAYLOAD_TOO_LARGE,
            S::TOO_MANY_REQUESTS,
            S::REQUEST_TIMEOUT,
        ] {
            let e = not_protocol(s, b"<html>nginx</html>");
            assert!(matches!(e, ClientError::Transport(_)), "{s}: {e:?}");
            assert!(e.is_retryable());
        }
        // A JSON answer of a proxy without the protocol's fields is no refusal either.
        let e = check(S::BAD_GATEWAY, "", String::new(), String::new()).unwrap_err();
        assert!(matches!(e, ClientError::Transport(_)), "{e:?}");
        // The axis's own JSON refusal with HTTP 413 (code 24) is final.
        let e = check(S::PAYLOAD_TOO_LARGE, "FAIL", "24".into(), "quá lớn".into()).unwrap_err();
        assert_eq!(e.code(), Some("24"));
        assert!(!e.is_retryable());
    }

    #[test]
    fn every_request_gets_a_later_timestamp() {
        let mut prev = unique_local_now();
        for _ in 0..1000 {
            let t = unique_local_now();
            assert!(t > prev, "{t} after {prev}");
            prev = t;
        }
    }
}
