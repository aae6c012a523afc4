"""Makes the legacy-form signed fixtures of tests/signature.rs with a toolchain independent of the crate:
libxml2's canonicalisation (through lxml) and OpenSSL's RSA (through cryptography).

Run from crates/edxml:  python3 tests/keys/make_legacy_fixtures.py   (needs: pip install lxml cryptography)

legacy-vpcp-style.edxml
    the golden package with a Signature shaped like the VPCP SDK sample's: unqualified (so in the edXML
    namespace), SignedInfo canonicalised with inclusive c14n 1.0, rsa-sha1/sha1, and the non-standard transform
    URI http://www.w3.org/TR/xml-exc-c14n# (computed as W3C exclusive c14n).
legacy-dsig-ns.edxml
    the same package with a Signature in the XML-DSig namespace, the non-standard transform URI, exclusive c14n
    of SignedInfo and rsa-sha256/sha256.
"""

import base64
import hashlib
import pathlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

HERE = pathlib.Path(__file__).resolve().parent
SAMPLES = HERE.parent / "samples"
NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DSIG = "http://www.w3.org/2000/09/xmldsig#"

key = serialization.load_pem_private_key((HERE / "test-key.pem").read_bytes(), password=None)
cert_pem = (HERE / "test-cert.pem").read_bytes()
cert_b64 = base64.b64encode(x509.load_pem_x509_certificate(cert_pem).public_bytes(serialization.Encoding.DER)).decode()


def template(xmlns, c14n, sig_method, digest_method):
    ns_attr = f' xmlns="{xmlns}"' if xmlns else ""
    return (
        f"      <Signature{ns_attr}>\r\n"
        "        <SignedInfo>\r\n"
        f'          <CanonicalizationMethod Algorithm="{c14n}" />\r\n'
        f'          <SignatureMethod Algorithm="{sig_method}" />\r\n'
        '          <Reference URI="">\r\n'
        "            <Transforms>\r\n"
        '              <Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature" />\r\n'
        '              <Transform Algorithm="http://www.w3.org/TR/xml-exc-c14n#" />\r\n'
        "            </Transforms>\r\n"
        f'            <DigestMethod Algorithm="{digest_method}" />\r\n'
        "            <DigestValue></DigestValue>\r\n"
        "          </Reference>\r\n"
        "        </SignedInfo>\r\n"
        "        <SignatureValue></SignatureValue>\r\n"
        "        <KeyInfo>\r\n"
        "          <X509Data>\r\n"
        "            <X509SubjectName>CN=vanthu edxml test signer,O=vanthu (TEST ONLY),C=VN</X509SubjectName>\r\n"
        f"            <X509Certificate>{cert_b64}</X509Certificate>\r\n"
        "          </X509Data>\r\n"
        "        </KeyInfo>\r\n"
        "      </Signature>\r\n"
    )


def make(name, xmlns, c14n, exclusive_signed_info, sig_method, digest_method, hash_name, hash_alg):
    golden = (SAMPLES / "official-sdk-edoc-pdf.edxml").read_bytes().decode("utf-8")
    marker = "    </edXML:edXMLHeader>\r\n"
    text = golden.replace(marker, template(xmlns, c14n, sig_method, digest_method) + marker, 1)
    # lxml parses bytes; the declaration is kept out of c14n anyway.
    parser = etree.XMLParser(remove_blank_text=False)
    sig_ns = xmlns if xmlns else NS

    # Enveloped-signature transform: the document without the Signature element (its tail text stays).
    copy = etree.fromstring(text.encode("utf-8"), parser)
    csig = copy.find(f".//{{{sig_ns}}}Signature")
    parent = csig.getparent()
    prev = csig.getprevious()
    if csig.tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + csig.tail
        else:
            parent.text = (parent.text or "") + csig.tail
    parent.remove(csig)
    canonical = etree.tostring(copy.getroottree(), method="c14n", exclusive=True, with_comments=False)
    digest = base64.b64encode(hashlib.new(hash_name, canonical).digest()).decode()
    text = text.replace("<DigestValue></DigestValue>", f"<DigestValue>{digest}</DigestValue>", 1)

    # SignedInfo as a document subset. lxml's c14n of a sub-element is unreliable with default namespaces (it
    # writes spurious xmlns=""), so the subset is rebuilt as a document of its own whose root declares the
    # namespaces in scope at SignedInfo (the default namespace of the Signature and the edXML prefix of
    # edXMLEnvelope), and that whole document is canonicalised.
    si_text = text[text.index("<SignedInfo>") : text.index("</SignedInfo>") + len("</SignedInfo>")]
    si_text = si_text.replace("<SignedInfo>", f'<SignedInfo xmlns="{sig_ns}" xmlns:edXML="{NS}">', 1)
    si_doc = etree.fromstring(si_text.encode("utf-8"), parser)
    canonical_si = etree.tostring(si_doc.getroottree(), method="c14n", exclusive=exclusive_signed_info, with_comments=False)
    value = base64.b64encode(key.sign(canonical_si, padding.PKCS1v15(), hash_alg)).decode()
    text = text.replace("<SignatureValue></SignatureValue>", f"<SignatureValue>{value}</SignatureValue>", 1)
    (HERE / name).write_bytes(text.encode("utf-8"))
    print(name, "digest", digest)


make(
    "legacy-vpcp-style.edxml",
    None,
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    False,
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#sha1",
    "sha1",
    hashes.SHA1(),
)
make(
    "legacy-dsig-ns.edxml",
    DSIG,
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    True,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "sha256",
    hashes.SHA256(),
)
