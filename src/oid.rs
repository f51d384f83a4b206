//! Object identifiers used by eMRTDs (ICAO Doc 9303-10/11/12, BSI TR-03110, RFC 5639, RFC 5480, RFC 8017),
//! and typed views of the protocol OIDs that carry meaning in their arcs.

pub use const_oid::ObjectIdentifier;

/// `bsi-de` protocols root: `0.4.0.127.0.7.2.2`.
pub const BSI_PROTOCOLS: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2");
/// `id-PK`: `0.4.0.127.0.7.2.2.1`.
pub const ID_PK: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.1");
/// `id-PK-DH`: Chip Authentication public key, Diffie–Hellman.
pub const ID_PK_DH: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.1.1");
/// `id-PK-ECDH`: Chip Authentication public key, elliptic-curve Diffie–Hellman.
pub const ID_PK_ECDH: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.1.2");
/// `standardizedDomainParameters` (BSI TR-03110-3): an AlgorithmIdentifier whose parameter is a PACE
/// standardized domain parameter ID, used for Chip Authentication keys in place of `id-ecPublicKey`/`dhpublicnumber`.
pub const STANDARDIZED_DOMAIN_PARAMETERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.1.2");
/// `id-TA`: Terminal Authentication.
pub const ID_TA: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.2");
/// `id-CA`: Chip Authentication.
pub const ID_CA: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.3");
/// `id-PACE`: Password Authenticated Connection Establishment.
pub const ID_PACE: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4");

/// `id-icao-mrtd-security-aaProtocolObject` (ActiveAuthenticationInfo).
pub const ID_AA: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.136.1.1.5");
/// `id-icao-mrtd-security-ldsSecurityObject`: the eContentType of EF.SOD.
pub const ID_LDS_SECURITY_OBJECT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.136.1.1.1");
/// `id-SecurityObject` (BSI TR-03110-3 §A.1.2.5): the eContentType of EF.CardSecurity (SecurityInfos).
pub const ID_SECURITY_OBJECT: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.3.2.1");
/// `id-icao-cscaMasterListSigningKey` (extended key usage of a Master List Signer).
pub const ID_ICAO_MASTER_LIST_SIGNING_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.136.1.1.3");
/// `id-icao-cscaMasterList`.
pub const ID_CSCA_MASTER_LIST: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.136.1.1.2");
/// The OID at the head of the Vietnamese DG13 (`1.0.10646.1.0.8`).
pub const VN_DG13: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.0.10646.1.0.8");

/// `id-ecPublicKey` (RFC 5480).
pub const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `prime-field` (X9.62), the field type of explicit curve parameters.
pub const PRIME_FIELD: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.1.1");
/// `dhpublicnumber` (X9.42).
pub const DH_PUBLIC_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10046.2.1");
/// `rsaEncryption` (PKCS #1).
pub const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-RSASSA-PSS`.
pub const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
/// `id-mgf1`.
pub const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
/// `sha1WithRSAEncryption`.
pub const SHA1_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
/// `sha224WithRSAEncryption`.
pub const SHA224_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.14");
/// `sha256WithRSAEncryption`.
pub const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// `sha384WithRSAEncryption`.
pub const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
/// `sha512WithRSAEncryption`.
pub const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
/// `ecdsa-with-SHA1`.
pub const ECDSA_WITH_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");
/// `ecdsa-with-SHA224`.
pub const ECDSA_WITH_SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.1");
/// `ecdsa-with-SHA256`.
pub const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// `ecdsa-with-SHA384`.
pub const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
/// `ecdsa-with-SHA512`.
pub const ECDSA_WITH_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
/// `ecdsa-plain-SHA1` (BSI TR-03111), used by some Active Authentication chips.
pub const ECDSA_PLAIN_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.1.1.4.1.1");
/// `ecdsa-plain-SHA224`.
pub const ECDSA_PLAIN_SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.1.1.4.1.2");
/// `ecdsa-plain-SHA256`.
pub const ECDSA_PLAIN_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.1.1.4.1.3");
/// `ecdsa-plain-SHA384`.
pub const ECDSA_PLAIN_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.1.1.4.1.4");
/// `ecdsa-plain-SHA512`.
pub const ECDSA_PLAIN_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.1.1.4.1.5");

/// `id-sha1`.
pub const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// `id-sha224`.
pub const SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.4");
/// `id-sha256`.
pub const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// `id-sha384`.
pub const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
/// `id-sha512`.
pub const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

/// NIST P-192 (`prime192v1`, `secp192r1`).
pub const SECP192R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.1");
/// NIST P-224 (`secp224r1`).
pub const SECP224R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.33");
/// NIST P-256 (`prime256v1`, `secp256r1`).
pub const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// NIST P-384 (`secp384r1`).
pub const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// NIST P-521 (`secp521r1`).
pub const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
/// brainpoolP192r1 (RFC 5639).
pub const BRAINPOOL_P192R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.36.3.3.2.8.1.1.3");
/// brainpoolP224r1.
pub const BRAINPOOL_P224R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.36.3.3.2.8.1.1.5");
/// brainpoolP256r1.
pub const BRAINPOOL_P256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.36.3.3.2.8.1.1.7");
/// brainpoolP320r1.
pub const BRAINPOOL_P320R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.36.3.3.2.8.1.1.9");
/// brainpoolP384r1.
pub const BRAINPOOL_P384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.36.3.3.2.8.1.1.11");
/// brainpoolP512r1.
pub const BRAINPOOL_P512R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.36.3.3.2.8.1.1.13");

/// CMS `id-signedData`.
pub const CMS_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// CMS `id-contentType` attribute.
pub const CMS_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// CMS `id-messageDigest` attribute.
pub const CMS_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// X.509 `id-ce-extKeyUsage`.
pub const EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
/// X.509 `id-ce-subjectKeyIdentifier`.
pub const SUBJECT_KEY_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
/// CMS `id-signingTime` attribute.
pub const CMS_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");

/// The key agreement of a PACE or Chip Authentication protocol OID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAgreement {
    /// Diffie–Hellman over a MODP group.
    Dh,
    /// Elliptic-curve Diffie–Hellman.
    Ecdh,
}

/// The mapping of a PACE protocol OID (ICAO 9303-11 §4.4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaceMapping {
    /// Generic Mapping.
    Generic,
    /// Integrated Mapping.
    Integrated,
    /// Chip Authentication Mapping (ECDH only).
    ChipAuthentication,
}

/// The symmetric cipher and MAC of a PACE or Chip Authentication protocol OID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmCipher {
    /// 2-key 3DES in CBC mode with the retail MAC (`-3DES-CBC-CBC`).
    TripleDes,
    /// AES-128 CBC with CMAC (`-AES-CBC-CMAC-128`).
    Aes128,
    /// AES-192 CBC with CMAC.
    Aes192,
    /// AES-256 CBC with CMAC.
    Aes256,
}

impl SmCipher {
    fn arc(self) -> u32 {
        match self {
            SmCipher::TripleDes => 1,
            SmCipher::Aes128 => 2,
            SmCipher::Aes192 => 3,
            SmCipher::Aes256 => 4,
        }
    }

    fn from_arc(arc: u32) -> Option<Self> {
        Some(match arc {
            1 => SmCipher::TripleDes,
            2 => SmCipher::Aes128,
            3 => SmCipher::Aes192,
            4 => SmCipher::Aes256,
            _ => return None,
        })
    }

    /// The spec's suffix: `3DES-CBC-CBC`, `AES-CBC-CMAC-128`….
    pub fn name(self) -> &'static str {
        match self {
            SmCipher::TripleDes => "3DES-CBC-CBC",
            SmCipher::Aes128 => "AES-CBC-CMAC-128",
            SmCipher::Aes192 => "AES-CBC-CMAC-192",
            SmCipher::Aes256 => "AES-CBC-CMAC-256",
        }
    }
}

/// A PACE protocol OID decomposed: `id-PACE-{DH,ECDH}-{GM,IM,CAM}-<cipher>` (`0.4.0.127.0.7.2.2.4.m.c`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PaceProtocol {
    /// DH or ECDH.
    pub key_agreement: KeyAgreement,
    /// GM, IM or CAM.
    pub mapping: PaceMapping,
    /// The secure messaging cipher.
    pub cipher: SmCipher,
}

fn child(base: ObjectIdentifier, arcs: &[u32]) -> Option<ObjectIdentifier> {
    let mut oid = base;
    for a in arcs {
        oid = oid.push_arc(*a).ok()?;
    }
    Some(oid)
}

/// The arcs of `oid` after `base`, if `oid` lies under `base`.
fn arcs_after(oid: &ObjectIdentifier, base: &ObjectIdentifier) -> Option<Vec<u32>> {
    let all: Vec<u32> = oid.arcs().collect();
    let head: Vec<u32> = base.arcs().collect();
    if all.len() < head.len() || all.get(..head.len())? != head.as_slice() {
        return None;
    }
    all.get(head.len()..).map(<[u32]>::to_vec)
}

impl PaceProtocol {
    fn mapping_arc(key_agreement: KeyAgreement, mapping: PaceMapping) -> Option<u32> {
        match (key_agreement, mapping) {
            (KeyAgreement::Dh, PaceMapping::Generic) => Some(1),
            (KeyAgreement::Ecdh, PaceMapping::Generic) => Some(2),
            (KeyAgreement::Dh, PaceMapping::Integrated) => Some(3),
            (KeyAgreement::Ecdh, PaceMapping::Integrated) => Some(4),
            (KeyAgreement::Ecdh, PaceMapping::ChipAuthentication) => Some(6),
            (KeyAgreement::Dh, PaceMapping::ChipAuthentication) => None,
        }
    }

    fn from_mapping_arc(arc: u32) -> Option<(KeyAgreement, PaceMapping)> {
        Some(match arc {
            1 => (KeyAgreement::Dh, PaceMapping::Generic),
            2 => (KeyAgreement::Ecdh, PaceMapping::Generic),
            3 => (KeyAgreement::Dh, PaceMapping::Integrated),
            4 => (KeyAgreement::Ecdh, PaceMapping::Integrated),
            6 => (KeyAgreement::Ecdh, PaceMapping::ChipAuthentication),
            _ => return None,
        })
    }

    /// Decomposes a PACE protocol OID; `None` for anything else.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        match arcs_after(oid, &ID_PACE)?.as_slice() {
            [m, c] => {
                let (key_agreement, mapping) = Self::from_mapping_arc(*m)?;
                Some(PaceProtocol { key_agreement, mapping, cipher: SmCipher::from_arc(*c)? })
            }
            _ => None,
        }
    }

    /// The protocol OID; `None` for the combination the specification does not define (DH with CAM).
    pub fn oid(&self) -> Option<ObjectIdentifier> {
        child(ID_PACE, &[Self::mapping_arc(self.key_agreement, self.mapping)?, self.cipher.arc()])
    }

    /// The domain-parameter OID of this protocol's mapping (`id-PACE-ECDH-GM` …), as PACEDomainParameterInfo uses.
    pub fn mapping_oid(&self) -> Option<ObjectIdentifier> {
        child(ID_PACE, &[Self::mapping_arc(self.key_agreement, self.mapping)?])
    }

    /// The name as the specifications write it, e.g. `id-PACE-ECDH-GM-AES-CBC-CMAC-128`.
    pub fn name(&self) -> String {
        let ka = match self.key_agreement {
            KeyAgreement::Dh => "DH",
            KeyAgreement::Ecdh => "ECDH",
        };
        let m = match self.mapping {
            PaceMapping::Generic => "GM",
            PaceMapping::Integrated => "IM",
            PaceMapping::ChipAuthentication => "CAM",
        };
        format!("id-PACE-{ka}-{m}-{}", self.cipher.name())
    }
}

/// A Chip Authentication protocol OID decomposed: `id-CA-{DH,ECDH}-<cipher>` (`0.4.0.127.0.7.2.2.3.k.c`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaProtocol {
    /// DH or ECDH.
    pub key_agreement: KeyAgreement,
    /// The secure messaging cipher.
    pub cipher: SmCipher,
}

impl CaProtocol {
    /// Decomposes a Chip Authentication protocol OID; `None` for anything else.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        match arcs_after(oid, &ID_CA)?.as_slice() {
            [k, c] => Some(CaProtocol {
                key_agreement: match k {
                    1 => KeyAgreement::Dh,
                    2 => KeyAgreement::Ecdh,
                    _ => return None,
                },
                cipher: SmCipher::from_arc(*c)?,
            }),
            _ => None,
        }
    }

    /// The protocol OID.
    pub fn oid(&self) -> Option<ObjectIdentifier> {
        let k = match self.key_agreement {
            KeyAgreement::Dh => 1,
            KeyAgreement::Ecdh => 2,
        };
        child(ID_CA, &[k, self.cipher.arc()])
    }

    /// The key-agreement OID (`id-CA-DH` / `id-CA-ECDH`), as ChipAuthenticationDomainParameterInfo uses.
    pub fn key_agreement_oid(&self) -> Option<ObjectIdentifier> {
        child(ID_CA, &[if self.key_agreement == KeyAgreement::Dh { 1 } else { 2 }])
    }

    /// The name as the specifications write it, e.g. `id-CA-ECDH-AES-CBC-CMAC-128`.
    pub fn name(&self) -> String {
        let ka = if self.key_agreement == KeyAgreement::Dh { "DH" } else { "ECDH" };
        format!("id-CA-{ka}-{}", self.cipher.name())
    }
}

/// The standardized domain parameters of ICAO 9303-11 §9.5.1 (Table 6) and BSI TR-03110-3 Table 4, IDs 0–18.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StandardizedDomainParameter {
    /// 0: 1024-bit MODP group with 160-bit prime order subgroup (RFC 5114 §2.1).
    Modp1024_160,
    /// 1: 2048-bit MODP group with 224-bit prime order subgroup (RFC 5114 §2.2).
    Modp2048_224,
    /// 2: 2048-bit MODP group with 256-bit prime order subgroup (RFC 5114 §2.3).
    Modp2048_256,
    /// 8: NIST P-192.
    P192,
    /// 9: brainpoolP192r1.
    BrainpoolP192r1,
    /// 10: NIST P-224.
    P224,
    /// 11: brainpoolP224r1.
    BrainpoolP224r1,
    /// 12: NIST P-256.
    P256,
    /// 13: brainpoolP256r1.
    BrainpoolP256r1,
    /// 14: brainpoolP320r1.
    BrainpoolP320r1,
    /// 15: NIST P-384.
    P384,
    /// 16: brainpoolP384r1.
    BrainpoolP384r1,
    /// 17: brainpoolP512r1.
    BrainpoolP512r1,
    /// 18: NIST P-521.
    P521,
}

const STANDARDIZED: [(u8, StandardizedDomainParameter, &str); 14] = [
    (0, StandardizedDomainParameter::Modp1024_160, "1024-bit MODP, 160-bit subgroup"),
    (1, StandardizedDomainParameter::Modp2048_224, "2048-bit MODP, 224-bit subgroup"),
    (2, StandardizedDomainParameter::Modp2048_256, "2048-bit MODP, 256-bit subgroup"),
    (8, StandardizedDomainParameter::P192, "NIST P-192"),
    (9, StandardizedDomainParameter::BrainpoolP192r1, "brainpoolP192r1"),
    (10, StandardizedDomainParameter::P224, "NIST P-224"),
    (11, StandardizedDomainParameter::BrainpoolP224r1, "brainpoolP224r1"),
    (12, StandardizedDomainParameter::P256, "NIST P-256"),
    (13, StandardizedDomainParameter::BrainpoolP256r1, "brainpoolP256r1"),
    (14, StandardizedDomainParameter::BrainpoolP320r1, "brainpoolP320r1"),
    (15, StandardizedDomainParameter::P384, "NIST P-384"),
    (16, StandardizedDomainParameter::BrainpoolP384r1, "brainpoolP384r1"),
    (17, StandardizedDomainParameter::BrainpoolP512r1, "brainpoolP512r1"),
    (18, StandardizedDomainParameter::P521, "NIST P-521"),
];

impl StandardizedDomainParameter {
    /// The parameter for an ID (3–7 are reserved: `None`).
    pub fn from_id(id: u8) -> Option<Self> {
        STANDARDIZED.iter().find(|(i, _, _)| *i == id).map(|(_, p, _)| *p)
    }

    /// The ID, 0 to 18.
    pub fn id(self) -> u8 {
        STANDARDIZED.iter().find(|(_, p, _)| *p == self).map(|(i, _, _)| *i).unwrap_or(0)
    }

    /// A readable name: `brainpoolP256r1`, `NIST P-256`, `2048-bit MODP, 224-bit subgroup`.
    pub fn name(self) -> &'static str {
        STANDARDIZED.iter().find(|(_, p, _)| *p == self).map(|(_, _, n)| *n).unwrap_or("")
    }

    /// Whether this is an elliptic curve (IDs 8–18) rather than a MODP group.
    pub fn is_elliptic_curve(self) -> bool {
        self.id() >= 8
    }

    /// The curve's OID, for elliptic curves.
    pub fn curve_oid(self) -> Option<ObjectIdentifier> {
        use StandardizedDomainParameter as S;
        Some(match self {
            S::P192 => SECP192R1,
            S::BrainpoolP192r1 => BRAINPOOL_P192R1,
            S::P224 => SECP224R1,
            S::BrainpoolP224r1 => BRAINPOOL_P224R1,
            S::P256 => SECP256R1,
            S::BrainpoolP256r1 => BRAINPOOL_P256R1,
            S::BrainpoolP320r1 => BRAINPOOL_P320R1,
            S::P384 => SECP384R1,
            S::BrainpoolP384r1 => BRAINPOOL_P384R1,
            S::BrainpoolP512r1 => BRAINPOOL_P512R1,
            S::P521 => SECP521R1,
            S::Modp1024_160 | S::Modp2048_224 | S::Modp2048_256 => return None,
        })
    }
}

/// A readable name for well-known OIDs (falls back to the dotted form).
pub fn name(oid: &ObjectIdentifier) -> String {
    if let Some(p) = PaceProtocol::from_oid(oid) {
        return p.name();
    }
    if let Some(c) = CaProtocol::from_oid(oid) {
        return c.name();
    }
    let known: &[(ObjectIdentifier, &str)] = &[
        (ID_PK_DH, "id-PK-DH"),
        (ID_PK_ECDH, "id-PK-ECDH"),
        (ID_TA, "id-TA"),
        (ID_AA, "id-AA"),
        (ID_LDS_SECURITY_OBJECT, "id-icao-mrtd-security-ldsSecurityObject"),
        (ID_SECURITY_OBJECT, "id-SecurityObject"),
        (EC_PUBLIC_KEY, "id-ecPublicKey"),
        (RSA_ENCRYPTION, "rsaEncryption"),
        (RSASSA_PSS, "id-RSASSA-PSS"),
        (SHA1_WITH_RSA, "sha1WithRSAEncryption"),
        (SHA224_WITH_RSA, "sha224WithRSAEncryption"),
        (SHA256_WITH_RSA, "sha256WithRSAEncryption"),
        (SHA384_WITH_RSA, "sha384WithRSAEncryption"),
        (SHA512_WITH_RSA, "sha512WithRSAEncryption"),
        (ECDSA_WITH_SHA1, "ecdsa-with-SHA1"),
        (ECDSA_WITH_SHA224, "ecdsa-with-SHA224"),
        (ECDSA_WITH_SHA256, "ecdsa-with-SHA256"),
        (ECDSA_WITH_SHA384, "ecdsa-with-SHA384"),
        (ECDSA_WITH_SHA512, "ecdsa-with-SHA512"),
        (ECDSA_PLAIN_SHA1, "ecdsa-plain-SHA1"),
        (ECDSA_PLAIN_SHA224, "ecdsa-plain-SHA224"),
        (ECDSA_PLAIN_SHA256, "ecdsa-plain-SHA256"),
        (ECDSA_PLAIN_SHA384, "ecdsa-plain-SHA384"),
        (ECDSA_PLAIN_SHA512, "ecdsa-plain-SHA512"),
        (SHA1, "SHA-1"),
        (SHA224, "SHA-224"),
        (SHA256, "SHA-256"),
        (SHA384, "SHA-384"),
        (SHA512, "SHA-512"),
        (SECP192R1, "secp192r1"),
        (SECP224R1, "secp224r1"),
        (SECP256R1, "secp256r1"),
        (SECP384R1, "secp384r1"),
        (SECP521R1, "secp521r1"),
        (BRAINPOOL_P192R1, "brainpoolP192r1"),
        (BRAINPOOL_P224R1, "brainpoolP224r1"),
        (BRAINPOOL_P256R1, "brainpoolP256r1"),
        (BRAINPOOL_P320R1, "brainpoolP320r1"),
        (BRAINPOOL_P384R1, "brainpoolP384r1"),
        (BRAINPOOL_P512R1, "brainpoolP512r1"),
        (CMS_SIGNED_DATA, "id-signedData"),
        (VN_DG13, "DG13 (Vietnam)"),
    ];
    known.iter().find(|(o, _)| o == oid).map(|(_, n)| (*n).to_string()).unwrap_or_else(|| oid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_protocols_round_trip() {
        let mut n = 0;
        for m in [1u32, 2, 3, 4, 6] {
            for c in 1u32..=4 {
                let oid = ObjectIdentifier::new_unwrap(&format!("0.4.0.127.0.7.2.2.4.{m}.{c}"));
                let p = PaceProtocol::from_oid(&oid).unwrap();
                assert_eq!(p.oid(), Some(oid));
                n += 1;
            }
        }
        assert_eq!(n, 20);
        let gm = PaceProtocol::from_oid(&ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.2.2")).unwrap();
        assert_eq!(gm.name(), "id-PACE-ECDH-GM-AES-CBC-CMAC-128");
        assert_eq!(gm.mapping_oid(), Some(ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.2")));
        assert_eq!(PaceProtocol::from_oid(&ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.5.1")), None);
        assert_eq!(PaceProtocol::from_oid(&ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.2")), None);
        assert_eq!(PaceProtocol::from_oid(&ID_CA), None);
    }

    #[test]
    fn ca_protocols_round_trip() {
        for k in 1u32..=2 {
            for c in 1u32..=4 {
                let oid = ObjectIdentifier::new_unwrap(&format!("0.4.0.127.0.7.2.2.3.{k}.{c}"));
                assert_eq!(CaProtocol::from_oid(&oid).unwrap().oid(), Some(oid));
            }
        }
        let ca = CaProtocol::from_oid(&ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.3.2.2")).unwrap();
        assert_eq!(ca.name(), "id-CA-ECDH-AES-CBC-CMAC-128");
        assert_eq!(ca.key_agreement_oid(), Some(ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.3.2")));
    }

    #[test]
    fn standardized_parameters() {
        for id in 0u8..=18 {
            match StandardizedDomainParameter::from_id(id) {
                Some(p) => {
                    assert_eq!(p.id(), id);
                    assert_eq!(p.is_elliptic_curve(), p.curve_oid().is_some());
                }
                None => assert!((3..=7).contains(&id)),
            }
        }
        assert_eq!(StandardizedDomainParameter::from_id(13).unwrap().name(), "brainpoolP256r1");
        assert_eq!(StandardizedDomainParameter::from_id(19), None);
        assert_eq!(name(&BRAINPOOL_P512R1), "brainpoolP512r1");
        assert_eq!(name(&ObjectIdentifier::new_unwrap("1.2.3")), "1.2.3");
    }
}
