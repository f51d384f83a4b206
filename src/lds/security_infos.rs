//! `SecurityInfos` (ICAO 9303-11 §9.2, BSI TR-03110-3 §A.1): EF.CardAccess and DG14.
//!
//! ```text
//! SecurityInfos ::= SET OF SecurityInfo
//! SecurityInfo ::= SEQUENCE { protocol OBJECT IDENTIFIER, requiredData ANY DEFINED BY protocol,
//!                             optionalData ANY DEFINED BY protocol OPTIONAL }
//! PACEInfo ::= SEQUENCE { protocol id-PACE-*, version INTEGER, parameterId INTEGER OPTIONAL }
//! PACEDomainParameterInfo ::= SEQUENCE { protocol id-PACE-{DH,ECDH}-{GM,IM,CAM},
//!                                        domainParameter AlgorithmIdentifier, parameterId INTEGER OPTIONAL }
//! ChipAuthenticationInfo ::= SEQUENCE { protocol id-CA-*, version INTEGER, keyId INTEGER OPTIONAL }
//! ChipAuthenticationDomainParameterInfo ::= SEQUENCE { protocol id-CA-{DH,ECDH},
//!                                        domainParameter AlgorithmIdentifier, keyId INTEGER OPTIONAL }
//! ChipAuthenticationPublicKeyInfo ::= SEQUENCE { protocol id-PK-{DH,ECDH},
//!                                        chipAuthenticationPublicKey SubjectPublicKeyInfo, keyId INTEGER OPTIONAL }
//! TerminalAuthenticationInfo ::= SEQUENCE { protocol id-TA, version INTEGER, efCVCA FileID OPTIONAL }
//! ActiveAuthenticationInfo ::= SEQUENCE { protocol id-icao-mrtd-security-aaProtocolObject,
//!                                        version INTEGER, signatureAlgorithm OBJECT IDENTIFIER }
//! ```
//!
//! Real chips do not sort the SET, so the order is kept, and every info keeps its exact bytes:
//! decoding then encoding a file reproduces it. Infos of unknown protocols are kept as they are. An info
//! of a known protocol with a version this crate does not know (PACEInfo other than 2, ChipAuthenticationInfo
//! other than 1–3, TerminalAuthenticationInfo other than 1–2, ActiveAuthenticationInfo other than 1: the ETSI
//! TR 103 200 negative cases) is kept, reported as a [`DecodeWarningKind::UnknownVersion`] warning, and left
//! out of [`SecurityInfos::pace_infos`] and [`SecurityInfos::chip_authentication_infos`], so no protocol runs
//! on it.

use core::fmt;

use der::asn1::{Any, ObjectIdentifier};
use der::{Decode, Encode, Sequence};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::public_key::PublicKey;
use super::{DecodeWarning, DecodeWarningKind, LdsError, LdsErrorKind, LdsFile};
use crate::oid::{self, CaProtocol, PaceProtocol, StandardizedDomainParameter};
use crate::tlv::{Tag, TlvReader, encode_tlv};

const SET: Tag = Tag::new(0x31);
const SEQUENCE: Tag = Tag::new(0x30);
const OID: Tag = Tag::new(0x06);

/// PACEInfo: a PACE protocol the chip supports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaceInfo {
    /// The protocol (mapping, key agreement, cipher).
    pub protocol: PaceProtocol,
    /// The version (2 for ICAO 9303 PACE v2).
    pub version: u64,
    /// The domain parameter ID: a standardized one (0–18) or a chip-specific one from a PACEDomainParameterInfo.
    pub parameter_id: Option<u64>,
}

impl PaceInfo {
    /// The standardized domain parameters, when `parameter_id` is one of IDs 0–18.
    pub fn standardized_parameters(&self) -> Option<StandardizedDomainParameter> {
        self.parameter_id.and_then(|id| u8::try_from(id).ok()).and_then(StandardizedDomainParameter::from_id)
    }
}

/// PACEDomainParameterInfo / ChipAuthenticationDomainParameterInfo: explicit domain parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainParameterInfo {
    /// The protocol OID (`id-PACE-ECDH-GM`, `id-CA-ECDH`, …).
    pub protocol: ObjectIdentifier,
    /// The algorithm (`id-ecPublicKey`, `dhpublicnumber`, or a standardized-parameters OID).
    pub algorithm: ObjectIdentifier,
    /// The parameters as encoded (DER), if any.
    pub parameters: Option<Vec<u8>>,
    /// `parameterId` (PACE) or `keyId` (CA).
    pub id: Option<u64>,
}

/// ChipAuthenticationInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipAuthenticationInfo {
    /// The protocol (key agreement, cipher).
    pub protocol: CaProtocol,
    /// The version (1 or 2).
    pub version: u64,
    /// The key ID, when the chip has several keys.
    pub key_id: Option<u64>,
}

/// ChipAuthenticationPublicKeyInfo: the chip's static key-agreement public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipAuthenticationPublicKeyInfo {
    /// `id-PK-ECDH` or `id-PK-DH`.
    pub protocol: ObjectIdentifier,
    /// The key.
    pub public_key: PublicKey,
    /// The `SubjectPublicKeyInfo` as encoded (DER).
    pub spki: Vec<u8>,
    /// The key ID.
    pub key_id: Option<u64>,
}

/// TerminalAuthenticationInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalAuthenticationInfo {
    /// The version (1 or 2).
    pub version: u64,
    /// `efCVCA` FileID (DER), when present.
    pub ef_cvca: Option<Vec<u8>>,
}

/// ActiveAuthenticationInfo: the signature algorithm an ECDSA Active Authentication uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveAuthenticationInfo {
    /// The version (1).
    pub version: u64,
    /// The signature algorithm (e.g. `ecdsa-plain-SHA256`).
    pub signature_algorithm: ObjectIdentifier,
}

/// What one SecurityInfo says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecurityInfoKind {
    /// PACEInfo.
    Pace(PaceInfo),
    /// PACEDomainParameterInfo.
    PaceDomainParameter(DomainParameterInfo),
    /// ChipAuthenticationInfo.
    ChipAuthentication(ChipAuthenticationInfo),
    /// ChipAuthenticationDomainParameterInfo.
    ChipAuthenticationDomainParameter(DomainParameterInfo),
    /// ChipAuthenticationPublicKeyInfo.
    ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo),
    /// TerminalAuthenticationInfo.
    TerminalAuthentication(TerminalAuthenticationInfo),
    /// ActiveAuthenticationInfo.
    ActiveAuthentication(ActiveAuthenticationInfo),
    /// A protocol this library does not model; kept as it is.
    Unknown {
        /// The protocol OID.
        protocol: ObjectIdentifier,
    },
}

/// One SecurityInfo with its exact bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityInfo {
    kind: SecurityInfoKind,
    raw: Vec<u8>,
}

#[derive(Sequence)]
struct VersionedInfo {
    protocol: ObjectIdentifier,
    version: u64,
    #[asn1(optional = "true")]
    id: Option<u64>,
}

#[derive(Sequence)]
struct DomainInfoAsn1 {
    protocol: ObjectIdentifier,
    domain_parameter: AlgorithmIdentifierOwned,
    #[asn1(optional = "true")]
    id: Option<u64>,
}

#[derive(Sequence)]
struct PublicKeyInfoAsn1 {
    protocol: ObjectIdentifier,
    public_key: SubjectPublicKeyInfoOwned,
    #[asn1(optional = "true")]
    key_id: Option<u64>,
}

#[derive(Sequence)]
struct TaInfoAsn1 {
    protocol: ObjectIdentifier,
    version: u64,
    #[asn1(optional = "true")]
    ef_cvca: Option<Any>,
}

#[derive(Sequence)]
struct AaInfoAsn1 {
    protocol: ObjectIdentifier,
    version: u64,
    signature_algorithm: ObjectIdentifier,
}

fn arcs_under(oid: &ObjectIdentifier, base: &ObjectIdentifier) -> Option<usize> {
    let a: Vec<u32> = oid.arcs().collect();
    let b: Vec<u32> = base.arcs().collect();
    (a.len() > b.len() && a.get(..b.len()) == Some(b.as_slice())).then(|| a.len() - b.len())
}

fn asn1(e: der::Error) -> LdsErrorKind {
    LdsErrorKind::Asn1(e.to_string())
}

impl SecurityInfo {
    /// What this info says.
    pub fn kind(&self) -> &SecurityInfoKind {
        &self.kind
    }

    /// The exact DER bytes of this info.
    pub fn as_bytes(&self) -> &[u8] {
        &self.raw
    }

    /// The protocol OID.
    pub fn protocol(&self) -> ObjectIdentifier {
        match &self.kind {
            SecurityInfoKind::Pace(p) => p.protocol.oid().unwrap_or(oid::ID_PACE),
            SecurityInfoKind::PaceDomainParameter(d) | SecurityInfoKind::ChipAuthenticationDomainParameter(d) => {
                d.protocol
            }
            SecurityInfoKind::ChipAuthentication(c) => c.protocol.oid().unwrap_or(oid::ID_CA),
            SecurityInfoKind::ChipAuthenticationPublicKey(k) => k.protocol,
            SecurityInfoKind::TerminalAuthentication(_) => oid::ID_TA,
            SecurityInfoKind::ActiveAuthentication(_) => oid::ID_AA,
            SecurityInfoKind::Unknown { protocol } => *protocol,
        }
    }

    /// The info's name and version when its protocol is known but its version is not (PACEInfo ≠ 2,
    /// ChipAuthenticationInfo ∉ 1–3, TerminalAuthenticationInfo ∉ 1–2, ActiveAuthenticationInfo ≠ 1).
    pub fn unknown_version(&self) -> Option<(&'static str, u64)> {
        match &self.kind {
            SecurityInfoKind::Pace(p) if p.version != 2 => Some(("PACEInfo", p.version)),
            SecurityInfoKind::ChipAuthentication(c) if !(1..=3).contains(&c.version) => {
                Some(("ChipAuthenticationInfo", c.version))
            }
            SecurityInfoKind::TerminalAuthentication(t) if !(1..=2).contains(&t.version) => {
                Some(("TerminalAuthenticationInfo", t.version))
            }
            SecurityInfoKind::ActiveAuthentication(a) if a.version != 1 => {
                Some(("ActiveAuthenticationInfo", a.version))
            }
            _ => None,
        }
    }

    /// Decodes one SecurityInfo (a DER SEQUENCE starting with the protocol OID).
    pub fn decode(der: &[u8]) -> Result<Self, LdsErrorKind> {
        let seq = TlvReader::single(der, SEQUENCE).map_err(|e| LdsErrorKind::Tlv(e.kind))?;
        let first = seq.children().expect(OID).map_err(|e| LdsErrorKind::Tlv(e.kind))?;
        let protocol = ObjectIdentifier::from_bytes(first.value()).map_err(|e| LdsErrorKind::Asn1(e.to_string()))?;
        let kind = if let Some(p) = PaceProtocol::from_oid(&protocol) {
            let v = VersionedInfo::from_der(der).map_err(asn1)?;
            SecurityInfoKind::Pace(PaceInfo { protocol: p, version: v.version, parameter_id: v.id })
        } else if arcs_under(&protocol, &oid::ID_PACE) == Some(1) {
            SecurityInfoKind::PaceDomainParameter(Self::domain(der)?)
        } else if let Some(c) = CaProtocol::from_oid(&protocol) {
            let v = VersionedInfo::from_der(der).map_err(asn1)?;
            SecurityInfoKind::ChipAuthentication(ChipAuthenticationInfo {
                protocol: c,
                version: v.version,
                key_id: v.id,
            })
        } else if arcs_under(&protocol, &oid::ID_CA) == Some(1) {
            SecurityInfoKind::ChipAuthenticationDomainParameter(Self::domain(der)?)
        } else if protocol == oid::ID_PK_ECDH || protocol == oid::ID_PK_DH {
            let k = PublicKeyInfoAsn1::from_der(der).map_err(asn1)?;
            let spki = k.public_key.to_der().map_err(asn1)?;
            let public_key = PublicKey::from_spki(&k.public_key).map_err(|e| LdsErrorKind::Asn1(e.to_string()))?;
            SecurityInfoKind::ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo {
                protocol,
                public_key,
                spki,
                key_id: k.key_id,
            })
        } else if protocol == oid::ID_TA {
            let t = TaInfoAsn1::from_der(der).map_err(asn1)?;
            let ef_cvca = t.ef_cvca.map(|a| a.to_der()).transpose().map_err(asn1)?;
            SecurityInfoKind::TerminalAuthentication(TerminalAuthenticationInfo { version: t.version, ef_cvca })
        } else if protocol == oid::ID_AA {
            let a = AaInfoAsn1::from_der(der).map_err(asn1)?;
            SecurityInfoKind::ActiveAuthentication(ActiveAuthenticationInfo {
                version: a.version,
                signature_algorithm: a.signature_algorithm,
            })
        } else {
            SecurityInfoKind::Unknown { protocol }
        };
        Ok(SecurityInfo { kind, raw: der.to_vec() })
    }

    fn domain(der: &[u8]) -> Result<DomainParameterInfo, LdsErrorKind> {
        let d = DomainInfoAsn1::from_der(der).map_err(asn1)?;
        Ok(DomainParameterInfo {
            protocol: d.protocol,
            algorithm: d.domain_parameter.oid,
            parameters: d.domain_parameter.parameters.map(|p| p.to_der()).transpose().map_err(asn1)?,
            id: d.id,
        })
    }

    /// Builds an info from its typed form (the bytes are its DER encoding).
    pub fn new(kind: SecurityInfoKind) -> Result<Self, LdsErrorKind> {
        let unencodable = |reason| LdsErrorKind::Unencodable { field: "SecurityInfo", reason };
        let raw = match &kind {
            SecurityInfoKind::Pace(p) => VersionedInfo {
                protocol: p.protocol.oid().ok_or(unencodable("PACE protocol has no OID"))?,
                version: p.version,
                id: p.parameter_id,
            }
            .to_der(),
            SecurityInfoKind::ChipAuthentication(c) => VersionedInfo {
                protocol: c.protocol.oid().ok_or(unencodable("CA protocol has no OID"))?,
                version: c.version,
                id: c.key_id,
            }
            .to_der(),
            SecurityInfoKind::PaceDomainParameter(d) | SecurityInfoKind::ChipAuthenticationDomainParameter(d) => {
                DomainInfoAsn1 {
                    protocol: d.protocol,
                    domain_parameter: AlgorithmIdentifierOwned {
                        oid: d.algorithm,
                        parameters: d.parameters.as_deref().map(Any::from_der).transpose().map_err(asn1)?,
                    },
                    id: d.id,
                }
                .to_der()
            }
            SecurityInfoKind::ChipAuthenticationPublicKey(k) => PublicKeyInfoAsn1 {
                protocol: k.protocol,
                public_key: SubjectPublicKeyInfoOwned::from_der(&k.spki).map_err(asn1)?,
                key_id: k.key_id,
            }
            .to_der(),
            SecurityInfoKind::TerminalAuthentication(t) => TaInfoAsn1 {
                protocol: oid::ID_TA,
                version: t.version,
                ef_cvca: t.ef_cvca.as_deref().map(Any::from_der).transpose().map_err(asn1)?,
            }
            .to_der(),
            SecurityInfoKind::ActiveAuthentication(a) => {
                AaInfoAsn1 { protocol: oid::ID_AA, version: a.version, signature_algorithm: a.signature_algorithm }
                    .to_der()
            }
            SecurityInfoKind::Unknown { .. } => return Err(unencodable("an unknown info can only be decoded")),
        }
        .map_err(asn1)?;
        Ok(SecurityInfo { kind, raw })
    }

    /// A ChipAuthenticationPublicKeyInfo for a public key (`id-PK-ECDH` for EC keys, `id-PK-DH` for DH).
    pub fn chip_authentication_public_key(public_key: &PublicKey, key_id: Option<u64>) -> Result<Self, LdsErrorKind> {
        let protocol = match public_key {
            PublicKey::Dh { .. } => oid::ID_PK_DH,
            _ => oid::ID_PK_ECDH,
        };
        let spki = public_key.to_spki_der().map_err(|e| LdsErrorKind::Asn1(e.to_string()))?;
        Self::new(SecurityInfoKind::ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo {
            protocol,
            public_key: public_key.clone(),
            spki,
            key_id,
        }))
    }
}

/// A list of SecurityInfo in the order the chip wrote them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityInfos {
    infos: Vec<SecurityInfo>,
    warnings: Vec<DecodeWarning>,
}

impl SecurityInfos {
    /// A list of infos, in this order.
    pub fn new(infos: Vec<SecurityInfo>) -> Self {
        SecurityInfos { infos, warnings: Vec::new() }
    }

    /// What the decoder tolerated: bytes after the file's TLV, infos with unknown versions.
    pub fn warnings(&self) -> &[DecodeWarning] {
        &self.warnings
    }

    /// Decodes `31 LL <SecurityInfo>...`, reporting errors against `file` with offsets from `base`.
    pub(crate) fn decode_set(
        bytes: &[u8],
        base: usize,
        file: LdsFile,
        mut warnings: Vec<DecodeWarning>,
    ) -> Result<Self, LdsError> {
        let mut reader = TlvReader::with_base(bytes, base);
        let set = reader.expect(SET).map_err(|e| LdsError::tlv(file, e))?;
        reader.finish().map_err(|e| LdsError::tlv(file, e))?;
        let mut infos = Vec::new();
        for item in set.children() {
            let item = item.map_err(|e| LdsError::tlv(file, e))?;
            let info = SecurityInfo::decode(item.raw()).map_err(|kind| LdsError::at(file, item.offset(), kind))?;
            if let Some((info_name, version)) = info.unknown_version() {
                warnings.push(DecodeWarning {
                    offset: item.offset(),
                    kind: DecodeWarningKind::UnknownVersion { info: info_name, version },
                });
            }
            infos.push(info);
        }
        warnings.sort_by_key(|w| w.offset);
        Ok(SecurityInfos { infos, warnings })
    }

    /// The `SET` encoding (the infos in their order, each with its exact bytes).
    pub fn encode_set(&self) -> Vec<u8> {
        let body: Vec<u8> = self.infos.iter().flat_map(|i| i.raw.iter().copied()).collect();
        encode_tlv(SET, &body)
    }

    /// Every info, in order.
    pub fn infos(&self) -> &[SecurityInfo] {
        &self.infos
    }

    /// The PACEInfos of a known version (2).
    pub fn pace_infos(&self) -> impl Iterator<Item = &PaceInfo> {
        self.infos.iter().filter(|i| i.unknown_version().is_none()).filter_map(|i| match &i.kind {
            SecurityInfoKind::Pace(p) => Some(p),
            _ => None,
        })
    }

    /// The PACEDomainParameterInfos (explicit domain parameters for PACEInfos with chip-specific IDs).
    pub fn pace_domain_parameters(&self) -> impl Iterator<Item = &DomainParameterInfo> {
        self.infos.iter().filter_map(|i| match &i.kind {
            SecurityInfoKind::PaceDomainParameter(p) => Some(p),
            _ => None,
        })
    }

    /// The ChipAuthenticationInfos of a known version (1 to 3).
    pub fn chip_authentication_infos(&self) -> impl Iterator<Item = &ChipAuthenticationInfo> {
        self.infos.iter().filter(|i| i.unknown_version().is_none()).filter_map(|i| match &i.kind {
            SecurityInfoKind::ChipAuthentication(c) => Some(c),
            _ => None,
        })
    }

    /// The ChipAuthenticationPublicKeyInfos.
    pub fn chip_authentication_public_keys(&self) -> impl Iterator<Item = &ChipAuthenticationPublicKeyInfo> {
        self.infos.iter().filter_map(|i| match &i.kind {
            SecurityInfoKind::ChipAuthenticationPublicKey(k) => Some(k),
            _ => None,
        })
    }

    /// The TerminalAuthenticationInfo, if any.
    pub fn terminal_authentication(&self) -> Option<&TerminalAuthenticationInfo> {
        self.infos.iter().find_map(|i| match &i.kind {
            SecurityInfoKind::TerminalAuthentication(t) => Some(t),
            _ => None,
        })
    }

    /// The ActiveAuthenticationInfo, if any.
    pub fn active_authentication(&self) -> Option<&ActiveAuthenticationInfo> {
        self.infos.iter().find_map(|i| match &i.kind {
            SecurityInfoKind::ActiveAuthentication(a) => Some(a),
            _ => None,
        })
    }
}

/// EF.CardAccess: the SecurityInfos a terminal reads before access control (a bare `SET`, FID `011C`).
#[derive(Clone, PartialEq, Eq)]
pub struct CardAccess {
    /// The infos.
    pub infos: SecurityInfos,
}

impl CardAccess {
    /// Decodes EF.CardAccess.
    pub fn decode(bytes: &[u8]) -> Result<Self, LdsError> {
        let (bytes, warnings) = super::warning::outer_content(LdsFile::CardAccess, SET, bytes)?;
        Ok(CardAccess { infos: SecurityInfos::decode_set(bytes, 0, LdsFile::CardAccess, warnings)? })
    }

    /// This EF.CardAccess with its ChipAuthenticationInfos naming `agreement` (a chip issued with a DH Chip
    /// Authentication key announces `id-CA-DH-*`).
    pub fn with_chip_authentication_agreement(&self, agreement: oid::KeyAgreement) -> Result<Self, LdsError> {
        let infos = self
            .infos
            .infos()
            .iter()
            .map(|i| match i.kind() {
                SecurityInfoKind::ChipAuthentication(ca) => {
                    let mut ca = ca.clone();
                    ca.protocol.key_agreement = agreement;
                    SecurityInfo::new(SecurityInfoKind::ChipAuthentication(ca))
                        .map_err(|k| LdsError::new(LdsFile::CardAccess, k))
                }
                _ => Ok(i.clone()),
            })
            .collect::<Result<_, _>>()?;
        Ok(CardAccess { infos: SecurityInfos::new(infos) })
    }

    /// Encodes EF.CardAccess.
    pub fn encode(&self) -> Vec<u8> {
        self.infos.encode_set()
    }

    /// The EF.CardAccess of the Vietnamese card (cccd-profile §2): PACE-ECDH-GM-AES-128 on brainpoolP256r1 (ID 13),
    /// CA-ECDH-AES-128 version 1, TA version 1.
    pub fn cccd() -> Self {
        let pace = PaceProtocol {
            key_agreement: oid::KeyAgreement::Ecdh,
            mapping: oid::PaceMapping::Generic,
            cipher: oid::SmCipher::Aes128,
        };
        let ca = CaProtocol { key_agreement: oid::KeyAgreement::Ecdh, cipher: oid::SmCipher::Aes128 };
        let infos = [
            SecurityInfoKind::TerminalAuthentication(TerminalAuthenticationInfo { version: 1, ef_cvca: None }),
            SecurityInfoKind::ChipAuthentication(ChipAuthenticationInfo { protocol: ca, version: 1, key_id: None }),
            SecurityInfoKind::Pace(PaceInfo { protocol: pace, version: 2, parameter_id: Some(13) }),
        ]
        .into_iter()
        .filter_map(|k| SecurityInfo::new(k).ok())
        .collect();
        CardAccess { infos: SecurityInfos::new(infos) }
    }
}

impl fmt::Debug for CardAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardAccess").field("infos", &self.infos).finish()
    }
}

/// DG14: the SecurityInfos for Chip and Terminal Authentication (`6E` wrapping a `SET`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg14 {
    /// The infos.
    pub infos: SecurityInfos,
}

impl Dg14 {
    fn file() -> LdsFile {
        LdsFile::dg(14).unwrap_or(LdsFile::CardAccess)
    }

    /// Decodes DG14.
    pub fn decode(bytes: &[u8]) -> Result<Self, LdsError> {
        let (bytes, warnings) = super::warning::outer_content(Self::file(), Tag::new(0x6E), bytes)?;
        let outer = TlvReader::single(bytes, Tag::new(0x6E)).map_err(|e| LdsError::tlv(Self::file(), e))?;
        Ok(Dg14 { infos: SecurityInfos::decode_set(outer.value(), outer.value_offset(), Self::file(), warnings)? })
    }

    /// Encodes DG14.
    pub fn encode(&self) -> Vec<u8> {
        encode_tlv(Tag::new(0x6E), &self.infos.encode_set())
    }

    /// A DG14 for a chip with one Chip Authentication key: ChipAuthenticationInfo (`id-CA-ECDH-AES-CBC-CMAC-128`,
    /// or `id-CA-DH-AES-CBC-CMAC-128` for a DH key, version 1) and the ChipAuthenticationPublicKeyInfo, plus a
    /// TerminalAuthenticationInfo as the CCCD has.
    pub fn for_chip_authentication(public_key: &PublicKey, key_id: Option<u64>) -> Result<Self, LdsError> {
        let err = |kind| LdsError::new(Self::file(), kind);
        let key_agreement =
            if matches!(public_key, PublicKey::Dh { .. }) { oid::KeyAgreement::Dh } else { oid::KeyAgreement::Ecdh };
        let ca = CaProtocol { key_agreement, cipher: oid::SmCipher::Aes128 };
        let infos = vec![
            SecurityInfo::new(SecurityInfoKind::TerminalAuthentication(TerminalAuthenticationInfo {
                version: 1,
                ef_cvca: None,
            }))
            .map_err(err)?,
            SecurityInfo::new(SecurityInfoKind::ChipAuthentication(ChipAuthenticationInfo {
                protocol: ca,
                version: 1,
                key_id,
            }))
            .map_err(err)?,
            SecurityInfo::chip_authentication_public_key(public_key, key_id).map_err(err)?,
        ];
        Ok(Dg14 { infos: SecurityInfos::new(infos) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CCCD_CARD_ACCESS: &str =
        "3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d";

    #[test]
    fn cccd_card_access_decodes_and_round_trips() {
        let bytes = hex::decode(CCCD_CARD_ACCESS).unwrap();
        let ca = CardAccess::decode(&bytes).unwrap();
        assert_eq!(ca.encode(), bytes);
        let infos = ca.infos.infos();
        assert_eq!(infos.len(), 3);
        assert_eq!(infos[0].protocol(), oid::ID_TA);
        let pace: Vec<_> = ca.infos.pace_infos().collect();
        assert_eq!(pace.len(), 1);
        assert_eq!(pace[0].protocol.name(), "id-PACE-ECDH-GM-AES-CBC-CMAC-128");
        assert_eq!(pace[0].version, 2);
        assert_eq!(pace[0].standardized_parameters(), Some(StandardizedDomainParameter::BrainpoolP256r1));
        let ca_info: Vec<_> = ca.infos.chip_authentication_infos().collect();
        assert_eq!(ca_info[0].protocol.name(), "id-CA-ECDH-AES-CBC-CMAC-128");
        assert_eq!(ca_info[0].version, 1);
        assert_eq!(ca.infos.terminal_authentication().map(|t| t.version), Some(1));
        // the builder reproduces the card's bytes
        assert_eq!(CardAccess::cccd().encode(), bytes);
    }

    #[test]
    fn unknown_infos_are_kept() {
        let unknown = hex::decode("3009060404010203020101").unwrap();
        let mut body = unknown.clone();
        body.extend(hex::decode(&CCCD_CARD_ACCESS[4..]).unwrap());
        let bytes = encode_tlv(SET, &body);
        let ca = CardAccess::decode(&bytes).unwrap();
        assert!(matches!(ca.infos.infos()[0].kind(), SecurityInfoKind::Unknown { .. }));
        assert_eq!(ca.encode(), bytes);
    }

    #[test]
    fn malformed_input_is_rejected() {
        let bytes = hex::decode(CCCD_CARD_ACCESS).unwrap();
        for cut in 0..bytes.len() {
            assert!(CardAccess::decode(&bytes[..cut]).is_err(), "truncated at {cut}");
        }
        let mut long = bytes.clone();
        long.push(0);
        let padded = CardAccess::decode(&long).unwrap();
        assert_eq!(
            padded.infos.warnings(),
            [crate::lds::DecodeWarning {
                offset: bytes.len(),
                kind: crate::lds::DecodeWarningKind::Padding { byte: 0, len: 1 }
            }]
        );
        assert_eq!(padded.encode(), bytes);
        // a PACEInfo whose version is not an INTEGER
        let bad = hex::decode("3111300f060a04007f00070202040202040101").unwrap();
        let e = CardAccess::decode(&bad).unwrap_err();
        assert!(matches!(e.kind, LdsErrorKind::Asn1(_)));
        assert_eq!(e.offset, Some(2));
        assert!(Dg14::decode(&bytes).is_err());
    }
}
