//! The package signature (standards.md §3.4): an enveloped XML-DSig signature in `edXMLHeader`, as recorded in
//! shared/crates.md §5 (bergshamra 0.11.1, proven to interoperate with xmlsec1 1.2.37).
//!
//! - [`sign`] adds a standards-correct signature: `Signature` in the XML-DSig namespace after `TraceHeaderList`,
//!   `Reference URI=""` with the `enveloped-signature` and exclusive c14n transforms, exclusive c14n of
//!   `SignedInfo`, RSA-SHA256 by default (RSA-SHA1 on request, for partners that need it), and the signer's
//!   certificate and subject name in `KeyInfo/X509Data`.
//! - [`verify`] checks a package's signature and reports the result rather than refusing the package. Standard
//!   signatures go through bergshamra's verifier. Real packages use the non-standard transform URI
//!   `http://www.w3.org/TR/xml-exc-c14n#` (and the VPCP sample even an unqualified `Signature`), which every
//!   XML-DSig library rejects; those are checked by our own reference check, as crates.md §5 prescribes:
//!   enveloped-signature plus exclusive c14n with `bergshamra-c14n`, compared with `DigestValue`, then the
//!   `SignatureValue` verified over the *unchanged* canonical `SignedInfo` (rewriting the URI would change it).
//! - [`generate_self_signed`] makes an RSA-2048 key and a self-signed certificate for an installation that has no
//!   signing identity configured.
//!
//! This signature is not the legal signature of the document: that is the signature inside the PDF.

use crate::model::{DSIG_NS, EDXML_NS};
use base64::Engine;
use bergshamra_c14n::C14nMode;
use bergshamra_dsig::{DsigContext, VerifyResult};
use bergshamra_keys::{Key, KeysManager, loader};
use bergshamra_xml::{Document, NodeId, NodeSet};

/// The exclusive c14n URI written by the SDKs of the national axis instead of the W3C one.
pub const LEGACY_EXC_C14N: &str = "http://www.w3.org/TR/xml-exc-c14n#";
/// W3C exclusive c14n.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// W3C inclusive c14n 1.0 (what the samples use for `SignedInfo`).
pub const C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// Signature algorithm of an outgoing package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    /// RSA with SHA-256 (`…xmldsig-more#rsa-sha256`, digest `…xmlenc#sha256`): the default.
    #[default]
    RsaSha256,
    /// RSA with SHA-1 (`…xmldsig#rsa-sha1`, digest `…xmldsig#sha1`), as in the axis samples.
    RsaSha1,
}

impl Algorithm {
    fn uris(self) -> (&'static str, &'static str) {
        match self {
            Algorithm::RsaSha256 => (RSA_SHA256, SHA256),
            Algorithm::RsaSha1 => (RSA_SHA1, SHA1),
        }
    }
}

/// Errors of signing, and of verification when there is nothing to verify.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SignError {
    #[error("Không đọc được khóa ký: {0}.")]
    Key(String),
    #[error("Không đọc được chứng thư số: {0}.")]
    Certificate(String),
    #[error("Gói tin không phải edXML hợp lệ để ký hoặc kiểm tra chữ ký: {0}.")]
    Package(String),
    #[error("Gói tin đã có chữ ký trong edXMLHeader.")]
    AlreadySigned,
    #[error("Gói tin không có chữ ký (Signature) trong edXMLHeader.")]
    NotSigned,
    #[error("Ký gói tin không thành công: {0}.")]
    Signing(String),
    #[error("Không tạo được khóa ký và chứng thư tự ký: {0}.")]
    Generation(String),
}

/// A private RSA key together with its X.509 certificate (written into `KeyInfo`).
#[derive(Clone)]
pub struct SigningKey {
    key: Key,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(…)")
    }
}

impl SigningKey {
    /// From a PEM private key (PKCS#8 or PKCS#1) and the PEM certificate that goes with it.
    pub fn from_pem(
        private_key_pem: &[u8],
        certificate_pem: &[u8],
    ) -> Result<SigningKey, SignError> {
        let mut key = loader::load_pem_auto(private_key_pem, None)
            .map_err(|e| SignError::Key(e.to_string()))?;
        if key.algorithm_name() != "RSA" {
            return Err(SignError::Key(format!(
                "cần khóa RSA, không phải {}",
                key.algorithm_name()
            )));
        }
        key.x509_chain = vec![certificate_der(certificate_pem)?];
        Ok(SigningKey { key })
    }

    /// From a PKCS#12 (.p12/.pfx) file with its password; the certificate comes from the file.
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<SigningKey, SignError> {
        let key = loader::load_pkcs12(der, password).map_err(|e| SignError::Key(e.to_string()))?;
        if key.algorithm_name() != "RSA" {
            return Err(SignError::Key(format!(
                "cần khóa RSA, không phải {}",
                key.algorithm_name()
            )));
        }
        if key.x509_chain.is_empty() {
            return Err(SignError::Certificate(
                "tệp PKCS#12 không có chứng thư".into(),
            ));
        }
        Ok(SigningKey { key })
    }
}

/// RSA key size of [`generate_self_signed`].
pub const GENERATED_KEY_BITS: usize = 2048;

/// Longest validity [`generate_self_signed`] accepts, in days (about 30 years).
pub const MAX_VALID_DAYS: u32 = 11_000;

/// Makes a package-signing identity when the installation has none: a new RSA-2048 key and a self-signed X.509
/// v3 certificate for it, with subject (and issuer) `CN=<common_name>, O=<organization>, C=VN` in UTF-8,
/// valid from an hour ago (clock skew between systems) for `valid_days` days, a random 128-bit serial number,
/// basicConstraints `CA:FALSE`, keyUsage `digitalSignature, nonRepudiation` (both critical) and the subject and
/// authority key identifiers, signed with sha256WithRSAEncryption.
///
/// Returns the key ready for [`sign`], the private key as PEM PKCS#8 (`-----BEGIN PRIVATE KEY-----`, unencrypted:
/// store it as a secret) and the certificate as PEM; `SigningKey::from_pem(key, cert)` gives the same key back.
/// Partners that check signatures against the national CA will not trust such a certificate; it proves that
/// packages come unchanged from this installation to those given the certificate.
///
/// Key generation takes from a few hundred milliseconds to a few seconds: call it off an async executor.
pub fn generate_self_signed(
    common_name: &str,
    organization: &str,
    valid_days: u32,
) -> Result<(SigningKey, String, String), SignError> {
    use rsa::pkcs8::EncodePrivateKey;
    use std::time::{Duration, SystemTime};
    use x509_cert::builder::{Builder, CertificateBuilder};
    use x509_cert::der::EncodePem;
    use x509_cert::der::pem::LineEnding;
    use x509_cert::spki::{EncodePublicKey, SubjectPublicKeyInfo};
    use x509_cert::time::{Time, Validity};

    let fail =
        |what: &str, e: &dyn std::fmt::Display| SignError::Generation(format!("{what}: {e}"));
    let common_name = common_name.trim();
    let organization = organization.trim();
    if common_name.is_empty() {
        return Err(SignError::Generation("tên chủ thể (CN) trống".into()));
    }
    if organization.is_empty() {
        return Err(SignError::Generation("tên tổ chức (O) trống".into()));
    }
    // Upper bounds of X.520 for commonName and organizationName.
    if common_name.chars().count() > 64 || organization.chars().count() > 64 {
        return Err(SignError::Generation(
            "tên chủ thể (CN) và tên tổ chức (O) dài tối đa 64 ký tự".into(),
        ));
    }
    if valid_days == 0 || valid_days > MAX_VALID_DAYS {
        return Err(SignError::Generation(format!(
            "thời hạn hiệu lực phải từ 1 đến {MAX_VALID_DAYS} ngày (đang là {valid_days})"
        )));
    }
    let subject = subject_name(common_name, organization)
        .map_err(|e| fail("không tạo được tên chủ thể", &e))?;

    // The operating system's generator; asked once first so that a failing one is an error, not a panic.
    let mut serial = [0u8; 16];
    getrandom::fill(&mut serial)
        .map_err(|e| fail("không lấy được số ngẫu nhiên của hệ điều hành", &e))?;
    // A positive serial number with no leading zero byte (RFC 5280 §4.1.2.2).
    serial[0] = (serial[0] & 0x7f) | 0x40;
    let mut rng = getrandom::rand_core::UnwrapErr(getrandom::SysRng);
    let private = rsa::RsaPrivateKey::new(&mut rng, GENERATED_KEY_BITS)
        .map_err(|e| fail("không tạo được khóa RSA", &e))?;
    let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(private.clone());
    let public = private
        .to_public_key()
        .to_public_key_der()
        .map_err(|e| fail("không mã hóa được khóa công khai", &e))?;
    let spki = SubjectPublicKeyInfo::try_from(public.as_bytes())
        .map_err(|e| fail("không mã hóa được khóa công khai", &e))?;

    let now = SystemTime::now();
    let not_before = now.checked_sub(Duration::from_secs(3600)).unwrap_or(now);
    let not_after = now
        .checked_add(Duration::from_secs(u64::from(valid_days) * 86_400))
        .ok_or_else(|| SignError::Generation("thời hạn hiệu lực quá xa".into()))?;
    let validity = Validity::new(
        Time::try_from(not_before).map_err(|e| fail("thời điểm bắt đầu hiệu lực", &e))?,
        Time::try_from(not_after).map_err(|e| fail("thời điểm hết hiệu lực", &e))?,
    );
    let serial = x509_cert::serial_number::SerialNumber::new(&serial)
        .map_err(|e| fail("số hiệu chứng thư", &e))?;
    let builder = CertificateBuilder::new(SelfSignedSigner { subject }, serial, validity, spki)
        .map_err(|e| fail("không lập được chứng thư", &e))?;
    let certificate = builder
        .build::<_, rsa::pkcs1v15::Signature>(&signer)
        .map_err(|e| fail("không ký được chứng thư", &e))?;
    let certificate_pem = certificate
        .to_pem(LineEnding::LF)
        .map_err(|e| fail("không mã hóa được chứng thư", &e))?;
    let key_pem = private
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| fail("không mã hóa được khóa bí mật", &e))?;
    let key = SigningKey::from_pem(key_pem.as_bytes(), certificate_pem.as_bytes())?;
    Ok((key, key_pem.to_string(), certificate_pem))
}

/// `C=VN, O=…, CN=…`, each value a UTF8String (Vietnamese names are not PrintableString).
fn subject_name(common_name: &str, organization: &str) -> Result<x509_cert::name::Name, String> {
    use x509_cert::attr::AttributeTypeAndValue;
    use x509_cert::der::asn1::{Any, PrintableStringRef, Utf8StringRef};
    use x509_cert::der::{Decode, Encode};
    use x509_cert::name::{RdnSequence, RelativeDistinguishedName};

    const COUNTRY: x509_cert::der::oid::ObjectIdentifier =
        x509_cert::der::oid::ObjectIdentifier::new_unwrap("2.5.4.6");
    const ORGANIZATION: x509_cert::der::oid::ObjectIdentifier =
        x509_cert::der::oid::ObjectIdentifier::new_unwrap("2.5.4.10");
    const COMMON_NAME: x509_cert::der::oid::ObjectIdentifier =
        x509_cert::der::oid::ObjectIdentifier::new_unwrap("2.5.4.3");

    let e = |e: x509_cert::der::Error| e.to_string();
    let attributes = [
        (
            COUNTRY,
            Any::from(PrintableStringRef::new("VN").map_err(e)?),
        ),
        (
            ORGANIZATION,
            Any::from(Utf8StringRef::new(organization).map_err(e)?),
        ),
        (
            COMMON_NAME,
            Any::from(Utf8StringRef::new(common_name).map_err(e)?),
        ),
    ];
    let mut rdns = RdnSequence::default();
    for (oid, value) in attributes {
        let rdn = RelativeDistinguishedName::try_from(vec![AttributeTypeAndValue { oid, value }])
            .map_err(e)?;
        rdns.push(rdn);
    }
    // `Name` has no public constructor from its RDN sequence outside x509-cert's `hazmat` feature; its DER is the
    // sequence's.
    x509_cert::name::Name::from_der(&rdns.to_der().map_err(e)?).map_err(e)
}

/// The certificate profile of [`generate_self_signed`]: issuer = subject, an end-entity signing certificate.
struct SelfSignedSigner {
    subject: x509_cert::name::Name,
}

impl x509_cert::builder::profile::BuilderProfile for SelfSignedSigner {
    fn get_issuer(&self, subject: &x509_cert::name::Name) -> x509_cert::name::Name {
        subject.clone()
    }

    fn get_subject(&self) -> x509_cert::name::Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: x509_cert::spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: x509_cert::spki::SubjectPublicKeyInfoRef<'_>,
        tbs: &x509_cert::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<x509_cert::ext::Extension>> {
        use x509_cert::ext::ToExtension;
        use x509_cert::ext::pkix::{
            AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
        };
        let mut extensions = Vec::new();
        let ski = SubjectKeyIdentifier::try_from(spk)?;
        extensions.push(
            BasicConstraints {
                ca: false,
                path_len_constraint: None,
            }
            .to_extension(tbs.subject(), &extensions)?,
        );
        extensions.push(
            KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation)
                .to_extension(tbs.subject(), &extensions)?,
        );
        extensions.push(
            AuthorityKeyIdentifier {
                key_identifier: Some(ski.0.clone()),
                ..Default::default()
            }
            .to_extension(tbs.subject(), &extensions)?,
        );
        extensions.push(ski.to_extension(tbs.subject(), &extensions)?);
        Ok(extensions)
    }
}

/// A certificate from PEM or DER bytes, as DER.
fn certificate_der(bytes: &[u8]) -> Result<Vec<u8>, SignError> {
    let text = std::str::from_utf8(bytes).ok().map(str::trim);
    match text {
        Some(t) if t.starts_with("-----BEGIN") => {
            let body: String = t
                .lines()
                .filter(|l| !l.starts_with("-----"))
                .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
                .collect();
            if !t.contains("-----BEGIN CERTIFICATE-----") {
                return Err(SignError::Certificate("cần khối PEM CERTIFICATE".into()));
            }
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .map_err(|e| SignError::Certificate(e.to_string()))
        }
        _ => Ok(bytes.to_vec()),
    }
}

/// Signs a package (the bytes of [`crate::write_edoc`], or any edXML package without a signature).
pub fn sign(package: &[u8], key: &SigningKey, algorithm: Algorithm) -> Result<Vec<u8>, SignError> {
    let text = std::str::from_utf8(package).map_err(|e| SignError::Package(e.to_string()))?;
    let start = text
        .find('<')
        .ok_or_else(|| SignError::Package("không có thẻ XML".into()))?;
    let (insert_at, indent, eol) = {
        let doc = roxmltree::Document::parse(&text[start..])
            .map_err(|e| SignError::Package(e.to_string()))?;
        let header = edxml_header(&doc)?;
        if header
            .children()
            .any(|c| c.is_element() && c.tag_name().name() == "Signature")
        {
            return Err(SignError::AlreadySigned);
        }
        let range = header.range();
        let closing = start
            + text[start..start + range.end]
                .rfind("</")
                .ok_or_else(|| SignError::Package("edXMLHeader rỗng".into()))?;
        let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
        // On its own lines, indented like the header's other children, as the official library lays packages out.
        let line_start = text[..closing].rfind('\n').map_or(0, |i| i + 1);
        let before = &text[line_start..closing];
        if line_start >= start && before.trim().is_empty() {
            (line_start, before.to_string(), eol)
        } else {
            (closing, String::new(), eol)
        }
    };
    let (sig_uri, digest_uri) = algorithm.uris();
    let i = format!("{indent}  ");
    let template = [
        format!("{i}<Signature xmlns=\"{DSIG_NS}\">"),
        format!("{i}  <SignedInfo>"),
        format!("{i}    <CanonicalizationMethod Algorithm=\"{EXC_C14N}\"/>"),
        format!("{i}    <SignatureMethod Algorithm=\"{sig_uri}\"/>"),
        format!("{i}    <Reference URI=\"\">"),
        format!("{i}      <Transforms>"),
        format!("{i}        <Transform Algorithm=\"{ENVELOPED}\"/>"),
        format!("{i}        <Transform Algorithm=\"{EXC_C14N}\"/>"),
        format!("{i}      </Transforms>"),
        format!("{i}      <DigestMethod Algorithm=\"{digest_uri}\"/>"),
        format!("{i}      <DigestValue></DigestValue>"),
        format!("{i}    </Reference>"),
        format!("{i}  </SignedInfo>"),
        format!("{i}  <SignatureValue></SignatureValue>"),
        format!("{i}  <KeyInfo>"),
        format!("{i}    <X509Data>"),
        format!("{i}      <X509SubjectName></X509SubjectName>"),
        format!("{i}      <X509Certificate></X509Certificate>"),
        format!("{i}    </X509Data>"),
        format!("{i}  </KeyInfo>"),
        format!("{i}</Signature>"),
    ]
    .join(eol);
    let mut templated = String::with_capacity(text.len() + template.len() + 4096);
    templated.push_str(&text[start..insert_at]);
    templated.push_str(&template);
    templated.push_str(eol);
    templated.push_str(&text[insert_at..]);

    let mut manager = KeysManager::new();
    manager.add_key(key.key.clone());
    let ctx = DsigContext::new_permissive(manager);
    let signed = bergshamra_dsig::sign::sign_owned(&ctx, templated)
        .map_err(|e| SignError::Signing(e.to_string()))?;
    let mut out = text.as_bytes()[..start].to_vec();
    out.extend_from_slice(signed.as_bytes());
    Ok(out)
}

fn edxml_header<'a, 'i>(
    doc: &'a roxmltree::Document<'i>,
) -> Result<roxmltree::Node<'a, 'i>, SignError> {
    let is = |n: &roxmltree::Node<'_, '_>, local: &str| {
        n.is_element()
            && n.tag_name().name() == local
            && matches!(n.tag_name().namespace(), Some(EDXML_NS) | None)
    };
    let root = doc.root_element();
    if !is(&root, "edXML") {
        return Err(SignError::Package("phần tử gốc không phải edXML".into()));
    }
    root.children()
        .find(|n| is(n, "edXMLEnvelope"))
        .and_then(|e| e.children().find(|n| is(n, "edXMLHeader")))
        .ok_or_else(|| SignError::Package("thiếu edXMLEnvelope/edXMLHeader".into()))
}

/// Which key a signature is checked with.
#[derive(Debug, Clone, Copy)]
pub enum Trust<'a> {
    /// Only this certificate (PEM or DER) is accepted: the package must have been signed with its key.
    Certificate(&'a [u8]),
    /// The certificate the package carries in `KeyInfo/X509Certificate`: proves the package was not changed
    /// since it was signed with that certificate's key, not who signed it (the certificate is not validated).
    Embedded,
}

/// The outcome of checking a package's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Digest and signature value both check out.
    pub valid: bool,
    /// Why not, in Vietnamese, when not valid.
    pub reason: Option<String>,
    /// `SignatureMethod/@Algorithm`.
    pub signature_method: String,
    /// The package uses the non-standard `http://www.w3.org/TR/xml-exc-c14n#` URI or an unqualified
    /// `Signature`, so it was checked by our own reference check rather than by bergshamra's verifier.
    pub legacy_form: bool,
    /// The certificate the package carries (DER), if any.
    pub embedded_certificate: Option<Vec<u8>>,
}

/// Checks the signature of a package. An invalid signature is a [`Verification`] with `valid == false`, not an
/// error: the receiving side records it. Errors are for packages that are not XML or carry no signature.
pub fn verify(package: &[u8], trust: Trust<'_>) -> Result<Verification, SignError> {
    let text = std::str::from_utf8(package).map_err(|e| SignError::Package(e.to_string()))?;
    let text = text.trim_start_matches('\u{feff}');
    let start = text
        .find('<')
        .ok_or_else(|| SignError::Package("không có thẻ XML".into()))?;
    let text = &text[start..];
    let doc =
        bergshamra_xml::uppsala::parse(text).map_err(|e| SignError::Package(e.to_string()))?;
    let sig = find_signature(&doc).ok_or(SignError::NotSigned)?;
    let info = SigParts::read(&doc, sig);
    let embedded_certificate = info
        .certificate
        .as_ref()
        .and_then(|c| base64::engine::general_purpose::STANDARD.decode(c).ok());
    let in_dsig_namespace = doc
        .element(sig)
        .is_some_and(|e| e.name.namespace_uri.as_deref() == Some(DSIG_NS));
    let legacy_form = !in_dsig_namespace
        || info.c14n == LEGACY_EXC_C14N
        || info.transforms.iter().any(|t| t == LEGACY_EXC_C14N);
    let mut v = Verification {
        valid: false,
        reason: None,
        signature_method: info.signature_method.clone(),
        legacy_form,
        embedded_certificate,
    };
    let cert = match trust {
        Trust::Certificate(c) => Some(certificate_der(c)?),
        Trust::Embedded => v.embedded_certificate.clone(),
    };
    let Some(cert) = cert else {
        v.reason =
            Some("Gói tin không kèm chứng thư số (X509Certificate) để kiểm tra chữ ký.".into());
        return Ok(v);
    };
    let key = match loader::load_x509_cert_der(&cert) {
        Ok(k) => k,
        Err(e) => {
            v.reason = Some(format!(
                "Không đọc được chứng thư số dùng để kiểm tra: {e}."
            ));
            return Ok(v);
        }
    };
    let outcome = if legacy_form {
        drop(doc);
        verify_legacy(text, &info, &key)
    } else {
        drop(doc);
        let mut manager = KeysManager::new();
        manager.add_key(key);
        let ctx = DsigContext::new(manager);
        match bergshamra_dsig::verify::verify(&ctx, text) {
            Ok(VerifyResult::Valid { references, .. })
                if references
                    .iter()
                    .all(|r| r.digest_verified && r.uri.is_empty()) =>
            {
                Ok(())
            }
            Ok(VerifyResult::Valid { .. }) => {
                Err("chữ ký không bao trùm toàn bộ gói tin (Reference URI khác \"\")".to_string())
            }
            Ok(VerifyResult::Invalid { reason }) => Err(reason),
            Err(e) => Err(e.to_string()),
        }
    };
    match outcome {
        Ok(()) => v.valid = true,
        Err(reason) => v.reason = Some(format!("Chữ ký không hợp lệ: {reason}.")),
    }
    Ok(v)
}

/// The `Signature` of `edXMLHeader`: in the XML-DSig namespace, or unqualified as in the VPCP sample.
fn find_signature(doc: &Document<'_>) -> Option<NodeId> {
    let root = doc.document_element()?;
    let named = |id: NodeId, local: &str, ns: &[&str]| {
        doc.element(id).is_some_and(|e| {
            &*e.name.local_name == local
                && ns.contains(&e.name.namespace_uri.as_deref().unwrap_or(""))
        })
    };
    if !named(root, "edXML", &[EDXML_NS]) {
        return None;
    }
    let envelope = doc
        .children(root)
        .into_iter()
        .find(|&c| named(c, "edXMLEnvelope", &[EDXML_NS, ""]))?;
    let header = doc
        .children(envelope)
        .into_iter()
        .find(|&c| named(c, "edXMLHeader", &[EDXML_NS, ""]))?;
    doc.children(header)
        .into_iter()
        .find(|&c| named(c, "Signature", &[DSIG_NS, EDXML_NS, ""]))
}

/// What a `Signature` says, read namespace-leniently.
#[derive(Debug, Default)]
struct SigParts {
    signed_info: Option<NodeId>,
    signature_node: Option<NodeId>,
    c14n: String,
    signature_method: String,
    references: usize,
    uri: Option<String>,
    transforms: Vec<String>,
    inclusive_prefixes: Vec<String>,
    digest_method: String,
    digest_value: String,
    signature_value: String,
    certificate: Option<String>,
}

impl SigParts {
    fn read(doc: &Document<'_>, sig: NodeId) -> SigParts {
        let kid = |id: NodeId, local: &str| {
            doc.children(id)
                .into_iter()
                .find(|&c| doc.element(c).is_some_and(|e| &*e.name.local_name == local))
        };
        let kids = |id: NodeId, local: &str| -> Vec<NodeId> {
            doc.children(id)
                .into_iter()
                .filter(|&c| doc.element(c).is_some_and(|e| &*e.name.local_name == local))
                .collect()
        };
        let attr = |id: Option<NodeId>, name: &str| {
            id.and_then(|id| doc.get_attribute(id, name))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let text = |id: Option<NodeId>| {
            id.map(|id| doc.text_content_deep(id))
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
        };
        let signed_info = kid(sig, "SignedInfo");
        let refs = signed_info
            .map(|s| kids(s, "Reference"))
            .unwrap_or_default();
        let reference = refs.first().copied();
        let transforms: Vec<NodeId> = reference
            .and_then(|r| kid(r, "Transforms"))
            .map(|t| kids(t, "Transform"))
            .unwrap_or_default();
        let inclusive_prefixes = transforms
            .iter()
            .filter_map(|&t| kid(t, "InclusiveNamespaces"))
            .flat_map(|n| {
                attr(Some(n), "PrefixList")
                    .split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        let x509 = kid(sig, "KeyInfo").and_then(|k| kid(k, "X509Data"));
        let certificate = x509
            .and_then(|x| kid(x, "X509Certificate"))
            .map(|c| text(Some(c)));
        SigParts {
            signed_info,
            signature_node: Some(sig),
            c14n: attr(
                signed_info.and_then(|s| kid(s, "CanonicalizationMethod")),
                "Algorithm",
            ),
            signature_method: attr(
                signed_info.and_then(|s| kid(s, "SignatureMethod")),
                "Algorithm",
            ),
            references: refs.len(),
            uri: reference.and_then(|r| doc.get_attribute(r, "URI").map(str::to_string)),
            transforms: transforms
                .iter()
                .map(|&t| attr(Some(t), "Algorithm"))
                .collect(),
            inclusive_prefixes,
            digest_method: attr(reference.and_then(|r| kid(r, "DigestMethod")), "Algorithm"),
            digest_value: text(reference.and_then(|r| kid(r, "DigestValue"))),
            signature_value: text(kid(sig, "SignatureValue")),
            certificate: certificate.filter(|c| !c.is_empty()),
        }
    }
}

fn c14n_mode(uri: &str) -> Option<C14nMode> {
    if uri == LEGACY_EXC_C14N {
        Some(C14nMode::Exclusive)
    } else {
        C14nMode::from_uri(uri)
    }
}

/// The reference check of crates.md §5 for packages with the non-standard URI: the whole document minus the
/// signature, exclusive-canonicalised, against `DigestValue`; then `SignatureValue` over the canonical
/// `SignedInfo` exactly as it stands.
fn verify_legacy(text: &str, info: &SigParts, key: &Key) -> Result<(), String> {
    let doc = bergshamra_xml::uppsala::parse(text).map_err(|e| e.to_string())?;
    let (Some(signed_info), Some(sig)) = (info.signed_info, info.signature_node) else {
        return Err("thiếu SignedInfo".into());
    };
    if info.references != 1 || info.uri.as_deref() != Some("") {
        return Err("chỉ hỗ trợ đúng một Reference URI=\"\" ở dạng chữ ký cũ".into());
    }
    let mut mode = None;
    for t in &info.transforms {
        if t == ENVELOPED {
            continue;
        }
        match c14n_mode(t) {
            Some(m) if mode.is_none() => mode = Some(m),
            _ => return Err(format!("phép biến đổi \"{t}\" không được hỗ trợ")),
        }
    }
    if !info.transforms.iter().any(|t| t == ENVELOPED) {
        return Err("thiếu phép biến đổi enveloped-signature".into());
    }
    let mode = mode.unwrap_or(C14nMode::Inclusive);
    if !matches!(info.digest_method.as_str(), SHA1 | SHA256) {
        return Err(format!(
            "thuật toán băm \"{}\" không được hỗ trợ",
            info.digest_method
        ));
    }
    if !matches!(info.signature_method.as_str(), RSA_SHA1 | RSA_SHA256) {
        return Err(format!(
            "thuật toán ký \"{}\" không được hỗ trợ",
            info.signature_method
        ));
    }
    let all = NodeSet::all_without_comments(&doc);
    let without_signature = all.subtract(&NodeSet::tree_with_comments(sig, &doc));
    let canonical = bergshamra_c14n::canonicalize_doc(
        &doc,
        mode,
        Some(&without_signature),
        &info.inclusive_prefixes,
    )
    .map_err(|e| e.to_string())?;
    let digest = bergshamra_crypto::digest::digest(&info.digest_method, &canonical)
        .map_err(|e| e.to_string())?;
    let expected = base64::engine::general_purpose::STANDARD
        .decode(&info.digest_value)
        .map_err(|_| "DigestValue không phải base64".to_string())?;
    if digest != expected {
        return Err(
            "giá trị băm (DigestValue) không khớp: nội dung gói tin đã bị thay đổi sau khi ký"
                .into(),
        );
    }
    let si_mode = c14n_mode(&info.c14n)
        .ok_or_else(|| format!("phương pháp chuẩn hóa \"{}\" không được hỗ trợ", info.c14n))?;
    let si_set = NodeSet::tree_without_comments(signed_info, &doc);
    let no_prefixes: [&str; 0] = [];
    let canonical_si =
        bergshamra_c14n::canonicalize_doc(&doc, si_mode, Some(&si_set), &no_prefixes)
            .map_err(|e| e.to_string())?;
    let signature = base64::engine::general_purpose::STANDARD
        .decode(&info.signature_value)
        .map_err(|_| "SignatureValue không phải base64".to_string())?;
    let public = key
        .software_key()
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "chứng thư không chứa khóa công khai dùng được".to_string())?;
    let algorithm =
        bergshamra_crypto::sign::from_uri(&info.signature_method).map_err(|e| e.to_string())?;
    match algorithm.verify(&public, &canonical_si, &signature) {
        Ok(true) => Ok(()),
        Ok(false) => {
            Err("giá trị chữ ký (SignatureValue) không khớp với khóa của chứng thư".into())
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_uri_is_exclusive() {
        assert_eq!(c14n_mode(LEGACY_EXC_C14N), Some(C14nMode::Exclusive));
        assert_eq!(c14n_mode(EXC_C14N), Some(C14nMode::Exclusive));
        assert_eq!(c14n_mode(C14N), Some(C14nMode::Inclusive));
        assert_eq!(c14n_mode("urn:x"), None);
    }
}
