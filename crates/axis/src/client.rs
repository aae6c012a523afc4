//! The client of an axis, as an installation's exchange worker uses it. It sends exactly what the official SDK
//! (SDKVXP 2.0.1) sends (standards.md §5.4): `POST {endpoint}/{operation}`, the parameters in prefixed signed
//! headers only, the local time in Vietnam as timestamp, `sendEdoc`'s body followed by `\r\n` and its
//! `hash-file` in the SDK's lossy hex.

use crate::protocol;
use reqwest::header::{HeaderName, HeaderValue};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
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
    /// Connection refused, timeout, HTTP 5xx without a protocol answer: retry later.
    #[error("không kết nối được trục liên thông: {0}")]
    Transport(String),
    /// The axis answered `FAIL` with this `ErrorCode`/`ErrorDesc`.
    #[error("trục liên thông từ chối (mã {code}): {desc}")]
    Refused { code: String, desc: String },
    /// An answer that is not the protocol.
    #[error("trục liên thông trả lời không đúng giao thức: {0}")]
    Protocol(String),
}

impl ClientError {
    /// Whether the same call may succeed later: transport failures, unexpected answers and the axis's own
    /// system errors (`ErrorCode` 20).
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Transport(_) | ClientError::Protocol(_) => true,
            ClientError::Refused { code, .. } => code == "20",
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

/// A connection to an axis for one system.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    endpoint: String,
    system_id: String,
    secret: String,
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
        })
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
        let now = time::OffsetDateTime::now_utc().to_offset(protocol::VIETNAM);
        let local = time::PrimitiveDateTime::new(now.date(), now.time());
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
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| ClientError::Transport(describe(&e)))?;
        Ok((status, bytes))
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
    if status.is_server_error() {
        ClientError::Transport(format!("HTTP {status}: {shown}"))
    } else {
        ClientError::Protocol(format!("HTTP {status}: {shown}"))
    }
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ClientError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ClientError::Protocol(format!("JSON không đọc được: {e}")))
}
