//! The axis service: `POST /{operation}` (some also `GET`), parameters in signed `XroadVnpt-*` headers, answers
//! in JSON `{"status":"OK"|"FAIL","ErrorCode":…,"ErrorDesc":…,…}` — every error included (unknown operation,
//! wrong method, oversized body).
//!
//! `sendEdoc` streams the body to a temporary file while hashing it (the SDK's trailing `\r\n` held back and
//! dropped when the `hash-file` says so), scans the edXML header from the file to route the package, makes the
//! file durable and commits the package with one delivery per recipient system before answering. `getEdoc`
//! streams its JSON answer (base64 in chunks); `downloadEdoc` streams the file. Nothing holds a whole package in
//! memory.

use crate::blobs::{Blobs, TempFile};
use crate::error::{ErrorCode, Refusal};
use crate::protocol::{self, Freshness, Verified};
use crate::replay::{self, ReplayCache};
use crate::scan::{self, Kind, ScanError};
use crate::store::{self, NewPackage, Registration, Store, StoreError};
use axum::Router;
use axum::body::{Body, BodyDataStream, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt;
use base64::Engine as _;
use futures_util::StreamExt;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::io::{Read, Seek, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Default largest package accepted: 64 MiB.
pub const DEFAULT_MAX_PACKAGE_BYTES: u64 = 64 * 1024 * 1024;
/// Largest body of the operations other than `sendEdoc` (the SDK sends `{}`).
const MAX_SMALL_BODY: u64 = 64 * 1024;
/// Default and largest `pageSize` of the lists.
const DEFAULT_PAGE: i64 = 1000;
const MAX_PAGE: i64 = 10_000;
/// How long a refused request's remaining body is read (and discarded) so that the client, still sending, gets
/// the answer rather than a reset connection.
const DISCARD_FOR: Duration = Duration::from_secs(30);

/// How the service runs.
#[derive(Debug, Clone)]
pub struct AxisConfig {
    /// Address to listen on, e.g. `127.0.0.1:8090` (port 0: any free port, see [`bind`]).
    pub listen: String,
    /// Data directory: `axis.db` (unless `database_url`) and `packages/`.
    pub data: PathBuf,
    /// `postgres://…` or `sqlite:…`; default the SQLite file `{data}/axis.db`.
    pub database_url: Option<String>,
    /// Largest package accepted by `sendEdoc`, in bytes.
    pub max_package_bytes: u64,
    /// Accepted clock difference and client time zones for `XroadVnpt-timestamp`.
    pub freshness: Freshness,
    /// How many requests the replay cache remembers ([`crate::replay`]).
    pub replay_capacity: usize,
    /// Closed registration: `registerAgency` only updates agencies an administrator already added to the calling
    /// system (`ErrorCode` 28 otherwise). Open (the default): a system may also claim any code not yet on the
    /// axis.
    pub closed_registration: bool,
}

impl Default for AxisConfig {
    fn default() -> AxisConfig {
        AxisConfig {
            listen: "127.0.0.1:8090".into(),
            data: PathBuf::from("./axis-data"),
            database_url: None,
            max_package_bytes: DEFAULT_MAX_PACKAGE_BYTES,
            freshness: Freshness::default(),
            replay_capacity: replay::DEFAULT_CAPACITY,
            closed_registration: false,
        }
    }
}

/// Why the service could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("không mở được cổng {0}: {1}")]
    Bind(String, std::io::Error),
    #[error("lỗi đọc/ghi: {0}")]
    Io(#[from] std::io::Error),
}

/// The running service, to be awaited; it ends after `shutdown` completes and in-flight requests are answered.
pub type ServerFuture = Pin<Box<dyn Future<Output = Result<(), ServeError>> + Send>>;

/// Opens the store and the package folder, binds the address and returns it with the service to await.
/// Tests bind `127.0.0.1:0` and read the port from the address.
pub async fn bind<F>(
    config: AxisConfig,
    shutdown: F,
) -> Result<(SocketAddr, ServerFuture), ServeError>
where
    F: Future<Output = ()> + Send + 'static,
{
    let store = Store::open_in(&config.data, config.database_url.as_deref()).await?;
    let blobs = Blobs::open(&config.data)?;
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| ServeError::Bind(config.listen.clone(), e))?;
    let addr = listener.local_addr()?;
    let state = Arc::new(Axis {
        store: store.clone(),
        blobs,
        max: config.max_package_bytes,
        freshness: config.freshness,
        replay: ReplayCache::new(config.replay_capacity),
        closed_registration: config.closed_registration,
    });
    let app = Router::new().fallback(dispatch).with_state(state);
    // No Nagle: a streamed answer's last segment (and every small answer) leaves at once rather than waiting
    // for the client's delayed ACK of the previous one (~40 ms on Linux).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "axis: TCP_NODELAY not set");
        }
    });
    let fut = async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
        store.close().await;
        served.map_err(ServeError::Io)
    };
    Ok((addr, Box::pin(fut)))
}

/// [`bind`], then runs until `shutdown` completes.
pub async fn serve<F>(config: AxisConfig, shutdown: F) -> Result<(), ServeError>
where
    F: Future<Output = ()> + Send + 'static,
{
    let (addr, fut) = bind(config, shutdown).await?;
    tracing::info!(%addr, "axis listening");
    fut.await
}

struct Axis {
    store: Store,
    blobs: Blobs,
    max: u64,
    freshness: Freshness,
    replay: ReplayCache,
    closed_registration: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    SendEdoc,
    GetReceivedEdocList,
    GetEdoc,
    DownloadEdoc,
    UpdateStatus,
    GetSentEdocList,
    CountReceiveEdoc,
    CountReceiveStatus,
    GetAgenciesList,
    RegisterAgency,
    DeleteAgency,
}

impl Op {
    const ALL: [(Op, &'static str); 11] = [
        (Op::SendEdoc, "sendEdoc"),
        (Op::GetReceivedEdocList, "getReceivedEdocList"),
        (Op::GetEdoc, "getEdoc"),
        (Op::DownloadEdoc, "downloadEdoc"),
        (Op::UpdateStatus, "updateStatus"),
        (Op::GetSentEdocList, "getSentEdocList"),
        (Op::CountReceiveEdoc, "countReceiveEdoc"),
        (Op::CountReceiveStatus, "countReceiveStatus"),
        (Op::GetAgenciesList, "getAgenciesList"),
        (Op::RegisterAgency, "registerAgency"),
        (Op::DeleteAgency, "deleteAgency"),
    ];

    fn parse(name: &str) -> Option<Op> {
        Op::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(o, _)| *o)
    }

    fn name(self) -> &'static str {
        Op::ALL
            .iter()
            .find(|(o, _)| *o == self)
            .map(|(_, n)| *n)
            .unwrap_or("")
    }

    /// `GET` as well as `POST` (the operations §5.1 lists as GET).
    fn allows_get(self) -> bool {
        matches!(
            self,
            Op::DownloadEdoc | Op::CountReceiveEdoc | Op::CountReceiveStatus
        )
    }
}

/// What one request did, for the log line.
#[derive(Default)]
struct Trace {
    system: Option<String>,
    doc_id: Option<String>,
}

async fn dispatch(State(axis): State<Arc<Axis>>, req: Request) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let name = req.uri().path().trim_start_matches('/').to_string();
    if name == "healthz" && (method == Method::GET || method == Method::HEAD) {
        return ok(json!({})).into_response();
    }
    let Some(op) = Op::parse(&name) else {
        tracing::info!(op = %name, code = "27", "axis: unknown operation");
        return Refusal::new(
            ErrorCode::UnknownOperation,
            format!(
                "Thao tác \"{}\" không tồn tại trên trục liên thông.",
                name.chars().take(80).collect::<String>()
            ),
        )
        .into_response();
    };
    if !(method == Method::POST || (method == Method::GET && op.allows_get())) {
        let allow = if op.allows_get() { "GET, POST" } else { "POST" };
        let mut r = Refusal::new(
            ErrorCode::UnknownOperation,
            format!(
                "Thao tác {} không nhận phương thức {method}: dùng {allow}.",
                op.name()
            ),
        );
        r.http = Some(StatusCode::METHOD_NOT_ALLOWED);
        let mut resp = r.into_response();
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allow));
        return resp;
    }
    let (parts, body) = req.into_parts();
    let mut stream = body.into_data_stream();
    let mut trace = Trace::default();
    let result = handle(&axis, op, &parts.headers, &mut stream, &mut trace).await;
    let (response, code) = match result {
        Ok(r) => (r, "0"),
        Err(refusal) => {
            // Read what the client is still sending (up to what it may send at all), so that it gets the answer.
            let cap = if op == Op::SendEdoc {
                axis.max + 2
            } else {
                MAX_SMALL_BODY
            };
            discard(&mut stream, cap).await;
            let code = refusal.code.code();
            if refusal.code != ErrorCode::System {
                tracing::info!(op = op.name(), system = trace.system.as_deref().unwrap_or("-"), code, desc = %refusal.desc, "axis: refused");
            }
            (refusal.into_response(), code)
        }
    };
    tracing::info!(
        op = op.name(),
        system = trace.system.as_deref().unwrap_or("-"),
        doc_id = trace.doc_id.as_deref().unwrap_or("-"),
        code,
        ms = started.elapsed().as_millis() as u64,
        "axis request"
    );
    response
}

async fn discard(stream: &mut BodyDataStream, cap: u64) {
    let mut seen = 0u64;
    let _ = tokio::time::timeout(DISCARD_FOR, async {
        while let Some(Ok(chunk)) = stream.next().await {
            seen += chunk.len() as u64;
            if seen > cap {
                break;
            }
        }
    })
    .await;
}

fn ok(extra: Value) -> axum::Json<Value> {
    let mut v = json!({"status": "OK", "ErrorCode": "0", "ErrorDesc": "Thành công"});
    if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
        m.extend(e);
    }
    axum::Json(v)
}

async fn handle(
    axis: &Axis,
    op: Op,
    headers: &HeaderMap,
    body: &mut BodyDataStream,
    trace: &mut Trace,
) -> Result<Response, Refusal> {
    let v = authenticate(axis, headers, trace).await?;
    let p = Params { v: &v, headers };
    if op != Op::SendEdoc {
        read_small(body).await?;
    }
    match op {
        Op::SendEdoc => send_edoc(axis, &p, body, trace).await,
        Op::GetReceivedEdocList => received_list(axis, &p).await,
        Op::GetEdoc => get_edoc(axis, &p, trace, true).await,
        Op::DownloadEdoc => get_edoc(axis, &p, trace, false).await,
        Op::UpdateStatus => update_status(axis, &p, trace).await,
        Op::GetSentEdocList => sent_list(axis, &p).await,
        Op::CountReceiveEdoc => count(axis, &p, Kind::Edoc).await,
        Op::CountReceiveStatus => count(axis, &p, Kind::Status).await,
        Op::GetAgenciesList => agencies(axis).await,
        Op::RegisterAgency => register(axis, &p).await,
        Op::DeleteAgency => delete_agency(axis, &p).await,
    }
}

async fn authenticate(
    axis: &Axis,
    headers: &HeaderMap,
    trace: &mut Trace,
) -> Result<Verified, Refusal> {
    let claimed = protocol::claimed_system(headers)
        .map_err(|e| Refusal::new(ErrorCode::Auth, e.to_string()))?;
    trace.system = Some(claimed.clone());
    let Some(system) = axis.store.system_auth(&claimed).await? else {
        return Err(Refusal::new(
            ErrorCode::Auth,
            format!("Hệ thống {claimed} chưa đăng ký với trục liên thông."),
        ));
    };
    let now = time::OffsetDateTime::now_utc();
    let refuse = |e: protocol::VerifyError| {
        let code = if e.is_timestamp() {
            ErrorCode::Timestamp
        } else {
            ErrorCode::Auth
        };
        Refusal::new(code, e.to_string())
    };
    let v = protocol::verify(headers, &system.secret, now, &axis.freshness).map_err(refuse)?;
    // The secret that checked the HMAC is the claimed system's: the request acts as that system only.
    if v.system_id != claimed {
        return Err(refuse(protocol::VerifyError::IdentityMismatch(
            v.system_id,
            claimed,
        )));
    }
    if !axis
        .replay
        .first_use(&claimed, &v.mac, v.timestamp, &axis.freshness, now)
    {
        return Err(refuse(protocol::VerifyError::Replayed));
    }
    if !system.active {
        return Err(Refusal::new(
            ErrorCode::SystemDisabled,
            format!("Hệ thống {claimed} đã bị khóa trên trục liên thông."),
        ));
    }
    Ok(v)
}

/// The signed parameters of a request.
struct Params<'a> {
    v: &'a Verified,
    headers: &'a HeaderMap,
}

impl Params<'_> {
    /// A parameter, from the signed set only; sent but not signed is refused.
    fn get(&self, name: &str) -> Result<Option<&str>, Refusal> {
        match self.v.param(name) {
            Some(x) => Ok(Some(x.trim())),
            None if protocol::has_prefixed(self.headers, name) => Err(Refusal::new(
                ErrorCode::Auth,
                protocol::VerifyError::Unsigned(format!("{}{name}", protocol::PREFIX)).to_string(),
            )),
            None => Ok(None),
        }
    }

    fn required(&self, name: &str) -> Result<&str, Refusal> {
        match self.get(name)? {
            Some(x) if !x.is_empty() => Ok(x),
            _ => Err(Refusal::new(
                ErrorCode::BadParameter,
                format!("Thiếu tham số {name} (tiêu đề {}{name}).", protocol::PREFIX),
            )),
        }
    }

    fn message_type(&self) -> Result<Kind, Refusal> {
        let t = self.required("messagetype")?;
        match t.to_ascii_lowercase().as_str() {
            "edoc" => Ok(Kind::Edoc),
            "status" => Ok(Kind::Status),
            _ => Err(Refusal::new(
                ErrorCode::BadParameter,
                format!("Tham số messagetype \"{t}\" không hợp lệ: dùng edoc hoặc status."),
            )),
        }
    }

    fn service_type(&self) -> Result<(), Refusal> {
        match self.get("servicetype")? {
            None => Ok(()),
            Some(s) if s.is_empty() || s.eq_ignore_ascii_case(protocol::SERVICE_TYPE) => Ok(()),
            Some(s) => Err(Refusal::new(
                ErrorCode::BadParameter,
                format!("Tham số servicetype \"{s}\" không hợp lệ: trục chỉ có dịch vụ eDoc."),
            )),
        }
    }

    /// `pageSize`/`pageIndex` (from 1; 0 is the first page too) as LIMIT/OFFSET.
    fn page(&self) -> Result<(i64, i64), Refusal> {
        let num = |name: &str, default: i64| -> Result<i64, Refusal> {
            match self.get(name)? {
                None | Some("") => Ok(default),
                Some(s) => s.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                    Refusal::new(
                        ErrorCode::BadParameter,
                        format!("Tham số {name} \"{s}\" không phải số tự nhiên."),
                    )
                }),
            }
        };
        let size = num("pageSize", DEFAULT_PAGE)?;
        let size = if size == 0 {
            DEFAULT_PAGE
        } else {
            size.min(MAX_PAGE)
        };
        let index = num("pageIndex", 1)?.max(1);
        Ok((size, (index - 1).saturating_mul(size)))
    }
}

async fn read_small(body: &mut BodyDataStream) -> Result<(), Refusal> {
    let mut n = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            Refusal::new(
                ErrorCode::FileProcessing,
                format!("Không đọc được nội dung yêu cầu: {e}."),
            )
        })?;
        n += chunk.len() as u64;
        if n > MAX_SMALL_BODY {
            return Err(Refusal::new(
                ErrorCode::TooLarge,
                format!("Nội dung yêu cầu vượt quá {} KiB.", MAX_SMALL_BODY / 1024),
            ));
        }
    }
    Ok(())
}

fn too_large(max: u64) -> Refusal {
    Refusal::new(
        ErrorCode::TooLarge,
        format!(
            "Gói tin vượt quá kích thước tối đa {} byte ({:.1} MiB) mà trục nhận.",
            max,
            max as f64 / 1048576.0
        ),
    )
}

/// Body bytes gathered before each write to the temporary file: each write is one hand-off to a blocking
/// thread, so that a package of up to this size (most are a few hundred KB) costs one (open, write, scan) rather
/// than one per chunk received. The memory of a reception is bounded by it, whatever the package's size.
const RECEIVE_BUFFER: usize = 512 * 1024;

/// A package received: its temporary file (written, not yet fsync'd), SHA-256 (lowercase hex), size, and its
/// edXML header as scanned from the file.
struct Received {
    temp: TempFile,
    sha256: String,
    size: u64,
    header: Result<scan::Header, ScanError>,
}

/// Appends `buf` to the temporary file (created on the first write), on a blocking thread; hands both back.
async fn write_out(
    axis: &Axis,
    temp: Option<TempFile>,
    buf: Vec<u8>,
) -> Result<(TempFile, Vec<u8>), Refusal> {
    let blobs = axis.blobs.clone();
    tokio::task::spawn_blocking(move || -> std::io::Result<(TempFile, Vec<u8>)> {
        let mut temp = match temp {
            Some(t) => t,
            None => blobs.temp_blocking()?,
        };
        temp.file
            .as_mut()
            .expect("a temporary file being received is open")
            .write_all(&buf)?;
        Ok((temp, buf))
    })
    .await
    .map_err(Refusal::system)?
    .map_err(Refusal::system)
}

/// Streams the body to a temporary file while hashing it. The last two bytes are held back: when they are the
/// SDK's trailing `\r\n` and `hash-file` names the bytes before them, they are dropped; when `hash-file` names the
/// whole body (a client without the SDK's quirk), they are kept. The body is gathered in [`RECEIVE_BUFFER`]
/// blocks; the last block's write and the scan of the header share one blocking call.
async fn receive(
    axis: &Axis,
    body: &mut BodyDataStream,
    hash_file: &str,
) -> Result<Received, Refusal> {
    let mut temp: Option<TempFile> = None;
    let mut buf: Vec<u8> = Vec::with_capacity(RECEIVE_BUFFER + 64 * 1024);
    let mut hasher = Sha256::new();
    let mut held: Vec<u8> = Vec::with_capacity(4);
    let mut total = 0u64;
    let limit = axis.max + 2;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            Refusal::new(
                ErrorCode::FileProcessing,
                format!("Không nhận được trọn vẹn gói tin: {e}."),
            )
        })?;
        total += chunk.len() as u64;
        if total > limit {
            return Err(too_large(axis.max));
        }
        // `held` keeps the last two bytes seen; everything before them goes to the file.
        let seen = held.len() + chunk.len();
        if seen <= 2 {
            held.extend_from_slice(&chunk);
            continue;
        }
        let release = seen - 2;
        let from_held = release.min(held.len());
        let from_chunk = release - from_held;
        hasher.update(&held[..from_held]);
        buf.extend_from_slice(&held[..from_held]);
        hasher.update(&chunk[..from_chunk]);
        buf.extend_from_slice(&chunk[..from_chunk]);
        let mut tail = held[from_held..].to_vec();
        tail.extend_from_slice(&chunk[from_chunk..]);
        held = tail;
        if buf.len() >= RECEIVE_BUFFER {
            let (t, mut b) = write_out(axis, temp.take(), buf).await?;
            b.clear();
            temp = Some(t);
            buf = b;
        }
    }
    let stripped = hasher.clone().finalize();
    let (digest, size) = if held == b"\r\n" && protocol::hash_file_matches(hash_file, &stripped) {
        (stripped, total - 2)
    } else {
        hasher.update(&held);
        let full = hasher.finalize();
        if !protocol::hash_file_matches(hash_file, &full) {
            return Err(Refusal::new(
                ErrorCode::InvalidFile,
                "Mã băm hash-file không khớp với nội dung gói tin nhận được (gói tin bị hỏng hoặc bị thay đổi trên đường truyền).",
            ));
        }
        buf.extend_from_slice(&held);
        (full, total)
    };
    if size == 0 {
        return Err(Refusal::new(ErrorCode::InvalidFile, "Gói tin rỗng."));
    }
    if size > axis.max {
        return Err(too_large(axis.max));
    }
    let blobs = axis.blobs.clone();
    let (temp, header) = tokio::task::spawn_blocking(
        move || -> std::io::Result<(TempFile, Result<scan::Header, ScanError>)> {
            let mut temp = match temp {
                Some(t) => t,
                None => blobs.temp_blocking()?,
            };
            let file = temp
                .file
                .as_mut()
                .expect("a temporary file being received is open");
            file.write_all(&buf)?;
            file.rewind()?;
            let header = scan::scan_header(std::io::BufReader::with_capacity(64 * 1024, &*file));
            Ok((temp, header))
        },
    )
    .await
    .map_err(Refusal::system)?
    .map_err(Refusal::system)?;
    Ok(Received {
        temp,
        sha256: hex::encode(digest),
        size,
        header,
    })
}

async fn send_edoc(
    axis: &Axis,
    p: &Params<'_>,
    body: &mut BodyDataStream,
    trace: &mut Trace,
) -> Result<Response, Refusal> {
    let system = p.v.system_id.as_str();
    let from = p.required("from")?;
    if from != system {
        return Err(Refusal::new(
            ErrorCode::Auth,
            format!("Tham số from \"{from}\" khác mã hệ thống gọi \"{system}\"."),
        ));
    }
    p.service_type()?;
    let kind = p.message_type()?;
    let hash_file = p.required("hash-file")?;
    if let Some(len) = p
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > axis.max + 2
    {
        return Err(too_large(axis.max));
    }
    let received = receive(axis, body, hash_file).await?;
    let header = received.header.map_err(|e| match e {
        ScanError::Io(e) => Refusal::system(e),
        other => Refusal::new(ErrorCode::NotEdxml, other.to_string()),
    })?;
    if header.kind() != kind {
        return Err(Refusal::new(
            ErrorCode::NotEdxml,
            format!(
                "Tham số messagetype là {} nhưng nội dung là {}.",
                kind.as_str(),
                match header.kind() {
                    Kind::Edoc => "gói tin văn bản (edoc)",
                    Kind::Status => "gói tin trạng thái (status)",
                }
            ),
        ));
    }
    let Some(from_code) = header.from.clone() else {
        return Err(Refusal::new(
            ErrorCode::NotEdxml,
            "Gói tin thiếu From/OrganId (đơn vị gửi).",
        ));
    };
    let sender = axis.store.hosts(std::slice::from_ref(&from_code)).await?;
    match sender.first() {
        Some(h) if h.system_id == system && h.active => {}
        Some(h) if h.system_id == system => {
            return Err(Refusal::new(
                ErrorCode::SenderNotRegistered,
                format!("Đơn vị gửi {from_code} đã bị khóa trên trục liên thông."),
            ));
        }
        _ => {
            return Err(Refusal::new(
                ErrorCode::SenderNotRegistered,
                format!("Đơn vị gửi {from_code} (From/OrganId) không đăng ký ở hệ thống {system}."),
            ));
        }
    }
    let recipients: Vec<String> = match kind {
        Kind::Edoc => header.to.clone(),
        Kind::Status => match &header.response_for_organ {
            Some(c) => vec![c.clone()],
            None => {
                return Err(Refusal::new(
                    ErrorCode::NotEdxml,
                    "Gói tin trạng thái thiếu ResponseFor/OrganId (đơn vị nhận trạng thái).",
                ));
            }
        },
    };
    if recipients.is_empty() {
        return Err(Refusal::new(
            ErrorCode::UnknownRecipient,
            "Gói tin không có đơn vị nhận (To/OrganId).",
        ));
    }
    let hosts = axis.store.hosts(&recipients).await?;
    let unknown: Vec<&str> = recipients
        .iter()
        .filter(|c| !hosts.iter().any(|h| &h.code == *c))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(Refusal::new(
            ErrorCode::UnknownRecipient,
            format!(
                "Đơn vị nhận không tồn tại trên trục: {}.",
                unknown.join(", ")
            ),
        ));
    }
    let disabled: Vec<&str> = hosts
        .iter()
        .filter(|h| !h.active)
        .map(|h| h.code.as_str())
        .collect();
    if !disabled.is_empty() {
        return Err(Refusal::new(
            ErrorCode::RecipientDisabled,
            format!("Đơn vị nhận đã bị khóa: {}.", disabled.join(", ")),
        ));
    }
    // One delivery per recipient system, with the codes it hosts, in the order of the package.
    let mut deliveries: Vec<(String, Vec<String>)> = Vec::new();
    for h in &hosts {
        match deliveries.iter_mut().find(|(s, _)| *s == h.system_id) {
            Some((_, codes)) => codes.push(h.code.clone()),
            None => deliveries.push((h.system_id.clone(), vec![h.code.clone()])),
        }
    }
    let Received {
        temp, sha256, size, ..
    } = received;
    axis.blobs
        .persist(temp, &sha256)
        .await
        .map_err(Refusal::system)?;
    let pkg = NewPackage {
        sender: system.to_string(),
        from_code,
        message_type: kind.as_str(),
        sha256,
        size: size as i64,
        document_id: if header.document_id.is_empty() {
            header.response_for_document.clone().unwrap_or_default()
        } else {
            header.document_id.clone()
        },
        subject: header.subject.clone(),
        notation: header.notation.clone(),
        status_code: header.status_code.clone(),
        response_for: header.response_for_document.clone(),
        to_codes: recipients,
    };
    let (doc_id, new) = axis.store.accept(&pkg, &deliveries).await?;
    trace.doc_id = Some(doc_id.clone());
    if new {
        tracing::info!(
            doc_id,
            sender = system,
            kind = kind.as_str(),
            size,
            systems = deliveries.len(),
            "axis: package accepted"
        );
    } else {
        tracing::info!(
            doc_id,
            sender = system,
            "axis: identical resend, same DocId"
        );
    }
    Ok(ok(json!({ "DocId": doc_id })).into_response())
}

fn state_desc(state: &str) -> &'static str {
    match state {
        "pending" => "Chờ nhận: đơn vị nhận chưa tải gói tin về",
        "fetched" => "Đã tải về, chờ xác nhận (updateStatus)",
        "done" => "Đã nhận thành công",
        "fail" => "Bên nhận báo không xử lý được gói tin",
        "inbox" => "Bên nhận báo: đã đến",
        "acceptance" => "Bên nhận báo: đã tiếp nhận",
        "rejection" => "Bên nhận báo: từ chối tiếp nhận",
        "processing" => "Bên nhận báo: đang xử lý",
        _ => "",
    }
}

async fn received_list(axis: &Axis, p: &Params<'_>) -> Result<Response, Refusal> {
    p.service_type()?;
    let kind = p.message_type()?;
    let (limit, offset) = p.page()?;
    let rows = axis
        .store
        .queue(&p.v.system_id, kind.as_str(), limit, offset)
        .await?;
    let data: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "docId": r.doc_id,
                "serviceType": protocol::SERVICE_TYPE,
                "messageType": r.message_type,
                "created_time": store::format_ms(r.created_at),
                "updated_time": store::format_ms(r.updated_at),
                "from": r.from_code,
                "to": r.to_codes,
                "status": r.state,
                "status_desc": state_desc(&r.state),
            })
        })
        .collect();
    Ok(ok(json!({ "data": data })).into_response())
}

async fn count(axis: &Axis, p: &Params<'_>, kind: Kind) -> Result<Response, Refusal> {
    p.service_type()?;
    let n = axis.store.queue_len(&p.v.system_id, kind.as_str()).await?;
    Ok(ok(json!({ "count": n })).into_response())
}

fn unknown_doc(doc_id: &str) -> Refusal {
    Refusal::new(
        ErrorCode::UnknownDoc,
        format!("Không có gói tin {doc_id} gửi đến hệ thống gọi."),
    )
}

/// Chunk of the file read at a time (one hand-off to a blocking thread each, one body frame each): a multiple
/// of 3, so that the base64 of each chunk can be concatenated. 384 KiB: a package of usual size (a few hundred
/// KB) is read and sent at once.
const CHUNK: usize = 3 * 128 * 1024;

enum Phase {
    Start(std::fs::File, Bytes),
    Data(std::fs::File),
    End,
}

/// Reads up to [`CHUNK`] bytes of `file` (to its end or the chunk's), as they are or in base64; `true` at the end
/// of the file.
fn read_chunk(file: &mut std::fs::File, base64: bool) -> std::io::Result<(Vec<u8>, bool)> {
    let mut buf = vec![0u8; CHUNK];
    let mut n = 0;
    let mut eof = false;
    while n < CHUNK {
        match file.read(&mut buf[n..]) {
            Ok(0) => {
                eof = true;
                break;
            }
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(n);
    let mut out = if base64 {
        base64::engine::general_purpose::STANDARD
            .encode(&buf)
            .into_bytes()
    } else {
        buf
    };
    if eof && base64 {
        out.extend_from_slice(b"\"}");
    }
    Ok((out, eof))
}

/// The file as a stream of chunks, as they are (`base64: false`) or in base64 followed by the JSON suffix.
fn file_stream(
    file: std::fs::File,
    prefix: Bytes,
    base64: bool,
) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send {
    futures_util::stream::unfold(Phase::Start(file, prefix), move |phase| async move {
        match phase {
            Phase::Start(file, prefix) => Some((Ok(prefix), Phase::Data(file))),
            Phase::Data(mut file) => {
                let read = tokio::task::spawn_blocking(move || {
                    read_chunk(&mut file, base64).map(|(out, eof)| (out, eof, file))
                })
                .await
                .unwrap_or_else(|e| Err(std::io::Error::other(e)));
                match read {
                    Ok((out, true, _)) => Some((Ok(Bytes::from(out)), Phase::End)),
                    Ok((out, false, file)) => Some((Ok(Bytes::from(out)), Phase::Data(file))),
                    Err(e) => Some((Err(e), Phase::End)),
                }
            }
            Phase::End => None,
        }
    })
}

/// `getEdoc` (`data` = base64 of the package, in a streamed JSON answer) and `downloadEdoc` (the file itself).
async fn get_edoc(
    axis: &Axis,
    p: &Params<'_>,
    trace: &mut Trace,
    as_json: bool,
) -> Result<Response, Refusal> {
    let doc_id = p.required("docId")?;
    trace.doc_id = Some(doc_id.to_string());
    let system = p.v.system_id.as_str();
    let Some(found) = axis.store.fetch(doc_id, system).await? else {
        return Err(unknown_doc(doc_id));
    };
    let path = axis.blobs.path_of(&found.sha256);
    let opened = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || {
            let file = std::fs::File::open(&path)?;
            let len = file.metadata()?.len();
            Ok::<_, std::io::Error>((file, len))
        })
        .await
        .map_err(Refusal::system)?
    };
    let (file, len) = opened.map_err(|e| {
        Refusal::system(format!("package file {} of {doc_id}: {e}", path.display()))
    })?;
    if len != found.size as u64 {
        return Err(Refusal::system(format!(
            "package file {} of {doc_id} has {len} bytes, {} recorded",
            path.display(),
            found.size
        )));
    }
    if found.state == "pending" {
        axis.store.mark_fetched(doc_id, system).await?;
    }
    let mut resp = if as_json {
        let prefix = format!(
            "{{\"status\":\"OK\",\"ErrorCode\":\"0\",\"ErrorDesc\":\"Thành công\",\"DocId\":{},\"data\":\"",
            Value::String(doc_id.to_string())
        );
        let total = prefix.len() as u64 + len.div_ceil(3) * 4 + 2;
        let mut r = Body::from_stream(file_stream(file, Bytes::from(prefix), true)).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        r.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(total));
        r
    } else {
        let mut r = Body::from_stream(file_stream(file, Bytes::new(), false)).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        r.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{doc_id}.edxml\"")) {
            r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
        r
    };
    *resp.status_mut() = StatusCode::OK;
    Ok(resp)
}

/// The transport statuses `updateStatus` accepts: `done`/`fail` end a delivery, the others are information.
pub const TRANSPORT_STATUSES: [&str; 6] = [
    "done",
    "fail",
    "inbox",
    "acceptance",
    "rejection",
    "processing",
];

async fn update_status(
    axis: &Axis,
    p: &Params<'_>,
    trace: &mut Trace,
) -> Result<Response, Refusal> {
    let doc_id = p.required("docId")?;
    trace.doc_id = Some(doc_id.to_string());
    let status = p.required("status")?.to_ascii_lowercase();
    if !TRANSPORT_STATUSES.contains(&status.as_str()) {
        return Err(Refusal::new(
            ErrorCode::BadParameter,
            format!(
                "Trạng thái \"{status}\" không hợp lệ: dùng {}.",
                TRANSPORT_STATUSES.join(", ")
            ),
        ));
    }
    if !axis
        .store
        .update_status(doc_id, &p.v.system_id, &status)
        .await?
    {
        return Err(unknown_doc(doc_id));
    }
    Ok(ok(json!({})).into_response())
}

async fn sent_list(axis: &Axis, p: &Params<'_>) -> Result<Response, Refusal> {
    p.service_type()?;
    let kind = p.message_type()?;
    let doc_id = p.get("docId")?.filter(|d| !d.is_empty());
    let (limit, offset) = p.page()?;
    let rows = axis
        .store
        .sent(&p.v.system_id, kind.as_str(), doc_id, limit, offset)
        .await?;
    let mut data = Vec::new();
    for r in &rows {
        let receive = match (r.state.as_str(), &r.status) {
            ("done" | "fail", _) | (_, None) => r.state.clone(),
            (_, Some(s)) => s.clone(),
        };
        for code in r.to_codes.split(',').filter(|c| !c.is_empty()) {
            data.push(json!({
                "serviceType": protocol::SERVICE_TYPE,
                "senderDocId": r.doc_id,
                "receiverDocId": r.doc_id,
                "fromCode": r.from_code,
                "toCode": code,
                "title": r.subject.clone().unwrap_or_default(),
                "notation": r.notation.clone().unwrap_or_default(),
                "messageType": r.message_type,
                "sentTime": store::format_ms(r.created_at),
                "receivedTime": r.fetched_at.map(store::format_ms).unwrap_or_default(),
                "sendStatus": "sent",
                "sendStatusDesc": "Đã gửi lên trục liên thông",
                "receiveStatus": receive,
                "receiveStatusDesc": state_desc(&receive),
            }));
        }
    }
    Ok(ok(json!({ "data": data })).into_response())
}

async fn agencies(axis: &Axis) -> Result<Response, Refusal> {
    let list = axis.store.active_agencies().await?;
    let data: Vec<Value> = list
        .iter()
        .map(|a| {
            json!({
                "id": a.code,
                "code": a.code,
                "name": a.name,
                "pcode": a.pcode,
                "mail": a.mail,
                "mobile": a.mobile,
                "fax": a.fax,
                "system": a.system,
            })
        })
        .collect();
    Ok(ok(json!({ "data": data })).into_response())
}

fn store_refusal(e: StoreError, not_found: ErrorCode) -> Refusal {
    match e {
        StoreError::Invalid(m) => Refusal::new(ErrorCode::BadParameter, m),
        StoreError::Conflict(m) => Refusal::new(ErrorCode::AgencyConflict, m),
        StoreError::NotFound(m) => Refusal::new(not_found, m),
        other => Refusal::system(other),
    }
}

async fn register(axis: &Axis, p: &Params<'_>) -> Result<Response, Refusal> {
    let get = |n: &str| -> Result<Option<String>, Refusal> { Ok(p.get(n)?.map(str::to_string)) };
    let reg = Registration {
        code: p.required("code")?.to_string(),
        name: p.required("name")?.to_string(),
        pcode: get("pcode")?,
        mail: get("mail")?,
        mobile: get("mobile")?,
        fax: get("fax")?,
    };
    let created = axis
        .store
        .register(&p.v.system_id, &reg, !axis.closed_registration)
        .await
        .map_err(|e| store_refusal(e, ErrorCode::UnknownRecipient))?;
    tracing::info!(system = %p.v.system_id, code = %reg.code, created, "axis: agency registered");
    Ok(ok(json!({ "code": reg.code.trim(), "created": created })).into_response())
}

async fn delete_agency(axis: &Axis, p: &Params<'_>) -> Result<Response, Refusal> {
    // Its own parameter only: a captured registerAgency (`code`) must not read as a deletion.
    let code = p.required("AgencyCode")?;
    axis.store
        .delete_agency(&p.v.system_id, code)
        .await
        .map_err(|e| store_refusal(e, ErrorCode::UnknownRecipient))?;
    tracing::info!(system = %p.v.system_id, code, "axis: agency deleted");
    Ok(ok(json!({})).into_response())
}
