//! `vanthu edxml inspect FILE`: what a package carries, as JSON, with the validation report and the signature
//! check, for administrators who debug an exchange over the interconnection axis.
//!
//! Exit code 0 when the package was read (problems or an invalid signature included: they are in the JSON), 1 when
//! the file cannot be read or is not an edXML package (the Vietnamese message on stderr, and
//! `{"file": …, "error": …}` on stdout so that scripts still get JSON), 2 for usage errors (clap).

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vanthu_edxml::sign::{self, SignError, Trust, Verification};
use vanthu_edxml::{Packet, Problem, SignatureInfo};

#[derive(clap::Subcommand)]
pub enum EdxmlCommand {
    /// In nội dung một gói tin edXML dưới dạng JSON, kèm báo cáo kiểm tra và kết quả kiểm tra chữ ký
    Inspect(InspectArgs),
}

#[derive(clap::Args)]
pub struct InspectArgs {
    /// Tệp gói tin edXML (gói tin văn bản hoặc gói tin trạng thái); `-` để đọc từ đầu vào chuẩn
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Chứng thư số (PEM hoặc DER) dùng để kiểm tra chữ ký; không có thì kiểm tra bằng chứng thư đi kèm gói tin
    /// (chỉ chứng minh gói tin không bị thay đổi sau khi ký)
    #[arg(long, value_name = "CERT.pem")]
    cert: Option<PathBuf>,
}

pub fn run(command: EdxmlCommand) -> ExitCode {
    match command {
        EdxmlCommand::Inspect(args) => inspect(&args),
    }
}

/// The JSON printed for a package that was read.
#[derive(Serialize)]
struct Report<'a> {
    file: String,
    size: usize,
    /// `kind` (`edoc` | `status`) and `package` (the model).
    #[serde(flatten)]
    packet: &'a Packet,
    problems: &'a [Problem],
    signature: SignatureReport,
}

/// The JSON printed when the input cannot be read.
#[derive(Serialize)]
struct Failure<'a> {
    file: &'a str,
    error: &'a str,
}

/// The signature part of the report. Every key is always present (`null` when it does not apply).
#[derive(Serialize, Default)]
struct SignatureReport {
    /// The package has a `Signature` in `edXMLHeader`.
    present: bool,
    /// Short name of the signature algorithm (`RSA-SHA256`, `RSA-SHA1`), or its URI when unknown.
    algorithm: Option<String>,
    /// `SignedInfo/SignatureMethod/@Algorithm`.
    signature_method: Option<String>,
    /// `Reference/DigestMethod/@Algorithm`.
    digest_method: Option<String>,
    /// `SignedInfo/CanonicalizationMethod/@Algorithm`.
    canonicalization: Option<String>,
    /// `Reference/Transforms/Transform/@Algorithm`.
    transforms: Vec<String>,
    /// `KeyInfo/X509Data/X509SubjectName`.
    subject_name: Option<String>,
    /// SHA-256 of the certificate the package carries (DER), lower-case hex.
    embedded_certificate_sha256: Option<String>,
    /// The signature uses the non-standard exc-c14n URI or an unqualified `Signature` of the SDKs.
    legacy_form: Option<bool>,
    /// `certificate` (checked against `--cert`) or `embedded` (against the certificate in the package).
    trust: Option<&'static str>,
    /// The `--cert` file, when given.
    certificate: Option<String>,
    /// True when the check only proves integrity (embedded certificate), not who signed.
    integrity_only: Option<bool>,
    /// Digest and signature value both check out.
    verified: bool,
    /// Why the signature does not verify (or why it could not be checked), in Vietnamese.
    reason: Option<String>,
    /// What a positive result means, in Vietnamese.
    note: Option<String>,
}

const NOTE_EMBEDDED: &str = "Kiểm tra bằng chứng thư số đi kèm gói tin chỉ chứng minh tính toàn vẹn: gói tin \
    không bị thay đổi sau khi ký bằng khóa của chứng thư đó. Không chứng minh ai đã ký: chứng thư không được \
    xác thực (chuỗi chứng thư, tình trạng thu hồi). Dùng --cert để kiểm tra với chứng thư của bên gửi.";
const NOTE_CERTIFICATE: &str = "Kiểm tra bằng chứng thư số đã cho (--cert): chữ ký hợp lệ nghĩa là gói tin được \
    ký bằng khóa của chứng thư này và không bị thay đổi sau khi ký. Chuỗi chứng thư và tình trạng thu hồi không \
    được kiểm tra.";

fn inspect(args: &InspectArgs) -> ExitCode {
    let file = args.file.to_string_lossy().into_owned();
    let fail = |message: String| {
        eprintln!("Lỗi: {message}");
        print_json(&Failure {
            file: &file,
            error: &message,
        });
        ExitCode::FAILURE
    };
    let bytes = match read_input(&args.file) {
        Ok(b) => b,
        Err(e) => return fail(format!("Không đọc được tệp {file}: {e}.")),
    };
    let certificate = match &args.cert {
        Some(path) => match std::fs::read(path) {
            Ok(c) => Some(c),
            Err(e) => {
                return fail(format!(
                    "Không đọc được tệp chứng thư số {}: {}.",
                    path.display(),
                    io_error_vi(&e)
                ));
            }
        },
        None => None,
    };
    let decoded = match vanthu_edxml::read(&bytes) {
        Ok(d) => d,
        Err(e) => return fail(e.to_string()),
    };
    let declared = match &decoded.value {
        Packet::Edoc(e) => e.signature.as_ref(),
        Packet::Status(_) => None,
    };
    let trust = match &certificate {
        Some(c) => Trust::Certificate(c),
        None => Trust::Embedded,
    };
    let signature = signature_report(declared, sign::verify(&bytes, trust), args.cert.as_deref());
    print_json(&Report {
        file,
        size: bytes.len(),
        packet: &decoded.value,
        problems: &decoded.problems,
        signature,
    });
    ExitCode::SUCCESS
}

/// The file's bytes, or standard input's for `-`. Errors are Vietnamese.
fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| io_error_vi(&e))?;
        Ok(bytes)
    } else {
        std::fs::read(path).map_err(|e| io_error_vi(&e))
    }
}

fn io_error_vi(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "không tìm thấy tệp".into(),
        ErrorKind::PermissionDenied => "không có quyền đọc tệp".into(),
        ErrorKind::IsADirectory => "đây là thư mục, không phải tệp".into(),
        _ => format!("lỗi vào/ra ({e})"),
    }
}

/// What the package declares, and what checking it with the given certificate (or the embedded one) gave.
fn signature_report(
    declared: Option<&SignatureInfo>,
    outcome: Result<Verification, SignError>,
    certificate: Option<&Path>,
) -> SignatureReport {
    let mut r = SignatureReport::default();
    if let Some(info) = declared {
        r.present = true;
        r.signature_method = info.signature_method.clone();
        r.digest_method = info.digest_method.clone();
        r.canonicalization = info.canonicalization.clone();
        r.transforms = info.transforms.clone();
        r.subject_name = info.subject_name.clone();
    }
    match outcome {
        Ok(v) => {
            r.present = true;
            if !v.signature_method.is_empty() {
                r.signature_method = Some(v.signature_method.clone());
            }
            r.embedded_certificate_sha256 = v.embedded_certificate.as_deref().map(sha256_hex);
            r.legacy_form = Some(v.legacy_form);
            r.verified = v.valid;
            r.reason = v.reason;
        }
        // A certificate that cannot be used is found after the signature: there is one.
        Err(e @ SignError::Certificate(_)) => {
            r.present = true;
            r.reason = Some(e.to_string());
        }
        Err(e) => r.reason = Some(e.to_string()),
    }
    if r.present {
        match certificate {
            Some(path) => {
                r.trust = Some("certificate");
                r.certificate = Some(path.to_string_lossy().into_owned());
                r.integrity_only = Some(false);
                r.note = Some(NOTE_CERTIFICATE.into());
            }
            None => {
                r.trust = Some("embedded");
                r.integrity_only = Some(true);
                r.note = Some(NOTE_EMBEDDED.into());
            }
        }
    }
    r.algorithm = r.signature_method.as_deref().map(algorithm_name);
    r
}

/// `RSA-SHA256` for `…xmldsig-more#rsa-sha256`, and so on; the URI itself when unknown.
fn algorithm_name(uri: &str) -> String {
    match uri.rsplit_once('#').map(|(_, f)| f) {
        Some(
            f @ ("rsa-sha1" | "rsa-sha256" | "rsa-sha384" | "rsa-sha512" | "dsa-sha1"
            | "ecdsa-sha256"),
        ) => f.to_ascii_uppercase(),
        _ => uri.to_string(),
    }
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Pretty JSON and a line end on stdout; a closed pipe is not an error worth a panic.
fn print_json<T: Serialize>(value: &T) {
    let mut out = std::io::stdout().lock();
    if serde_json::to_writer_pretty(&mut out, value).is_ok() {
        let _ = writeln!(out);
    }
    let _ = out.flush();
}
