//! EF.SOD, the Document Security Object (ICAO 9303-10 §4.6.2, 9303-12 §4): a CMS `SignedData` (RFC 5652) whose
//! encapsulated content is the `LDSSecurityObject`. This module parses it and builds the `LDSSecurityObject`;
//! checking the signature is Passive Authentication's job.
//!
//! ```text
//! LDSSecurityObject ::= SEQUENCE {
//!     version                LDSSecurityObjectVersion,      -- v0(0), v1(1)
//!     hashAlgorithm          DigestAlgorithmIdentifier,
//!     dataGroupHashValues    SEQUENCE SIZE (2..ub-DataGroups) OF DataGroupHash,
//!     ldsVersionInfo         LDSVersionInfo OPTIONAL }      -- present in v1
//! DataGroupHash ::= SEQUENCE { dataGroupNumber DataGroupNumber, dataGroupHashValue OCTET STRING }
//! LDSVersionInfo ::= SEQUENCE { ldsVersion PrintableString, unicodeVersion PrintableString }
//! ```
//!
//! The CMS structure is walked with the bounded TLV reader, so every part keeps its exact bytes (the
//! encapsulated content and the signed attributes are what gets hashed and signed, and real documents do not
//! always sort their SETs as DER wants); the leaves (certificates, algorithm identifiers, attributes) are
//! decoded with `der`, `spki`, `x509-cert` and `cms`.

use core::fmt;

use cms::signed_data::SignerIdentifier;
use der::asn1::{ObjectIdentifier, OctetString, PrintableString};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;

use super::{LdsError, LdsErrorKind, LdsFile};
use crate::oid;
use crate::tlv::{Tag, Tlv, TlvReader, encode_tlv};

const SOD: Tag = Tag::new(0x77);
const SEQUENCE: Tag = Tag::new(0x30);
const SET: Tag = Tag::new(0x31);
const OID: Tag = Tag::new(0x06);
const INTEGER: Tag = Tag::new(0x02);
const OCTET_STRING: Tag = Tag::new(0x04);
const CTX0: Tag = Tag::new(0xA0);
const CTX1: Tag = Tag::new(0xA1);

#[derive(Sequence)]
struct DataGroupHashAsn1 {
    number: u8,
    hash: OctetString,
}

#[derive(Sequence)]
struct LdsVersionInfoAsn1 {
    lds_version: PrintableString,
    unicode_version: PrintableString,
}

#[derive(Sequence)]
struct LdsSecurityObjectAsn1 {
    version: u8,
    hash_algorithm: AlgorithmIdentifierOwned,
    hashes: Vec<DataGroupHashAsn1>,
    #[asn1(optional = "true")]
    version_info: Option<LdsVersionInfoAsn1>,
}

/// One data group hash of the LDSSecurityObject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataGroupHash {
    /// The data group number (1–16).
    pub number: u8,
    /// The hash of the data group's whole content.
    pub hash: Vec<u8>,
}

/// The `LDSSecurityObject`: the hashes the Document Signer signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdsSecurityObject {
    /// 0, or 1 when `lds_version` is present.
    pub version: u8,
    /// The hash algorithm of the data group hashes.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// The data group hashes, in order.
    pub data_group_hashes: Vec<DataGroupHash>,
    /// `(ldsVersion, unicodeVersion)`, e.g. `("0108", "040000")`, in version 1.
    pub lds_version: Option<(String, String)>,
}

fn asn1(e: der::Error) -> LdsErrorKind {
    LdsErrorKind::Asn1(e.to_string())
}

impl LdsSecurityObject {
    /// Decodes the DER `LDSSecurityObject`.
    pub fn decode(der: &[u8]) -> Result<Self, LdsErrorKind> {
        let o = LdsSecurityObjectAsn1::from_der(der).map_err(asn1)?;
        if o.version > 1 {
            return Err(LdsErrorKind::Invalid { field: "LDSSecurityObject version", reason: "not 0 or 1" });
        }
        Ok(LdsSecurityObject {
            version: o.version,
            hash_algorithm: o.hash_algorithm,
            data_group_hashes: o
                .hashes
                .into_iter()
                .map(|h| DataGroupHash { number: h.number, hash: h.hash.as_bytes().to_vec() })
                .collect(),
            lds_version: o.version_info.map(|v| (v.lds_version.to_string(), v.unicode_version.to_string())),
        })
    }

    /// Encodes as DER, with the version as given (build version 1 with `lds_version`, 0 without).
    pub fn encode(&self) -> Result<Vec<u8>, LdsErrorKind> {
        let hashes = self
            .data_group_hashes
            .iter()
            .map(|h| Ok(DataGroupHashAsn1 { number: h.number, hash: OctetString::new(h.hash.clone())? }))
            .collect::<Result<Vec<_>, der::Error>>()
            .map_err(asn1)?;
        let version_info = self
            .lds_version
            .as_ref()
            .map(|(l, u)| {
                Ok(LdsVersionInfoAsn1 {
                    lds_version: PrintableString::new(l)?,
                    unicode_version: PrintableString::new(u)?,
                })
            })
            .transpose()
            .map_err(asn1)?;
        LdsSecurityObjectAsn1 {
            version: self.version,
            hash_algorithm: self.hash_algorithm.clone(),
            hashes,
            version_info,
        }
        .to_der()
        .map_err(asn1)
    }

    /// The hash of data group `n`.
    pub fn hash_of(&self, n: u8) -> Option<&[u8]> {
        self.data_group_hashes.iter().find(|h| h.number == n).map(|h| h.hash.as_slice())
    }
}

/// The signed attributes of a SignerInfo, with their exact bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedAttributes {
    raw: Vec<u8>,
    /// The attributes, in the order they were encoded.
    pub attributes: Vec<Attribute>,
}

impl SignedAttributes {
    /// The bytes the signature covers: the attributes re-tagged as a `SET` (`31`), per RFC 5652 §5.4.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut out = self.raw.clone();
        if let Some(first) = out.first_mut() {
            *first = 0x31;
        }
        out
    }

    /// The bytes as they stand in the SignerInfo (`A0 …`).
    pub fn as_bytes(&self) -> &[u8] {
        &self.raw
    }

    fn single_value(&self, oid: ObjectIdentifier) -> Option<&der::Any> {
        self.attributes.iter().find(|a| a.oid == oid).and_then(|a| a.values.iter().next())
    }

    /// The `messageDigest` attribute's value.
    pub fn message_digest(&self) -> Option<Vec<u8>> {
        self.single_value(oid::CMS_MESSAGE_DIGEST)
            .and_then(|v| v.decode_as::<OctetString>().ok())
            .map(|o| o.as_bytes().to_vec())
    }

    /// The `contentType` attribute's value.
    pub fn content_type(&self) -> Option<ObjectIdentifier> {
        self.single_value(oid::CMS_CONTENT_TYPE).and_then(|v| v.decode_as::<ObjectIdentifier>().ok())
    }

    /// The `signingTime` attribute's value.
    pub fn signing_time(&self) -> Option<x509_cert::time::Time> {
        self.single_value(oid::CMS_SIGNING_TIME).and_then(|v| v.decode_as::<x509_cert::time::Time>().ok())
    }
}

impl fmt::Debug for SignedAttributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let oids: Vec<String> = self.attributes.iter().map(|a| a.oid.to_string()).collect();
        f.debug_struct("SignedAttributes").field("attributes", &oids).field("len", &self.raw.len()).finish()
    }
}

/// A CMS SignerInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfo {
    /// 1 (issuer and serial number) or 3 (subject key identifier).
    pub version: u8,
    /// Which certificate signed.
    pub sid: SignerIdentifier,
    /// The digest algorithm.
    pub digest_algorithm: AlgorithmIdentifierOwned,
    /// The signed attributes, when present (ICAO requires them).
    pub signed_attributes: Option<SignedAttributes>,
    /// The signature algorithm.
    pub signature_algorithm: AlgorithmIdentifierOwned,
    /// The signature.
    pub signature: Vec<u8>,
}

/// EF.SOD.
#[derive(Clone, PartialEq, Eq)]
pub struct Sod {
    raw: Vec<u8>,
    /// The decoded LDSSecurityObject.
    pub lds_security_object: LdsSecurityObject,
    /// The eContentType (`id-icao-mrtd-security-ldsSecurityObject`).
    pub econtent_type: ObjectIdentifier,
    econtent: Vec<u8>,
    /// The SignedData digest algorithms.
    pub digest_algorithms: Vec<AlgorithmIdentifierOwned>,
    /// The certificates in the SignedData (the Document Signer certificate, usually).
    pub certificates: Vec<Certificate>,
    certificates_raw: Vec<Vec<u8>>,
    /// The signer infos (one, usually).
    pub signer_infos: Vec<SignerInfo>,
    warnings: Vec<super::DecodeWarning>,
}

impl fmt::Debug for Sod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sod")
            .field("lds_security_object", &self.lds_security_object)
            .field("certificates", &self.certificates.len())
            .field("signer_infos", &self.signer_infos)
            .field("len", &self.raw.len())
            .finish()
    }
}

struct Walk {
    file: LdsFile,
}

impl Walk {
    fn tlv(&self, e: crate::tlv::TlvError) -> LdsError {
        LdsError::tlv(self.file, e)
    }

    fn der<'a, T: Decode<'a, Error = der::Error>>(&self, t: &Tlv<'a>) -> Result<T, LdsError> {
        T::from_der(t.raw()).map_err(|e| LdsError::at(self.file, t.offset(), asn1(e)))
    }

    fn oid(&self, t: &Tlv<'_>) -> Result<ObjectIdentifier, LdsError> {
        ObjectIdentifier::from_bytes(t.value())
            .map_err(|e| LdsError::at(self.file, t.offset(), LdsErrorKind::Asn1(e.to_string())))
    }

    fn small_int(&self, t: &Tlv<'_>) -> Result<u8, LdsError> {
        match t.value() {
            [v] => Ok(*v),
            _ => Err(LdsError::at(
                self.file,
                t.offset(),
                LdsErrorKind::Invalid { field: "version", reason: "not 0–127" },
            )),
        }
    }
}

/// The parts of a CMS `ContentInfo` holding a `SignedData`, as walked (shared by EF.SOD and EF.CardSecurity).
pub(crate) struct SignedParts {
    pub(crate) econtent_type: ObjectIdentifier,
    pub(crate) econtent: Vec<u8>,
    pub(crate) econtent_offset: usize,
    pub(crate) digest_algorithms: Vec<AlgorithmIdentifierOwned>,
    pub(crate) certificates: Vec<Certificate>,
    pub(crate) certificates_raw: Vec<Vec<u8>>,
    pub(crate) signer_infos: Vec<SignerInfo>,
}

/// Walks `ContentInfo ::= SEQUENCE { id-signedData, [0] EXPLICIT SignedData }` (offsets from `base`).
pub(crate) fn walk_content_info(file: LdsFile, content_info: &[u8], base: usize) -> Result<SignedParts, LdsError> {
    let w = Walk { file };
    let mut ci = TlvReader::with_base(content_info, base);
    let content_info = ci.expect(SEQUENCE).map_err(|e| w.tlv(e))?;
    ci.finish().map_err(|e| w.tlv(e))?;
    let mut ci = content_info.children();
    let ct = ci.expect(OID).map_err(|e| w.tlv(e))?;
    if w.oid(&ct)? != oid::CMS_SIGNED_DATA {
        return Err(LdsError::at(
            w.file,
            ct.offset(),
            LdsErrorKind::Invalid { field: "contentType", reason: "not id-signedData" },
        ));
    }
    let explicit = ci.expect(CTX0).map_err(|e| w.tlv(e))?;
    ci.finish().map_err(|e| w.tlv(e))?;
    let mut ex = explicit.children();
    let signed_data = ex.expect(SEQUENCE).map_err(|e| w.tlv(e))?;
    ex.finish().map_err(|e| w.tlv(e))?;

    let mut sd = signed_data.children();
    let _version = sd.expect(INTEGER).map_err(|e| w.tlv(e))?;
    let digest_set = sd.expect(SET).map_err(|e| w.tlv(e))?;
    let mut digest_algorithms = Vec::new();
    for a in digest_set.children() {
        let a = a.map_err(|e| w.tlv(e))?;
        digest_algorithms.push(w.der::<AlgorithmIdentifierOwned>(&a)?);
    }
    let encap = sd.expect(SEQUENCE).map_err(|e| w.tlv(e))?;
    let mut en = encap.children();
    let econtent_type = w.oid(&en.expect(OID).map_err(|e| w.tlv(e))?)?;
    let econtent_explicit = en.expect(CTX0).map_err(|e| w.tlv(e))?;
    en.finish().map_err(|e| w.tlv(e))?;
    let mut ec = econtent_explicit.children();
    let econtent_octets = ec.expect(OCTET_STRING).map_err(|e| w.tlv(e))?;
    ec.finish().map_err(|e| w.tlv(e))?;

    let mut certificates = Vec::new();
    let mut certificates_raw = Vec::new();
    if let Some(certs) = sd.optional(CTX0).map_err(|e| w.tlv(e))? {
        for c in certs.children() {
            let c = c.map_err(|e| w.tlv(e))?;
            if c.tag() == SEQUENCE {
                certificates.push(w.der::<Certificate>(&c)?);
                certificates_raw.push(c.raw().to_vec());
            }
        }
    }
    let _crls = sd.optional(CTX1).map_err(|e| w.tlv(e))?;
    let signer_set = sd.expect(SET).map_err(|e| w.tlv(e))?;
    sd.finish().map_err(|e| w.tlv(e))?;
    let mut signer_infos = Vec::new();
    for si in signer_set.children() {
        let si = si.map_err(|e| w.tlv(e))?;
        signer_infos.push(Sod::signer_info(&w, &si)?);
    }
    if signer_infos.is_empty() {
        return Err(LdsError::at(w.file, signer_set.offset(), LdsErrorKind::Missing("SignerInfo")));
    }
    Ok(SignedParts {
        econtent_type,
        econtent: econtent_octets.value().to_vec(),
        econtent_offset: econtent_octets.value_offset(),
        digest_algorithms,
        certificates,
        certificates_raw,
        signer_infos,
    })
}

impl Sod {
    /// Decodes EF.SOD (`77 LL ContentInfo`); bytes after it are a warning ([`super::warning`]).
    pub fn decode(bytes: &[u8]) -> Result<Self, LdsError> {
        let w = Walk { file: LdsFile::Sod };
        let (bytes, warnings) = super::warning::outer_content(w.file, SOD, bytes)?;
        let outer = TlvReader::single(bytes, SOD).map_err(|e| w.tlv(e))?;
        let parts = walk_content_info(w.file, outer.value(), outer.value_offset())?;
        let lds_security_object =
            LdsSecurityObject::decode(&parts.econtent).map_err(|k| LdsError::at(w.file, parts.econtent_offset, k))?;
        Ok(Sod {
            raw: bytes.to_vec(),
            lds_security_object,
            econtent_type: parts.econtent_type,
            econtent: parts.econtent,
            digest_algorithms: parts.digest_algorithms,
            certificates: parts.certificates,
            certificates_raw: parts.certificates_raw,
            signer_infos: parts.signer_infos,
            warnings,
        })
    }

    /// What the decoder tolerated.
    pub fn warnings(&self) -> &[super::DecodeWarning] {
        &self.warnings
    }

    fn signer_info(w: &Walk, si: &Tlv<'_>) -> Result<SignerInfo, LdsError> {
        if si.tag() != SEQUENCE {
            return Err(LdsError::at(
                w.file,
                si.offset(),
                LdsErrorKind::Invalid { field: "SignerInfo", reason: "not a SEQUENCE" },
            ));
        }
        let mut r = si.children();
        let version = w.small_int(&r.expect(INTEGER).map_err(|e| w.tlv(e))?)?;
        let sid_tlv = r.read().map_err(|e| w.tlv(e))?;
        let sid = w.der::<SignerIdentifier>(&sid_tlv)?;
        let digest_algorithm = w.der::<AlgorithmIdentifierOwned>(&r.expect(SEQUENCE).map_err(|e| w.tlv(e))?)?;
        let signed_attributes = match r.optional(CTX0).map_err(|e| w.tlv(e))? {
            Some(attrs) => {
                let mut attributes = Vec::new();
                for a in attrs.children() {
                    let a = a.map_err(|e| w.tlv(e))?;
                    attributes.push(w.der::<Attribute>(&a)?);
                }
                Some(SignedAttributes { raw: attrs.raw().to_vec(), attributes })
            }
            None => None,
        };
        let signature_algorithm = w.der::<AlgorithmIdentifierOwned>(&r.expect(SEQUENCE).map_err(|e| w.tlv(e))?)?;
        let signature = r.expect(OCTET_STRING).map_err(|e| w.tlv(e))?.value().to_vec();
        let _unsigned = r.optional(CTX1).map_err(|e| w.tlv(e))?;
        r.finish().map_err(|e| w.tlv(e))?;
        Ok(SignerInfo { version, sid, digest_algorithm, signed_attributes, signature_algorithm, signature })
    }

    /// The file's bytes, exactly as decoded (or as built).
    pub fn encode(&self) -> Vec<u8> {
        self.raw.clone()
    }

    /// The exact bytes of the encapsulated `LDSSecurityObject` (what `messageDigest` hashes).
    pub fn econtent(&self) -> &[u8] {
        &self.econtent
    }

    /// The exact bytes of each certificate in the SignedData.
    pub fn certificates_der(&self) -> &[Vec<u8>] {
        &self.certificates_raw
    }

    /// The `ContentInfo` without the `77` wrapper (what `openssl cms -inform DER` reads).
    pub fn content_info_der(&self) -> &[u8] {
        TlvReader::single(&self.raw, SOD).map(|t| t.value()).unwrap_or_default()
    }

    /// The hash of data group `n` listed in the LDSSecurityObject.
    pub fn data_group_hash(&self, n: u8) -> Option<&[u8]> {
        self.lds_security_object.hash_of(n)
    }

    /// Wraps a DER `ContentInfo` as EF.SOD (`77 LL …`) and decodes it.
    pub fn from_content_info(content_info: &[u8]) -> Result<Self, LdsError> {
        Self::decode(&encode_tlv(SOD, content_info))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_lso() -> LdsSecurityObject {
        LdsSecurityObject {
            version: 1,
            hash_algorithm: AlgorithmIdentifierOwned { oid: oid::SHA256, parameters: None },
            data_group_hashes: vec![
                DataGroupHash { number: 1, hash: vec![1; 32] },
                DataGroupHash { number: 2, hash: vec![2; 32] },
            ],
            lds_version: Some(("0107".into(), "040000".into())),
        }
    }

    #[test]
    fn lds_security_object_round_trip() {
        let lso = sample_lso();
        let der = lso.encode().unwrap();
        assert_eq!(LdsSecurityObject::decode(&der).unwrap(), lso);
        assert_eq!(lso.hash_of(2), Some(&[2u8; 32][..]));
        let mut v0 = lso.clone();
        v0.lds_version = None;
        v0.version = 0;
        assert_eq!(LdsSecurityObject::decode(&v0.encode().unwrap()).unwrap(), v0);
    }

    #[test]
    fn version_is_kept_even_without_version_info() {
        // found by the `sod` fuzz target: a v1 object without LDSVersionInfo re-encoded as v0
        let mut lso = sample_lso();
        lso.lds_version = None;
        let der = lso.encode().unwrap();
        assert_eq!(LdsSecurityObject::decode(&der).unwrap(), lso);
    }

    #[test]
    fn garbage_is_rejected() {
        assert!(Sod::decode(&[]).is_err());
        assert!(Sod::decode(&[0x77, 0x00]).is_err());
        assert!(Sod::decode(&[0x77, 0x02, 0x30, 0x00]).is_err());
        assert!(LdsSecurityObject::decode(&[0x30, 0x00]).is_err());
    }
}
