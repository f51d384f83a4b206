//! One signer-verification path for every CMS SignedData an eMRTD verifier checks (EF.SOD, CSCA master lists,
//! EF.CardSecurity): which certificate signed, whether the signed attributes bind the content, whether the
//! signature verifies; and one validity check and one issued-by check for certificates.
//!
//! [`verify_signer`] works on a [`SignerView`], which both the crate's own tolerant EF.SOD model
//! ([`SignerView::from_sod`], exact signed bytes kept) and the `cms` crate's `SignedData`
//! ([`verify_signed_data`]) provide.

use std::borrow::Cow;

use cms::signed_data::SignerIdentifier;
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use time::{Date, OffsetDateTime};
use x509_cert::Certificate;

use super::check::{Check, Reason};
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::public_key::PublicKey;
use crate::crypto::signature::SignatureAlgorithm;
use crate::oid;

/// Whether a CMS signer identifier names `cert` (issuer and serial number, or subject key identifier).
pub fn names(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(i) => {
            cert.tbs_certificate().issuer() == &i.issuer && cert.tbs_certificate().serial_number() == &i.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => cert
            .tbs_certificate()
            .extensions()
            .into_iter()
            .flatten()
            .filter(|e| e.extn_id == oid::SUBJECT_KEY_IDENTIFIER)
            .filter_map(|e| der::asn1::OctetString::from_der(e.extn_value.as_bytes()).ok())
            .any(|v| v.as_bytes() == ski.0.as_bytes()),
    }
}

/// A certificate time as a calendar day (UTC).
pub fn day(t: &x509_cert::time::Time) -> Date {
    OffsetDateTime::from(t.to_system_time()).date()
}

/// The one validity check: `cert` (the `role` named in the reason) is within its validity on `at`.
pub fn validity(cert: &Certificate, role: &'static str, at: Date) -> Result<(), Reason> {
    let v = cert.tbs_certificate().validity();
    let (from, until) = (day(&v.not_before), day(&v.not_after));
    if at < from {
        Err(Reason::NotYetValid { role, at, from })
    } else if at > until {
        Err(Reason::Expired { role, at, until })
    } else {
        Ok(())
    }
}

/// The one issued-by check: `issuer`'s name is `cert`'s issuer and its key verifies `cert`'s signature.
pub fn issued_by(cert: &Certificate, issuer: &Certificate, role: &'static str) -> Result<(), Reason> {
    if cert.tbs_certificate().issuer() != issuer.tbs_certificate().subject() {
        return Err(Reason::IssuerSignatureMismatch { role });
    }
    let tbs = cert.tbs_certificate().to_der().map_err(|_| Reason::CertificateEncoding { role })?;
    let sig = cert.signature().as_bytes().ok_or(Reason::CertificateEncoding { role })?;
    let alg = SignatureAlgorithm::from_algorithm_identifier(cert.signature_algorithm(), None).map_err(|_| {
        Reason::UnsupportedAlgorithm {
            what: "certificate signature algorithm",
            name: oid::name(&cert.signature_algorithm().oid),
        }
    })?;
    let key = PublicKey::from_spki(issuer.tbs_certificate().subject_public_key_info())
        .map_err(|e| Reason::UnusableKey { role: "issuer", detail: e.to_string() })?;
    alg.verify(&key, &tbs, sig).map_err(|_| Reason::IssuerSignatureMismatch { role })
}

/// The signed attributes of a signer, as the verification needs them.
#[derive(Debug, Clone)]
pub struct SignedAttributesView<'a> {
    /// The DER the signature covers (the attributes with a `SET` tag).
    pub signed_bytes: Cow<'a, [u8]>,
    /// The `contentType` attribute.
    pub content_type: Option<ObjectIdentifier>,
    /// The `messageDigest` attribute.
    pub message_digest: Option<Vec<u8>>,
}

/// One signer of a SignedData and the content it signed.
#[derive(Debug, Clone)]
pub struct SignerView<'a> {
    /// What the content is, for reasons: `LDSSecurityObject`, `CscaMasterList`, `SecurityInfos`.
    pub content_name: &'static str,
    /// What holds it, for reasons: `SOD`, `master list`, `EF.CardSecurity`.
    pub container: &'static str,
    /// The signer's role, for reasons: `Document Signer`, `Master List Signer`.
    pub role: &'static str,
    /// The encapsulated content type the `contentType` attribute must name.
    pub content_type: ObjectIdentifier,
    /// Whether a signer without a `contentType` attribute is refused (CMS requires it; some documents omit it).
    pub require_content_type: bool,
    /// The encapsulated content (the bytes `messageDigest` hashes).
    pub content: &'a [u8],
    /// The signer identifier.
    pub sid: &'a SignerIdentifier,
    /// The digest algorithm.
    pub digest_algorithm: &'a AlgorithmIdentifierOwned,
    /// The signed attributes, when present.
    pub signed_attributes: Option<SignedAttributesView<'a>>,
    /// The signature algorithm.
    pub signature_algorithm: &'a AlgorithmIdentifierOwned,
    /// The signature.
    pub signature: &'a [u8],
}

impl<'a> SignerView<'a> {
    /// The first signer of an EF.SOD (exact signed bytes, as read).
    pub fn from_sod(sod: &'a crate::lds::sod::Sod) -> Option<Self> {
        let si = sod.signer_infos.first()?;
        let kind = SignedContentKind::SOD;
        Some(SignerView {
            content_name: kind.content_name,
            container: kind.container,
            role: kind.role,
            content_type: sod.econtent_type,
            require_content_type: false,
            content: sod.econtent(),
            sid: &si.sid,
            digest_algorithm: &si.digest_algorithm,
            signed_attributes: si.signed_attributes.as_ref().map(|a| SignedAttributesView {
                signed_bytes: Cow::Owned(a.signed_bytes()),
                content_type: a.content_type(),
                message_digest: a.message_digest(),
            }),
            signature_algorithm: &si.signature_algorithm,
            signature: &si.signature,
        })
    }
}

impl<'a> SignerView<'a> {
    /// The first signer of an EF.CardSecurity (exact signed bytes, as read); its signed attributes must name
    /// `id-SecurityObject`.
    pub fn from_card_security(cs: &'a crate::lds::card_security::CardSecurity) -> Option<Self> {
        let si = cs.signer_infos.first()?;
        let kind = SignedContentKind::CARD_SECURITY;
        Some(SignerView {
            content_name: kind.content_name,
            container: kind.container,
            role: kind.role,
            content_type: cs.econtent_type(),
            require_content_type: true,
            content: cs.econtent(),
            sid: &si.sid,
            digest_algorithm: &si.digest_algorithm,
            signed_attributes: si.signed_attributes.as_ref().map(|a| SignedAttributesView {
                signed_bytes: Cow::Owned(a.signed_bytes()),
                content_type: a.content_type(),
                message_digest: a.message_digest(),
            }),
            signature_algorithm: &si.signature_algorithm,
            signature: &si.signature,
        })
    }
}

/// What [`verify_signer`] found.
#[derive(Debug, Clone)]
pub struct SignerVerification<'c> {
    /// The signer's certificate: the SignedData's own or a supplied one the signer identifier names.
    pub certificate: Option<&'c Certificate>,
    /// The signed attributes name the content type and carry the content's hash (`messageDigest`).
    pub signed_attributes: Check,
    /// The signature verifies with the certificate's key.
    pub signature: Check,
}

/// Verifies one signer: finds its certificate among `certificates` (the SignedData's) or else `supplied`,
/// checks the signed attributes against the content, and the signature with the certificate's key.
pub fn verify_signer<'c>(
    view: &SignerView<'_>,
    certificates: &'c [Certificate],
    supplied: &'c [Certificate],
) -> SignerVerification<'c> {
    let digest = HashAlgorithm::from_oid(&view.digest_algorithm.oid);
    let signed_attributes = match (&view.signed_attributes, digest) {
        (None, _) => Check::NotChecked(Reason::NoSignedAttributes),
        (Some(_), None) => Check::NotChecked(Reason::UnsupportedAlgorithm {
            what: "digest algorithm",
            name: oid::name(&view.digest_algorithm.oid),
        }),
        (Some(a), Some(d)) => Check::from_result(match (&a.content_type, &a.message_digest) {
            (Some(ct), _) if *ct != view.content_type => Err(Reason::WrongContentType { found: oid::name(ct) }),
            (None, _) if view.require_content_type => Err(Reason::NoContentType),
            (_, None) => Err(Reason::NoMessageDigest),
            (_, Some(md)) if crate::crypto::sym::mac_eq(md, &d.digest(view.content)) => Ok(()),
            _ => Err(Reason::MessageDigestMismatch { content: view.content_name }),
        }),
    };
    // the SignedData's certificate the signer names (the first one when none names it), else a supplied one
    let certificate = certificates
        .iter()
        .find(|c| names(view.sid, c))
        .or(certificates.first())
        .or_else(|| supplied.iter().find(|c| names(view.sid, c)));
    let signature = match certificate {
        None => Check::NotChecked(Reason::NoSignerCertificate { role: view.role, container: view.container }),
        Some(c) => {
            let key = PublicKey::from_spki(c.tbs_certificate().subject_public_key_info());
            let alg = SignatureAlgorithm::from_algorithm_identifier(view.signature_algorithm, digest);
            let signed: Cow<'_, [u8]> = match &view.signed_attributes {
                Some(a) => Cow::Borrowed(&a.signed_bytes),
                None => Cow::Borrowed(view.content),
            };
            match (key, alg) {
                (Ok(key), Ok(alg)) => match alg.verify(&key, &signed, view.signature) {
                    Ok(()) => Check::Passed,
                    Err(e) => Check::Failed(Reason::BadSignature { detail: e.to_string() }),
                },
                (Err(e), _) => Check::NotChecked(Reason::UnusableKey { role: view.role, detail: e.to_string() }),
                (_, Err(_)) => Check::NotChecked(Reason::UnsupportedAlgorithm {
                    what: "signature algorithm",
                    name: oid::name(&view.signature_algorithm.oid),
                }),
            }
        }
    };
    SignerVerification { certificate, signed_attributes, signature }
}

/// The certificates a `cms` SignedData carries.
pub fn signed_data_certificates(sd: &cms::signed_data::SignedData) -> Vec<Certificate> {
    sd.certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

/// What a SignedData holds and who signs it, to name things in reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedContentKind {
    /// The content: `LDSSecurityObject`, `CscaMasterList`, `SecurityInfos`.
    pub content_name: &'static str,
    /// The container: `SOD`, `master list`, `EF.CardSecurity`.
    pub container: &'static str,
    /// The signer: `Document Signer`, `Master List Signer`.
    pub role: &'static str,
}

impl SignedContentKind {
    /// EF.SOD: an LDSSecurityObject signed by a Document Signer.
    pub const SOD: Self =
        SignedContentKind { content_name: "LDSSecurityObject", container: "SOD", role: "Document Signer" };
    /// A CSCA master list, signed by a Master List Signer.
    pub const MASTER_LIST: Self =
        SignedContentKind { content_name: "CscaMasterList", container: "master list", role: "Master List Signer" };
    /// EF.CardSecurity: SecurityInfos signed by a Document Signer.
    pub const CARD_SECURITY: Self =
        SignedContentKind { content_name: "SecurityInfos", container: "EF.CardSecurity", role: "Document Signer" };
}

/// What [`verify_signed_data`] found (the certificate owned).
#[derive(Debug, Clone)]
pub struct SignedDataVerification {
    /// The signer's certificate.
    pub certificate: Option<Certificate>,
    /// The signed attributes name the content type and carry the content's hash.
    pub signed_attributes: Check,
    /// The signature verifies with the certificate's key.
    pub signature: Check,
}

/// The encapsulated content octets of a `cms` SignedData.
pub fn signed_data_content(sd: &cms::signed_data::SignedData) -> Option<Vec<u8>> {
    let content = sd.encap_content_info.econtent.as_ref()?;
    content.decode_as::<der::asn1::OctetString>().ok().map(|o| o.as_bytes().to_vec())
}

/// The signer certificate and checks of a `cms` SignedData's first signer ([`verify_signer`]): its certificate
/// is the SignedData's certificate the signer identifier names, else one of `supplied`; the signed attributes
/// must name the eContentType.
pub fn verify_signed_data(
    sd: &cms::signed_data::SignedData,
    kind: SignedContentKind,
    supplied: &[Certificate],
) -> SignedDataVerification {
    let Some(signer_info) = sd.signer_infos.0.iter().next() else {
        let missing = Check::Failed(Reason::NoSignerInfo { container: kind.container });
        return SignedDataVerification { certificate: None, signed_attributes: missing.clone(), signature: missing };
    };
    let Some(content) = signed_data_content(sd) else {
        let missing = Check::Failed(Reason::Missing { what: "encapsulated content" });
        return SignedDataVerification { certificate: None, signed_attributes: missing.clone(), signature: missing };
    };
    let named: Vec<Certificate> =
        signed_data_certificates(sd).into_iter().filter(|c| names(&signer_info.sid, c)).take(1).collect();
    let attrs = signer_info.signed_attrs.as_ref().map(|attrs| {
        let value = |o| attrs.iter().find(|a| a.oid == o).and_then(|a| a.values.iter().next());
        SignedAttributesView {
            signed_bytes: Cow::Owned(attrs.to_der().unwrap_or_default()),
            content_type: value(oid::CMS_CONTENT_TYPE).and_then(|v| v.decode_as::<ObjectIdentifier>().ok()),
            message_digest: value(oid::CMS_MESSAGE_DIGEST)
                .and_then(|v| v.decode_as::<der::asn1::OctetString>().ok())
                .map(|o| o.as_bytes().to_vec()),
        }
    });
    let view = SignerView {
        content_name: kind.content_name,
        container: kind.container,
        role: kind.role,
        content_type: sd.encap_content_info.econtent_type,
        require_content_type: true,
        content: &content,
        sid: &signer_info.sid,
        digest_algorithm: &signer_info.digest_alg,
        signed_attributes: attrs,
        signature_algorithm: &signer_info.signature_algorithm,
        signature: signer_info.signature.as_bytes(),
    };
    let v = verify_signer(&view, &named, supplied);
    SignedDataVerification {
        certificate: v.certificate.cloned(),
        signed_attributes: v.signed_attributes,
        signature: v.signature,
    }
}
